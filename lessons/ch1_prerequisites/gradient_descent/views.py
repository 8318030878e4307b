"""What lesson 1.1 shows: the cost-curve plot, tables, and its demonstration steps.

The demonstrations use fixed settings (stated in their text) so that each one shows its
point whatever the learner chose: four learning rates side by side, a ball stuck in the
shallow valley, random restarts, and descent on a round and a stretched 2-D bowl.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch1_prerequisites.gradient_descent import model as d
from lessons.core.base import Annotation, PlotData, Series, Step, TableData
from lessons.markup.numbers import plain, tex

CURVE_X = np.linspace(d.W_RANGE[0], d.W_RANGE[1], 261)
RATES = (0.005, 0.05, 0.25, 0.6)  # crawl, converge, overshoot, diverge (from w = 2.8)
MOMENTUM_COLOR = 2  # palette index: paths without momentum are orange (1), with it green
TANGENT_LENGTH = 0.4  # of the plot's diagonal, so every tangent looks the same length


def _j(ws: np.ndarray) -> np.ndarray:
    """Costs of the positions that are still on the picture (NaN for the others)."""
    ws = np.asarray(ws, dtype=np.float64)
    inside = np.abs(ws) <= d.FAR
    out = np.full(ws.shape, np.nan)
    out[inside] = d.cost_curve(ws[inside])
    return out


def curve_plot(
    w: float,
    j: float,
    *,
    tangent: tuple[float, float, float] | None = None,
    trail: Sequence[float] | np.ndarray | None = None,
    other: tuple[str, np.ndarray] | None = None,
    trail_color: int = 1,
    labels: bool = False,
) -> PlotData:
    """The cost curve with the ball at (w, j), optionally its tangent, path and a second path."""
    series = [Series("J(w)", CURVE_X, d.cost_curve(CURVE_X), color=0, width=2.5)]
    if other is not None:
        name, ws = other
        series.append(Series(name, ws, _j(ws), style="scatter", color=1, size=7))
    if trail is not None and len(trail):
        ws = np.asarray(trail, dtype=np.float64)
        series.append(Series("path", ws, _j(ws), style="scatter", color=trail_color, size=9))
    if tangent is not None:
        tw, tj, g = tangent
        span_x = d.W_RANGE[1] - d.W_RANGE[0]
        span_y = d.J_RANGE[1] - d.J_RANGE[0]
        half = TANGENT_LENGTH / np.hypot(1 / span_x, g / span_y)
        xs = np.array([tw - half, tw + half])
        series.append(Series("tangent", xs, tj + g * (xs - tw), style="dash", color=2, width=3.0))
    series.append(Series("ball", np.array([w]), np.array([j]), style="marker", color=3, size=12))
    notes: list[Annotation] = []
    if labels:
        notes += [
            Annotation(d.W_LOCAL, d.slope(d.W_LOCAL)[0], "local minimum", 2, (0.3, -0.15)),
            Annotation(d.W_GLOBAL, d.slope(d.W_GLOBAL)[0], "global minimum", 2, (0.75, -0.15)),
        ]
    lo, hi = d.W_RANGE
    if not (lo <= w <= hi and d.J_RANGE[0] <= j <= d.J_RANGE[1]):
        edge = min(max(w, lo), hi)
        anchor = (0.0, 0.0) if edge < 0 else (1.0, 0.0)
        arrow = "←" if w < lo else ("→" if w > hi else "↑")
        notes.append(Annotation(edge, d.J_RANGE[1], f"{arrow} ball at w = {plain(w)}", 3, anchor))
    return PlotData(tuple(series), annotations=tuple(notes))


def history_plot(costs: np.ndarray, top: float | None = None) -> PlotData:
    """The learner's cost per step, on fixed axes while the run stays in the picture."""
    series = (
        Series("cost", np.arange(costs.size, dtype=float), costs, style="line"),
        Series("_costs", np.arange(costs.size, dtype=float), costs, style="scatter", size=6),
    )
    if top is None:
        return PlotData(series)
    return PlotData(series, x_range=(-0.5, 20.5), y_range=(0.0, max(top, 1.0) * 1.05))


def reference_line(level: float, steps: int) -> tuple[Series, ...]:
    """A dotted horizontal reference (small points, foreground colour): not a validation
    curve, which is the only thing drawn dashed on a plot over training steps."""
    xs = np.arange(0.0, steps + 0.01, 0.5)
    return (Series("_reference", xs, np.full(xs.shape, level), style="scatter", color=6, size=3),)


