"""Lesson 7.3: backpropagation through time; vanishing, exploding, clipped and truncated gradients.

A tanh RNN (the engine's SimpleRNN, float64) must output its first input after T steps.  The
lesson walks the gradient dL/dh_t back from the last step to the first, one step written out
with its numbers, then the whole walk on a log axis with a computed verdict; compares small and
large recurrent weights; trains with and without gradient clipping by norm; and truncates the
walk to the last k steps.  Every gradient norm is the engine's ``hidden_grad_norms``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch7_recurrent.bptt import model as m
from lessons.ch7_recurrent.bptt import texts
from lessons.ch7_recurrent.bptt import views as v
from lessons.core.base import (
    Button,
    Choice,
    Lesson,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Values,
)
from lessons.core.panels import Annotation, Graph
from lessons.markup.numbers import plain

LOSS_ON = ("last step", "every step")
NORMS_TITLE = "Gradient norm per step (log scale)"


def run_seed(rng: np.random.Generator, reroll: int) -> int:
    """The seed of the sequence and weights: one draw from the lesson's generator, moved on by
    each press of "New sequence"."""
    return int(rng.integers(2**31)) + 1000 * int(reroll)


def task_result(rho: float, length: int, every: bool, seed: int) -> TaskResult:
    """Done when, with the loss on the last step and T >= 20, full BPTT's ratio is in 0.1..10."""
    if every or length < 20:
        return TaskResult(False, "Set “Loss on” to the last step and T ≥ 20, then try ρ.")
    verdict = m.verdict(m.cached_run(rho, length, False, None, seed).norms)
    ratio = plain(verdict.ratio, 3)
    if verdict.word == "stable":
        return TaskResult(True, f"Done: ‖∂L/∂h₁‖ ÷ ‖∂L/∂h_T‖ = {ratio} at ρ = {rho:.3g}.")
    return TaskResult(False, f"At ρ = {rho:.3g} the ratio is {ratio}: {verdict.word}.")


