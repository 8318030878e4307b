"""Words of lesson 7.1: speaker notes, the task and the quiz (answers computed by the engine)."""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.recurrent_neuron.model import UNITS, run_rnn
from lessons.core.base import MultipleChoice, NumericQuestion, Task

TITLES: dict[str, str] = {  # every step sets all four titles (a retitle lasts until the next one)
    "diagram": "The neuron, folded and unrolled through time",
    "timeline": "Input and state over time",
    "calc": "One time step",
    "weights": "Weights of the SimpleRNN layer",
}


def titles(**changed: str) -> dict[str, str]:
    """The panel titles of a step: the defaults with ``changed`` (panel id -> title)."""
    return {**TITLES, **changed}


def fmt(x: float, digits: int = 3) -> str:
    """A number for $...$ math."""
    return f"{x:.{digits}f}"


def factor(x: float, digits: int = 3) -> str:
    """A factor for $...$ math: negative numbers in parentheses."""
    return f"({x:.{digits}f})" if x < 0 else f"{x:.{digits}f}"


NOTES_LOOP = (
    "Everything in chapters 2 to 6 was feed-forward: an input goes in, an output comes out, and "
    "the next input starts from scratch. Many data are sequences instead: sensor readings, "
    "prices, the words of a sentence, notes of a melody, and what came earlier changes what the "
    "present means. A recurrent neuron handles this by feeding its own output back in as an "
    "extra input at the next time step. It is still a weighted sum and an activation, as in "
    "chapter 2; the only new thing is the loop. Keras calls this layer SimpleRNN and uses tanh."
)
NOTES_UNROLL = (
    "Unrolling is a way of drawing, not a different network: the loop becomes a chain with one "
    "copy of the neuron per time step, and the arrow that closed the loop now carries h from one "
    "copy to the next. All copies share the same w, u and b, much as a convolution kernel is "
    "shared over all positions of an image (chapter 6): here the weights are shared over time. "
    "That is why one network handles sequences of any length. The unrolled picture is also the "
    "one training uses: backpropagation through time (lesson 7.3) runs back along this chain."
)
NOTES_STEP = (
    "The state before the first step, h₀, is zero unless a program sets it (Keras's "
    "initial_state). Each number in the table is read from the engine: xₜ, hₜ₋₁ and hₜ come "
    "from the SimpleRNN layer's RNNStep events, and the terms are its kernel and recurrent kernel "
    "times those values. The last two rows agree: tanh of the sum is what the layer computed."
)
NOTES_MEMORY = (
    "The part of a network that keeps something from one time step to the next is called a "
    "memory cell; a single recurrent neuron is the simplest one. Its memory is short: with "
    "$|u| < 1$ each step multiplies what is left by about u (tanh only shrinks it further), so a "
    "pulse fades roughly geometrically. Without the tanh, $|u| > 1$ would make the echo grow "
    "without limit (the last column); tanh caps it, so the state instead settles at a value "
    "h* = tanh(u h*) and stays there whatever comes next, which is not a useful memory either."
)
NOTES_SWEEP = (
    "There is no setting of one weight that both remembers long and stays responsive: a state "
    "that fades cannot carry information far, a state that sticks near ±1 cannot take in new "
    "input. Training makes this worse, because the gradient passes back through the same "
    "factors (lesson 7.3: vanishing and exploding gradients). LSTM and GRU cells (lesson 7.4) "
    "add gates that learn when to keep and when to overwrite the state."
)
NOTES_LAYER = (
    "A layer of n recurrent neurons keeps a state vector hₜ of n numbers. Every neuron sees the "
    "input xₜ through its column of W and the whole previous state vector through its column of "
    "U, so the units mix their memories: hₜ = tanh(xₜ W + hₜ₋₁ U + b). With F input "
    "features the layer has F·n + n·n + n parameters. Here U is a random orthogonal matrix "
    "(Keras's "
    "default initialiser) times your u, so every direction of the state is scaled by |u|, and "
    "the fading or sticking you saw for one neuron carries over to the layer."
)
NOTES_SEQUENCE = (
    "The sequences: a single pulse (1 at one step, 0 elsewhere), two pulses four steps apart, an "
    "input that switches on and stays on, and a sine wave with a period of 6 steps. All are "
    "made from the controls; nothing is random in this lesson except the layer's weights, drawn "
    "once from the lesson's seed."
)

