"""Lesson 4.2's narrative: every number and every verdict in it is read off the runs.

Region names come from :func:`lessons.ch4_training.learning_rate.model.regions` (the sweep)
and :func:`~lessons.ch4_training.learning_rate.model.classify` (any other run), so a sentence
never calls a rate good, too small, too big or diverged unless the rule does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from lessons.ch4_training.learning_rate import model as lm
from lessons.ch4_training.learning_rate import rangetest as rt
from lessons.ch4_training.learning_rate.views import rate_text
from lessons.markup.numbers import plain, tex

TASK_LOSS = 0.03  # the task: a final validation loss below this ...
TASK_EPOCHS = 40  # ... with this many epochs (the default)


def _eta(rate: float, digits: int = 2) -> str:
    return f"$\\eta = {tex(rate, digits)}$"


def _ended(run: lm.Run) -> str:
    """How a run ended, in words and numbers."""
    if run.stop is not None:
        where = f"in batch {run.stop.batch}" if run.stop.batch else "at its end"
        return (
            f"the loss became <b>∞</b> {where} of epoch {run.stop.epoch} and training stopped there"
        )
    return f"the validation loss went from {plain(run.start, 3)} to a final {plain(run.final, 3)}"


# ---- step 1: your rate ---------------------------------------------------------------------


def your_run(run: lm.Run, n_train: int, n_val: int) -> str:
    text = (
        f"A network with {lm.HIDDEN} tanh neurons learns the wave $y = \\sin \\pi x$ from "
        f"{n_train} noisy points, {lm.BATCH} per mini-batch. Every update moves each weight "
        "against its gradient: $w \\leftarrow w - \\eta \\, \\partial L / \\partial w$. "
        f"At your rate {_eta(run.rate)} {_ended(run)}"
        + (f" in {run.epochs} epochs. " if run.stop is None else ". ")
    )
    if run.stop is not None:
        text += (
            "The engine refuses an update whose loss is not a finite number: the weights keep "
            "their last finite values and the run ends there (∞ on the loss plot). "
        )
    text += "Too small, good or too big? One run cannot tell; the next steps try 15 rates."
    return text


def your_notes(n_val: int, epochs: int) -> str:
    q = lm.last_quarter(epochs)
    return (
        "The loss is the mean squared error. The network (1 input, "
        f"{lm.HIDDEN} tanh neurons, 1 linear output) reads x standardised with the training "
        f"points' mean and standard deviation. {n_val} further points are the validation "
        "set: they never move a weight, they only say how well the curve generalises. "
        f"<p>The <b>final loss</b> of a run is its validation loss averaged over the last {q} "
        "of its epochs, so that one lucky or unlucky epoch does not decide. The plot on the "
        "top left will collect one point per rate; your run is the yellow star. The "
        "horizontal line is the loss of the untrained network.</p>"
        "<p>Move the slider (it restarts the lesson here) and watch the loss curves: a tiny "
        "rate crawls, a good one falls fast, a big one zig-zags, a huge one shoots to ∞.</p>"
    )


def task_message(run: lm.Run, epochs: int) -> tuple[bool, str]:
    """The try-it task: a final validation loss below TASK_LOSS with TASK_EPOCHS epochs."""
    if epochs != TASK_EPOCHS:
        return False, f"Set the epochs back to {TASK_EPOCHS}: the task is about that budget."
    if run.stop is not None:
        return False, "That rate diverged (the loss became ∞). Try a smaller one."
    if run.final < TASK_LOSS:
        return (
            True,
            f"Done: final validation loss {plain(run.final, 3)} at η = {plain(run.rate, 3)}.",
        )
    return False, (
        f"Final validation loss {plain(run.final, 3)}: not yet below {TASK_LOSS}. "
        "The sweep shows where to look."
    )


# ---- the sweep -----------------------------------------------------------------------------


def _listing(runs: Sequence[lm.Run]) -> str:
    """ "η = a → f, η = b → g" with ∞ for runs that diverged."""
    return ", ".join(
        f"{_eta(r.rate)} → {'∞' if r.stop is not None else plain(r.final, 3)}" for r in runs
    )


def sweep_chunk(
    new: Sequence[lm.Run], runs: Sequence[lm.Run], first: int, total: int, epochs: int
) -> str:
    """One step of the sweep: what the newest rates did, compared with the rates before."""
    start = runs[0].start
    text = f"Final validation loss (untrained: {plain(start, 3)}): {_listing(new)}. "
    if first == 1:
        text += (
            f"All {total} rates train the same network from the same initial weights on the "
            "same mini-batches; only the rate differs. "
        )
    finite_new = [r for r in new if r.stop is None]
    gone = [r for r in new if r.stop is not None]
    finite = [r for r in runs if r.stop is None]
    best = min(finite, key=lambda r: r.final) if finite else None
    earlier = runs[: len(runs) - len(new)]
    if finite_new and all(r.final > start / 1.25 for r in finite_new):
        text += (
            f"Steps this small hardly move the weights in {epochs} epochs: the losses stay "
            "close to the untrained one. "
        )
    elif best is not None and best in finite_new and earlier:
        text += f"Larger steps help: the lowest final loss so far is now at {_eta(best.rate)}"
        beyond = [r for r in finite_new if r.rate > best.rate]
        text += (
            f", and the {'larger rate does' if len(beyond) == 1 else 'larger ones do'} worse. "
            if beyond
            else ". "
        )
    elif best is not None and finite_new:
        text += (
            f"None of them beats {_eta(best.rate)} ({plain(best.final, 3)}): here larger "
            "steps start to do worse. "
        )
    if gone:
        epochs_used = max(r.stop.epoch for r in gone if r.stop is not None)
        text += (
            f"{len(gone)} diverged: the loss became ∞ within {epochs_used} "
            f"epoch{'s' if epochs_used > 1 else ''} and training stopped (× at the top)."
        )
    return text.strip()


SWEEP_NOTES = (
    "The sweep is the honest way to choose a rate: train the same model at rates spaced "
    "evenly on a log scale (here five per factor of ten) and compare their final validation "
    "losses. Its cost is the whole training, once per rate. The learning rate matters by "
    "its order of magnitude, which is why the axis is logarithmic: −2 on the axis is "
    "η = 0.01, −1 is 0.1, 0 is 1."
)


# ---- regions ------------------------------------------------------------------------------


def regions(runs: Sequence[lm.Run], verdict: lm.Verdict, yours: lm.Run) -> str:
    if verdict.best is None:
        return (
            "Every rate of the sweep diverged or ended more than "
            f"{plain(lm.STOP_FACTOR)} times above the untrained loss: no rate is good here."
        )
    good = verdict.indices("good")
    text = (
        f"The lowest final loss is {plain(verdict.best_loss, 3)} at {_eta(verdict.best_rate)}. "
        f"The rule: <b>good</b> = at most {plain(lm.GOOD_FACTOR)} × that "
        f"(≤ {plain(verdict.good_limit, 3)}); <b>diverged</b> = ∞/NaN or more than "
        f"{plain(lm.STOP_FACTOR)} × the untrained {plain(verdict.start, 3)}; the rest is "
        "<b>too small</b> or <b>too big</b>, left or right of the best. "
        f"Good here: η from {rate_text(runs[good[0]].rate)} to "
        f"{rate_text(runs[good[-1]].rate)}. "
    )
    mine = lm.classify(yours, verdict)
    text += f"Your {_eta(yours.rate)} (the star) is <b>{mine}</b> by the same rule. "
    text += "Below: the run at the best rate."
    return text


REGIONS_NOTES = (
    "The regions are computed from this sweep, not drawn in advance: change the epochs and "
    "they move. With more epochs smaller rates have time to arrive, so the good region "
    "widens to the left; its right edge, where updates overshoot, stays where it is. "
    "<p>The factor 1.5 is a choice, not a law of nature: it calls good what ends within "
    "half again of the best. Another factor moves the borders by a rate or so; the picture "
    "stays the same, a valley between a slow left side and an explosive right side. The "
    "diverged rule is the one fastai's range test uses to stop: four times the reference "
    "loss.</p>"
)


def _shape(region: str, run: lm.Run, epochs: int) -> str:
    """What a run's validation curve did, in numbers."""
    if run.stop is not None:
        return f"reaches ∞ in epoch {run.stop.epoch}"
    val = run.val[1:]
    q = lm.last_quarter(epochs)
    rises = sum(1 for a, b in itertools.pairwise(val) if b > 1.1 * a)
    if region == "too small":
        still = val[-1] < val[-q - 1] if len(val) > q else False
        return f"creeps down to {plain(run.final, 3)}" + (", still falling" if still else "")
    if region == "good":
        return f"falls to {plain(run.final, 3)}"
    low = min(val)
    return (
        f"rises again in {rises} of {epochs} epochs and ends at {plain(run.final, 3)}, "
        f"above its own lowest {plain(low, 3)}"
    )


