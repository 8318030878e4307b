"""Lesson 6.2: ReLU and 2x2 max pooling on a real feature map, forward and backward.

A real 8x8 digit is convolved with an edge kernel by the engine; ReLU zeroes the negative cells;
2x2 max pooling keeps the largest cell of each window and remembers which one won.  Backward, the
gradient of a small loss on the pooled map goes to each window's winner only, then through ReLU
only where the feature map was positive.  Last, what pooling buys: four times fewer numbers, and
(measured) more values that survive a one-pixel shift.  Every number comes from ``model``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch6_convnets.relu_pooling import model as m
from lessons.ch6_convnets.relu_pooling import texts as tx
from lessons.core.base import (
    Choice,
    Image,
    ImageData,
    Lesson,
    Step,
    Values,
)


def marks(marked: np.ndarray, caption: str) -> ImageData:
    """An 8x8 mask as an image: 1 (white) on the marked cells, 0 (black) elsewhere."""
    return ImageData(marked.astype(np.float64), levels=(0.0, 1.0), caption=caption)


def example_window(a: np.ndarray) -> tuple[int, int]:
    """The first window (row, col of the pooled map) holding two or more positive cells."""
    for r in range(4):
        for c in range(4):
            if np.count_nonzero(a[2 * r : 2 * r + 2, 2 * c : 2 * c + 2] > 0) >= 2:
                return r, c
    return 0, 0


class ReluPooling(Lesson):
    """Feature map -> ReLU -> 2x2 max pool, winners marked; the backward pass through both."""

    id = "relu_pooling"
    chapter = 6
    number = "6.2"
    title = "ReLU and max pooling"
    summary = (
        "A real digit, convolved with an edge kernel, gives a feature map. ReLU zeroes its "
        "negative cells, 2x2 max pooling keeps the largest cell of each window. Backward, the "
        "gradient goes to each window's winner only, and through ReLU only where the map was "
        "positive. Pooling makes the map four times smaller and less sensitive to small shifts."
    )
    controls = (
        Choice(
            "digit",
            "Digit",
            options=tuple(str(d) for d in range(10)),
            default="3",
            help="The first example of this class in the 8x8 digits set (assets/digits8x8.npz).",
        ),
        Choice(
            "kernel",
            "Edge kernel",
            options=tuple(m.KERNELS),
            default="Sobel: vertical edges",
            help="The 3x3 kernel the engine convolves the digit with.",
        ),
        Choice(
            "shift",
            "Shift (last step)",
            options=tuple(m.SHIFTS),
            default="1 px right",
            help="How the digit is moved to test what pooling keeps.",
        ),
    )
    panels = (
        Image("input", "Input digit (intensity 0..16)", colormap="gray", show_values=True),
        Image("map", "Feature map", colormap="diverging", show_values=True),
        Image("cells", "Marked cells (1 = marked)", colormap="gray", show_values=True),
        Image("pooled", "Kernel", colormap="diverging", show_values=True),
    )
    layout = (2, 2)
    quiz = tx.QUIZ
    seed = 6

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        label = int(c["digit"])
        kernel = m.KERNELS[str(c["kernel"])]
        index, image = m.first_of_class(label)
        f = m.forward(image[None, None], kernel)
        z, a, p, won = f.z[0, 0], f.a[0, 0], f.p[0, 0], f.winners[0, 0]
        b = m.backward(image, kernel, m.readout_weights(rng))
        digit = ImageData(image, levels=(0.0, 16.0), caption=f"digit {label}, item {index}")
        lo = float(np.abs(z).max()) or 1.0
        sym = (-lo, lo)

        yield Step(
            "A feature map from a real digit",
            tx.feature_text(label, str(c["kernel"]), z),
            {
                "input": digit,
                "map": ImageData(z + 0.0, levels=sym, caption="z = kernel slid over the digit"),
                "cells": marks(z < 0, "1 = negative"),
                "pooled": ImageData(kernel, caption=str(c["kernel"])),
            },
            titles={"map": "Feature map z", "cells": "Negative cells of z"},
            notes=tx.FEATURE_NOTES,
            figures={"negative": float(np.count_nonzero(z < 0)), "max": float(z.max())},
        )
        yield Step(
            "ReLU: negative cells become 0",
            tx.relu_text(z),
            {
                "map": ImageData(a, levels=sym, caption="a = max(0, z)"),
                "cells": marks(z < 0, "1 = zeroed by ReLU"),
            },
            titles={"map": "After ReLU: a = max(0, z)", "cells": "Cells ReLU zeroed"},
            notes=tx.RELU_NOTES,
            figures={"zeroed": float(np.count_nonzero(z < 0))},
        )
        wr, wc = example_window(a)
        window = a[2 * wr : 2 * wr + 2, 2 * wc : 2 * wc + 2]
        yield Step(
            "2x2 max pooling: one winner per window",
            tx.pool_text(window, (wr, wc), p, won, a),
            {
                "map": ImageData(a, levels=sym, highlight=(2 * wr, 2 * wc, 2, 2), caption=""),
                "cells": marks(won, "1 = the winner of its window"),
                "pooled": ImageData(
                    p, levels=sym, highlight=(wr, wc, 1, 1), caption="P: the 16 winners' values"
                ),
            },
            titles={
                "map": "a, with one 2x2 window boxed",
                "cells": "Winning cells",
                "pooled": "Pooled map P (4x4)",
            },
            notes=tx.POOL_NOTES,
            figures={"pooled_max": float(p.max())},
        )
        gsym = (-3.0, 3.0)
        yield Step(
            "Backward through the pool: winners only",
            tx.route_text(b, won),
            {
                "map": ImageData(b.grad_a + 0.0, levels=gsym, caption="∂L/∂a from the engine"),
                "cells": marks(won, "1 = winner, gets ∂L/∂P"),
                "pooled": ImageData(b.grad_p + 0.0, levels=gsym, caption=f"L = {b.loss:g}"),
            },
            titles={
                "map": "Gradient ∂L/∂a (8x8)",
                "cells": "Winning cells",
                "pooled": "Upstream gradient ∂L/∂P = V",
            },
            notes=tx.ROUTE_NOTES,
            figures={"loss": b.loss},
        )
        yield Step(
            "Backward through ReLU: only where z > 0",
            tx.relu_back_text(b, won, z),
            {
                "map": ImageData(b.grad_z + 0.0, levels=gsym, caption="∂L/∂z = ∂L/∂a where z > 0"),
                "cells": marks(won & (z > 0), "1 = winner with z > 0"),
            },
            titles={
                "map": "Gradient ∂L/∂z (8x8)",
                "cells": "Winners that ReLU lets through",
            },
            notes=tx.RELU_BACK_NOTES,
        )
        shift = m.SHIFTS[str(c["shift"])]
        moved = m.shifted(image, shift)
        fs = m.forward(moved[None, None], kernel)
        ps = fs.p[0, 0]
        x_all, _ = m.digits()
        every = m.forward(x_all, kernel)
        every_moved = m.forward(m.shifted(x_all, shift), kernel)
        stats = tx.ShiftStats.measure(f, fs, every, every_moved)
        yield Step(
            f"What pooling buys: shift the digit {c['shift']}",
            tx.shift_text(str(c["shift"]), stats),
            {
                "input": ImageData(moved, levels=(0.0, 16.0), caption=f"digit moved {c['shift']}"),
                "map": ImageData(p, levels=sym, caption="P of the original digit"),
                "cells": marks(fs.winners[0, 0], "1 = winner after the shift"),
                "pooled": ImageData(ps, levels=sym, caption=tx.same_caption(p, ps)),
            },
            titles={
                "input": f"Input digit, moved {c['shift']}",
                "map": "Pooled map P, original",
                "cells": "Winning cells, moved digit",
                "pooled": "Pooled map P, moved digit",
            },
            notes=tx.SHIFT_NOTES,
            figures=stats.figures(),
        )
