"""Lesson 4.6: overfitting: the curves part; early stopping, an L2 penalty and dropout.

An over-sized network (2 -> 8 -> 8 -> 1) trains on a few jittered points of a circle.  The
lesson shows it at its best validation epoch and at the end of the budget, where the training
loss still falls and the validation loss has risen (overfitting, by a stated rule).  The
engine's EarlyStopping callback stops that run and restores the best epoch's weights; an L2
penalty (the optimizer's weight decay) shrinks the weights; dropout switches off about half of
the hidden neurons at every training step, and the diagram greys out exactly the neurons the
engine's Dropout layers dropped.  The last step lets the validation set choose.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.overfitting import runs as rs
from lessons.ch4_training.overfitting import texts
from lessons.ch4_training.overfitting import views as vw
from lessons.ch4_training.overfitting.quiz import QUIZ
from lessons.core.base import (
    Lesson,
    Network,
    PanelData,
    Plot,
    Slider,
    Step,
    Values,
)
from lessons.markup.numbers import plain as plain_number

WEIGHTS_TITLE = "Weights and biases"


class Overfitting(Lesson):
    """Train vs validation curves, early stopping, L2 and dropout on one over-sized network."""

    id = "overfitting"
    chapter = 4
    number = "4.6"
    title = "Overfitting"
    summary = (
        "A network with far more weights than training points learns their noise: its training "
        "loss keeps falling while its validation loss rises. Early stopping keeps the best "
        "epoch's weights, an L2 penalty keeps the weights small, and dropout switches off "
        "about half of the neurons at every training step. Every curve, weight and dropped "
        "neuron comes from the engine's runs."
    )
    seed = 46
    controls = (
        Slider(
            "points",
            "Training points",
            20,
            200,
            default=40,
            step=20,
            integer=True,
            help="How many points the network trains on (the 400 validation points stay).",
        ),
        Slider(
            "l2",
            "L2 strength λ",
            1e-4,
            0.1,
            default=0.005,
            log=True,
            help="The optimizer's weight decay: every step adds λ·w to each gradient.",
        ),
        Slider(
            "dropout",
            "Dropout rate p",
            0.1,
            0.8,
            default=0.5,
            step=0.05,
            help="The share of hidden neurons switched off at each training step.",
        ),
    )
    panels = (
        Network("net", "The network", stretch=3),
        Plot(
            "map",
            "Output p(inside) and the training points",
            x_label="x₁",
            y_label="x₂",
            aspect_locked=True,
            legend=False,
            stretch=2,
        ),
        Plot(
            "curves",
            "Loss per epoch (solid: training, dashed: validation)",
            x_label="epoch",
            y_label="cross-entropy",
            stretch=2,
            help="Solid: training loss; dashed: validation loss; a dot: the best epoch.",
        ),
        Plot(
            "weights",
            WEIGHTS_TITLE,
            x_label="value",
            y_label="how many",
            stretch=2,
        ),
    )
    layout = (2, 2)
    quiz = QUIZ

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed, model_seed = run_seeds(rng)
        n = int(c.points)
        split = rs.make_split(n, data_seed)
        plain = rs.plain_run(n, data_seed, model_seed)
        end, b = plain.epochs, plain.best
        w0 = plain.weights[0]
        params = sum(w.size for w in w0)
        yield Step(
            "A big network, a few noisy points",
            texts.intro(split, params),
            {
                "net": vw.network(w0),
                "map": vw.output_map(split, w0),
                "curves": vw.curves([vw.Curve(NONE, plain, vw.PLAIN, 0)]),
                "weights": vw.histogram([vw.Weighed("untrained", w0, vw.PLAIN)]),
            },
            figures={"points": float(n), "parameters": float(params)},
            notes=texts.INTRO_NOTES,
            titles=_titles("untrained"),
        )
        yield Step(
            f"Epoch {b}: the lowest validation loss",
            texts.best(plain),
            _plain_view(split, plain, b, 0),
            figures={"best_epoch": float(b), "best_val": float(plain.val[b])},
            titles=_titles(f"epoch {b}"),
        )
        over = rs.overfitting(plain.train, plain.val) is not None
        yield Step(
            f"Epoch {end}: the curves part" if over else f"Epoch {end}: the end of the budget",
            texts.verdict(plain, split),
            _plain_view(split, plain, end, b),
            figures={
                "end_val": float(plain.val[end]),
                "end_train": float(plain.train[end]),
                "overfitting": float(over),
                "first_overfit": float(rs.first_overfit(plain) or 0),
            },
            notes=texts.VERDICT_NOTES,
            titles=_titles(f"epoch {end}"),
        )
        stop = rs.stopped_run(n, data_seed, model_seed)
        yield Step(
            f"Early stopping restores epoch {stop.best}",
            texts.stopped(plain, stop),
            {
                "net": vw.network(stop.weights),
                "map": vw.output_map(split, stop.weights),
                "curves": vw.curves(
                    [vw.Curve(NONE, plain, vw.PLAIN)],
                    marks=((float(stop.best), "best ", 1.0), (float(stop.stopped), " stop", 0.0)),
                ),
                "weights": vw.histogram(
                    [
                        vw.Weighed(f"epoch {end}", plain.weights[end], vw.PLAIN, filled=True),
                        vw.Weighed(f"restored, epoch {stop.best}", stop.weights, vw.PLAIN),
                    ]
                ),
            },
            figures={
                "stopped_best": float(stop.best),
                "stopped_after": float(stop.stopped),
                "restored_val": stop.restored_val,
                "logged_val": float(plain.val[stop.best]),
            },
            notes=texts.STOPPED_NOTES,
            titles=_titles(f"restored weights of epoch {stop.best}"),
        )
        strength = float(c.l2)
        l2 = rs.l2_run(n, data_seed, model_seed, strength)
        yield Step(
            "L2: a price on large weights",
            texts.l2(plain, l2, stop, strength),
            {
                "net": vw.network(l2.weights[-1]),
                "map": vw.output_map(split, l2.weights[-1]),
                "curves": vw.curves(
                    [vw.Curve(NONE, plain, vw.PLAIN), vw.Curve(_l2_name(strength), l2, vw.L2)]
                ),
                "weights": vw.histogram(
                    [
                        vw.Weighed(NONE, plain.weights[end], vw.PLAIN, filled=True),
                        vw.Weighed(_l2_name(strength), l2.weights[-1], vw.L2),
                    ]
                ),
            },
            figures={
                "l2_norm": l2.norm(l2.epochs),
                "plain_norm": plain.norm(end),
                "l2_gap": l2.gap(l2.epochs),
                "plain_gap": plain.gap(end),
                "l2_val": float(l2.val[-1]),
            },
            notes=texts.L2_NOTES,
            titles=_titles(f"L2, epoch {end}"),
        )
        rate = float(c.dropout)
        drop = rs.dropout_run(n, data_seed, model_seed, rate)
        for step in rs.WATCHED:
            yield _mask_step(split, plain, drop, step)
        yield Step(
            f"Dropout after {end} steps",
            texts.dropout_result(plain, drop, stop),
            {
                "net": vw.network(drop.weights[-1]),
                "map": vw.output_map(split, drop.weights[-1]),
                "curves": vw.curves(
                    [vw.Curve(NONE, plain, vw.PLAIN), vw.Curve(_drop_name(rate), drop, vw.DROPOUT)]
                ),
                "weights": vw.histogram(
                    [
                        vw.Weighed(NONE, plain.weights[end], vw.PLAIN, filled=True),
                        vw.Weighed(_drop_name(rate), drop.weights[-1], vw.DROPOUT),
                    ]
                ),
            },
            figures={
                "dropout_gap": drop.gap(drop.epochs),
                "plain_gap": plain.gap(end),
                "dropout_val": float(drop.val[-1]),
            },
            notes=texts.RESULT_NOTES,
            titles={**_titles(""), "net": f"Dropout, epoch {drop.epochs}: every neuron on"},
        )
        yield _choice_step(split, plain, stop, l2, drop, strength, rate)


NONE = "no regularisation"


def run_seeds(rng: np.random.Generator) -> tuple[int, int]:
    """The data set's seed and the network's (initial weights, dropout masks) from ``rng``."""
    data_seed, model_seed = (int(v) for v in rng.integers(2**31, size=2))
    return data_seed, model_seed


def _l2_name(strength: float) -> str:
    return f"L2, λ = {plain_number(strength, 2)}"


def _drop_name(rate: float) -> str:
    return f"dropout, p = {plain_number(rate, 2)}"


def _titles(what: str) -> dict[str, str]:
    """The diagram's title for this step; the histogram panel's own title back (the dropout
    steps lend that panel to their masks)."""
    return {"net": f"The network: {what}", "weights": WEIGHTS_TITLE}


def _plain_view(split: rs.Split, run: rs.Trained, epoch: int, earlier: int) -> dict[str, PanelData]:
    """The plain run at ``epoch``; the histogram compares with ``earlier`` (filled)."""
    w = run.weights[epoch]
    return {
        "net": vw.network(w),
        "map": vw.output_map(split, w),
        "curves": vw.curves([vw.Curve(NONE, run, vw.PLAIN, epoch)]),
        "weights": vw.histogram(
            [
                vw.Weighed(f"epoch {earlier}", run.weights[earlier], vw.PLAIN, filled=True),
                vw.Weighed(f"epoch {epoch}", w, vw.PLAIN),
            ]
        ),
    }


def _mask_step(split: rs.Split, plain: rs.Trained, drop: rs.Trained, step: int) -> Step:
    """One dropout training step: the weights it used, the neurons its masks switched off."""
    masks = drop.masks[step]
    point = rs.WATCHED_POINT
    used = drop.weights[step - 1]  # the weights this step's forward pass ran with
    active = [m[point] for m in masks]
    off = texts.mask_counts(masks, point)
    return Step(
        f"Dropout, training step {step}" + (": a new mask" if step > 1 else ""),
        texts.dropout_step(drop, step, len(split.x_train)),
        {
            "net": vw.network(used, active=active),
            "map": vw.output_map(split, used, watched=point),
            "curves": vw.curves(
                [
                    vw.Curve(NONE, plain, vw.PLAIN),
                    vw.Curve(_drop_name(drop.dropout), drop, vw.DROPOUT, step),
                ]
            ),
            "weights": vw.drop_counts(masks, drop.dropout),
        },
        figures={
            **{f"dropped_{i + 1}": float(k) for i, k in enumerate(off)},
            "dropped_share": float(sum((~m).sum() for m in masks) / sum(m.size for m in masks)),
        },
        notes=texts.DROPOUT_NOTES,
        titles={
            "net": f"Step {step}: the ringed point's mask",
            "weights": f"Step {step}: each neuron dropped for how many points",
        },
    )


def _choice_step(
    split: rs.Split,
    plain: rs.Trained,
    stop: rs.Stopped,
    l2: rs.Trained,
    drop: rs.Trained,
    strength: float,
    rate: float,
) -> Step:
    """Validation chooses among the four networks; the winner is drawn."""
    end = plain.epochs
    candidates: list[tuple[str, float, float, rs.Weights]] = [
        (f"{NONE}, epoch {end}", float(plain.val[end]), plain.gap(end), plain.weights[end]),
        (
            f"early stopping, epoch {stop.best}",
            stop.restored_val,
            stop.restored_val - stop.restored_train,
            stop.weights,
        ),
        (
            f"{_l2_name(strength)}, epoch {l2.epochs}",
            float(l2.val[-1]),
            l2.gap(l2.epochs),
            l2.weights[-1],
        ),
        (
            f"{_drop_name(rate)}, epoch {drop.epochs}",
            float(drop.val[-1]),
            drop.gap(drop.epochs),
            drop.weights[-1],
        ),
    ]
    finite = [v if np.isfinite(v) else np.inf for _, v, _, _ in candidates]
    name, value, _, weights = candidates[int(np.argmin(finite))]
    return Step(
        "Which network to keep?",
        texts.choice([(n, v, g) for n, v, g, _ in candidates], plain.gap(end), name),
        {
            "net": vw.network(weights),
            "map": vw.output_map(split, weights),
            "curves": vw.curves(
                [
                    vw.Curve(NONE, plain, vw.PLAIN),
                    vw.Curve(_l2_name(strength), l2, vw.L2),
                    vw.Curve(_drop_name(rate), drop, vw.DROPOUT),
                ],
                marks=((float(stop.best), " early stopping", 0.0),),
            ),
            "weights": vw.histogram(
                [
                    vw.Weighed("early stopping", stop.weights, vw.PLAIN, filled=True),
                    vw.Weighed(_l2_name(strength), l2.weights[-1], vw.L2),
                    vw.Weighed(_drop_name(rate), drop.weights[-1], vw.DROPOUT),
                ]
            ),
        },
        figures={"winner_val": value},
        notes=texts.CHOICE_NOTES,
        titles={**_titles(""), "net": f"Kept: {name}"},
    )