def kinds(reps: Sequence[tuple[str, lm.Run]], errors: Sequence[float], epochs: int) -> str:
    said = [
        f"<b>{region}</b> ({_eta(run.rate)}) {_shape(region, run, epochs)}" for region, run in reps
    ]
    drawn = [
        f"{region} {plain(e, 2)}"
        for (region, _), e in zip(reps, errors, strict=True)
        if math.isfinite(e)
    ]
    return (
        "One rate of each region. Validation loss per epoch: "
        + "; ".join(said)
        + ". Bottom right, the curves they learned; their mean squared distance from "
        f"$\\sin \\pi x$: {', '.join(drawn)}."
    )


# ---- divergence --------------------------------------------------------------------------


def divergence(trace: lm.BlowUp | None) -> str:
    if trace is None:
        return "No rate of this sweep diverged, so there is no blow-up to show."
    n = len(trace.batch_loss)
    finite = [v for v in trace.batch_loss if math.isfinite(v)]
    growth = (finite[-1] / finite[-4]) ** (1 / 3) if len(finite) >= 4 and finite[-4] > 0 else 0
    text = (
        f"The smallest rate that diverged, {_eta(trace.rate)}, replayed update by update. "
        "Each step overshoots the valley so far that it lands on a steeper wall; the next "
        "gradient is bigger, the next step longer"
    )
    if growth > 1:
        text += f": near the end the loss grows about {growth:.0f}-fold per update"
    text += ". "
    if trace.stopped:
        text += (
            f"At update {n} the numbers overflow (float32 ends at 3.4 × 10³⁸): the loss is "
            f"<b>{plain(trace.batch_loss[-1])}</b>, and the engine stops before applying it."
        )
    else:
        text += f"After {n} updates it had not yet overflowed."
    return text


