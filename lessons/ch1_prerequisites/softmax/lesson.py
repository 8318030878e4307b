"""Lesson 1.3: softmax turns class scores into probabilities; temperature; cross-entropy.

Every number shown is computed by the engine's Tensor: the division by the temperature, the
shift by the maximum, the exponentials, their sum, the probabilities, the loss of the true
class and its gradient with respect to each score (by reverse-mode autodiff).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn import activations
from lessons.ch1_prerequisites.softmax import plots as sp
from lessons.core.base import (
    BarData,
    Bars,
    Choice,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Slider,
    Step,
    Table,
    TableData,
    Values,
    Vector,
)

CLASS_NAMES = ("cat", "dog", "bird", "fish", "frog", "horse", "ship", "truck")


def _math(x: float) -> str:
    """A number for use inside $...$ math (the math renderer draws the minus sign)."""
    return f"{x:.3f}" if abs(x) < 1e4 else f"{x:.3g}"


class Softmax(Lesson):
    """From class scores to probabilities: exponentiate, normalise, temperature, cross-entropy."""

    id = "softmax"
    chapter = 1
    number = "1.3"
    title = "Softmax: scores to probabilities"
    summary = (
        "A classifier gives each class a score. Softmax turns the scores into probabilities "
        "that are positive and add up to one; the temperature sharpens or flattens them, and "
        "cross-entropy measures how much probability the true class got."
    )
    controls = (
        Vector(
            "scores",
            "Class scores (logits)",
            default=(2.0, 1.0, 0.1),
            minimum=-10.0,
            maximum=10.0,
            min_length=2,
            max_length=8,
            help="One score per class, separated by commas. Two to eight classes.",
        ),
        Slider(
            "temperature",
            "Temperature T",
            minimum=0.1,
            maximum=5.0,
            default=1.0,
            log=True,
            help="Scores are divided by T before exponentiating.",
        ),
        Choice(
            "true_class",
            "True class",
            options=CLASS_NAMES,
            default="cat",
            help="The class the example really belongs to (for the cross-entropy loss).",
        ),
    )
    panels = (
        Bars("scores", "Scores z / T", y_label="score"),
        Bars("exp", "Exponentials", y_label="exp(score)"),
        Bars("probs", "Probabilities", y_label="probability", y_range=(0.0, 1.0)),
        Plot("curve", "Zoom in: the exponential", x_label="", y_label="", legend=False),
        Table("numbers", "Every number", stretch=2),  # eight columns need the width
    )
    quiz = (
        MultipleChoice(
            "shift",
            "You add 5 to every class score. What happens to the probabilities?",
            ("They all grow", "They stay exactly the same", "The largest one grows"),
            answer=1,
            explanations=(
                "Every exponential is multiplied by the same factor e⁵, and so is their sum, "
                "so the factor cancels.",
                "Right: softmax only sees differences between scores. That is also why "
                "subtracting the maximum score is a safe trick against overflow.",
                "All exponentials grow by the same factor e⁵, which cancels when dividing by "
                "the sum.",
            ),
        ),
        MultipleChoice(
            "temperature",
            "What does a high temperature (say T = 5) do to the probabilities?",
            (
                "Makes them closer to each other",
                "Makes the largest one close to 1",
                "Changes which class wins",
            ),
            answer=0,
            explanations=(
                "Right: dividing by a large T shrinks the score differences, so the "
                "distribution flattens towards uniform.",
                "That is what a low temperature does.",
                "Dividing all scores by the same positive T never changes their order.",
            ),
        ),
        NumericQuestion(
            "two_classes",
            "Two classes with scores 2 and 0 at T = 1. What probability does softmax give "
            "the first class? (two decimals)",
            answer=1.0 / (1.0 + math.exp(-2.0)),
            tolerance=0.006,
            explanation="With two classes softmax is the logistic function of the score "
            "difference: 1 / (1 + e^(−2)) ≈ 0.88.",
        ),
        MultipleChoice(
            "loss",
            "The true class gets probability 1. What is its cross-entropy loss?",
            ("1", "0", "Infinity"),
            answer=1,
            explanations=(
                "The loss is −log p, and log 1 = 0.",
                "Right: −log 1 = 0, a perfect prediction costs nothing.",
                "That happens when the true class gets probability 0.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        scores = np.asarray(c.scores, dtype=np.float64)
        k = len(scores)
        names = CLASS_NAMES[:k]
        temp = float(c.temperature)
        true_name = c.true_class
        true_index = names.index(true_name) if true_name in names else 0
        true_note = (
            ""
            if true_name in names
            else f" (there are only {k} classes, so {names[0]} is used as the true class)"
        )

        # The whole computation on the engine, kept node by node so each step can show it.
        z = Tensor(scores, requires_grad=True, name="z", dtype="float64")
        scaled = z / temp
        shifted = scaled - scaled.max()
        e = shifted.exp()
        total = e.sum()
        p = e / total
        loss = -p[true_index].log()
        loss.backward()
        if z.grad is None:
            raise RuntimeError("backward() left no gradient on the scores")
        grad = to_numpy(z.grad).astype(np.float64)

        sv, shv, ev, pv = scaled.numpy(), shifted.numpy(), e.numpy(), p.numpy()
        # Steps 1-3 already run the scores shown so far through the rest of softmax, so the
        # Exponentials and Probabilities panels show where each step leads (not empty):
        # e^z and its normalisation, then e^(z/T), then the shifted e^(z/T - m).
        raw_e = Tensor(scores, dtype="float64").exp()
        raw_ev, raw_pv = raw_e.numpy(), (raw_e / raw_e.sum()).numpy()
        scaled_e = Tensor(sv, dtype="float64").exp()
        scaled_ev = scaled_e.numpy()
        sum_e, loss_v = float(total.item()), float(loss.item())
        winner = int(np.argmax(pv))

        def table(upto: int) -> TableData:
            cols = ("class", "z", "z / T", "− max", "exp", "p", "−log p", "∂L/∂z")
            arrays = (scores, sv, shv, ev, pv, -np.log(pv), grad)
            rows = tuple(
                (names[i], *tuple(float(a[i]) if j < upto else "" for j, a in enumerate(arrays)))
                for i in range(k)
            )
            return TableData(cols, rows, highlight_rows=(winner,) if upto >= 5 else ())

        yield Step(
            "Every class gets a score",
            "A classifier ends with one number per class, called a <b>score</b> or "
            "<b>logit</b>. Scores can be any real number, negative too, and they do not add "
            f"up to anything in particular. Here there are {k} classes: "
            + ", ".join(f"{n} ${_math(s)}$" for n, s in zip(names, scores, strict=True))
            + ". Edit them in the controls on the right. Softmax turns them into the "
            "probabilities on the right, through the exponentials in the middle; the next "
            "steps take it apart. <i>Zoom in</i> shows where each score lands on the curve "
            "$e^x$.",
            {
                "scores": BarData(scores.astype(float), names, caption="raw scores z"),
                "exp": BarData(raw_ev, names, caption="exp(z), all positive"),
                "probs": BarData(raw_pv, names, caption="softmax of z"),
                "curve": sp.exp_plot(scores, names, "score z"),
                "numbers": table(1),
            },
            figures={"classes": k},
            titles={"scores": "Scores z"},
        )

        yield Step(
            "Divide by the temperature",
            f"Before anything else every score is divided by the temperature $T = {temp:g}$: "
            "$z_i / T$. With $T = 1$ nothing changes; a small $T$ stretches the differences "
            "between scores, a large $T$ squeezes them together"
            + (
                ". We come back to this."
                if temp == 1
                else ": watch the probabilities change. We come back to this."
            ),
            {
                "scores": BarData(sv, names, caption=f"z / T with T = {temp:g}"),
                "exp": BarData(scaled_ev, names, caption="exp(z / T)"),
                "probs": BarData(pv, names, caption=f"at T = {temp:g}"),
                "curve": sp.exp_plot(sv, names, "z / T"),
                "numbers": table(2),
            },
            titles={"scores": "Scores z / T"},
        )

        yield Step(
            "Subtract the largest score",
            "Exponentials of big numbers overflow (e<sup>1000</sup> is too large for a "
            "computer), so we first subtract the largest scaled score from all of them: "
            f"$m = \\max_j z_j / T = {_math(float(sv.max()))}$. Every score is now at most 0. "
            "The exponentials all change by the same factor $e^{-m}$, and the probabilities "
            "do not change at all: softmax only depends on <i>differences</i> between scores.",
            {
                "scores": BarData(shv, names, caption="z / T − max, all ≤ 0"),
                "exp": BarData(ev, names, caption="exp(z / T − m): largest 1"),
                "probs": BarData(pv, names, caption="unchanged"),
                "curve": sp.exp_plot(shv, names, "z / T − m"),
                "numbers": table(3),
            },
            titles={"scores": "Shifted scores"},
        )

        yield Step(
            "Exponentiate",
            "Each shifted score goes through the exponential function: $e^{z_i / T - m}$. "
            "Exponentials are always positive, and they exaggerate differences: a score "
            "higher by 1 gives an exponential $e \\approx 2.718$ times larger. The biggest "
            "exponential is exactly 1 because its shifted score is 0.",
            {"exp": BarData(ev, names, caption="all positive"), "numbers": table(4)},
        )

        yield Step(
            "Add them up and normalise",
            "To make the numbers add up to one, divide each exponential by their sum: "
            f"$$p_i = \\frac{{e^{{z_i / T - m}}}}{{\\sum_{{j=1}}^{{{k}}} e^{{z_j / T - m}}}}$$ "
            f"with $m = {_math(float(sv.max()))}$ (the factor $e^{{-m}}$ cancels, so this is "
            "the same as without the shift). "
            f"Here the sum is ${_math(sum_e)}$, so for example "
            f"$p_{{\\mathrm{{{names[0]}}}}} = {_math(float(ev[0]))} / {_math(sum_e)} = "
            f"{_math(float(pv[0]))}$. The probabilities add up to "
            f"${float(pv.sum()):.6f}$.",
            {"probs": BarData(pv, names, caption=f"sum = {pv.sum():.6f}"), "numbers": table(5)},
            figures={
                "sum": float(pv.sum()),
                **{f"p_{n}": float(v) for n, v in zip(names, pv, strict=True)},
            },
        )

        yield Step(
            "The answer is the most probable class",
            f"The network's answer is the class with the highest probability: "
            f"<b>{names[winner]}</b> with $p = {_math(float(pv[winner]))}$. Softmax keeps "
            "the order of the scores, so the winner is also the class with the highest "
            "score; what softmax adds is <i>how sure</i> the answer is.",
            {"probs": BarData(pv, names, highlight=winner, caption=f"answer: {names[winner]}")},
            figures={"winner": winner},
        )

        # Temperature sweep: one batched softmax over many temperatures.
        temps = np.geomspace(0.1, 5.0, 120)
        sweep = activations.softmax(
            Tensor(scores[None, :] / temps[:, None], dtype="float64"), axis=-1
        ).numpy()
        yield Step(
            "Temperature sharpens or flattens",
            "The curves show each class's probability as the temperature changes, computed "
            "for 120 temperatures at once. At a low temperature the winner takes almost all "
            "the probability; at a high temperature the classes become nearly equally likely "
            f"($1/{k} = {1 / k:.3f}$ each). The answer's curve is orange, like its bar; the "
            f"dashed line marks your $T = {temp:g}$. "
            "Move the temperature slider and watch the bars follow.",
            {
                "curve": sp.temperature_plot(temps, sweep, names, temp, winner),
                "probs": BarData(pv, names, highlight=winner),
            },
            titles={"curve": "Zoom in: temperature"},
        )

        # Two classes: softmax of (a, b) is the logistic function of the difference.
        diff = float(scores[0] - scores[1]) / temp
        xs = np.linspace(-8.0, 8.0, 161)
        logistic = activations.sigmoid(Tensor(xs, dtype="float64")).numpy()
        p_two = activations.softmax(
            Tensor(np.array([scores[0], scores[1]]) / temp, dtype="float64")
        ).numpy()
        yield Step(
            "Two classes: the logistic function",
            "With only two classes softmax becomes the logistic (sigmoid) function of the "
            "score difference: $$h_\\theta(x) = \\frac{1}{1 + \\exp(-\\theta^T x)}$$ where "
            "$\\theta^T x$ plays the role of the difference $z_1 - z_2$. For "
            f"{names[0]} against {names[1]} alone: difference ${_math(diff)}$, logistic "
            f"${_math(float(1 / (1 + np.exp(-diff))))}$, and softmax of the two scores gives "
            f"${_math(float(p_two[0]))}$: the same number.",
            {
                "curve": sp.logistic_plot(
                    xs, logistic, diff, float(p_two[0]), sp.class_color(0, winner)
                ),
            },
            titles={"curve": "Zoom in: two classes"},
            figures={"logistic": float(1 / (1 + np.exp(-diff))), "softmax2": float(p_two[0])},
        )

        yield Step(
            "Cross-entropy: the price of the true class",
            "To train a classifier we need a loss. Cross-entropy looks only at the probability "
            f"given to the true class, here <b>{names[true_index]}</b>{true_note}: "
            f"$$L = -\\log p_{{\\mathrm{{true}}}} = -\\log {_math(float(pv[true_index]))} = "
            f"{_math(loss_v)}$$ A confident right answer costs almost nothing; a confident "
            "wrong answer costs a lot, and the cost grows without bound as the probability of "
            "the true class goes to 0.",
            {
                "curve": sp.loss_plot(float(pv[true_index]), loss_v),
                "probs": BarData(
                    pv, names, highlight=true_index, caption=f"true class: {names[true_index]}"
                ),
                "numbers": table(6),
            },
            figures={"loss": loss_v},
            titles={"curve": "Zoom in: cross-entropy"},
        )

        yield Step(
            "The gradient is p minus the target",
            "Autodiff back through every operation gives the gradient of the loss with "
            "respect to each score, and it is remarkably simple: "
            "$$\\frac{\\partial L}{\\partial z_i} = \\frac{p_i - y_i}{T}$$ where $y_i$ is 1 "
            f"for the true class and 0 otherwise. For {names[true_index]}: "
            f"$({_math(float(pv[true_index]))} - 1) / {temp:g} = "
            f"{_math(float(grad[true_index]))}$. Gradient descent raises the true class's "
            "score and lowers the others, each by the probability it wrongly received.",
            {
                "scores": BarData(
                    grad,
                    names,
                    highlight=true_index,
                    caption="∂L/∂z from backward()",
                    y_label="∂L/∂z",
                ),
                "numbers": table(7),
            },
            figures={f"grad_{n}": float(g) for n, g in zip(names, grad, strict=True)},
            titles={"scores": "Gradient ∂L/∂z"},
        )

        yield Step(
            "Summary",
            "<ul><li>Softmax turns any scores into probabilities: exponentiate, then divide "
            "by the sum.</li><li>Only differences between scores matter.</li><li>Temperature "
            "divides the scores: low sharpens, high flattens.</li><li>Two classes: softmax is "
            "the logistic function.</li><li>Cross-entropy $-\\log p_{\\mathrm{true}}$ is the "
            "usual loss; its gradient is $p - y$.</li></ul>Try the quiz (the Check tab).",
            {"numbers": table(7)},
        )
