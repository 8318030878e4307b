"""The words of lesson 4.4: narratives and speaker notes, written from the run's own numbers.

Every verdict ("closer", "diverged", "smaller spread") is decided from numbers passed in; the
facts about Arthur Samuel follow the lecture notes (seed 004) and chapter 1 of the fastai book,
which dates his essay "Artificial Intelligence: A Frontier of Automation" to 1962.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.minibatches import model as m
from lessons.markup.numbers import plain, ptex, tex

N = m.N_EXAMPLES


def epochs(n: int) -> str:
    """ "1 epoch", "10 epochs"."""
    return f"{n} epoch" + ("" if n == 1 else "s")


def tidy(x: float) -> float:
    """``x``, with float rounding noise (|x| < 1e-12) shown as the 0 it stands for."""
    return 0.0 if abs(x) < 1e-12 else x


def intro() -> str:
    return (
        "In a 1962 essay the IBM researcher <b>Arthur Samuel</b> described machine learning "
        "roughly so: do not program every step of a task; let the machine test automatically "
        "how well its current weights perform, and give it a way to change the weights for the "
        "better. Repeated on its own, that lets it learn from experience. The fastai lecture "
        "splits the idea into the seven steps of the loop (top left). Here they fit a line "
        f"$\\hat y = w x + b$ to {N} points (bottom left); the map shows the loss for every "
        "$(w, b)$."
    )


INTRO_NOTES = (
    "Samuel's essay is 'Artificial Intelligence: A Frontier of Automation' (1962); the fastai "
    "book quotes it in its first chapter. His words are weight assignment, automatic testing "
    "of actual performance, and a mechanism to alter the weights: today we say parameters, "
    "loss and gradient descent. The seven steps come from the fastai lecture (lesson 4): "
    "initialise the weights; for the inputs predict the outputs; measure the loss; compute "
    "the gradient; step the weights; repeat; stop. The model here is tiny on purpose, so "
    "that every number of the loop fits on the screen, but a deep network goes round the "
    "very same loop."
)


def loader(batch: int, shuffle: bool, first: np.ndarray, last_size: int) -> str:
    per_epoch = -(-N // batch)
    text = (
        "The model does not see the points one after the other in their stored order. The "
        f"engine's <code>DataLoader</code> with batch size $B = {batch}$ "
        + (
            f"draws a new random order of the example numbers 0 to {N - 1} at the start of "
            f"every epoch and cuts it into {per_epoch} batches (table). "
            if shuffle
            else f"cuts the stored order 0 to {N - 1} into {per_epoch} batches (table); "
            "shuffling is off, so every epoch has the same batches. "
        )
        + f"Each epoch uses every point exactly once. The first batch is "
        f"{', '.join(str(int(i)) for i in first[:8])}{' …' if len(first) > 8 else ''} "
        "(marked in the data)."
    )
    if last_size != batch:
        text += f" {N} is not a multiple of {batch}, so each epoch's last batch has {last_size}."
    return text


LOADER_NOTES = (
    "A mini-batch is a random subset of the data, stored as two arrays: the inputs and the "
    "targets. The DataLoader hides the bookkeeping: it shuffles with its own seeded random "
    "generator (same seed, same batches), cuts the order into batches, and can augment the "
    "data on the fly. Shuffling matters when the stored order has structure (all cats first, "
    "then all dogs): batches cut from that order would pull the weights one way, then the "
    "other. The engine's fit() loop asks the loader for one batch per update; the lesson "
    "records exactly which rows it handed out."
)


def initialise(start: np.ndarray, loss: float) -> str:
    return (
        "<b>Step 1: initialise.</b> The engine's <code>Dense</code> layer draws the weight at "
        f"random and sets the bias to zero: $w = {tex(start[0])}$, $b = {tex(start[1])}$. "
        f"That line (blue) is far from the points: the loss on all of them is ${tex(loss)}$, "
        "the orange dot on the map. Any start would do; the loop will move it."
    )


def predict(start: np.ndarray, rows: np.ndarray, x: np.ndarray, yhat: np.ndarray) -> str:
    i = int(rows[0])
    return (
        "<b>Step 2: predict.</b> The model computes an output for each point of the first "
        f"batch: $\\hat y = w x + b$. For example {i}: "
        f"$\\hat y = {ptex(start[0])} \\times {ptex(x[0])} + {ptex(start[1])} = {tex(yhat[0])}$. "
        "The table lists all of the batch; only these points take part in this update."
    )


def loss(batch_loss: float, full_loss: float, size: int) -> str:
    return (
        "<b>Step 3: loss.</b> How wrong are the predictions? The mean squared error of the "
        f"batch, $$L = \\frac{{1}}{{{size}}} \\sum_i (\\hat y_i - y_i)^2 = {tex(batch_loss)}$$ "
        "The orange segments in the data are the errors $\\hat y_i - y_i$. On all "
        f"{N} points the loss would be ${tex(full_loss)}$: the batch's loss is an estimate of "
        "it from a sample."
    )


def gradient(g: np.ndarray, full: np.ndarray, rate: float) -> str:
    angle = _angle(g, full)
    return (
        "<b>Step 4: gradient.</b> Which way is downhill? The engine's <code>backward()</code> "
        "gives the slope of the batch's loss in each direction: "
        f"$$\\nabla L = \\left(\\frac{{\\partial L}}{{\\partial w}}, "
        f"\\frac{{\\partial L}}{{\\partial b}}\\right) = ({tex(g[0])}, {tex(g[1])})$$ "
        f"On all {N} points it would be $({tex(full[0])}, {tex(full[1])})$. The zoomed map shows "
        f"both steps $-\\eta \\nabla L$ ($\\eta = {tex(rate)}$): they point {angle:.0f}° apart."
    )


GRADIENT_NOTES = (
    "For the mean squared error the chain rule gives dL/dw = (2/B) Σ (ŷ − y)·x and dL/db = "
    "(2/B) Σ (ŷ − y): each example pulls in proportion to its error. Each example's share is "
    "its own gradient divided by the batch size; the shares add up to the batch gradient that"
    " backward() returns (the table's highlighted row). The batch gradient is a random "
    "estimate of the gradient on all points: drawn over all possible batches it is right on "
    "average, but any one batch points a little off. The larger the batch, the smaller that "
    "error (see the noise step)."
)


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = float(np.hypot(*a)), float(np.hypot(*b))
    if na == 0 or nb == 0:
        return 0.0
    cos = float(np.clip(a @ b / (na * nb), -1.0, 1.0))
    return math.degrees(math.acos(cos))


def step(
    before: np.ndarray,
    g: np.ndarray,
    after: np.ndarray,
    rate: float,
    batch: tuple[float, float],
    full: tuple[float, float],
) -> str:
    text = (
        "<b>Step 5: step.</b> Move both weights a little against the gradient: "
        f"$$w \\leftarrow {tex(before[0])} - {tex(rate)} \\times {ptex(g[0])} = {tex(after[0])}$$"
        f"$$b \\leftarrow {tex(before[1])} - {tex(rate)} \\times {ptex(g[1])} = {tex(after[1])}$$"
        f"The batch's loss goes from ${tex(batch[0])}$ to ${tex(batch[1])}$, the loss on all "
        f"points from ${tex(full[0])}$ to ${tex(full[1])}$."
    )
    if full[1] > full[0]:
        text += " The update made the fit on all points worse: this batch pulled the wrong way."
    return text


def repeat(run: m.Run, k: int) -> str:
    before, after = float(run.full_losses[0]), float(run.full_losses[k])
    losses = run.batch_losses[:k]
    text = (
        f"<b>Step 6: repeat.</b> Back to step 2 with the next batch: after {k} updates every "
        f"point has been used once, which is one <b>epoch</b>. The loss on all points went "
        f"from ${tex(before)}$ to ${tex(after)}$. "
    )
    if not after < before:
        text += (
            "It did not fall: the steps overshoot the valley and land higher up each time "
            "(see step 7)."
        )
    elif k > 1:
        text += (
            f"The batch losses in the table jump between ${tex(float(np.min(losses)))}$ and "
            f"${tex(float(np.max(losses)))}$: each batch is a different sample, so each "
            "update pulls a little differently (the orange path on the map)."
        )
    else:
        text += "With one batch per epoch the loop goes round once per epoch."
    return text


def stop(run: m.Run, low: np.ndarray, low_value: float) -> str:
    end = float(run.full_losses[-1])
    if run.diverged or not math.isfinite(end):
        return (
            f"<b>Step 7: stop.</b> Training stopped after {run.updates} updates: a batch's "
            "loss overflowed to infinity. The learning rate is too large for these batches: "
            "every update overshoots the valley and lands higher up on the other side. "
            "Lower η (or take larger batches) and the lesson runs again."
        )
    if run.worse:
        return (
            f"<b>Step 7: stop.</b> After {epochs(run.epochs)} the loss on all points is "
            f"${tex(end)}$, <b>higher</b> than at the start (${tex(float(run.full_losses[0]))}$): "
            f"training diverged. With $\\eta = {tex(run.rate)}$ the updates overshoot and grow; "
            "lower the learning rate."
        )
    gap = end - low_value
    ends = run.epoch_ends()
    best = min(ends, key=lambda k: float(run.full_losses[k])) if ends else run.updates
    earlier = ""
    best_gap = float(run.full_losses[best]) - low_value
    if best != run.updates and tex(best_gap) != tex(gap) and best_gap < gap:
        earlier = (
            f" After epoch {ends.index(best) + 1} it was closer (${tex(best_gap)}$ above): "
            "the noisy steps keep moving it around the bottom."
        )
    return (
        f"<b>Step 7: stop.</b> Samuel's loop needs a rule to end: here a budget of "
        f"{epochs(run.epochs)}, {run.updates} updates. The line ended at "
        f"$w = {tex(run.points[-1][0])}$, $b = {tex(run.points[-1][1])}$ with loss "
        f"${tex(end)}$; the lowest possible is "
        f"${tex(low_value)}$ at $({tex(low[0])}, {tex(low[1])})$, so it is ${tex(gap)}$ above."
        + earlier
    )


STOP_NOTES = (
    "The lowest point on the map was found by running full-batch gradient descent until it "
    "stopped moving. In practice one stops when the loss on held-out validation data stops "
    "falling (early stopping, lesson 4.6), or after a fixed budget as here. The loop is the "
    "same whatever the model: a deep network only has more weights and a longer backward()."
)


def compare(gd: m.Run, sgd: m.Run, low_value: float) -> str:
    if sgd.batch_size >= N:
        return (
            f"With $B = {sgd.batch_size}$ every batch is the whole data set: mini-batch SGD "
            "<b>is</b> full-batch gradient descent here, and the two paths coincide. Move the "
            "batch-size slider down to see them part."
        )
    g_end, s_end = float(gd.full_losses[-1]), float(sgd.full_losses[-1])
    text = (
        f"Full-batch gradient descent (yellow) uses all {N} points for each update, so it "
        f"makes <b>1 update per epoch</b>; mini-batch SGD with $B = {sgd.batch_size}$ (orange) "
        f"makes <b>{sgd.per_epoch}</b>. Same data, same $\\eta$, same {epochs(sgd.epochs)}. "
    )
    if not math.isfinite(s_end) or sgd.worse:
        return text + (
            "Here the mini-batch run diverged while full batches "
            + ("did not. " if not gd.worse else "diverged too. ")
            + "Each small-batch update follows the loss of a few points, which can curve more "
            "steeply than the average over all of them: with a large η those steps overshoot."
        )
    if not math.isfinite(g_end) or gd.worse:
        return text + "Full-batch GD diverged with this learning rate; the mini-batch run did not."
    closer = "mini-batch SGD" if s_end < g_end else "full-batch GD"
    text += (
        f"At the end GD's loss is ${tex(g_end)}$ and SGD's ${tex(s_end)}$ (lowest "
        f"${tex(low_value)}$): <b>{closer}</b> got closer. "
    )
    text += (
        "Every GD step follows the downhill direction of all points; SGD's steps wander, "
        "because each batch's gradient is only an estimate of it."
    )
    return text


COMPARE_NOTES = (
    "Per epoch, both runs read every point once, so they cost about the same arithmetic; "
    "SGD spends it on many small, noisy updates, GD on one exact one. On a GPU a batch is "
    "computed as one matrix product, so the batch size is also chosen to fill the hardware: "
    "too small wastes it, too large leaves few updates per epoch and may not fit in memory. "
    "The curves on the lower left show the loss on all points after every update, against "
    "epochs."
)


def noise(
    run: m.Run,
    spread_low: float,
    full_low: np.ndarray,
    sizes: Sequence[int],
    spreads: Sequence[tuple[float, float]],
    finals: Sequence[float],
    low_value: float,
) -> str:
    g0, g1 = tidy(float(full_low[0])), tidy(float(full_low[1]))
    if run.batch_size >= N:
        text = (
            f"At the lowest point the gradient on all points is $({tex(g0)}, {tex(g1)})$. With "
            f"$B = {run.batch_size}$ every batch is all the data, so its gradient is exactly "
            "that: no noise, and once at the bottom full-batch GD stays put. The table shows "
            "what smaller batches would add: at the lowest point their gradients are off by "
            f"${tex(spreads[0][1])}$ ($B = {sizes[0]}$) and less for larger batches. "
        )
        return text + _closest(run, sizes, finals, low_value)
    text = (
        f"At the lowest point the gradient on all points is $({tex(g0)}, {tex(g1)})$. Yet each "
        f"batch of {run.batch_size} still pushes (arrows: the steps of epoch 1's batches): its "
        f"gradient is off by ${tex(tidy(spread_low))}$ (root mean square)"
        + (
            ". With this η the run diverged (step 7), so it never stays near the bottom. "
            if run.worse
            else ", so SGD jiggles around the bottom (dots: its last epoch). "
        )
    )
    at_low = [s[1] for s in spreads]
    shrinks = all(a >= b for a, b in itertools.pairwise(at_low))
    text += (
        "The spread shrinks as batches grow"
        if shrinks
        else "The spread mostly shrinks as batches grow"
    ) + f", to 0 at $B = {sizes[-1]}$. "
    return text + _closest(run, sizes, finals, low_value)


def _closest(run: m.Run, sizes: Sequence[int], finals: Sequence[float], low_value: float) -> str:
    """Which batch size ended closest to the lowest loss, from the table's runs."""
    usable = [(f - low_value, b) for f, b in zip(finals, sizes, strict=True) if math.isfinite(f)]
    if not usable:
        return "With this learning rate every batch size diverged (table)."
    gap, best = min(usable)
    return f"After {epochs(run.epochs)}, $B = {best}$ ended closest " + (
        f"(${tex(gap)}$ above): smaller batches are noisier, larger ones make fewer updates."
        if sizes[0] < best < sizes[-1]
        else f"(${tex(gap)}$ above) at this learning rate and budget."
    )


NOISE_NOTES = (
    "The spread is measured, not estimated: at the start and at the lowest point, the "
    "gradient of every batch the run used is computed by backward() and compared with the "
    "gradient on all points. The lecture's picture: batches add noise that jostles the "
    "marble on the error landscape; on a bumpy landscape the shaking can carry it over small "
    "obstacles. This bowl has a single valley, so here the shaking only costs a little "
    "precision at the bottom; a smaller learning rate late in training would calm it."
)


def summary(done: bool, gap: float, target: float) -> str:
    verdict = (
        f"<b>Done:</b> after one epoch your run is ${tex(gap)}$ above the lowest loss."
        if done
        else f"Now: ${tex(gap)}$ above the lowest after one epoch."
    )
    return (
        f"<b>Try it:</b> find a batch size and a learning rate that bring the loss on all "
        f"points within {plain(target)} of the lowest after just <b>one epoch</b>. {verdict}"
        "<ul><li>Samuel's loop: initialise, predict, loss, gradient, step; repeat; stop.</li>"
        "<li>Full batch: one exact update per epoch; mini-batches: many noisy ones.</li>"
        "<li>The loader reshuffles and re-cuts the data every epoch.</li></ul>"
    )
