"""Lesson 4.6's narrative and speaker notes: every number and verdict is read off the runs.

"Overfitting" is said only where :func:`lessons.ch4_training.overfitting.runs.overfitting`
holds; "underfits" only where a run ends no better than the constant guess p = 0.5 (loss
ln 2); comparisons say which number is lower, never more.
"""

from __future__ import annotations

import math

import numpy as np

from lessons.ch4_training.overfitting import runs as rs
from lessons.markup.numbers import plain

LN2 = math.log(2.0)  # the loss of the constant answer p = 0.5: knowing nothing
RULE = (
    f"validation loss more than {round(100 * rs.RISE)} % above its lowest value in each of "
    f"the last {rs.PATIENCE} epochs, that lowest value at least {rs.PATIENCE} epochs back, "
    "and the training loss lower than it was then"
)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}\u00a0%"


def pair(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` with as many digits (3 to 6) as it takes to tell them apart."""
    for digits in range(3, 7):
        x, y = plain(a, digits), plain(b, digits)
        if x != y:
            return x, y
    return x, y


def lower_or_higher(a: float, b: float) -> str:
    return "lower" if a < b else "higher" if a > b else "equal to"


def underfits(run: rs.Trained) -> bool:
    """The run ends no better than the constant guess 0.5 on its own training points."""
    return bool(run.train[-1] >= LN2 - 0.01)


def intro(split: rs.Split, params: int) -> str:
    n, v = len(split.x_train), len(split.x_val)
    few = "Only " if n < params else ""
    return (
        f"{few}<b>{n} training points</b> (● orange inside, blue outside, jittered) for a "
        f"network with <b>{params} weights and biases</b>: 2 inputs, two hidden layers of 8 "
        f"tanh neurons, a sigmoid output. After every epoch the loss is also measured on "
        f"<b>{v} validation points</b> the network never trains on. One epoch is one Adam "
        f"step on all {n} points."
    )


INTRO_NOTES = (
    "The points come from the engine's seeded circle set: class 1 (orange) inside radius 0.5, "
    f"class 0 (blue) on a ring outside, every coordinate jittered by Gaussian noise of standard "
    f"deviation {rs.NOISE}, so some points lie on the wrong side. A network this size can bend "
    "its boundary around each of them. The validation points come from the same source and "
    "play the part of new data: they are measured, never learned from. The map on the right "
    "shows the network's output p(inside) over the plane (orange = inside) and the p = 0.5 line; "
    "each square of the diagram is one neuron's output over the same plane. The histogram "
    "counts the values of all weights and biases. A separate test set, never used for any "
    "choice, would report the final result; this lesson only chooses, so it needs none."
)


def best(run: rs.Trained) -> str:
    b = run.best
    fell = run.train[b] < run.train[0] and run.val[b] < run.val[0]
    head = "Both losses fell at first. " if fell else ""
    return head + (
        f"The validation loss (dashed) was lowest at <b>epoch {b}</b>: {plain(run.val[b])}, "
        f"with training loss {plain(run.train[b])}. Early stopping will keep these weights. "
        f"They grew from $\\|w\\|$ = {plain(run.norm(0), 3)} to {plain(run.norm(b), 3)}."
    )


def verdict(run: rs.Trained, split: rs.Split) -> str:
    """The end of the plain run: overfitting only where the rule holds."""
    b, end, n = run.best, run.epochs, len(split.x_train)
    text = (
        f"After {end} epochs the training loss is {plain(run.train[end])} "
        f"({plain(run.train[b])} at epoch {b}); the validation loss is "
        f"{plain(run.val[end])} ({plain(run.val[b])} at epoch {b}). "
    )
    first = rs.first_overfit(run)
    if rs.overfitting(run.train, run.val) is not None and first is not None:
        text += (
            f"The rule (see notes) first holds at epoch {first}: the network is "
            f"<b>overfitting</b>, fitting the noise of its {n} points, not the circle. "
        )
    else:
        text += "The rule (see notes) does not hold: no <b>overfitting</b> within the budget. "
    before = rs.wrong(run.weights[b], split.x_train, split.y_train)
    now = rs.wrong(run.weights[end], split.x_train, split.y_train)
    if now < before:
        text += (
            f"Training points on the wrong side of the boundary: {before} at epoch {b}, "
            f"{now} now: it has bent around noisy ones. "
        )
    return text + f"$\\|w\\|$ = {plain(run.norm(end), 3)}."


VERDICT_NOTES = (
    f"The lesson's rule for overfitting: {RULE}. One bad epoch is not enough, and a validation "
    "loss that merely stops falling is not enough: the two curves must move apart for a "
    "sustained stretch while the training loss still falls. Cross-entropy also punishes "
    "confidence: the overfitted network is nearly certain about every training point, so each "
    "validation point on the wrong side of a bent boundary costs a lot. Large weights make "
    "tanh units switch sharply, which is what lets the boundary bend so tightly."
)


def stopped(run: rs.Trained, stop: rs.Stopped) -> str:
    b, s = stop.best, stop.stopped
    logged = float(run.val[b])
    if s < run.epochs:
        head = (
            f"The engine's <b>EarlyStopping</b> callback (patience {rs.PATIENCE}) saw no new "
            f"best validation loss for {rs.PATIENCE} epochs and stopped after epoch {s} "
            f"instead of {run.epochs}. "
        )
    else:
        head = (
            f"The engine's <b>EarlyStopping</b> callback (patience {rs.PATIENCE}) never ran "
            f"out of patience within {run.epochs} epochs. "
        )
    return head + (
        f"It restored the weights of <b>epoch {b}</b>. Evaluated again, they give validation "
        f"loss {plain(stop.restored_val, 6)}; the log of epoch {b} says {plain(logged, 6)} "
        f"(difference {plain(abs(stop.restored_val - logged), 2)})."
    )


STOPPED_NOTES = (
    f"EarlyStopping(monitor='val_loss', patience={rs.PATIENCE}, restore_best_weights=True) "
    "keeps a copy of "
    "the weights whenever the validation loss reaches a new low, counts the epochs without a "
    "new low, sets the model's stop_training flag when the count reaches the patience, and "
    "puts the copy back when training ends. This run is the plain run again from the same "
    "start: its log agrees with the plain run epoch for epoch. The validation set chooses the "
    "epoch; the test set, if any, must not. This is also the advice of lesson 3.3: a network "
    "bigger than needed is fine when you stop it early."
)


def l2(plain_run: rs.Trained, run: rs.Trained, stop: rs.Stopped, strength: float) -> str:
    end = run.epochs
    text = (
        f"An <b>L2 penalty</b> adds $\\frac{{\\lambda}}{{2}}\\|w\\|^2$ to the loss, so each "
        f"gradient gains $\\lambda w$: a pull of every weight towards 0. With "
        f"λ = {plain(strength, 2)}: "
        f"$\\|w\\|$ = {plain(run.norm(end), 3)} after {end} epochs "
        f"(without: {plain(plain_run.norm(end), 3)}); the gap between validation and training "
        f"loss is {plain(run.gap(end), 3)} (without: {plain(plain_run.gap(end), 3)}). "
    )
    if underfits(run):
        return text + (
            f"Too strong: the training loss is {plain(run.train[end], 3)}, no better than "
            "answering 0.5 everywhere. The network <b>underfits</b>."
        )
    over = rs.overfitting(run.train, run.val) is not None
    verdict = "still overfits by the rule" if over else "does not overfit by the rule"
    mine, theirs = pair(float(run.val[end]), stop.restored_val)
    compare = lower_or_higher(float(run.val[end]), stop.restored_val)
    than = "equals" if compare == "equal to" else f"is {compare} than"
    return text + (
        f"It {verdict}; its final validation loss {mine} {than} early stopping's {theirs}."
    )


L2_NOTES = (
    "The engine's optimizers take weight_decay = λ and add λ·w to every gradient, biases "
    "included: the gradient of (λ/2)·‖w‖². The loss curves show the cross-entropy alone, "
    "without the penalty, so they compare with the plain run. With Adam the pull λ·w is "
    "rescaled like the rest of the gradient. A small λ only trims the largest weights; a "
    "large one drags all of them to 0, and a network of zeros answers 0.5 everywhere "
    "(loss ln 2 ≈ 0.693). Move the slider and watch the histogram, the gap and the map."
)


def mask_counts(masks: tuple[np.ndarray, ...], point: int) -> list[int]:
    """How many neurons of each hidden layer the mask switched off for one point."""
    return [int(np.sum(~np.asarray(m)[point])) for m in masks]


def dropout_step(run: rs.Trained, step: int, n: int) -> str:
    masks = run.masks[step]
    off = mask_counts(masks, rs.WATCHED_POINT)
    units = [m.shape[1] for m in masks]
    share = sum(float((~m).sum()) for m in masks) / sum(float(m.size) for m in masks)
    p = run.dropout
    layers = " and ".join(f"{k} of {u}" for k, u in zip(off, units, strict=True))
    if step == 1:
        return (
            f"<b>Dropout</b> switches off each hidden neuron with probability p = {plain(p, 2)} "
            f"at every training step, for each point separately, and scales the survivors by "
            f"$\\frac{{1}}{{1-p}}$ = {plain(1 / (1 - p), 3)}. Greyed: the neurons the engine's "
            f"Dropout layers switched off for the ringed point in step 1 ({layers}). Below "
            f"right, per neuron: for how many of the {n} points (line: p × {n}). In all, "
            f"{_pct(share)} of the hidden values were dropped."
        )
    before = mask_counts(run.masks[step - 1], rs.WATCHED_POINT)
    changed = sum(
        int(np.sum(a[rs.WATCHED_POINT] != b[rs.WATCHED_POINT]))
        for a, b in zip(run.masks[step - 1], masks, strict=True)
    )
    return (
        f"Step {step} draws a new mask: now {layers} are off for the ringed point (step "
        f"{step - 1}: {' and '.join(map(str, before))}); {changed} of the {sum(units)} hidden "
        f"neurons changed state. Over all {n} points, {_pct(share)} were dropped. No neuron can "
        "count on a particular other one, so the network spreads what it learns."
    )


DROPOUT_NOTES = (
    "The Dropout layer draws a fresh random mask at every forward pass in training: one 0 or "
    "1 per point and neuron, 0 with probability p. Kept values are divided by 1 − p, so the "
    "next layer sees the same sum on average. The greyed neurons are read from the engine: "
    "the Dropout layers' forward passes of that very step, recorded as events, hold their "
    "input and output; a neuron was dropped where its output is 0. Each point of the batch "
    "has its own mask; the diagram shows the ringed one's, the text counts all of them. "
    "So each point of each step trains one of 2¹⁶ = 65\u202f536 thinned networks (16 hidden "
    "neurons, each on or off), and all of them share the same weights."
)


def dropout_result(plain_run: rs.Trained, run: rs.Trained, stop: rs.Stopped) -> str:
    end = run.epochs
    text = (
        "For predictions dropout is off: every neuron works, nothing is rescaled. After "
        f"{end} steps: training loss {plain(run.train[end], 3)}, validation "
        f"{plain(run.val[end], 3)}, gap {plain(run.gap(end), 3)} (without dropout: "
        f"{plain(plain_run.gap(end), 3)}). "
    )
    if underfits(run):
        return text + "Too much dropout: the network <b>underfits</b>."
    if rs.overfitting(run.train, run.val) is not None:
        return text + "It still overfits by the rule: try a higher p."
    text += "It does not overfit by the rule. "
    mine, theirs = pair(float(run.val[end]), stop.restored_val)
    if run.val[end] <= stop.restored_val:
        return text + f"Its validation loss is {mine}; early stopping's is {theirs}."
    if run.train[end] > stop.restored_train:
        return text + (
            f"Early stopping's validation loss {theirs} is lower. Dropout's training loss "
            f"stays at {plain(run.train[end], 3)} (early stopping's network: "
            f"{plain(stop.restored_train, 3)}): with 8 neurons per layer, losing a share "
            "p of them at every step holds the fit back."
        )
    return text + f"Early stopping's validation loss {theirs} is lower."


RESULT_NOTES = (
    "Dropout makes training noisy (each step trains a different thinned network) and slower; "
    "in exchange the network cannot lean on one neuron or a lucky combination. It pays off "
    "most in large networks, such as the convolutional network of chapter 6, which places "
    "Dropout layers before its dense layers. In a network this small, a lower rate such as "
    "p = 0.2 often works better: try the slider."
)


def choice(candidates: list[tuple[str, float, float]], plain_gap: float, winner: str) -> str:
    """``candidates``: (name, validation loss, gap) per network, the plain run's first."""
    rows = "".join(
        f"<li>{name}: <b>{plain(v, 3)}</b> (gap {plain(g, 2)})</li>" for name, v, g in candidates
    )
    cures = candidates[1:]
    wider = [name.split(",")[0] for name, _, g in cures if not g < plain_gap]
    if not wider:
        gaps = "Every cure has a smaller gap than the plain run."
    else:
        gaps = f"Not every cure narrowed the gap here: {', '.join(wider)}."
    return (
        f"Validation loss (and validation minus training loss):<ul>{rows}</ul>The validation "
        f"set picks <b>{winner}</b>. {gaps}"
    )


CHOICE_NOTES = (
    "The comparison uses the validation points, which have now been used to choose: their "
    "loss for the winner is a little optimistic. A test set, untouched until this moment, "
    "would give the honest figure. In practice the cures are combined: a network bigger than "
    "needed, some L2 or dropout, and early stopping on the validation loss."
)
