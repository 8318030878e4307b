"""The words of lesson 5.1 (MNIST with an MLP): step texts built from the run's numbers, quiz."""

from __future__ import annotations

from lessons.core.base import MultipleChoice, NumericQuestion
from lessons.markup.numbers import plain

TASK_ACCURACY = 0.935  # the task: validation accuracy at least this


def pct(x: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * x:.1f} %"


def duration(seconds: float) -> str:
    """A short time: 0.4 s, 12 s, 2 min."""
    if seconds < 1:
        return f"{seconds:.2f} s"
    if seconds < 10:
        return f"{seconds:.1f} s"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


INTRO = (
    "MNIST: handwritten digits, each a $28 \\times 28$ grid of grey levels in $[0, 1]$. The "
    "MLP sees none of the grid: it reads the $784$ pixels as one flat vector, "
    "$\\mathbf{{x}} \\in \\mathbb{{R}}^{{784}}$. This subset has {train} training, {val} "
    "validation and {test} test digits. The network is $784 \\to {hidden}$ ReLU $\\to 10$ "
    "softmax, {params} weights and biases, trained with Adam on sparse cross-entropy. "
    "Untrained, it gets {acc} of the validation digits right; press Play."
)
INTRO_NOTES = (
    "Flattening throws away which pixels are neighbours: shuffle the 784 pixels the same way "
    "in every image and the MLP learns exactly as well. Convolutional networks (chapter 6) "
    "use the neighbourhood. The validation digits are cut from the end of the training set; "
    "they choose the epoch and the settings, the test digits are looked at only at the end."
)


def epoch_text(
    epoch: int,
    epochs: int,
    seconds: float,
    left: float,
    val_acc: float,
    train_acc: float,
    best: int,
    rising: int | None,
    losses: tuple[float, float],
    dead: tuple[int, int] = (0, 1),
) -> str:
    """The narrative of one training epoch, with the progress and the run's verdicts.

    ``rising``: the epoch of the lowest validation loss when it has risen since (2+ epochs
    ago) while the training loss fell, else None.  ``losses``: the training loss before
    training and now.  ``dead``: hidden neurons that output 0 for every validation digit, and
    all hidden neurons."""
    parts = [
        f"Epoch {epoch} of {epochs}: it took {duration(seconds)}"
        + (f", about {duration(left)} left." if epoch < epochs else ", training is done."),
        f"Validation accuracy {pct(val_acc)} (training {pct(train_acc)}); the best so far is "
        f"at epoch {best}.",
    ]
    first, now = losses
    if dead[0] * 2 > dead[1]:
        parts.append(
            f"{dead[0]} of {dead[1]} hidden neurons output 0 for every validation digit: too "
            "large steps pushed them where ReLU is flat, and they no longer learn (dead "
            "ReLUs). Lower the learning rate."
        )
    elif not now < first:
        parts.append(
            f"The training loss is {plain(now, 3)}, not below its {plain(first, 3)} before "
            "training: the steps are too large. Lower the learning rate."
        )
    elif val_acc < 0.5:
        parts.append(
            f"Slow: the training loss fell only from {plain(first, 3)} to {plain(now, 3)}; a "
            "larger learning rate or more epochs would help."
        )
    if rising is not None:
        parts.append(
            f"The validation loss (dashed) has risen since its lowest, at epoch {rising}, "
            "while the training loss falls: the network starts to memorise its training "
            "digits."
        )
    parts.append(
        "The weights panel draws each hidden neuron's 784 weights as a $28 \\times 28$ image "
        "(orange positive, blue negative); the confusion matrix counts validation digits. "
        "Click a cell to see its digits."
    )
    return " ".join(parts)


EPOCH_NOTES = (
    "The time left is the mean measured epoch time times the epochs still to go. A weight "
    "image is what the neuron looks for: its input is the sum of pixel times weight, so ink "
    "on orange raises it and ink on blue lowers it. Early on the images are noise from the "
    "initialiser; within a few epochs strokes and blobs appear in the middle. The frame keeps "
    "its initial noise: {blank} of the 784 pixels (the outer rows and columns among them) are "
    "0 in every training digit, so their weights never get a gradient. The confusion matrix "
    "counts "
    "validation digits by true digit (row) and predicted digit (column); the mistakes "
    "(off the diagonal) are written in purple, the hits in the text colour."
)