def moves_table(
    moves: Sequence[d.Move], newest_first: bool = True, mark_last: bool = False
) -> TableData:
    """One row per update: position, cost, slope, the step and where it led.

    While the learner steps, the newest update comes first (and is highlighted) so it is
    always in view; a finished demonstration reads from the top in order, and with
    ``mark_last`` its last row (where the run ended up) is highlighted, which scrolls it into
    view.
    """
    ordered = list(reversed(moves)) if newest_first else list(moves)
    rows = tuple((m.t, m.w, m.j, m.g, m.delta, m.w_new) for m in ordered)
    if not rows:
        marked: tuple[int, ...] = ()
    elif newest_first:
        marked = (0,)
    else:
        marked = (len(rows) - 1,) if mark_last else ()
    return TableData(("t", "w", "J(w)", "dJ/dw", "Δw", "new w"), rows, highlight_rows=marked)


def history_lines(
    runs: Sequence[tuple[str, np.ndarray]],
    y_max: float | None = None,
    colors: Sequence[int] | None = None,
) -> PlotData:
    """Cost against step for several runs, one palette colour each."""
    series = tuple(
        Series(name, np.arange(costs.size, dtype=float), costs, color=colors[i] if colors else i)
        for i, (name, costs) in enumerate(runs)
    )
    return PlotData(series, y_range=(0.0, y_max) if y_max else None)


def _outcome(run: d.Run) -> str:
    """What a run did, in words, from its numbers."""
    n = len(run.moves)
    if run.end == "far":
        return f"flies off at step {n}"
    settled = run.settled_at(d.W_GLOBAL)
    crossed = bool(np.any(np.diff(np.sign(run.positions - d.W_GLOBAL)) != 0))
    if settled is not None:
        return f"{'overshoots, then settles' if crossed else 'settles'} in {settled} steps"
    if crossed:
        return f"overshoots and swings around w = 2 (now {plain(run.final)})"
    return f"crawls: after {n} steps still at w = {plain(run.final)}"


def rates_step() -> Step:
    """The same start with four learning rates: crawl, converge, overshoot, diverge."""
    start, steps = 2.8, 14
    runs = [d.descend(start, rate, 0.0, steps) for rate in RATES]
    told = [f"$\\eta = {tex(r.rate)}$ {_outcome(r)}" for r in runs]
    text = (
        f"Four balls start at $w = {tex(start)}$, each with its own learning rate, for "
        f"{steps} steps. " + "; ".join(told) + ". Too small a rate wastes steps; a larger "
        "one gets there sooner until it overshoots; beyond that each jump lands on a "
        "steeper wall and the next is longer still: the run <b>diverges</b>."
    )
    rows = tuple((r.rate, _outcome(r), r.final, d.slope(r.final)[0]) for r in runs)
    trails = tuple(
        Series(
            f"η = {plain(r.rate)}", r.positions, _j(r.positions), style="scatter", color=i, size=7
        )
        for i, r in enumerate(runs)
    )
    curve = PlotData((Series("J(w)", CURVE_X, d.cost_curve(CURVE_X), color=6), *trails))
    costs = [(f"η = {plain(r.rate)}", _j(r.positions)) for r in runs]
    return Step(
        "Too small, right, too big",
        text,
        {
            "curve": curve,
            "history": history_lines(costs, d.J_RANGE[1]),
            "numbers": TableData(("η", "what happens", "last w", "last J"), rows),
        },
        figures={f"rate_{i}_end": r.final for i, r in enumerate(runs)},
    )


def stuck_step() -> Step:
    """A start left of the hump: the ball rests in the shallow valley for good."""
    start, rate = -2.4, 0.05
    run = d.descend(start, rate, 0.0, 40)
    w = run.final
    j = d.slope(w)[0]
    last = run.moves[-1]
    j_global = d.slope(d.W_GLOBAL)[0]
    text = (
        f"Start the ball at $w_0 = {tex(start)}$, left of the hump at $w = 0$, with "
        f"$\\eta = {tex(rate)}$. After {len(run.moves)} steps it rests at $w = {tex(w)}$, "
        f"where the slope is practically zero (the last row: ${tex(last.g)}$, a step of "
        f"${tex(last.delta)}$), so the updates do nothing more. "
        f"Its cost ${tex(j)}$ is far worse than ${tex(j_global)}$ in the other valley "
        "(dotted), yet every direction from where it stands goes uphill: a <b>local minimum</b>."
    )
    history = history_lines([("cost", run.costs)], float(np.max(run.costs)) * 1.05, (1,))
    history = PlotData(
        (*history.series, *reference_line(j_global, len(run.costs))),
        (Annotation(len(run.costs) / 2, j_global, f"lowest {plain(j_global, 3)}", 6, (0.5, 1.0)),),
        y_range=history.y_range,
    )
    return Step(
        "Stuck in a local minimum",
        text,
        {
            "curve": curve_plot(w, j, trail=run.positions, labels=True),
            "history": history,
            "numbers": moves_table(run.moves, newest_first=False, mark_last=True),
        },
        figures={"stuck_w": w, "stuck_cost": j},
    )


