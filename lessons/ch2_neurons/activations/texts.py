"""The narrative and quiz of lesson 2.4: one (title, text) per activation function.

Each text is a format string: ``{p}`` the probe x, ``{fx}`` and ``{dfx}`` f and f' there, ``{dw}``
how far the trained neuron's weight moved, ``{n}`` the SGD steps, ``{alpha}``, ``{sigma}`` and
``{draws}`` the leaky slope, the noise level and the number of noise draws.  Math braces are
doubled for ``str.format``.
"""

from __future__ import annotations

from lessons.core.base import MultipleChoice, NumericQuestion

TEXTS = {
    "step": (
        "The step function",
        "The LTU of lesson 2.2 uses the step $H(z)$: 1 when $z \\ge 0$, else 0. Its slope is "
        "zero on both sides and undefined at the jump, so <code>backward()</code> returns "
        "$H'(z) = 0$ at all 401 points; at the probe $H({p}) = {fx}$ and $H'({p}) = {dfx}$. "
        "Shading marks where a slope is (nearly) zero. Gradient descent multiplies by this "
        "slope, so a step neuron never moves: its $w$ and $b$ stay flat for {n} SGD steps. "
        "The table lists all seven functions, with $\\Delta w$, how far each weight moved.",
    ),
    "logistic": (
        "The logistic function",
        "$\\sigma(z) = 1 / (1 + e^{{-z}})$ is a smooth step, and its slope "
        "$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$ is never zero. At the probe "
        "$\\sigma({p}) = {fx}$ and the engine finds $\\sigma'({p}) = {dfx}$. The slope peaks "
        "at only 0.25 and fades fast: the shaded tails are <b>saturated</b>, where a neuron "
        "hardly learns. Started at $z < 0$, its $w$ still moves by {dw}.",
    ),
    "tanh": (
        "The hyperbolic tangent",
        "$\\tanh z$ has the logistic's S shape but runs from −1 to 1 and is centred on 0, "
        "with slope $1 - \\tanh^2 z$ peaking at 1. At the probe $\\tanh({p}) = {fx}$ and "
        "$\\tanh'({p}) = {dfx}$. It saturates too, even sooner than the logistic. The neuron "
        "trained from $z < 0$ still learns: $w$ moves by {dw}.",
    ),
    "relu": (
        "ReLU: the rectified linear unit",
        "$\\operatorname{{ReLU}}(z) = \\max(0, z)$ is the common choice: cheap, and its slope "
        "is exactly 1 for every positive input, so it never saturates there. For negative "
        "input the slope is 0 and the whole left half is flat. At the probe "
        "$\\operatorname{{ReLU}}({p}) = {fx}$, slope ${dfx}$. The neuron that starts with "
        "$z < 0$ for all its inputs gets no gradient at all: $w$ moves by {dw}.",
    ),
    "leaky": (
        "Leaky ReLU",
        "Leaky ReLU keeps a small slope $\\alpha = {alpha}$ for negative inputs: "
        "$f(z) = z$ if $z > 0$, else $\\alpha z$. At the probe $f({p}) = {fx}$, "
        "$f'({p}) = {dfx}$. The left side is almost flat but not dead, so a neuron pushed into "
        "it can still crawl back: $w$ moves by {dw}.",
    ),
    "elu": (
        "ELU: the exponential linear unit",
        "ELU is the identity for $z > 0$ and $e^z - 1$ below, a smooth curve that tends to "
        "−1. Its slope $e^z$ on the left decays gently instead of dropping to 0. At the probe "
        "$f({p}) = {fx}$, $f'({p}) = {dfx}$. Its negative outputs keep the mean activation "
        "near zero, which can speed up learning; here $w$ moves by {dw}.",
    ),
    "noisy": (
        "Noisy ReLU",
        "Noisy ReLU adds Gaussian noise before rectifying: $f(z) = \\max(0, z + n)$ with "
        "$n \\sim \\mathcal{{N}}(0, {sigma}^2)$, drawn from the lesson's seeded generator. The "
        "dots are one draw; the line is the mean of {draws} draws, a smoothed ReLU. At the "
        "probe the mean is ${fx}$ and the mean slope ${dfx}$. The noise helps only near 0: "
        "started far below zero, the trained neuron's $w$ moves by {dw}.",
    ),
}

QUIZ: tuple[MultipleChoice | NumericQuestion, ...] = (
    MultipleChoice(
        "step",
        "Why can gradient descent not train a network of step functions?",
        (
            "The step is too slow to compute",
            "Its derivative is 0 wherever it exists",
            "It only outputs negative numbers",
        ),
        answer=1,
        explanations=(
            "It is the cheapest of all; speed is not the problem.",
            "Right: every weight's gradient gets multiplied by 0, so nothing moves.",
            "It outputs 0 or 1.",
        ),
    ),
    NumericQuestion(
        "sigmoid_slope",
        "What is the slope of the logistic function at x = 0? (two decimals)",
        answer=0.25,
        tolerance=0.005,
        explanation="σ(0) = 0.5, and σ′ = σ(1 − σ) = 0.5 × 0.5 = 0.25, its largest value.",
    ),
    MultipleChoice(
        "saturation",
        "At x = 5, which slope is larger?",
        ("The logistic function's", "ReLU's", "They are equal"),
        answer=1,
        explanations=(
            "σ′(5) ≈ 0.0066: the logistic is saturated there.",
            "Right: ReLU's slope is 1 for every positive input; σ′(5) ≈ 0.0066.",
            "Move the probe to 5 and compare the table.",
        ),
    ),
    MultipleChoice(
        "dead",
        "A ReLU neuron's input is negative for every training example. What fixes it?",
        ("A larger learning rate", "Training for longer", "A leaky ReLU (or a better start)"),
        answer=2,
        explanations=(
            "Any learning rate times a zero gradient is zero.",
            "The gradient stays exactly zero, so more steps change nothing.",
            "Right: a small slope for negative inputs lets the gradient through.",
        ),
    ),
)
