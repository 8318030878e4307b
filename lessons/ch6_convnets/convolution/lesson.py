"""Lesson 6.1: convolution, step by step.

A 3 x 3 kernel slides over an MNIST digit (or a small RGB picture): at each position the patch
under it, the nine element-wise products, their sum and the one output pixel it makes; then the
whole feature map, the output size (n + 2p - k) / s + 1 for the chosen stride and padding, a
click on any output pixel to see its computation, and the three channels of a colour image.
Every number is the engine's: the map is a ``Conv2D`` forward pass with the kernel as its
weights, and the per-position numbers are the ``ConvWindow`` events of that same pass.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch6_convnets.convolution import model as m
from lessons.ch6_convnets.convolution import texts as tx
from lessons.ch6_convnets.convolution import views as v
from lessons.core.base import (
    Choice,
    Image,
    Lesson,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Values,
    Vector,
)

DIGIT, COLOUR = "MNIST digit", "colour picture (RGB)"
SIZE = {"sum": "Output size"}
SUM = {"sum": "The sum"}


class Convolution(Lesson):
    """A kernel slides over an image: patch, products, sum, feature map; stride, padding, RGB."""

    id = "convolution"
    chapter = 6
    number = "6.1"
    title = "Convolution, step by step"
    summary = (
        "A small kernel of weights slides over an image. At each position it multiplies the "
        "pixels under it by its weights and adds the products: one pixel of the feature map. "
        "Stride and padding set the map's size; a colour image gets one kernel per channel."
    )
    controls = (
        Choice("image", "Image", options=(DIGIT, COLOUR), default=DIGIT),
        Slider("digit", "MNIST digit", 0, 9, default=3, integer=True, step=1),
        Choice("kernel", "Kernel", options=m.KERNEL_NAMES, default="horizontal edges"),
        Vector(
            "custom",
            "Custom kernel (9 numbers, row by row)",
            default=(0.0, -1.0, 0.0, -1.0, 4.0, -1.0, 0.0, -1.0, 0.0),
            minimum=-10.0,
            maximum=10.0,
            min_length=9,
            max_length=9,
            help="Used when the kernel is 'custom'. Three rows of three weights.",
        ),
        Vector(
            "channel_weights",
            "RGB: kernel scale per channel (R, G, B)",
            default=(1.0, 1.0, 1.0),
            minimum=-2.0,
            maximum=2.0,
            min_length=3,
            max_length=3,
            labels=m.CHANNELS,
            help="The kernel for each colour channel is the kernel times this number.",
        ),
        Slider("stride", "Stride s", 1, 3, default=1, integer=True, step=1),
        Slider("padding", "Padding p (zeros)", 0, 2, default=0, integer=True, step=1),
        Vector(
            "pick",
            "Output pixel (click the feature map)",
            default=(-1.0, 1.0),
            minimum=-100.0,
            maximum=100.0,
            min_length=2,
            max_length=2,
            help="Set by a click on the feature map; outside the map: a default pixel.",
        ),
    )
    panels = (
        Plot("input", "Input image", aspect_locked=True, legend=False),
        Plot(
            "map",
            "Feature map (click it)",
            aspect_locked=True,
            legend=False,
            pick="pick",
            pick_point=True,
        ),
        Table("sum", "The sum"),
        Image("patch", "Patch", colormap="gray", show_values=True),
        Image("kernel", "Kernel", colormap="diverging", show_values=True),
        Image("products", "Products", colormap="diverging", show_values=True),
    )
    layout = (3, 3)
    quiz = tx.QUIZ
    task = Task(
        "half",
        "Make the feature map exactly half as wide as the input image (28 → 14 for a digit) "
        "with the stride and padding sliders.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        picture = m.colour_picture(rng)
        digit = m.mnist_digit(int(c.digit))
        base = m.kernel_of(c.kernel, tuple(c.custom))
        scales = np.asarray(c.channel_weights, dtype=np.float64)
        rgb_kernels = scales[:, None, None] * base[None]
        colour = c.image == COLOUR
        image, kernels = (picture, rgb_kernels) if colour else (digit, base[None])
        s, p = int(c.stride), int(c.padding)
        run = m.convolve(image, kernels, s, p)
        ho, wo = run.shape
        _, h, w = image.shape
        half = wo == w // 2
        task = TaskResult(
            half,
            f"Done: {w} → {wo} with s = {s}, p = {p}." if half else f"Now {w} → {wo} wide.",
        )
        what = tx.DETECTS.get(c.kernel, "whatever pattern its weights match")
        kname = "custom" if c.kernel == m.CUSTOM else c.kernel
        pixel = (
            "each three numbers (red, green, blue) from 0 to 1"
            if colour
            else "each a number from 0 (dark) to 1 (bright)"
        )
        img_name = "a colour picture" if colour else f"an MNIST digit ({int(c.digit)})"

        def at(
            row: int, col: int, filled: int | None, runx: m.ConvRun = run
        ) -> dict[str, PanelData]:
            return {
                "input": v.input_plot(runx, row, col),
                "map": v.map_plot(runx, row, col, filled),
                "sum": v.sum_table(runx, row, col),
                "patch": v.patch_image(runx, row, col),
                "kernel": v.kernel_image(runx.kernels),
                "products": v.products_image(runx, row, col),
            }

        def order(row: int, col: int) -> int:
            return row * wo + col + 1

        def figures(row: int, col: int) -> dict[str, float]:
            win = run.window(row, col)
            return {
                "row": row,
                "col": col,
                "sum_of_products": float(win.products.sum()),
                "output": float(run.fmap[row, col]),
                "height": ho,
                "width": wo,
            }

        # 1. The image and the kernel.
        first = at(0, 0, 0)
        yield Step(
            "An image is a grid of numbers",
            f"The input is {img_name}, {h} × {w} pixels, {pixel}. The <b>kernel</b> is a "
            "3 × 3 grid of weights, here the "
            f"<b>{kname}</b> kernel (bottom middle). It looks for {what}. It will first sit "
            "on the vermillion window; the patch under it is at the bottom left.",
            {
                **{key: first[key] for key in ("input", "patch", "kernel")},
                "map": v.map_plot(run, None, None, 0),
                "sum": v.size_table(run),
            },
            titles=SIZE,
            task=task,
            notes=tx.NOTES_SLIDE,
            figures={"height": ho, "width": wo},
        )

        # 2. First position: products and sum.
        win = run.window(0, 0)
        total = float(win.products.sum())
        flat = (
            "" if np.any(win.patch) else " The patch is all background (0), so every product is 0."
        )
        yield Step(
            "Multiply and add: one output pixel",
            "Multiply each pixel of the patch (bottom left) by the weight at the same place in "
            "the kernel (bottom middle), "
            "then add the nine products: "
            f"$y_{{0,0}} = \\sum_{{i,j}} x_{{i,j}} \\, k_{{i,j}} = {tx.fmt(total)}$.{flat} "
            "That one number is the top-left pixel of the feature map (top middle). The table "
            "puts the sum beside what the engine's Conv2D layer computed there: they agree.",
            at(0, 0, order(0, 0)),
            task=task,
            titles=SUM,
            figures=figures(0, 0),
        )

        # 3-4. Further along the scan: two neighbouring positions on the strongest row.
        sr, sc = run.strongest()
        before = (sr, sc - 1) if sc > 0 else (sr, min(sc + 1, wo - 1))
        if before == (sr, sc) or before == (0, 0):
            before = (sr, sc)
        br, bc = before
        cover = (
            "Here the patch covers part of the image"
            if np.any(run.window(br, bc).patch)
            else "This patch is still blank background"
        )
        yield Step(
            f"Slide along: row {br}, column {bc}",
            f"The window moves right by the stride, s = {s} pixel{'s' if s > 1 else ''}, "
            f"to the end of a row, then down by {s} and back to the left. "
            f"{order(br, bc) - 1} pixels are already filled in. {cover}, and the products "
            "give "
            f"$y_{{{br},{bc}}} = {tx.fmt(float(run.fmap[br, bc]))}$.",
            at(br, bc, order(br, bc)),
            task=task,
            titles=SUM,
            figures=figures(br, bc),
        )
        top = float(run.fmap[sr, sc])
        if top == 0.0:
            strong = "Every output pixel is 0: these weights find nothing in this image."
        else:
            match = (
                "the patch matches the kernel's pattern, so bright pixels meet the positive weights"
                if top > 0
                else "the patch holds the kernel's pattern reversed, so bright pixels meet the "
                "negative weights"
            )
            strong = (
                f"This is the strongest response (largest size) of the whole map, "
                f"$y_{{{sr},{sc}}} = {tx.fmt(top)}$: {match}."
            )
        if (sr, sc) != (br, bc):
            strong = f"One more slide, to column {sc}. " + strong
        yield Step(
            f"A strong match: row {sr}, column {sc}",
            strong + " Compare the products (bottom right) with those of the previous step.",
            at(sr, sc, order(sr, sc)),
            task=task,
            titles=SUM,
            figures=figures(sr, sc),
        )

        # 5. The rest of the map.
        pos = int((run.fmap > 0).sum())
        neg = int((run.fmap < 0).sum())
        zeros = ho * wo - pos - neg
        zero_text = f", {zeros} exactly 0" if zeros else ""
        yield Step(
            "The whole feature map",
            f"The same multiply-and-add at all {ho * wo} positions fills the {ho} × {wo} "
            f"<b>feature map</b>: {pos} pixels are positive, {neg} negative{zero_text}. "
            f"The {kname} kernel responds to {what}. The engine does all positions in one "
            "matrix product, not one by one.",
            at(sr, sc, None),
            task=task,
            titles=SUM,
            figures={"positive": pos, "negative": neg, "height": ho, "width": wo},
        )

        # 6. Output size.
        lost = (w + 2 * p - m.KERNEL) % s
        drop = (
            f" Here {lost} column{'s' if lost > 1 else ''} at the right edge cannot hold a full "
            "window and " + ("is" if lost == 1 else "are") + " skipped: that is the rounding down."
            if lost
            else ""
        )
        frame = " (the thin frame marks the image inside it)" if p else ""
        yield Step(
            "How big is the feature map?",
            "Along each axis, with n input pixels, kernel size k, padding p and stride s: "
            f"$n_{{out}} = \\lfloor (n + 2p - k) / s \\rfloor + 1 = "
            f"\\lfloor ({w} + {2 * p} - 3) / {s} \\rfloor + 1 = {wo}$. "
            f"Padding adds a border of zeros{frame}; the stride skips positions.{drop} "
            "Try the stride and padding sliders.",
            {**at(sr, sc, None), "sum": v.size_table(run)},
            titles=SIZE,
            task=task,
            notes=tx.NOTES_SIZE,
            figures={"height": ho, "width": wo},
        )

        # 7. Click any output pixel.
        chosen = v.picked_pixel(tuple(c.pick), run.shape)
        low = divmod(int(np.argmin(run.fmap)), wo)
        if chosen is not None:
            pr, pc = chosen
            how = "the one you clicked"
        elif run.fmap[low] < 0:
            pr, pc = low
            how = "the most negative one (the pattern reversed) until you click another"
        else:
            pr, pc = ho // 2, wo // 2
            how = "the centre one, until you click another"
        yield Step(
            "Click any output pixel",
            f"Click a pixel of the feature map: the window jumps to the patch that made it. "
            f"This is pixel row {pr}, column {pc}, {how}: "
            f"$y_{{{pr},{pc}}} = {tx.fmt(float(run.fmap[pr, pc]))}$. "
            "Every panel follows the click: input window, patch, products and sum.",
            at(pr, pc, None),
            task=task,
            titles=SUM,
            figures=figures(pr, pc),
        )

        # 8. Three channels.
        crun = run if colour else m.convolve(picture, rgb_kernels, s, p)
        cpick = v.picked_pixel(tuple(c.pick), crun.shape)
        cr, cc = cpick if cpick is not None else crun.strongest()
        cw = crun.window(cr, cc)
        sums = [float(x.sum()) for x in cw.products]
        scale_text = ", ".join(f"{n} × {g:g}" for n, g in zip(m.CHANNELS, scales, strict=True))
        yield Step(
            "A colour image: one kernel per channel",
            "A colour picture has three channels, red, green and blue, so the filter has one "
            f"3 × 3 kernel for each ({scale_text}): 27 weights. Each channel gives its own "
            "sum of products, and the three sums add up to one output pixel: "
            f"${tx.fmt(sums[0])} + {tx.fmt(sums[1])} + {tx.fmt(sums[2])} = "
            f"{tx.fmt(float(crun.fmap[cr, cc]))}$ at row {cr}, column {cc}.",
            at(cr, cc, None, crun),
            task=task,
            titles=SUM,
            notes=tx.NOTES_RGB,
            figures={"r": sums[0], "g": sums[1], "b": sums[2], "output": float(crun.fmap[cr, cc])},
        )

        # 9. Check.
        yield Step(
            "Check: size it yourself",
            "Task: make the feature map exactly half as wide as the input with the stride "
            f"and padding sliders. Now it is {w} → {wo} wide"
            + (", which is half: well done." if half else ".")
            + " Then answer the quiz: the output size, the weights of an RGB filter, and what "
            "a blur makes of a flat patch.",
            {**at(sr, sc, None), "sum": v.size_table(run)},
            titles=SIZE,
            task=task,
            figures={"height": ho, "width": wo},
        )
