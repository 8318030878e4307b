"""The words of lesson 3.1 (the playground): step texts, hints per data set, quiz, task messages."""

from __future__ import annotations

from lessons.core.base import MultipleChoice, Values
from lessons.markup.numbers import plain, tex
from lessons.shared.mlp.net import Trainer

NO_INPUTS = (
    "Every input feature is switched off, so the network has nothing to look at. Switch on at "
    "least one input (x₁ and x₂ are the coordinates of a point) to build a network."
)

HINTS = {
    "circle": (
        "No straight line separates the orange centre from the blue ring: the first layer "
        "draws straight edges, the next combines them into a closed region. With the "
        "features x₁² and x₂², one neuron is enough."
    ),
    "xor": (
        "Orange where x₁ and x₂ have the same sign, blue where they differ: two straight edges "
        "are needed, so a network without hidden layers fails. With the product feature x₁x₂ "
        "no hidden layer is needed."
    ),
    "gaussians": (
        "Two clouds that one straight line separates: even a network with no hidden layer, a "
        "single neuron, solves this. Hidden layers add nothing but time here."
    ),
    "spiral": (
        "Two interleaved arms: the hardest set. Give the network room (more neurons and layers), "
        "try ReLU, or switch on the sine features, whose waves already curve like the arms."
    ),
    "blobs": (
        "Round clouds, one per class, around a circle. Straight lines cut neighbouring clouds "
        "apart, so even a network without hidden layers learns them: each output's score is "
        "a plane over $(x_1, x_2)$, and a class wins where its plane is highest."
    ),
    "arms": (
        "Spiral arms, one per class, winding around each other: no straight edges separate "
        "them. Give the network room (more neurons and layers) and time; the sine features "
        "help here as they do on the two-arm spiral."
    ),
}


def _classes_intro(trainer: Trainer) -> tuple[str, str]:
    """The first sentence and the output sentence of the intro, for 2 or k classes."""
    k = trainer.classes
    if k <= 2:
        return (
            "A network will learn to tell blue points (class 0) from orange ones (class 1) on "
            "the plane $[-6, 6]^2$. ",
            "The last neuron's map is the output on the right: the probability of orange. ",
        )
    return (
        f"A network will learn to tell {k} classes of points apart on the plane $[-6, 6]^2$, "
        "each in its own colour. ",
        f"The output layer has {k} neurons, one per class. Softmax turns their scores "
        r"$z_1, \dots, z_k$ into probabilities $p_j = e^{z_j} / \sum_i e^{z_i}$ that add up to "
        r"1, and the loss of a point is the categorical cross-entropy $-\log p_y$ of its true "
        "class $y$. The map on the right mixes the class colours by these probabilities; the "
        "lines are where the winning class changes. The confusion matrix below counts where "
        "each class's test points went, and <i>Every number</i> lists each class's accuracy. ",
    )


def intro(trainer: Trainer, data: str, hint: str | None = None) -> str:
    """The first step: what the diagram and the maps mean."""
    hidden = trainer.hidden
    shape = (
        "no hidden layer: the inputs feed the output neuron directly"
        if not hidden
        else f"{len(hidden)} hidden layer{'s' if len(hidden) > 1 else ''} of {hidden[0]} "
        f"neuron{'s' if hidden[0] > 1 else ''}"
    )
    first, output = _classes_intro(trainer)
    # a built-in data set's hint shows from the first epoch on (and in the notes here); an
    # imported set's description belongs to the start
    return (
        f"{first}Each square in the diagram shows an input feature or a neuron's output over "
        f"that plane (orange positive, blue negative). This network has {shape} and "
        f"<b>{trainer.parameters}</b> weights and biases, drawn at random: the lines, thicker "
        f"when larger. {output}Press Play." + (f"<p>{hint}</p>" if hint is not None else "")
    )


def intro_notes(trainer: Trainer, data: str) -> str:
    """The first step's speaker notes: what a neuron computes, how to use the diagram, and
    the data set's hint."""
    return (
        f"{HINTS[data] + ' ' if data in HINTS else ''}$x_1$ grows to the right, $x_2$ "
        "upwards. Each neuron adds up the previous layer times its weights plus a bias and "
        f"applies the activation ({trainer.activation}). Hover over a line to read its weight "
        "and its last gradient; click a neuron to see its map large; the +/- buttons change "
        "the topology. Play at the highest speed trains smoothly."
    )