DIVERGENCE_NOTES = (
    "Overflow gives ∞; ∞ − ∞ or 0 × ∞ then gives NaN (“not a number”), and a single NaN "
    "spreads through every later computation. The engine checks each mini-batch loss before "
    "it updates a weight, raises a DivergenceError and leaves the weights as they were, so "
    "training stops cleanly instead of silently filling the network with NaN. The table "
    "shows the size of all weights as one vector before each of the last updates."
)


# ---- the range test ------------------------------------------------------------------------


def range_test(test: rt.RangeTest) -> str:
    reason = {
        "blow-up": (
            f"the averaged loss passed {plain(lm.STOP_FACTOR)} times its lowest value "
            "(fastai's stop rule)"
        ),
        "not finite": "the loss became ∞",
        "end": "the schedule ran out",
    }[test.reason]
    return (
        "The sweep cost full training at every rate. The <b>range test</b> (fastai's learning "
        "rate finder) costs one short run: start at "
        f"$\\eta = {tex(rt.START_RATE)}$ and multiply the rate by {plain(test.factor, 4)} after "
        "every mini-batch (a straight line on the log scale, bottom left). Top: the training "
        f"loss after each update against the rate it used. It stopped after {test.batches} "
        f"updates at $\\eta = {tex(test.rates[-1], 3)}$, when {reason}."
    )


