"""Lesson 4.1's narrative for probabilities: built from the classification runs' numbers.

Which example is the most confident mistake, how many mistakes there are, and how the losses
compare are all read off :mod:`lessons.ch4_training.loss_functions.classes` results.
"""

from __future__ import annotations

import numpy as np

from lessons.ch4_training.loss_functions import classes as cl
from lessons.markup.numbers import plain, tex


def mistakes(c: cl.Classes) -> np.ndarray:
    """Indices of the examples whose true class got less than half the probability."""
    return np.flatnonzero(c.p_true < 0.5)


def probabilities(c: cl.Classes) -> str:
    w = float(np.asarray(c.weights[0]).reshape(-1)[0])
    b = float(np.asarray(c.weights[1]).reshape(-1)[0])
    wrong = mistakes(c)
    names = ", ".join(c.names[i] for i in wrong)
    told = (
        f"{len(wrong)} of {len(c.x)} got less than 0.5, so the model would answer wrongly ({names})"
        if len(wrong)
        else "every example got more than 0.5: no mistakes"
    )
    return (
        "A classifier outputs a probability. The engine fitted "
        f"$p = \\sigma(wx + b)$ with $w = {tex(w, 3)}$, $b = {tex(b, 3)}$ (blue) to "
        f"{len(c.x)} examples: class 0 at the bottom, class 1 at the top; ★ is a class-1 "
        "example you move with the control. Each green segment runs from an example's "
        "target to its probability. The bars show the probability its <i>true</i> class "
        f"got: {told}."
    )


PROBABILITIES_NOTES = (
    "For a class-1 example the true class's probability is p, for a class-0 example it is "
    "1 − p. The model is a Dense layer with one unit and the logistic (sigmoid) activation, "
    "trained by full-batch Adam on binary cross-entropy; the engine computes that loss from "
    "the logit wx + b, which is the numerically stable way. The examples are drawn from two "
    "Gaussians from the lesson's seed; ★ is one more class-1 example, placed by the control "
    "and trained on like the others."
)


def binary_ce(c: cl.Classes) -> str:
    n, total = len(c.per), float(np.sum(c.per))
    return (
        "<b>Binary cross-entropy</b> charges each example "
        "$$L_i = -\\left[y_i \\log p_i + (1 - y_i) \\log(1 - p_i)\\right]$$ Only one term "
        "is left ($y_i$ is 1 or 0): $-\\log$ of the probability the true class got, so each "
        "example sits on the green curve $-\\log p$. The mean of the "
        f"{n} examples' losses is ${tex(total)} / {n} = {tex(total / n)}$; the engine reports "
        f"${tex(c.reported)}$."
    )


BINARY_CE_NOTES = (
    "The seed's formula: J(W) = −(1/n) Σ [y⁽ⁱ⁾ log f(x⁽ⁱ⁾, W) + (1 − y⁽ⁱ⁾) log(1 − f(x⁽ⁱ⁾, W))]. "
    "The bars are BinaryCrossentropy.per_example on the model's probabilities; the engine's "
    "reported loss is computed from the logits (no probability is rounded to 0 or 1 there), "
    "and still agrees with the mean of the bars to rounding. The natural logarithm is used, "
    "as in Keras."
)


def confident(c: cl.Classes) -> tuple[str, tuple[int, int, int]]:
    """The text and the three examples it compares: the most confident mistake (or, without
    mistakes, the least sure answer), the most hesitant other one, the surest right one."""
    worst = int(np.argmin(c.p_true))
    order = np.argsort(np.abs(c.p_true - 0.5))
    hesitant = int(next(i for i in order if i != worst))
    best = int(np.argmax(c.p_true))
    lw, lh, lb = (float(c.per[i]) for i in (worst, hesitant, best))
    sq = c.squared if c.squared is not None else (1.0 - c.p_true) ** 2
    name = c.names
    pw, ph = float(c.p_true[worst]), float(c.p_true[hesitant])
    if pw < 0.5:
        lead = (
            f"The most confident mistake is {name[worst]}: its true class got "
            f"$p = {tex(pw, 3)}$, loss ${tex(lw, 3)}$, {plain(lw / lh, 2)} times that of the "
            f"most hesitant, {name[hesitant]} ($p = {tex(ph, 3)}$, loss ${tex(lh, 3)}$)."
        )
    else:
        lead = (
            f"No example is on the wrong side now: the least sure, {name[worst]}, has "
            f"$p = {tex(pw, 3)}$, loss ${tex(lw, 3)}$. Move ★ left for a confident mistake."
        )
    text = (
        f"{lead} The surest right answer, {name[best]}, costs ${tex(lb, 3)}$. $-\\log p$ "
        "grows without bound as $p \\to 0$; the squared error $(1 - p)^2$ (blue) never "
        f"exceeds 1 and charges {name[worst]} only ${tex(float(sq[worst]), 3)}$."
    )
    return text, (worst, hesitant, best)


CONFIDENT_NOTES = (
    "Cross-entropy punishes being sure and wrong far more than being unsure. That is what "
    "makes it the loss for probabilities: a model that says 0.001 for something that happens "
    "gets a loss of about 6.9, and the gradient with respect to its score (the logit) stays "
    "p − y until it corrects itself, while the squared error's gradient through the sigmoid "
    "fades as p nears 0. It also means a single mislabelled "
    "example costs a lot: move ★ far to the left and watch the blue curve flatten, as the "
    "model hedges to lower that one large loss."
)


def categorical_ce(c: cl.Classes, two: cl.Classes) -> str:
    n, total = len(c.per), float(np.sum(c.per))
    if two.as_categorical is None:
        raise ValueError("categorical_ce needs the two-class run's categorical losses")
    diff = float(np.max(np.abs(two.as_categorical - two.per)))
    return (
        f"With {c.probs.shape[1]} classes, softmax gives one probability per class and "
        "<b>categorical cross-entropy</b> $L_i = -\\sum_k y_{ik} \\log p_{ik}$ keeps only the "
        "true class's term: $-\\log p$ again. Each example sits on its own class's curve. "
        f"The mean of the {n} losses is ${tex(total / n)}$, the engine's "
        f"${tex(c.reported)}$. On the two-class examples it equals the binary loss "
        f"(largest difference ${tex(diff, 2)}$)."
    )


CATEGORICAL_NOTES = (
    "y_ik is 1 for the true class and 0 for the others (one-hot), so the sum has one "
    "non-zero term. The model is a Dense layer with three units and softmax, trained by "
    "full-batch Adam on categorical cross-entropy from the logits. Keras's "
    "sparse_categorical_crossentropy is the same loss with the class number instead of the "
    "one-hot row."
)


SUMMARY = (
    "<ul><li>Each example gets a loss; their mean $J$ is what training lowers.</li>"
    "<li><b>MSE</b> for numbers: big misses and outliers dominate.</li>"
    "<li><b>MAE</b>: every example pulls alike; an outlier moves it less.</li>"
    "<li><b>Cross-entropy</b> for probabilities: $-\\log p$ of the true class; confident "
    "mistakes cost the most.</li></ul>Then the quiz (Check tab)."
)


SUMMARY_NOTES = (
    "The table lists each loss with the output it suits and its value in this run. Which "
    "loss to use is a modelling decision: it says what kind of mistake matters. MSE assumes "
    "large errors are much worse than small ones; MAE charges every unit of error the same; "
    "cross-entropy "
    "asks the model to be honest about how sure it is."
)