def training(trainer: Trainer, data: str, c: Values, hint: str | None = None) -> str:
    """A training frame: the update rule with this run's numbers, and the data set's hint."""
    batch = int(c.batch)
    n = len(trainer.x_train)
    per_epoch = -(-n // batch)
    return (
        f"Per epoch, {per_epoch} mini-batches of {batch} training points (of {n}); after each, "
        "every weight steps against the gradient of the loss $J$: "
        "$$w \\leftarrow w - \\eta \\left( \\frac{\\partial J}{\\partial w} + \\lambda w \\right)$$"
        f"($\\eta = {tex(float(c.rate))}$, $\\lambda = {tex(float(c.l2))}$). Test points "
        "(triangles) never train."
        f"<p>{HINTS[data] if hint is None else hint}</p>"
    )


def diverged(value: float, rate: float) -> str:
    """Training stopped because the loss is no longer a number."""
    return (
        f"The loss became {plain(value)}: with $\\eta = {tex(rate)}$ each step overshoots, the "
        "weights grow with every update and the outputs overflow. Training stopped here, before "
        "any weight was spoiled by the failed batch. Lower the learning rate: the next step "
        "then starts again from the initial weights."
    )


def fresh_start(rate: float) -> str:
    """After a divergence: training starts again with a new learning rate."""
    return (
        f"Training starts again from the initial weights with $\\eta = {tex(rate)}$. Press Play "
        "to continue."
    )


def task_message(solved: bool, test_loss: float) -> str:
    """Progress on the spiral task."""
    if solved:
        return f"Test loss {plain(test_loss)} on the spiral: below 0.1. Solved!"
    return f"Test loss {plain(test_loss)} on the spiral; it needs to fall below 0.1."


QUIZ = (
    MultipleChoice(
        "linear",
        "With only x₁ and x₂ as inputs and no hidden layer, which data set can the network "
        "not classify well?",
        ("Two gaussians", "Circle", "Neither: both are easy"),
        answer=1,
        explanations=(
            "One straight line separates the two clouds, and one neuron draws exactly that.",
            "Right: a single neuron's boundary is a straight line, and no line cuts a disc out "
            "of a ring. Hidden layers, or the features x₁² and x₂², fix that.",
            "A single neuron's boundary is a straight line; the circle needs a curved one.",
        ),
    ),
    MultipleChoice(
        "first_layer",
        "With inputs x₁ and x₂, a neuron's map is split into an orange and a blue half by a "
        "straight line. Where is that neuron most likely?",
        ("In the first hidden layer", "In the last hidden layer", "It could only be the output"),
        answer=0,
        explanations=(
            "Right: a first-layer neuron applies its activation to w₁x₁ + w₂x₂ + b, which is "
            "constant along straight lines. Later layers combine those into curved shapes.",
            "Later layers combine several first-layer maps, so their shapes bend.",
            "The output neuron of a network with hidden layers usually draws curved regions.",
        ),
    ),
    MultipleChoice(
        "overfit",
        "The training loss keeps falling while the loss on held-out points starts to rise. "
        "What is happening, and which epoch should you keep?",
        (
            "The learning rate is too small: keep the last epoch",
            "The network fits the noise of the training points: keep the epoch with the lowest "
            "validation loss",
            "The network fits the noise of the training points: keep the epoch with the lowest "
            "test loss",
        ),
        answer=1,
        explanations=(
            "A small rate makes both losses fall slowly; it does not make one rise.",
            "Right: it is overfitting. A validation set, split off the training data, picks the "
            "epoch (or add L2, or more data); the test set stays untouched until the end, so "
            "its loss is an honest report of the chosen network.",
            "Picking the epoch by its test loss lets the test set take part in training: its "
            "loss is then no longer an unbiased report. A separate validation set picks the "
            "epoch.",
        ),
    ),
)
