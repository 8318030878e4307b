"""Lesson 1.1: gradient descent rolls a ball downhill on a cost curve, then across 2-D bowls.

The cost J(w) is a Tensor expression; every slope comes from the engine's ``backward()`` and
every update from its SGD optimizer (see :mod:`lessons.ch1_prerequisites.gradient_descent.model`).
The learner's learning
rate, start point and momentum drive the first descent, which the lesson checks against its
task; the later steps show the four regimes of the learning rate, a local minimum and a
restart, momentum, and descent on a round and a stretched 2-D bowl.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch1_prerequisites.gradient_descent import model as d
from lessons.ch1_prerequisites.gradient_descent.bowls import (
    BOWL_TITLE,
    PREVIEW_TITLE,
    bowl_preview,
    bowl_steps,
)
from lessons.ch1_prerequisites.gradient_descent.views import (
    curve_plot,
    history_plot,
    momentum_step,
    moves_table,
    rates_step,
    restart_step,
    stuck_step,
)
from lessons.core.base import (
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Toggle,
    Values,
)
from lessons.markup.numbers import plain, ptex, tex

MAX_STEPS = 20  # the learner's own descent is shown for at most this many steps
CHECKPOINTS = (1, 5, 10)  # updates shown as steps (with the last one); the table lists all


class GradientDescent(Lesson):
    """Roll downhill: slope, learning rate, local minima, momentum, 2-D bowls and zig-zags."""

    id = "gradient_descent"
    chapter = 1
    number = "1.1"
    title = "Gradient descent"
    summary = (
        "Training lowers a cost by stepping against its slope. A ball rolls down a curve with "
        "two valleys: the learning rate decides whether it crawls, converges, overshoots or "
        "flies off; it can get stuck in the wrong valley; momentum speeds it up; with two "
        "weights the path follows the contour map, and a stretched bowl makes it zig-zag."
    )
    controls = (
        Slider(
            "rate",
            "Learning rate η",
            minimum=0.001,
            maximum=1.0,
            default=0.02,
            log=True,
            help="How far each step goes, as a multiple of the slope.",
        ),
        Slider(
            "start",
            "Start point w₀",
            minimum=-2.8,
            maximum=3.3,
            default=3.0,
            help="Where the ball starts. You can also click on the cost curve.",
        ),
        Toggle("momentum", "Momentum", default=False, help="Let the ball keep its speed."),
        Slider(
            "beta",
            "Momentum coefficient β",
            minimum=0.0,
            maximum=0.99,
            default=0.5,
            help="How much of the last step's velocity is kept (0 = none).",
        ),
    )
    panels = (
        Plot(
            "curve",
            "Cost J(w) and the ball",
            x_label="weight w",
            y_label="cost J(w)",
            x_range=d.W_RANGE,
            y_range=d.J_RANGE,
            pick="start",
            legend=False,
            help="Click on the curve to start the ball there.",
            stretch=3,
        ),
        Plot("history", "Cost at each step", x_label="step t", y_label="cost J", stretch=2),
        # The contour map is used only at the end (the 2-D bowls): a narrow third of the top
        # row, so the table below gets the full width its columns need.
        Plot(
            "bowl",
            BOWL_TITLE,
            x_label="w₁",
            y_label="w₂",
            aspect_locked=True,
            stretch=2,
        ),
        Table("numbers", "Every number"),
    )
    layout = (3, 1)
    quiz = (
        MultipleChoice(
            "direction",
            "At the ball the slope is dJ/dw = −4. Which way does gradient descent move w?",
            ("Towards larger w", "Towards smaller w", "It does not move"),
            answer=0,
            explanations=(
                "Right: w − η·(−4) = w + 4η, a step to the right, where the curve goes down.",
                "That would be uphill: a negative slope means the cost falls to the right.",
                "Only a zero slope leaves the ball where it is.",
            ),
        ),
        NumericQuestion(
            "update",
            "The ball is at w = 3 where dJ/dw = 13.5, and η = 0.02. Where is it after one step?",
            answer=3 - 0.02 * 13.5,
            tolerance=0.005,
            explanation="w − η·dJ/dw = 3 − 0.02 × 13.5 = 3 − 0.27 = 2.73.",
        ),
        MultipleChoice(
            "diverge",
            "Each step lands farther from the valley and the cost keeps growing. What do you "
            "change?",
            ("Raise the learning rate", "Lower the learning rate", "Take more steps"),
            answer=1,
            explanations=(
                "Larger steps overshoot even more.",
                "Right: the steps are too long for the curve, so each jump overshoots further.",
                "More steps of the same size only fly farther away.",
            ),
        ),
        MultipleChoice(
            "local",
            "The ball rests in a valley whose cost is higher than the lowest one. Why does "
            "gradient descent not leave it?",
            (
                "The learning rate is too small",
                "The slope there is zero, so the update is zero",
                "The cost there is negative",
            ),
            answer=1,
            explanations=(
                "Any positive rate times a zero slope is still zero.",
                "Right: descent only sees the slope under the ball, and at the bottom of any "
                "valley it is zero. Restarting elsewhere (or momentum) is needed.",
                "The cost does not need to be negative; it is the slope that matters.",
            ),
        ),
    )
    task = Task(
        "fast_global",
        "Make the ball settle in the deepest valley (w = 2, within 0.01) in fewer than 20 "
        "steps. Choose the learning rate, the start point and momentum.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        rate, start = float(c.rate), float(c.start)
        beta = float(c.beta) if c.momentum else 0.0
        j0, g0 = d.slope(start)
        j_local, _ = d.slope(d.W_LOCAL)
        j_global, _ = d.slope(d.W_GLOBAL)

        yield Step(
            "A cost curve with two valleys",
            "Training searches for the parameter values that make the error, the "
            "<b>cost</b>, as small as possible. Here there is one parameter $w$ and the cost "
            f"is $${d.COST_TEX}$$ with a shallow valley at $w = -1.5$ (cost ${tex(j_local)}$) "
            f"and a deeper one at $w = 2$ (cost ${tex(j_global)}$). The ball starts at "
            f"$w_0 = {tex(start)}$ and only feels how steep the ground is under it.",
            {
                "curve": curve_plot(start, j0, labels=True),
                "history": history_plot(np.array([j0]), j0),
                "bowl": bowl_preview(),
                "numbers": moves_table(()),
            },
            figures={"start": start, "cost_start": j0},
            titles={"bowl": PREVIEW_TITLE},
            notes=f"The ball starts with cost $J = {tex(j0)}$. It cannot see the curve: at "
            "every step it only feels the slope under it, as a training algorithm only knows "
            "the gradient at the current weights.",
        )

        side = (
            "rises to the right, so downhill is to the left"
            if g0 > 0
            else ("falls to the right, so downhill is to the right")
        )
        yield Step(
            "The slope points uphill",
            "The derivative $\\frac{dJ}{dw}$ is the slope of the tangent line touching the "
            "curve at the ball (dashed). The engine gets it by reverse-mode autodiff, the "
            f"subject of lesson 1.2: $\\frac{{dJ}}{{dw}}({tex(start)}) = {tex(g0)}$. The curve "
            f"{side}. Gradient descent always steps against the slope, and the steeper the "
            "ground, the longer the step.",
            {"curve": curve_plot(start, j0, tangent=(start, j0, g0))},
            figures={"slope_start": g0},
        )

        run = d.descend(start, rate, beta, MAX_STEPS)
        shown = 0
        for t in checkpoints(run):
            yield _move_step(run, run.moves[t - 1], shown)
            shown = t

        yield _result_step(run, j_global)

        yield rates_step()
        yield stuck_step()
        yield restart_step(rng)
        yield momentum_step(float(c.beta))
        yield from bowl_steps(float(c.beta))

        yield Step(
            "Summary",
            "<ul><li>Gradient descent: measure the slope, step against it, scaled by the "
            "learning rate.</li>"
            "<li>Too small a rate crawls, a good one converges, too large a one overshoots "
            "or explodes.</li>"
            "<li>The ball stops in the first valley it reaches; restarts can find a better "
            "one.</li>"
            "<li>Momentum speeds the ball up on long slopes and damps zig-zags.</li>"
            "<li>With many weights the slope becomes the gradient.</li></ul>"
            "Now try the task (the Check tab).",
            {"numbers": moves_table(run.moves)},
        )


def checkpoints(run: d.Run) -> list[int]:
    """The updates shown as steps: the first, the 5th, the 10th, the first that overshoots
    (the cost goes up) and the last; the table on every step lists all updates so far."""
    n = len(run.moves)
    marks = {t for t in CHECKPOINTS if t <= n} | ({n} if n else set())
    marks |= {next((m.t for m in run.moves if m.j_new > m.j), n)} if n else set()
    return sorted(marks)


def _move_step(run: d.Run, m: d.Move, shown: int = 0) -> Step:
    """One update of the learner's descent, written out with its numbers; ``shown`` is the
    update of the previous checkpoint, and the updates in between are summed up."""
    eta, beta = run.rate, run.beta
    if beta:
        rule = (
            f"$$v \\leftarrow {tex(beta)} \\times {ptex(m.v_old)} - {tex(eta)} \\times "
            f"{ptex(m.g)} = {tex(m.velocity)}$$"
            f"$$w \\leftarrow {tex(m.w)} + {ptex(m.velocity)} = {tex(m.w_new)}$$"
        )
        general = "$$v \\leftarrow \\beta v - \\eta \\frac{dJ}{dw}, \\qquad w \\leftarrow w + v$$"
    else:
        rule = f"$$w \\leftarrow {tex(m.w)} - {tex(eta)} \\times {ptex(m.g)} = {tex(m.w_new)}$$"
        general = "$$w \\leftarrow w - \\eta \\frac{dJ}{dw}$$"
    if m.t == 1:
        rule = general + "With the numbers of this step: " + rule
    if m.t == 1:
        lead = (
            f"At $w = {tex(m.w)}$ the slope is ${tex(m.g)}$. The update moves $w$ against the "
            f"slope, scaled by the learning rate $\\eta = {tex(eta)}$"
            + (" and helped by the velocity $v$ of the previous steps (momentum):" if beta else ":")
        )
    else:
        lead = f"Update {m.t}: at $w = {tex(m.w)}$ the slope is ${tex(m.g)}$:"
        if m.t - shown > 1:
            was = run.moves[shown]  # the first update not shown yet
            lead = (
                f"Updates {shown + 1} to {m.t} (every one in the table) took $w$ from "
                f"${tex(was.w)}$ to ${tex(m.w_new)}$ and the cost from ${tex(was.j)}$ to "
                f"${tex(m.j_new)}$. " + lead
            )
    text = f"{lead} {rule} The cost goes from ${tex(m.j)}$ to ${tex(m.j_new)}$. "
    text += _remark(run, m)
    far = abs(m.w_new) > d.FAR
    plot = curve_plot(
        m.w_new,
        m.j_new,
        tangent=(m.w, m.j, m.g),
        trail=run.positions[: m.t],
    )
    costs = run.costs[: m.t + 1]
    history = history_plot(costs, None if far else float(np.max(costs)))
    return Step(
        f"Update {m.t}: w = {plain(m.w_new)}" if not far else f"Update {m.t}: the ball flies off",
        text,
        {"curve": plot, "history": history, "numbers": moves_table(run.moves[: m.t])},
        figures={"w": m.w_new, "cost": m.j_new, "slope": m.g},
        stop=far,
    )


def _remark(run: d.Run, m: d.Move) -> str:
    """One or two sentences on what this step shows."""
    if abs(m.w_new) > d.FAR:
        _, g_next = d.slope(m.w_new)
        return (
            f"The ball has left the picture: at $w = {tex(m.w_new)}$ the wall is so steep "
            f"(slope ${tex(g_next)}$) that the next step, ${tex(abs(run.rate * g_next))}$ "
            "long, would throw it even farther. This is <b>divergence</b>: the learning rate "
            "is too large for this curve and the cost grows without limit. Playing stops "
            "here; lower the learning rate and the lesson starts again."
        )
    before = run.moves[m.t - 2] if m.t > 1 else None
    if m.delta == 0:
        return "The slope is exactly zero here, so the ball does not move at all."
    if m.j_new > m.j:
        return (
            "The cost went <b>up</b>: the step was so long that the ball jumped past the "
            "bottom and landed higher on the other side. That is overshooting."
        )
    if before is not None and np.sign(before.delta) != np.sign(m.delta):
        return "The ball crossed the valley floor and turns back."
    if run.beta and before is not None:
        return (
            f"Without momentum this step would have been ${tex(-run.rate * m.g)}$; the "
            f"velocity carried over from earlier steps made it ${tex(m.delta)}$."
        )
    if before is None:
        return f"The cost fell by ${tex(m.j - m.j_new)}$."
    shrinking = abs(m.delta) < abs(before.delta)
    first_small = abs(m.delta) < 0.02 <= abs(before.delta)
    if first_small:
        return (
            "Near the bottom the slope flattens, so the steps shrink by themselves although "
            "the learning rate stays the same."
        )
    return (
        f"This step is ${tex(abs(m.delta))}$ long, "
        + (
            "shorter than the last one because the ground is flatter here."
            if shrinking
            else "longer than the last one because the ground is steeper here."
        )
        + f" The bottom at $w = 2$ is ${tex(abs(m.w_new - d.W_GLOBAL))}$ away."
    )


def _result_step(run: d.Run, j_global: float) -> Step:
    """Where the learner's ball ended, and the verdict on the task."""
    settled = run.settled_at(d.W_GLOBAL)
    w, n = run.final, len(run.moves)
    if run.end == "far":
        text = (
            f"With $\\eta = {tex(run.rate)}$ the ball flew off after {n} steps: gradient "
            "descent <b>diverged</b>. No finite step count reaches a minimum this way. Lower "
            "the learning rate: on this curve rates up to about 0.2 converge from most starts."
        )
        verdict = TaskResult(False, f"Diverged after {n} steps; lower the learning rate.")
        title = "Diverged"
    elif settled is not None and settled < 20:
        text = (
            f"The ball settled in the deepest valley, $w = {tex(w)}$ with "
            f"$J = {tex(j_global)}$, after <b>{settled} steps</b>. That meets the task. See "
            "how the steps were long on the steep wall and short near the bottom."
        )
        verdict = TaskResult(True, f"Settled at the global minimum in {settled} steps.")
        title = f"Task done: {settled} steps"
    elif run.end == "rest" and abs(w - d.W_PEAK) < d.AT_REST:
        text = (
            f"The ball sits on top of the hump at $w = {tex(w)}$, where the slope is zero too: "
            "a maximum is as flat as a minimum, so the update is zero and the ball never "
            "moves. Real training almost never lands exactly on such a point; nudge the start "
            "point a little to either side."
        )
        verdict = TaskResult(False, "Balanced on the hump; move the start point.")
        title = "Balanced on the hump"
    elif d.valley(w) == "local":
        thrown = run.start > d.W_PEAK
        text = (
            f"The ball ended at $w = {tex(w)}$ in the <b>shallow</b> valley, with cost "
            f"${tex(d.slope(w)[0])}$ instead of ${tex(j_global)}$. At its bottom the slope is "
            "zero, so descent does not leave it again. "
            + (
                "It started on the right side, but its steps were so long that it was thrown "
                "over the hump: lower the learning rate."
                if thrown
                else (
                    f"Momentum is on ($\\beta = {tex(run.beta)}$) but did not carry the ball "
                    "over the hump: start on the other side of $w = 0$, or try a larger "
                    "$\\beta$."
                    if run.beta
                    else "Start on the other side of the hump at $w = 0$, or switch on momentum."
                )
            )
        )
        verdict = TaskResult(False, "Ended in the local minimum.")
        title = "Stuck in the shallow valley"
    else:
        swings = bool(np.any(np.diff(np.sign(run.positions - d.W_GLOBAL)) != 0))
        advice = (
            "It keeps swinging past the bottom: lower the learning rate"
            + (" or the momentum coefficient." if run.beta else ".")
            if swings
            else "Its steps are too timid: raise the learning rate"
            + ("." if run.beta else " or switch on momentum.")
        )
        text = (
            f"After {n} steps the ball is at $w = {tex(w)}$, not yet resting at $w = 2$"
            + (f" (it settles only at step {settled})" if settled is not None else "")
            + f". {advice} The lesson runs again with your new values."
        )
        verdict = TaskResult(False, f"Not settled at w = 2 within 19 steps (now w = {plain(w)}).")
        title = "Not there yet"
    figures = {
        "final_w": w,
        "steps_taken": float(n),
        "diverged": float(run.end == "far"),
        "settled_global": float(settled if settled is not None else -1),
    }
    return Step(title, text, {"numbers": moves_table(run.moves)}, task=verdict, figures=figures)
