"""The 2-D part of lesson 1.1: descent on a round bowl and a stretched one, on a contour map.

The surfaces are the engine's (``engine.data.synthetic.sets``); their values on the grid, the
gradients
and the updates are all computed by the engine at run time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from engine.data.synthetic.sets import Surface, surface
from lessons.ch1_prerequisites.gradient_descent import model as d
from lessons.ch1_prerequisites.gradient_descent.views import (
    MOMENTUM_COLOR,
    curve_plot,
    history_lines,
)
from lessons.core.base import PlotData, Series, Step, TableData
from lessons.markup.numbers import plain, tex

BOWL_LEVELS = (0.25, 1.0, 2.0, 4.0, 6.0, 9.0, 12.0, 16.0)


BOWL_TITLE = "Two weights: contour map"
PREVIEW_TITLE = "Two weights (at the end)"


def bowl_preview() -> PlotData:
    """The round bowl's contour map, waiting for the 2-D part of the lesson (the panel's
    title says so: a note on the map was wider than the narrow panel and got cut)."""
    bowl = surface("bowl")
    z, rect = d.surface_image(bowl)
    return PlotData(
        image=z,
        image_rect=(rect[0], rect[1], rect[2], rect[3]),
        image_colormap="viridis",
        contours=BOWL_LEVELS,
        x_range=bowl.x_range,
        y_range=bowl.y_range,
    )


def _bowl_plot(
    surf: Surface, paths: Sequence[tuple[str, d.Path2D]], levels: Sequence[float]
) -> PlotData:
    z, rect = d.surface_image(surf)
    series: list[Series] = []
    for i, (name, path) in enumerate(paths):
        color = 1 if i == 0 else MOMENTUM_COLOR
        p = path.points
        series.append(Series(name, p[:, 0], p[:, 1], color=color, width=2.0))
        series.append(
            Series(f"_{name} steps", p[:, 0], p[:, 1], style="scatter", color=color, size=6)
        )
    start = paths[0][1].points[0]
    series.append(Series("_start", start[:1], start[1:2], style="marker", color=6, size=10))
    series.append(
        Series(
            "_minimum",
            np.array([surf.minima[0][0]]),
            np.array([surf.minima[0][1]]),
            style="marker",
            color=2,
            size=10,
            symbol="star",
        )
    )
    return PlotData(
        tuple(series),
        image=z,
        image_rect=(rect[0], rect[1], rect[2], rect[3]),
        image_colormap="viridis",
        contours=tuple(float(v) for v in levels),
        x_range=surf.x_range,
        y_range=surf.y_range,
    )


def _path_table(path: d.Path2D) -> TableData:
    rows = tuple(
        (t, float(p[0]), float(p[1]), float(path.costs[t]), float(g[0]), float(g[1]))
        for t, (p, g) in enumerate(zip(path.points[:-1], path.grads, strict=True))
    )
    return TableData(("t", "w₁", "w₂", "J", "∂J/∂w₁", "∂J/∂w₂"), rows)


def bowl_steps(beta: float) -> Iterator[Step]:
    """A round bowl, a stretched one with plain descent, and the stretched one with momentum."""
    bowl = surface("bowl")
    eta = 0.1
    path = d.descend_2d(bowl, bowl.start, eta, 0.0, 20)
    (a, b), (ga, gb) = path.points[0], path.grads[0]
    na, nb = path.points[1]
    yield Step(
        "Two weights: a round bowl",
        "With two weights the cost is a surface over $(w_1, w_2)$, drawn as a map whose "
        "contour lines join points of equal cost. "
        "The slope becomes the <b>gradient</b>, one partial derivative per weight; at the "
        f"start $$\\nabla J = \\left(\\frac{{\\partial J}}{{\\partial w_1}}, "
        f"\\frac{{\\partial J}}{{\\partial w_2}}\\right) = ({tex(ga)}, {tex(gb)})$$ and one "
        f"update moves both weights: $({tex(a)}, {tex(b)}) - {tex(eta)} \\times "
        f"({tex(ga)}, {tex(gb)}) = ({tex(na)}, {tex(nb)})$: straight towards the minimum.",
        {
            "bowl": _bowl_plot(bowl, [("η = 0.1", path)], BOWL_LEVELS),
            "curve": curve_plot(d.W_GLOBAL, d.slope(d.W_GLOBAL)[0], labels=True),
            "history": history_lines([("round bowl", path.costs)], colors=(1,)),
            "numbers": _path_table(path),
        },
        figures={"bowl_final_cost": float(path.costs[-1])},
        titles={"bowl": BOWL_TITLE},
        notes="The round bowl is $J = w_1^2 + w_2^2$. Its gradient $(2 w_1, 2 w_2)$ points "
        "straight away from the centre, at right angles to the circular contour lines, so "
        "every step heads for the minimum.",
    )

    ravine = surface("ravine")
    eta = 0.45
    levels = tuple(np.geomspace(0.05, 8.0, 9))
    zig = d.descend_2d(ravine, ravine.start, eta, 0.0, 30)
    yield Step(
        "A stretched bowl: zig-zag",
        "Now the bowl is stretched: $J = 0.05 w_1^2 + 2 w_2^2$ curves 40 times more "
        "sharply across the valley than along it. The gradient points mostly across, so with "
        f"$\\eta = {tex(eta)}$ each step overshoots the valley floor and $w_2$ changes sign "
        f"{d.zigzags(zig)} times in 30 steps, while $w_1$ creeps from ${tex(zig.points[0, 0])}$ "
        f"only to ${tex(zig.points[-1, 0])}$. A smaller rate stops the zig-zag but makes the "
        "creep along $w_1$ even slower: no single learning rate suits both directions.",
        {
            "bowl": _bowl_plot(ravine, [("no momentum", zig)], levels),
            "history": history_lines([("no momentum", zig.costs)], colors=(1,)),
            "numbers": _path_table(zig),
        },
        figures={"zigzags": float(d.zigzags(zig)), "ravine_plain_cost": float(zig.costs[-1])},
        notes="Lesson 4.5 shows how rescaling the inputs makes such bowls round.",
    )

    smooth = d.descend_2d(ravine, ravine.start, eta, beta, 30)
    text = (
        f"The same start and rate with momentum $\\beta = {tex(beta)}$. In the velocity the "
        "back-and-forth parts of successive steps cancel, while the small, steady push along "
        f"$w_1$ adds up. After 30 steps the cost is ${tex(float(smooth.costs[-1]))}$ with "
        f"momentum against ${tex(float(zig.costs[-1]))}$ without, and $w_2$ changes sign "
        f"{d.zigzags(smooth)} times instead of {d.zigzags(zig)}."
    )
    if beta == 0:
        text += " With β = 0 the two paths are identical: raise the momentum coefficient."
    yield Step(
        "Momentum in the stretched bowl",
        text,
        {
            "bowl": _bowl_plot(
                ravine, [("no momentum", zig), (f"β = {plain(beta)}", smooth)], levels
            ),
            "history": history_lines(
                [("no momentum", zig.costs), (f"β = {plain(beta)}", smooth.costs)],
                colors=(1, MOMENTUM_COLOR),
            ),
            "numbers": _path_table(smooth),
        },
        figures={"ravine_momentum_cost": float(smooth.costs[-1])},
    )
