"""The words of lesson 3.2 (backpropagation): forward and backward step texts, and the quiz."""

from __future__ import annotations

import numpy as np

from lessons.ch3_mlp.backprop.model import Backward, Forward, Net
from lessons.ch3_mlp.backprop.views import HID_TEX, IN_TEX, OUT_TEX
from lessons.core.base import MultipleChoice, NumericQuestion
from lessons.markup.numbers import ptex, tex


def _dot(a: float, b: float) -> str:
    return f"{ptex(a)} \\cdot {ptex(b)}"


def hidden_neuron(net: Net, f: Forward, j: int) -> str:
    """The forward step of hidden neuron j."""
    h = HID_TEX[j]
    terms = " + ".join(f"w_{{{IN_TEX[i]} {h}}} x_{i + 1}" for i in range(2))
    numbers = " + ".join(_dot(float(net.w1[i, j]), float(f.x[i])) for i in range(2))
    intro = (
        "The forward pass goes neuron by neuron, from the inputs to the outputs. " if j == 0 else ""
    )
    return (
        f"{intro}Neuron ${h}$ multiplies each input by the weight of its connection, adds them "
        f"up with its bias $b_{{{h}}}$, and squashes the sum with the sigmoid: "
        f"$$z_{{{h}}} = {terms} + b_{{{h}}}$$"
        f"$$= {numbers}$$"
        f"$$+ {ptex(float(net.b1[j]))} = {tex(float(f.z1[j]))}$$"
        f"$$a_{j + 1} = \\sigma(z_{{{h}}}) = \\frac{{1}}{{1 + e^{{-z_{{{h}}}}}}} "
        f"= {tex(float(f.a1[j]))}$$"
    )


def output_neuron(net: Net, f: Forward, k: int) -> str:
    """The forward step of output neuron k."""
    o = OUT_TEX[k]
    products = [_dot(float(net.w2[j, k]), float(f.a1[j])) for j in range(3)]
    return (
        f"Output neuron ${o}$ does the same with the three hidden outputs as its inputs: "
        f"$$z_{{{o}}} = \\sum_j w_{{h_j {o}}} a_j + b_{{{o}}}$$"
        f"$$= {products[0]} + {products[1]}$$"
        f"$$+ {products[2]} + {ptex(float(net.b2[k]))} = {tex(float(f.z2[k]))}$$"
        f"$$y_{k + 1} = \\sigma(z_{{{o}}}) = {tex(float(f.y[k]))}$$"
        + (
            "That completes the forward pass: the network's answer for this example."
            if k == 1
            else ""
        )
    )


def error(f: Forward) -> str:
    """The loss and its derivative with respect to each output."""
    y, t = f.y, f.t
    squares = " + ".join(f"({tex(float(y[k]))} - {tex(float(t[k]))})^2" for k in range(2))
    return (
        "How wrong is the answer? The squared error (the ½ makes the derivative neater): "
        "$$J = \\frac{1}{2} \\sum_k (y_k - t_k)^2$$"
        f"$$= \\frac{{1}}{{2}} \\left[ {squares} \\right]$$"
        f"$$= {tex(f.loss)}$$"
        "Backpropagation starts from its derivative for each output, "
        "$\\partial J / \\partial y_k = y_k - t_k$: "
        f"${tex(float(f.error[0]))}$ and ${tex(float(f.error[1]))}$."
    )


def output_deltas(f: Forward, b: Backward) -> str:
    """δ of the output neurons."""
    lines = "".join(
        f"$$\\delta_{{{OUT_TEX[k]}}} = {ptex(float(f.error[k]))} \\cdot {tex(float(f.y[k]))} "
        f"\\cdot {tex(float(1 - f.y[k]))} = {tex(float(b.d2[k]))}$$"
        for k in range(2)
    )
    return (
        "Each output neuron's <b>error term</b> is "
        "$\\delta = \\partial J / \\partial z$: by the chain rule, the output error times "
        "the sigmoid's slope $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z)) = y(1 - y)$: "
        "$$\\delta_{o_k} = (y_k - t_k) \\, y_k (1 - y_k)$$" + lines
    )