NOTES_CARRY = (
    "This is the step that makes the neuron recurrent: the input may be silent, but hₜ₋₁ "
    "still enters through u. A feed-forward neuron given the same xₜ would answer the same "
    "way every time; this one answers differently depending on what it has read before."
)
NOTES_WATCH = (
    "Play runs the lesson's steps on a timer; change the sequence (two pulses, a held input, a "
    "sine wave) or the weights and step through again. With a held input the state climbs "
    "towards the value where h = tanh(w + u h): a recurrent neuron can add up its inputs over "
    "time. With the sine wave the state follows the input with a lag and a changed size."
)
NOTES_CHECK = (
    "A pulse near the end of the sequence has fewer steps in which to fade, so the task is "
    "easier for a late pulse: compare pulse times 2 and 8 at the same u. The quiz asks for a "
    "step computed by hand, the parameter count of a layer, what tanh does to a large u, and "
    "what the unrolled copies share."
)

TASK = Task(
    "remember",
    "Make the neuron remember the single pulse: choose a recurrent weight u for which h at the "
    "last step still holds at least half of what it had at the pulse, without sticking near "
    "tanh's ceiling (|h| below 0.95).",
)


def _quiz_h2() -> float:
    """h_2 of a neuron with w = 2, u = 0.5, b = 0 on x = (1, 0), by the engine's SimpleRNN."""
    run = run_rnn(np.array([[1.0], [0.0]]), np.array([[2.0]]), np.array([[0.5]]), np.zeros(1))
    return float(run.h[1, 0])


def _quiz_params() -> int:
    """Parameters of a SimpleRNN with UNITS units on one input feature, by the engine."""
    run = run_rnn(np.zeros((1, 1)), np.zeros((1, UNITS)), np.zeros((UNITS, UNITS)), np.zeros(UNITS))
    return run.params


H2 = _quiz_h2()
PARAMS = _quiz_params()

QUIZ = (
    NumericQuestion(
        "h2",
        "One recurrent neuron with w = 2, u = 0.5, b = 0 starts from h₀ = 0 and reads x₁ = 1, "
        "then x₂ = 0. What is h₂? (three decimals)",
        answer=round(H2, 3),
        tolerance=0.0015,
        explanation=f"h₁ = tanh(2·1) = {np.tanh(2.0):.3f}; h₂ = tanh(2·0 + 0.5·{np.tanh(2.0):.3f}) "
        f"= {H2:.3f}. The input is gone, the state still remembers it.",
    ),
    NumericQuestion(
        "params",
        f"How many trainable numbers does a SimpleRNN layer with {UNITS} units have when each "
        "time step brings one input feature?",
        answer=float(PARAMS),
        tolerance=0.0,
        explanation=f"W is 1 × {UNITS}, U is {UNITS} × {UNITS}, b has {UNITS}: "
        f"{UNITS} + {UNITS * UNITS} + {UNITS} = {PARAMS}. The same weights serve every time step.",
    ),
    MultipleChoice(
        "saturate",
        "With u = 3, a single pulse and tanh, what happens to h after the pulse?",
        (
            "It grows like 3ᵏ and overflows",
            "It settles close to ±1 and stays there",
            "It returns to 0 within a few steps",
        ),
        answer=1,
        explanations=(
            "That is the loop without tanh (the last column of the echo table). tanh keeps every "
            "hₜ between −1 and 1.",
            "Right: h settles at h* = tanh(3h*) ≈ 0.995 and later inputs barely move it: "
            "saturated, not a useful memory.",
            "That happens for small |u| (try u = 0.5).",
        ),
    ),
    MultipleChoice(
        "shared",
        "In the unrolled picture, what is the same at every time step?",
        ("The state hₜ", "The weights w, u and b", "The input xₜ"),
        answer=1,
        explanations=(
            "The state changes at every step: that is the memory.",
            "Right: the chain is one neuron drawn once per step, so all copies share w, u, b.",
            "The input is the sequence; it changes from step to step.",
        ),
    ),
)
