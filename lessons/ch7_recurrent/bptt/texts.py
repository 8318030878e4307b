"""The words of lesson 7.3 (backpropagation through time): step texts, notes and the quiz.

Every number is passed in from what the engine computed; every verdict word comes from
:func:`lessons.ch7_recurrent.bptt.model.verdict`.
"""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.bptt import model as m
from lessons.core.base import MultipleChoice, NumericQuestion
from lessons.markup.numbers import plain, tex

NORM = r"\lVert \partial L / \partial h_{%s} \rVert"


def n(t: str) -> str:
    """||dL/dh_t|| in TeX for a subscript ``t``."""
    return NORM % t


def setup(p: m.Pass, rho: float) -> str:
    where = "every step's" if p.every else "the last"
    return (
        f"{m.UNITS} tanh units read $T = {p.length}$ numbers, one per step, with the same "
        "weights at every step: "
        "$$h_t = \\tanh(x_t W + h_{t-1} U + b)$$"
        "Unrolled in time, that is a chain of $T$ layers. The task: "
        f"{where} output $\\hat y = h v + c$ should equal the first input "
        f"$x_1 = {tex(p.target)}$; the loss is now $L = {tex(p.loss)}$. "
        f"$U$ is $\\rho = {tex(rho)}$ times an orthogonal matrix."
    )


SETUP_NOTES = (
    "To learn this task the gradient must travel from the last step back to the first: "
    "T - 1 steps. Because U is rho times an orthogonal matrix, rho is its spectral radius "
    "(and its largest singular value). The chain shows the first and the last two "
    "steps; the dashed box in the middle stands for "
    "the steps in between, which are all in the table. The plot shows the length of the "
    "state vector at each step. The engine's SimpleRNN has only the tanh activation, so tanh "
    "is the one the lesson uses. The model is the engine's SimpleRNN (16 units) and Dense(1) "
    "read-out in float64, trained on one sequence; the inputs are drawn from a normal "
    "distribution with standard deviation 0.5."
)


def last_step(p: m.Pass) -> str:
    t = p.length
    err = float(p.y_hat[-1] - p.target)
    scale = f"\\frac{{2}}{{{t}}}" if p.every else "2"
    return (
        "Backpropagation through time starts at the loss, like backpropagation in an MLP. "
        "The loss depends on $h_T$ through the read-out, so "
        f"$$\\frac{{\\partial L}}{{\\partial h_T}} = {scale}\\,(\\hat y_T - x_1)\\, v^\\top$$"
        f"with $\\hat y_T - x_1 = {tex(err)}$: its length is "
        f"$${n('T')} = {tex(float(p.norms[-1]))}$$"
        "(the engine's number, shown in the chain, the plot and the table)."
    )


def one_back(p: m.Pass, rho: float) -> str:
    t = p.length
    dh, h = p.dh[t - 1], p.h[t]
    slope = 1.0 - h * h
    dz = dh * slope
    back = float(np.linalg.norm(dz @ p.weights.U.T))
    own = float(np.linalg.norm(p.direct[t - 2]))
    extra = f", plus this step's own output term (length ${tex(own)}$)" if p.every else ""
    return (
        "One step back, the chain rule goes through tanh, then through $U$: "
        "$$\\frac{\\partial L}{\\partial h_{t-1}} = \\left(\\frac{\\partial L}{\\partial h_t} "
        "\\odot (1 - h_t^2)\\right) U^\\top \\;+\\; \\text{output term}$$"
        f"The tanh slopes $1 - h_T^2$ (each in 0..1, mean ${tex(float(slope.mean()))}$) shrink "
        f"the length from ${tex(float(np.linalg.norm(dh)))}$ to "
        f"${tex(float(np.linalg.norm(dz)))}$; $U^\\top$ multiplies it by exactly "
        f"$\\rho = {tex(rho)}$: ${tex(back)}${extra}. "
        f"$${n('T-1')} = {tex(float(p.norms[t - 2]))}$$"
    )


ONE_BACK_NOTES = (
    "Because U is rho times an orthogonal matrix, multiplying any row vector by U^T scales its "
    "length by exactly rho. So one step back multiplies the gradient's length by rho times a "
    "shrink factor from the tanh slopes, which is never above 1. The edge labels in the chain "
    "are these factors, ||dL/dh_(t-1)|| / ||dL/dh_t||."
)