def test_text(test_acc: float, best: int, best_acc: float, pair: tuple[int, int], n: int) -> str:
    """The step that looks at the test digits once."""
    true, pred = pair
    return (
        f"Training is over. Validation picked epoch {best} ({pct(best_acc)}), so the weights "
        f"of that epoch are kept; on the test digits, unseen until now, they score "
        f"{pct(test_acc)}. The matrix now counts test digits. The "
        f"commonest mistake: {n} true {true}s called {pred}. The gallery shows a cell's "
        "digits, the bars the softmax of the outlined one. Next: draw your own digit on the "
        "black pad."
    )


def draw_text(drawn: bool, pred: int, p: float, second: int, p2: float) -> str:
    """The narrative of a drawing step."""
    if not drawn:
        return (
            "Draw one digit with the mouse on the black pad (press and drag): when you let go, "
            "the strokes are centred and scaled like MNIST and classified at once. Clear wipes "
            "the pad (or Delete on the pad)."
        )
    return (
        f"The network says {pred} with $p = {plain(p, 3)}$; next is {second} with "
        f"$p = {plain(p2, 3)}$. Bottom left: your digit as the network sees it (its ink box "
        "scaled to 20 pixels, its centre of mass moved to the centre of $28 \\times 28$) "
        "beside the mean training images of those two digits. Draw more, or Clear and draw "
        "again: the answer follows at once."
    )


DRAW_NOTES = (
    "MNIST's digits were normalised the same way: each NIST digit was scaled, keeping its "
    "aspect ratio, to fit a 20x20 box, anti-aliased to grey levels, and placed in a 28x28 "
    "field so that its centre of mass sits at the centre. A digit drawn off-centre or much "
    "smaller than that would be a different input for the network; after this preprocessing "
    "it is not. A thin or very slanted stroke is still unlike the training digits, and the "
    "softmax can be confident and wrong."
)


def diverged(loss: float, rate: float) -> str:
    """Training stopped: the loss became NaN or infinite."""
    return (
        f"Training diverged: the loss became {plain(loss)} with learning rate "
        f"$\\eta = {plain(rate)}$; the updates overshoot and the weights blow up. Lower the "
        "learning rate to start again from fresh weights."
    )


def task_message(done: bool, best: float) -> str:
    """The task's verdict from the best validation accuracy so far."""
    if done:
        return f"Done: {pct(best)} validation accuracy."
    return f"Best validation accuracy so far {pct(best)}; the goal is {pct(TASK_ACCURACY)}."


QUIZ = (
    MultipleChoice(
        "pick",
        "Training accuracy keeps rising while validation accuracy stalls. Which digits should "
        "choose the epoch you keep?",
        ("The training digits", "The validation digits", "The test digits"),
        answer=1,
        explanations=(
            "The training accuracy rewards memorising; it keeps rising when the network "
            "stops generalising.",
            "Right: the validation digits are unseen in training, so they pick the epoch; the "
            "test digits then give an honest final score.",
            "Choosing with the test digits makes the test score optimistic: it is no longer "
            "unseen data.",
        ),
    ),
    NumericQuestion(
        "params",
        "How many weights and biases does the network 784 → 32 ReLU → 10 softmax have?",
        answer=784 * 32 + 32 + 32 * 10 + 10,
        tolerance=0.5,
        explanation="784·32 + 32 = 25 120 in the first layer, 32·10 + 10 = 330 in the second: "
        "25 450.",
    ),
    MultipleChoice(
        "weights",
        "A first-layer weight image is orange (positive) along a vertical bar in the middle and "
        "blue (negative) around it. Which digit raises this neuron most?",
        ("A 1", "A 0", "Every digit equally"),
        answer=0,
        explanations=(
            "Right: a 1 puts its ink on the orange bar and little on the blue, so the sum of "
            "pixel times weight is large.",
            "A 0 puts its ink around the middle, on the blue weights, which lowers the sum.",
            "The neuron's input is the sum of pixel times weight, which depends on where the "
            "ink is.",
        ),
    ),
)