def output_gradients(f: Forward, b: Backward) -> str:
    """∂J/∂w for the weights into the outputs."""
    example = (
        f"$$\\delta_{{o_1}} \\, a_1 = {ptex(float(b.d2[0]))} \\times {tex(float(f.a1[0]))} = "
        f"{tex(float(b.grads.w2[0, 0]))}$$"
    )
    return (
        "A weight's gradient is the error term of the neuron it feeds times the value that "
        "flows through it: "
        "$$\\frac{\\partial J}{\\partial w_{h_j o_k}} = \\delta_{o_k} \\, a_j$$"
        f"For $w_{{h_1 o_1}}$: {example}"
        "The table lists all six, and the two biases: their input is always 1, so their "
        "gradient is the neuron's $\\delta$."
    )


def hidden_deltas(net: Net, f: Forward, b: Backward) -> str:
    """δ of the hidden neurons: the blame flowing back."""
    j = 0  # the text works h1 through; the diagram shows every hidden neuron's delta
    h = HID_TEX[j]
    total = (
        f"$$\\sum_k w_{{{h} o_k}} \\delta_{{o_k}} = "
        + _dot(float(net.w2[j, 0]), float(b.d2[0]))
        + " + "
        + _dot(float(net.w2[j, 1]), float(b.d2[1]))
        + f" = {tex(float(b.back[j]))}$$"
    )
    delta = (
        f"$$\\delta_{{{h}}} = {tex(float(f.a1[j]))} \\cdot {tex(float(1 - f.a1[j]))} "
        f"\\cdot {ptex(float(b.back[j]))} = {tex(float(b.d1[j]))}$$"
    )
    return (
        "The error flows back: each hidden neuron takes a share of the output error terms, "
        "weighted by its connections, times its own sigmoid slope: "
        "$$\\delta_{h_j} = a_j (1 - a_j) \\sum_k w_{h_j o_k} \\delta_{o_k}$$"
        f"For $h_1$: {total}{delta}"
    )


def hidden_gradients(f: Forward, b: Backward) -> str:
    """∂J/∂w for the weights into the hidden layer."""
    example = (
        f"$$\\frac{{\\partial J}}{{\\partial w_{{x_1 h_1}}}} = \\delta_{{h_1}} \\, x_1$$$$= "
        f"{ptex(float(b.d1[0]))} \\times {ptex(float(f.x[0]))} = "
        f"{tex(float(b.grads.w1[0, 0]))}$$"
    )
    return (
        "The same rule gives the first layer's gradients, with the inputs as the values "
        "flowing through: "
        "$$\\frac{\\partial J}{\\partial w_{x_i h_j}} = \\delta_{h_j} \\, x_i$$"
        f"For example {example}"
        "With that, every one of the 17 gradients is known, from one forward and one "
        "backward pass."
    )


def update(net: Net, grads: Net, after: Net, eta: float, before: float, loss: float) -> str:
    """The gradient-descent update of every weight."""
    w, g, a = float(net.w1[0, 0]), float(grads.w1[0, 0]), float(after.w1[0, 0])
    return (
        "Gradient descent now moves every weight and bias against its gradient, all at once: "
        "$$w \\leftarrow w - \\eta \\frac{\\partial J}{\\partial w}$$"
        f"With $\\eta = {tex(eta)}$, for $w_{{x_1 h_1}}$: "
        f"$${tex(w)} - {tex(eta)} \\times {ptex(g)} = {tex(a)}$$"
        "The table shows every weight before, its gradient and after. Running the forward "
        f"pass again with the new weights, the error falls from ${tex(before)}$ to "
        f"${tex(loss)}$."
    )


def check(worst: float, eps: float) -> str:
    """Backprop against central differences and the engine."""
    return (
        "Are the formulas right? Nudge one weight by a tiny $\\varepsilon$ both ways and see "
        "how much the error changes: "
        "$$\\frac{\\partial J}{\\partial w} \\approx \\frac{J(w + \\varepsilon) - "
        "J(w - \\varepsilon)}{2 \\varepsilon}$$"
        f"with $\\varepsilon = {tex(eps)}$, for each of the 17 parameters (34 forward passes), "
        f"and compare the engine's own backward pass too. The largest gap is ${tex(worst)}$: "
        "backpropagation gives the exact gradient for the price of one backward pass."
    )