def whole_walk(p: m.Pass, v: m.Verdict, rho: float) -> str:
    explain = {
        "vanishing": "Each step back multiplied it by about "
        f"${tex(v.per_step)}$: the gradient <b>vanishes</b>, so the early inputs barely "
        "change the weight gradients and the network cannot learn to remember $x_1$.",
        "exploding": "Each step back multiplied it by about "
        f"${tex(v.per_step)}$: the gradient <b>explodes</b>, and an update of that size "
        "throws the weights far away.",
        "stable": "It stayed within a factor of 10 of the last step's gradient "
        f"(about ${tex(v.per_step)}$ per step): neither vanishing nor exploding.",
        "overflow": "Some of the numbers overflowed to infinity or NaN (not a number): the "
        "gradient exploded past what float64 can hold.",
        "no gradient": "No gradient arrived at all: the output already equals the target.",
    }[v.word]
    return (
        f"Repeating that step for every $t$ walks the gradient back to $h_1$. After "
        f"{v.steps} steps back, ${n('1')} \\div {n('T')} = {tex(v.ratio)}$ "
        f"(with $\\rho = {tex(rho)}$). {explain}{EVERY if p.every else ''}"
    )


EVERY = (
    " Here every step adds its own output term, so ‖∂L/∂hₜ‖ cannot fall far below it; "
    "the part that travels back from later losses still shrinks or grows step by step."
)


WALK_NOTES = (
    "The weights get their gradient from every step: dL/dU is the sum over t of h_(t-1)^T "
    "times dL/dz_t, and dL/dW the sum of x_t^T dL/dz_t. When dL/dh_t is tiny for early t, "
    "those terms are tiny too, so nothing pushes the weights to use what the early inputs "
    "said. The verdict compares the first and last step: below a tenth is vanishing, above "
    "ten is exploding."
)


def compare(rows: list[tuple[float, m.Verdict]], length: int, every: bool) -> str:
    small = [rho for rho, v in rows if v.word == "vanishing"]
    large = [rho for rho, v in rows if v.word in ("exploding", "overflow")]
    said = []
    if small:
        said.append(f"$\\rho = {', '.join(tex(r) for r in small)}$ vanish")
    if large:
        said.append(f"$\\rho = {', '.join(tex(r) for r in large)}$ explode")
    found = " and ".join(said) if said else "none of these vanish or explode"
    return (
        "Each step back multiplies the gradient by $\\mathrm{diag}(1 - h_t^2)\\, U^\\top$, "
        "so over many steps its length behaves like a power: at most $\\rho^{T-1}$. "
        f"Over $T = {length}$ steps, {found} (the table). "
        + (
            "With the loss on every step, each $h_t$ also gets its own output term, which "
            "keeps the short ρ curves up; what travels far back still shrinks below ρ = 1."
            if every
            else "Below $\\rho = 1$ the gradient must vanish; above it, it can explode, "
            "although saturated tanh units (slope near 0) hold it back."
        )
    )


COMPARE_NOTES = (
    "The curves are the engine's hidden_grad_norms for the same sequence and weights, only U "
    "scaled to each rho; the highlighted table row is yours. Exploding gradients need rho "
    "above 1 but are not guaranteed by it: when the states saturate at +-1, the tanh "
    "slopes 1 - h^2 go to zero and damp the product."
)


def clipping(
    rho: float, mine: bool, word: str, clip: float, clipped: m.Training, plain_gd: m.Training
) -> str:
    if mine:
        why = f"At your $\\rho = {tex(rho)}$ the gradient explodes"
    elif word in ("exploding", "overflow"):
        why = f"Your $\\rho$ does not explode, so here $\\rho = {tex(rho)}$, which does"
    else:
        why = f"Here $\\rho = {tex(rho)}$ (on a sequence this short it is {word})"
    g = float(plain_gd.grad_norms[0])

    def end(tr: m.Training) -> str:
        if tr.stopped is not None:
            return f"overflows at update {tr.stopped} (NaN)"
        return f"ends at ${tex(float(tr.losses[-1]))}$"

    return (
        f"{why}: $\\lVert g \\rVert = {tex(g)}$ over all weights. Clipping by norm "
        "rescales $g$ before the update: "
        "$$g \\leftarrow g \\cdot \\min\\!\\left(1, \\frac{c}{\\lVert g \\rVert}\\right)$$"
        f"same direction, length at most $c = {tex(clip)}$. Over {m.TRAIN_UPDATES} updates, "
        f"the loss {end(plain_gd)} without clipping and {end(clipped)} with it."
    )


CLIP_NOTES = (
    f"Both runs are plain gradient descent with learning rate {m.LEARNING_RATE} on the same "
    "sequence; the table counts the updates where clipping acted. Clipping is written in "
    "the lesson, not in the engine's optimizers: after the engine's "
    "backward pass the five gradients (W, U, b, v, c) are treated as one long vector g, and "
    "if its length is above c every gradient is multiplied by c / ||g||. It keeps the "
    "direction and caps the step, which is why training survives the rare huge gradient. "
    "It does nothing against vanishing gradients: a tiny gradient is never scaled up."
)