def range_notes(test: rt.RangeTest) -> str:
    growth = 100.0 * (test.factor - 1.0)
    return (
        "Leslie Smith described the test in 2015 (“Cyclical Learning Rates for Training Neural "
        "Networks”); fastai made it a one-liner, <code>learn.lr_find()</code>, which by default "
        "grows the rate from 10⁻⁷ to 10 over 100 mini-batches, stops when its smoothed loss "
        "passes four times the lowest, and afterwards restores the weights it started from. "
        "<p>This small network needs a few hundred updates before its curve starts to bend, "
        f"so here the test takes up to {rt.FINDER_BATCHES} smaller steps from "
        f"{plain(rt.START_RATE)} (the rate grows {plain(growth, 2)} % per update); with 100 "
        "updates its loss hardly moves before it blows up. fastai smooths the noisy loss of "
        "each mini-batch with a moving average (β = 0.98); this data set is small enough to "
        "measure the loss on all training points after every update (the dots), averaged "
        f"with β = {plain(rt.SMOOTHING)} (the line). The weights of the test are thrown away "
        "afterwards.</p>"
    )


def reading(test: rt.RangeTest) -> str:
    p = test.picks
    return (
        f"The curve is lowest at $\\eta = {tex(p.minimum_rate, 3)}$. That is not the rate to "
        "train with: there the loss is about to turn upwards, and it got there with weights "
        "prepared by every smaller rate before it. Two classic suggestions step back: "
        f"<b>a tenth of the lowest</b>, $\\eta = {tex(p.tenth, 3)}$, and the <b>steepest "
        f"descent</b>, $\\eta = {tex(p.steepest_rate, 3)}$, where the loss falls fastest per "
        "factor of rate. Both are marked on the curve."
    )


READING_NOTES = (
    "fastai's <code>lr_find</code> offers these and more (a “valley” rule is its default "
    "since 2021); all of them are ways of reading the same picture: find where the loss "
    "falls well, stay clear of where it blows up. The range test is a quick first guess. It "
    "sees each rate for one mini-batch only, so it knows nothing of the later, sharper parts "
    "of training."
)


def compare(
    test: rt.RangeTest,
    trained: Sequence[tuple[str, lm.Run]],
    verdict: lm.Verdict,
    sweep_updates: int,
) -> str:
    said = []
    for name, run in trained:
        region = lm.classify(run, verdict)
        final = "∞" if run.stop is not None else plain(run.final, 3)
        said.append(f"{name} ({_eta(run.rate, 3)}) ends at {final}, <b>{region}</b>")
    share = 100.0 * test.batches / max(sweep_updates, 1)
    return (
        f"Each suggestion, trained for {trained[0][1].epochs} epochs like the sweep (dashed): "
        + "; ".join(said)
        + f". The range test needed {test.batches} updates, the sweep {sweep_updates}: "
        f"{plain(share, 2)} % of its cost. It finds the edge cheaply; a few runs near its "
        "suggestions then settle the rate."
    )


def closing(yours: lm.Run, verdict: lm.Verdict, runs: Sequence[lm.Run]) -> str:
    good = verdict.indices("good")
    where = (
        f"from {rate_text(runs[good[0]].rate)} to {rate_text(runs[good[-1]].rate)}"
        if good
        else "nowhere in this sweep"
    )
    mine = lm.classify(yours, verdict)
    return (
        f"Your rate {_eta(yours.rate)} is <b>{mine}</b>. A good rate for this network and "
        f"budget lies {where}. <b>Try it</b> (Check tab): set your rate so that the final "
        f"validation loss ends below {TASK_LOSS} in {TASK_EPOCHS} epochs; the lesson restarts "
        "at your run and the check turns green when it does."
    )


CLOSING_NOTES = (
    "What to remember: the learning rate sets the step length along the gradient. Too small "
    "wastes the budget, too big bounces or explodes, and the good range is found by "
    "experiment: a range test for a first guess, a few full runs around it to settle. "
    "TensorFlow Playground lets you set a rate and watch; here every rate is also trained "
    "to the end and compared, and the regions come from the numbers."
)