def training(count: int, f: Forward, start: float, before: tuple[int, float] | None) -> str:
    """After several updates on the same example; ``before`` is the previous checkpoint."""
    outputs = (
        f"The outputs are $y = ({tex(float(f.y[0]))}, {tex(float(f.y[1]))})$ for the targets "
        f"$t = ({tex(float(f.t[0]))}, {tex(float(f.t[1]))})$. "
    )
    if before is None:
        return (
            f"After {count} updates (each a forward pass, a backward pass and a step) the "
            f"error on the example is ${tex(f.loss)}$, down from ${tex(start)}$. "
            + outputs
            + "The table shows the next update."
        )
    mark, loss = before
    n = count - mark
    per = (loss - f.loss) / n
    return (
        f"After {count} updates the error is ${tex(f.loss)}$. The {n} updates since update "
        f"{mark} lowered it from ${tex(loss)}$, on average ${tex(per)}$ per update. "
        + outputs
        + "The steps shrink as the outputs approach their targets: the errors get smaller, "
        "and so does the sigmoid's slope $y(1 - y)$ near 0 or 1."
    )


def chain(net: Net, f: Forward, b: Backward, layer: int, i: int, j: int, weight: str) -> str:
    """The highlighted weight's gradient: a product along each path to the loss, summed."""
    if layer == 2:
        grad = float(b.grads.w2[i, j])
        return (
            f"The weight {weight} reaches the loss along one path, through output "
            f"$o_{j + 1}$: its gradient is the product of the local derivatives on it, "
            f"$\\delta_{{o_{j + 1}}} \\, a_{i + 1} = {ptex(float(b.d2[j]))} \\times "
            f"{ptex(float(f.a1[i]))} = {tex(grad)}$. Choose another weight under Highlighted "
            "weight to see its chain."
        )
    grad = float(b.grads.w1[i, j])
    slope = float(f.a1[j] * (1 - f.a1[j]))
    paths = [float(b.d2[k] * net.w2[j, k] * slope * f.x[i]) for k in range(2)]
    terms = " + ".join(ptex(p) for p in paths)
    return (
        f"The weight {weight} feeds $h_{j + 1}$, which feeds both outputs: two paths lead "
        "from it to the loss. Along each, multiply the local derivatives (the output's "
        "$\\delta$, the weight to it, the sigmoid slope, the input); the gradient is the "
        f"<b>sum</b> over the paths: $$\\sum_k \\delta_{{o_k}} w_{{h_{j + 1} o_k}} \\cdot "
        f"{tex(slope)} \\cdot {ptex(float(f.x[i]))} = {terms} = {tex(grad)}$$ Choose another "
        "weight under Highlighted weight to see its chain."
    )


QUIZ = (
    NumericQuestion(
        "delta",
        "A sigmoid output neuron gives y = 0.8 for the target t = 1. What is its error term "
        "δ = (y − t)·y·(1 − y)?",
        answer=-0.032,
        tolerance=0.0005,
        explanation="(0.8 − 1) × 0.8 × 0.2 = −0.2 × 0.16 = −0.032.",
    ),
    NumericQuestion(
        "update",
        "A hidden neuron has δ = 0.05 and the input on one of its connections is x = 2. The "
        "weight of that connection is 0.3 and η = 0.5. What is the weight after the update?",
        answer=0.25,
        tolerance=0.0005,
        explanation="∂J/∂w = δ·x = 0.1, and 0.3 − 0.5 × 0.1 = 0.25.",
    ),
    MultipleChoice(
        "order",
        "Why must the backward pass start at the output layer?",
        (
            "Because the output layer has the fewest neurons",
            "Because each hidden neuron's δ needs the δ's of the layer after it",
            "It does not: any order gives the same gradients",
        ),
        answer=1,
        explanations=(
            "The size does not matter; the dependencies do.",
            "Right: δ_h = a(1 − a) Σ w δ_o uses the deltas of the next layer, so they must be "
            "known first. The error flows back layer by layer.",
            "A hidden δ cannot be computed before the deltas it is made of.",
        ),
    ),
    NumericQuestion(
        "cost",
        "How many forward passes does checking all 17 gradients of this network by central "
        "differences take?",
        answer=34,
        tolerance=0.0,
        explanation="Two per parameter (w + ε and w − ε): 34, against one forward and one "
        "backward pass for backpropagation.",
    ),
)


def as_pair(v: np.ndarray) -> str:
    return f"({tex(float(v[0]))}, {tex(float(v[1]))})"