class Bptt(Lesson):
    """The gradient walked back through time, its norm per step, clipping and truncation."""

    id = "bptt"
    chapter = 7
    number = "7.3"
    title = "Backpropagation through time"
    summary = (
        "How does a recurrent network learn? Its gradient is walked back one time step at a "
        "time through the unrolled chain. Watch ∂L/∂hₜ fill in from the last step to the "
        "first, see it vanish or explode with the recurrent weights, tame it with clipping, "
        "and cut the walk short with truncated BPTT."
    )
    seed = 73
    controls = (
        Slider(
            "rho",
            "Recurrent scale ρ (spectral radius of U)",
            0.1,
            10.0,
            default=0.6,
            log=True,
            help="U is a fixed orthogonal matrix times ρ (restarts).",
        ),
        Slider("length", "Sequence length T", 2, 100, default=30, integer=True),
        Slider(
            "k",
            "Truncation k (bptt_steps)",
            1,
            100,
            default=10,
            integer=True,
            help="The backward walk covers only the last k steps; k ≥ T is full BPTT.",
        ),
        Slider("clip", "Clip norm c", 0.01, 100.0, default=1.0, log=True),
        Choice(
            "loss_on",
            "Loss on",
            options=LOSS_ON,
            default="last step",
            help="Compare the output with the first input at the last step only, or at "
            "every step (then every h_t also gets its own output term).",
        ),
        Button("reroll", "New sequence", help="Draw another input sequence and weights."),
    )
    panels = (
        Graph("chain", "The unrolled chain (∇ = ‖∂L/∂hₜ‖)", stretch=4),
        Plot("norms", NORMS_TITLE, x_label="time step t", log_y=True, stretch=3),
        Table("table", "Every step, last first", stretch=3),
    )
    layout = (1, 2)
    quiz = texts.QUIZ
    task = Task("within_ten", texts.TASK_PROMPT)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seed = run_seed(rng, int(c.reroll))
        rho, length, k, clip = float(c.rho), int(c.length), int(c.k), float(c.clip)
        every = c.loss_on == "every step"
        p = m.cached_run(rho, length, every, None, seed)
        task = task_result(rho, length, every, seed)
        verdict = m.verdict(p.norms)
        last = length
        span = v.norm_range(p)

        yield Step(
            "An RNN unrolled through time",
            texts.setup(p, rho),
            {
                "chain": v.chain(p, None, "forward pass: each hₜ from xₜ and hₜ₋₁"),
                "norms": v.state_plot(p),
                "table": v.state_table(p),
            },
            titles={"norms": "Length of the state ‖hₜ‖ (log scale)"},
            figures={"loss": p.loss},
            notes=texts.SETUP_NOTES,
            task=task,
        )
        yield Step(
            "The walk starts at the loss",
            texts.last_step(p),
            {
                "chain": v.chain(p, last, f"backward: step {last} of {last}"),
                "norms": v.norms_plot(
                    (v.norm_series(p, "‖∂L/∂hₜ‖", v.RUN, last, "marker"),), last, y_range=span
                ),
                "table": v.step_table(p, last),
            },
            titles={"norms": NORMS_TITLE},
            figures={"norm_T": float(p.norms[-1])},
            task=task,
        )
        if length >= 2:
            yield Step(
                "One step back",
                texts.one_back(p, rho),
                {
                    "chain": v.chain(p, last - 1, f"backward: step {last - 1} of {last}"),
                    "norms": v.norms_plot(
                        (v.norm_series(p, "‖∂L/∂hₜ‖", v.RUN, last - 1, "marker"),),
                        last,
                        y_range=span,
                    ),
                    "table": v.step_table(p, last - 1),
                },
                figures={"norm_T_minus_1": float(p.norms[-2])},
                notes=texts.ONE_BACK_NOTES,
                task=task,
            )
        yield Step(
            "All the way back to h₁",
            texts.whole_walk(p, verdict, rho),
            {
                "chain": v.chain(p, 1, f"backward done: {verdict.word}"),
                "norms": v.norms_plot((v.norm_series(p, "‖∂L/∂hₜ‖", v.RUN),), last, y_range=span),
                "table": v.step_table(p, 1),
            },
            figures={"norm_1": float(p.norms[0]), "ratio": verdict.ratio},
            notes=texts.WALK_NOTES,
            task=task,
        )
        yield self._compare(p, rho, length, every, seed, task)
        yield self._clipping(rho, verdict, length, every, clip, seed, task)
        yield self._truncation(p, rho, length, every, k, seed, task)
        yield Step(
            "Summary and try it",
            texts.summary(task.message),
            {
                "chain": v.chain(p, 1, f"ρ = {rho:g}: {verdict.word}"),
                "norms": v.band_plot(p),
                "table": v.step_table(p, 1),
            },
            titles={"norms": NORMS_TITLE, "table": "Every step, last first"},
            notes=texts.SUMMARY_NOTES,
            task=task,
        )

    def _compare(
        self, p: m.Pass, rho: float, length: int, every: bool, seed: int, task: TaskResult
    ) -> Step:
        rhos = sorted({*m.REFERENCE_RHOS, rho})
        runs = {r: m.cached_run(r, length, every, None, seed) for r in rhos}
        rows = [(r, m.verdict(runs[r].norms)) for r in rhos]
        series = [
            v.norm_series(runs[r], f"ρ = {r:g}", v.REFERENCE[i % len(v.REFERENCE)])
            for i, r in enumerate(x for x in rhos if x != rho)
        ]
        series.append(v.norm_series(p, f"your ρ = {rho:g}", v.RUN))
        return Step(
            "Small and large recurrent weights",
            texts.compare(rows, length, every),
            {
                "norms": v.norms_plot(
                    tuple(series), length, y_range=v.headroom(list(runs.values()))
                ),
                "table": v.rho_table(rows, rhos.index(rho)),
            },
            titles={"table": "Gradient at step 1 against step T"},
            figures={f"ratio_rho_{r:g}": verdict.ratio for r, verdict in rows},
            notes=texts.COMPARE_NOTES,
            task=task,
        )

    def _clipping(
        self,
        rho: float,
        verdict: m.Verdict,
        length: int,
        every: bool,
        clip: float,
        seed: int,
        task: TaskResult,
    ) -> Step:
        mine = verdict.word in ("exploding", "overflow")
        use = rho if mine else m.CLIP_RHO
        clipped = m.train(use, length, every, None, clip, seed)
        plain_gd = m.train(use, length, every, None, None, seed)
        start = m.cached_run(use, length, every, None, seed)
        word = m.verdict(start.norms).word
        return Step(
            "Gradient clipping by norm",
            texts.clipping(use, mine, word, clip, clipped, plain_gd),
            {
                "chain": v.chain(start, 1, f"ρ = {use:g}: {word}"),
                "norms": v.loss_plot(clipped, plain_gd, clip),
                "table": v.clip_table(clipped, plain_gd, clip),
            },
            titles={
                "norms": f"Loss during {m.TRAIN_UPDATES} updates, ρ = {use:g} (log scale)",
                "table": "Clipping: what changes",
            },
            figures={
                "grad_norm": float(plain_gd.grad_norms[0]),
                "clip_factor": float(clipped.scales[0]),
            },
            notes=texts.CLIP_NOTES,
            task=task,
        )

    def _truncation(
        self, p: m.Pass, rho: float, length: int, every: bool, k: int, seed: int, task: TaskResult
    ) -> Step:
        cut = m.cached_run(rho, length, every, k, seed)
        got = int(np.count_nonzero(cut.norms))
        full_g = np.concatenate([g.ravel() for g in p.grads[:3]])  # W, U, b of the RNN
        cut_g = np.concatenate([g.ravel() for g in cut.grads[:3]])
        with np.errstate(all="ignore"):
            change = float(np.linalg.norm(cut_g - full_g) / np.linalg.norm(full_g))
        edge = (cut.first + 0.5,) if k < length else ()
        span = v.norm_range(p)
        note = (
            (Annotation(cut.first + 0.5, span[0], "← no gradient", anchor=(1.0, 1.0)),)
            if edge and span
            else ()
        )
        return Step(
            f"Truncated BPTT with k = {k}",
            texts.truncation(p, cut, k, got, change, m.verdict(p.norms).word),
            {
                "chain": v.chain(
                    cut, 1, f"bptt_steps = {k}: {got} of {length} steps get a gradient"
                ),
                "norms": v.norms_plot(
                    (
                        v.norm_series(p, "full BPTT", v.FULL),
                        v.norm_series(cut, f"truncated, k = {k}", v.RUN, style="marker"),
                    ),
                    length,
                    vlines=edge,
                    annotations=note,
                ),
                "table": v.truncation_table(p, cut),
            },
            titles={"norms": NORMS_TITLE, "table": "Which steps get a gradient"},
            figures={"steps_with_gradient": got, "dU_change": change},
            notes=texts.TRUNCATION_NOTES,
            task=task,
        )
