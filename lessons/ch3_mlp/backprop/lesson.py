"""Lesson 3.2: backpropagation with every number, on one example through a 2-3-2 network.

The forward pass fills in one neuron per step; the output error gives each output neuron its
error term δ; the deltas flow back to the hidden layer; every gradient is δ times the value
flowing in; gradient descent updates all 17 parameters.  A step writes out the chain rule for
the highlighted weight with its numbers, the gradients are checked against central differences
and the engine's own ``backward()`` (after "Check gradients" is pressed, every gradient table
also shows its central difference), and a few more updates on the example show the error
shrinking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from lessons.ch3_mlp.backprop import model as m
from lessons.ch3_mlp.backprop import texts
from lessons.ch3_mlp.backprop import views as v
from lessons.core.base import (
    Button,
    Choice,
    Lesson,
    Network,
    NetworkData,
    Plot,
    Slider,
    Step,
    Table,
    Text,
    Values,
    Vector,
)

TRAIN_MARKS = (5, 50, 200)  # updates after which a training step is shown


class Backprop(Lesson):
    """One example through a 2-3-2 sigmoid network: forward, deltas, gradients, update, check."""

    id = "backprop"
    chapter = 3
    number = "3.2"
    title = "Backpropagation, every number"
    summary = (
        "How does a multi-layer network learn? One training example goes through a network of "
        "2 inputs, 3 hidden and 2 output neurons. The forward pass, the output error, the "
        "error terms flowing back, every weight's gradient and the update are written out "
        "with their numbers, checked against finite differences, then repeated until the "
        "network gets the example right."
    )
    seed = 32
    controls = (
        Vector(
            "x",
            "Input x",
            default=(0.8, 0.2),
            minimum=-3.0,
            maximum=3.0,
            labels=("x₁", "x₂"),
            min_length=2,
            max_length=2,
            help="The training example's two inputs (restarts).",
        ),
        Vector(
            "t",
            "Target t",
            default=(1.0, 0.0),
            minimum=0.0,
            maximum=1.0,
            labels=("t₁", "t₂"),
            min_length=2,
            max_length=2,
            help="The outputs the network should give (sigmoids reach 0 to 1; restarts).",
        ),
        Slider("rate", "Learning rate η", 0.05, 5.0, default=0.5, log=True),
        Choice(
            "weight",
            "Highlighted weight",
            options=m.weight_names(),
            default="x₁→h₁",
            help="The weight whose chain rule is written out with its numbers.",
        ),
        Button("reroll", "Draw new weights", help="Start again from other random weights."),
        Button(
            "check",
            "Check gradients",
            help="Show every gradient next to its central difference, at every step.",
        ),
    )
    panels = (
        Network("net", "The network (hover for weights and gradients)", stretch=5),
        Text("formula", "The highlighted weight's gradient", stretch=4),
        Table("weights", "Every weight and bias", stretch=3),
        Plot("loss", "Error J on the example", x_label="updates", y_label="J", legend=False),
    )
    quiz = texts.QUIZ

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        draw = np.random.default_rng([int(rng.integers(2**31)), int(c.reroll)])
        net = m.random_net(draw)
        x, t = np.array(c.x, dtype=np.float64), np.array(c.t, dtype=np.float64)
        eta, weight = float(c.rate), str(c.weight)
        layer, i, j = m.locate(weight)
        edge = (layer, i, j)
        f = m.forward(net, x, t)
        b = m.backward(net, f)
        checking = int(c.check) > 0

        def central(at: m.Net) -> m.Net | None:
            """Central differences at ``at`` once the learner has asked for the check."""
            return m.central_differences(at, x, t) if checking else None

        def show(
            stage: int, hidden: int = 3, output: int = 2, selected: tuple[int, int] | None = None
        ) -> NetworkData:
            return v.diagram(
                net,
                f,
                b if stage >= v.DELTA_OUT else None,
                hidden_known=hidden,
                output_known=output,
                stage=stage,
                selected=selected,
                highlight=edge,
            )

        yield Step(
            "One example, one small network",
            "A network with 2 inputs, 3 hidden neurons and 2 outputs, all with the sigmoid "
            f"activation, sees one training example: the input $x = {texts.as_pair(x)}$ "
            f"should give the output $t = {texts.as_pair(t)}$. Its 12 weights and 5 biases "
            "were drawn at random (the table). We follow every number through one round of "
            "training: the forward pass, the error, the backward pass that gives each weight "
            "its share of the blame, and the update.",
            {
                "net": show(v.FORWARD_HIDDEN, hidden=0, output=0),
                "formula": v.formula(net, f, None, weight, -1),
                "weights": v.weights_table(net, highlight=weight),
            },
            figures={"loss": f.loss},
            notes="Hover over a connection in the diagram to see its weight and, once the "
            "backward pass has reached it, its gradient. The Highlighted weight control picks "
            "the weight that the panel “The highlighted weight's gradient” follows.",
        )
        for n in range(3):
            yield Step(
                f"Forward: hidden neuron h{'₁₂₃'[n]}",
                texts.hidden_neuron(net, f, n),
                {"net": show(v.FORWARD_HIDDEN, hidden=n + 1, output=0, selected=(1, n))},
                figures={f"a{n + 1}": float(f.a1[n])},
            )
        for n in range(2):
            yield Step(
                f"Forward: output neuron o{'₁₂'[n]}",
                texts.output_neuron(net, f, n),
                {"net": show(v.FORWARD_OUTPUT, output=n + 1, selected=(2, n))},
                figures={f"y{n + 1}": float(f.y[n])},
            )
        yield Step(
            "The error",
            texts.error(f),
            {"loss": v.loss_plot([0], [f.loss])},
            figures={"loss": f.loss},
            notes="A negative derivative means the output is too small: raising it would lower "
            "the error. A positive one means it is too large.",
        )
        yield Step(
            "Backward: the output neurons' error terms",
            texts.output_deltas(f, b),
            {"net": show(v.DELTA_OUT), "formula": v.formula(net, f, b, weight, v.DELTA_OUT)},
            figures={"delta_o1": float(b.d2[0]), "delta_o2": float(b.d2[1])},
        )
        yield Step(
            "Backward: gradients of the output weights",
            texts.output_gradients(f, b),
            {
                "net": show(v.GRAD_OUT),
                "formula": v.formula(net, f, b, weight, v.GRAD_OUT),
                "weights": v.weights_table(
                    net,
                    b.grads,
                    layers=("2",),
                    highlight=weight,
                    central=central(net),
                    filling=("2",),
                ),
            },
        )
        yield Step(
            "Backward: the hidden neurons' error terms",
            texts.hidden_deltas(net, f, b),
            {"net": show(v.DELTA_HIDDEN)},
            figures={f"delta_h{k + 1}": float(b.d1[k]) for k in range(3)},
            notes="The diagram shows the deltas of all three hidden neurons. A hidden "
            "neuron's delta is how much it contributed to the error. The "
            "weights used are the current ones, before any update: the whole backward pass "
            "reads the weights of the forward pass.",
        )
        yield Step(
            "Backward: gradients of the first layer",
            texts.hidden_gradients(f, b),
            {
                "net": show(v.GRAD_HIDDEN),
                "formula": v.formula(net, f, b, weight, v.GRAD_HIDDEN),
                "weights": v.weights_table(
                    net, b.grads, highlight=weight, central=central(net), filling=("1",)
                ),
            },
        )
        grad = float((b.grads.w1 if layer == 1 else b.grads.w2)[i, j])
        yield Step(
            f"The chain rule for {weight}",
            texts.chain(net, f, b, layer, i, j, weight),
            {"net": show(v.DONE, selected=(layer, j))},
            figures={"highlighted_gradient": grad},
        )
        after = m.engine_step(net, x, t, eta)
        f_after = m.forward(after, x, t)
        yield Step(
            "The update",
            texts.update(net, b.grads, after, eta, f.loss, f_after.loss),
            {
                "weights": v.weights_table(
                    net, b.grads, after, highlight=weight, central=central(net)
                ),
                "loss": v.loss_plot([0, 1], [f.loss, f_after.loss]),
            },
            figures={"loss_after": f_after.loss},
        )
        differences = m.central_differences(net, x, t)
        _, engine = m.engine_gradients(net, x, t)
        worst = max(b.grads.max_abs_diff(differences), b.grads.max_abs_diff(engine))
        yield Step(
            "Check: central differences",
            texts.check(worst, m.EPS),
            {"weights": v.check_table(b.grads, differences, engine)},
            figures={"check_gap": worst},
            notes="The engine's backward pass is the one that trains every network in "
            "DeepStep: it agrees with the hand-written formulas of this lesson.",
        )
        yield from _training(after, x, t, eta, f.loss, weight, edge, central)


def _training(
    net: m.Net,
    x: np.ndarray,
    t: np.ndarray,
    eta: float,
    start_loss: float,
    weight: str,
    edge: tuple[int, int, int],
    central: Callable[[m.Net], m.Net | None],
) -> Iterator[Step]:
    """More updates on the same example: the error keeps falling."""
    counts, losses = [0, 1], [start_loss, m.forward(net, x, t).loss]
    done = 1
    before: tuple[int, float] | None = None  # the previous mark and its loss
    for mark in TRAIN_MARKS:
        while done < mark:
            net = m.engine_step(net, x, t, eta)
            done += 1
            counts.append(done)
            losses.append(m.forward(net, x, t).loss)
        f = m.forward(net, x, t)
        b = m.backward(net, f)
        step_after = m.engine_step(net, x, t, eta)
        yield Step(
            f"Training: {mark} updates",
            texts.training(mark, f, start_loss, before),
            {
                "net": v.diagram(net, f, b, highlight=edge),
                "formula": v.formula(net, f, b, weight, v.DONE),
                "weights": v.weights_table(
                    net, b.grads, step_after, highlight=weight, central=central(net)
                ),
                "loss": v.loss_plot(counts, losses),
            },
            figures={"loss": f.loss},
        )
        before = (mark, f.loss)
    yield Step(
        "Summary",
        "<ul><li>The forward pass computes each neuron's output, layer by layer.</li>"
        "<li>Output error terms: $\\delta = (y - t) \\, y (1 - y)$.</li>"
        "<li>The deltas flow back through the same weights: "
        "$\\delta_h = a(1 - a) \\sum_k w_{hk} \\delta_k$.</li>"
        "<li>Every gradient is a delta times the value entering the weight: "
        "$\\partial J / \\partial w = \\delta_j a_i$.</li>"
        "<li>Gradient descent updates all weights at once.</li>"
        "</ul>That is backpropagation: reverse-mode autodiff for a network.",
        {},
    )