def restart_step(rng: np.random.Generator) -> Step:
    """Several random starts; keep the best result."""
    starts = rng.uniform(-2.8, 3.3, 6)
    runs = [d.descend(float(s), 0.05, 0.0, 60) for s in starts]
    ends = np.array([r.final for r in runs])
    costs = _j(ends)
    best = int(np.nanargmin(costs))
    found = sum(d.valley(e) == "global" for e in ends)
    text = (
        "The simplest cure: start again from other points and keep the best end point. "
        f"Six random starts with $\\eta = 0.05$: {found} of them reach the deep valley, and "
        f"the best cost found is ${tex(float(costs[best]))}$ at $w = {tex(float(ends[best]))}$. "
        "For real neural networks this matters less than the picture suggests: with many "
        "weights, training rarely ends up trapped in a bad valley."
    )
    trails = tuple(
        Series(
            f"start {plain(float(s))}",
            r.positions,
            _j(r.positions),
            style="scatter",
            color=i,
            size=6,
        )
        for i, (s, r) in enumerate(zip(starts, runs, strict=True))
    )
    rows = tuple(
        (float(s), r.final, float(c), d.valley(r.final))
        for s, r, c in zip(starts, runs, costs, strict=True)
    )
    curve = PlotData(
        (
            Series("J(w)", CURVE_X, d.cost_curve(CURVE_X), color=6),
            *trails,
            Series(
                "best",
                ends[best : best + 1],
                costs[best : best + 1],
                style="marker",
                color=3,
                size=12,
            ),
        )
    )
    return Step(
        "Restart somewhere else",
        text,
        {
            "curve": curve,
            "history": history_lines([(f"start {i + 1}", r.costs) for i, r in enumerate(runs)]),
            "numbers": TableData(
                ("start w₀", "end w", "end J", "valley"), rows, highlight_rows=(best,)
            ),
        },
        figures={"restarts_global": float(found), "best_cost": float(costs[best])},
    )


def momentum_step(beta: float) -> Step:
    """Plain descent against momentum from the same start, with a small learning rate."""
    eta, start, steps = 0.01, 3.0, 60
    plain_run = d.descend(start, eta, 0.0, steps)
    fast = d.descend(start, eta, beta, steps)
    a, b = plain_run.settled_at(d.W_GLOBAL), fast.settled_at(d.W_GLOBAL)

    def told(n: int | None) -> str:
        return f"{n} steps" if n is not None else f"more than {steps} steps"

    text = (
        "Momentum gives the ball inertia. It keeps a velocity $v$ that remembers earlier "
        "steps: $$v \\leftarrow \\beta v - \\eta \\frac{dJ}{dw}, \\qquad w \\leftarrow w + v$$ "
        f"Both balls start at $w = 3$ with the small rate $\\eta = {tex(eta)}$. Without "
        f"momentum the ball needs {told(a)} to settle at $w = 2$; with "
        f"$\\beta = {tex(beta)}$ (the momentum slider) it needs {told(b)}. On a steady "
        "slope each step grows to $1/(1-\\beta)$ times the plain one."
    )
    if beta == 0:
        text += " With β = 0 there is no momentum at all: both paths are the same."
    n = max(len(plain_run.moves), len(fast.moves))
    return Step(
        "Momentum: the ball gathers speed",
        text,
        {
            "curve": curve_plot(
                fast.final,
                d.slope(fast.final)[0],
                trail=fast.positions,
                other=("no momentum", plain_run.positions),
                trail_color=MOMENTUM_COLOR,
            ),
            "numbers": moves_table(fast.moves, newest_first=False),
            "history": PlotData(
                (
                    Series(
                        "no momentum", np.arange(plain_run.costs.size), plain_run.costs, color=1
                    ),
                    Series(
                        f"β = {plain(beta)}",
                        np.arange(fast.costs.size),
                        fast.costs,
                        color=MOMENTUM_COLOR,
                    ),
                ),
                x_range=(0.0, float(n)),
            ),
        },
        figures={"plain_settled": float(a or -1), "momentum_settled": float(b or -1)},
        notes="Near the bottom the ball has to brake, so a large β (try 0.9) rolls past the "
        "bottom and swings back and forth before it settles.",
    )