def truncation(full: m.Pass, cut: m.Pass, k: int, got: int, change: float, word: str) -> str:
    if k >= full.length:
        return (
            f"Truncated BPTT walks back only the last $k$ steps. Here $k = {k}$ covers the "
            f"whole sequence of $T = {full.length}$ steps, so all {got} steps get a gradient, "
            "exactly as in full BPTT. Lower the truncation slider below $T$ to cut the walk."
        )
    none = "step 1 gets" if cut.first == 1 else f"steps 1 to {cut.first} get"
    gets = "step gets" if got == 1 else "steps get"
    return (
        f"Truncated BPTT (<code>bptt_steps = {k}</code>) stops the backward walk after the "
        f"last $k = {k}$ {'step' if k == 1 else 'steps'}. Exactly {got} {gets} a "
        f"gradient (the table); {none} none, so the walk costs less, but nothing before "
        f"step {cut.first + 1} can teach the weights. The gradient of the recurrent layer's "
        f"weights changes by {plain(100 * change, 3)}% of its length"
        + (
            ": little, because the early steps' share had vanished anyway."
            if word == "vanishing"
            else "."
        )
    )


TRUNCATION_NOTES = (
    "Long sequences (a book, a year of sensor data) are cut into windows: the forward pass "
    "carries the state on, but the backward walk is limited to the last k steps. That bounds "
    "memory and time per update, at the price of dependencies longer than k. The engine's "
    "SimpleRNN does this with bptt_steps=k; its hidden_grad_norms are zero outside the window. "
    "Inside the window the gradients are exactly those of full BPTT (the table's two columns "
    "agree there): truncation only stops the walk, it does not change the steps it takes."
)


def summary(status: str) -> str:
    return (
        "<ul><li>BPTT: backpropagation on the unrolled chain, one step back at a time.</li>"
        "<li>Each step multiplies by $\\mathrm{diag}(1 - h_t^2)\\, U^\\top$: the gradient "
        "vanishes or explodes.</li>"
        "<li>Clipping caps the update; truncation cuts the walk to $k$ steps.</li></ul>"
        "<b>Try it</b> (Check tab): find a $\\rho$ where $\\lVert \\partial L / \\partial h_1 "
        "\\rVert$ is within 10× of $\\lVert \\partial L / \\partial h_T \\rVert$. "
        f"{status}"
    )


SUMMARY_NOTES = (
    "The try-it task needs the loss on the last step only and T of at least 20; it is checked "
    "with full BPTT whatever the truncation slider says. Between the vanishing and the "
    "exploding side there is a narrow band of rho where the gradient reaches step 1 at about "
    "the size it started with. LSTM and GRU cells (lesson 7.4) widen that band by design: "
    "their cell state is updated by addition, not by a product with U at every step."
)


TASK_PROMPT = (
    "With the loss on the last step only and T ≥ 20, find a recurrent scale ρ where full "
    "BPTT's ‖∂L/∂h₁‖ is within 10× of ‖∂L/∂h_T‖ (the verdict “stable”)."
)


QUIZ = (
    NumericQuestion(
        "truncated_steps",
        "A SimpleRNN with bptt_steps = 5 reads a sequence of 30 steps. How many time steps "
        "receive a gradient in the backward pass?",
        answer=5,
        tolerance=0,
        explanation="The walk covers exactly the last k = 5 steps; steps 1 to 25 get none "
        "(the truncation step's table counts them).",
    ),
    MultipleChoice(
        "small_rho",
        "As in this lesson, U is 0.5 times an orthogonal matrix, the units are tanh and the "
        "loss looks at the last step only. What happens to ‖∂L/∂hₜ‖ as the walk goes back?",
        (
            "It shrinks at least by half per step: it vanishes",
            "It stays about the same",
            "It grows: it explodes",
        ),
        answer=0,
        explanations=(
            "Right: U^T scales by 0.5 and the tanh slopes are at most 1.",
            "Only near ρ = 1 with unsaturated units; 0.5 halves it at every step.",
            "Growth needs ρ above 1.",
        ),
    ),
    MultipleChoice(
        "clipping",
        "What does clipping the gradient by norm at c change in an update?",
        (
            "Its direction",
            "Its length, only when ‖g‖ > c",
            "It scales small gradients up to length c",
        ),
        answer=1,
        explanations=(
            "No: every gradient is multiplied by the same factor, so the direction stays.",
            "Right: g · min(1, c/‖g‖) keeps the direction and caps the length.",
            "No: the factor is never above 1, so it does not help vanishing gradients.",
        ),
    ),
)
