"""Narratives, speaker notes and the quiz of lesson 6.3; every verdict is computed by the caller."""

from __future__ import annotations

from lessons.ch6_convnets.mnist_cnn import model as m
from lessons.core.base import MultipleChoice

INTRO = (
    "The network reads a digit through {f} small {k}×{k} filters. Each filter slides over the "
    "image and writes a {c}×{c} <b>feature map</b>; max pooling keeps the largest value of each "
    "2×2 window ({p}×{p}); Flatten turns the {f} maps into {flat} numbers for a dense layer of "
    "{h} units and a softmax over the ten digits. The table lists the layers as the engine "
    "built them: {cnn:,} parameters, of which the convolution has only {conv}."
)
INTRO_NOTES = (
    "This is the Keras MNIST example made small enough to train live on two cores: 8 filters "
    "instead of 32 or 64, one convolution instead of two. Dropout zeroes a random quarter of "
    "its inputs while training and does nothing at test time, so the maps shown are the same "
    "with or without it. Parameter counts follow from the shapes: a conv layer with F filters of "
    "size k×k on one channel has F(k²+1) weights; the dense layer after Flatten has "
    "(F·13²+1)·64. The weights are random now, so the maps are blurred copies of the digit."
)


def training(epoch: float, cnn: float, mlp: float, seconds: tuple[float, float]) -> str:
    lead = "ahead of" if cnn > mlp else ("level with" if cnn == mlp else "behind")
    return (
        f"Epoch {epoch:g}: both networks saw the same {m.CHUNK} images in the same batches of "
        f"{m.BATCH}. Test accuracy: CNN <b>{cnn:.1%}</b>, MLP <b>{mlp:.1%}</b>, so the CNN is "
        f"{lead} the MLP. Solid lines are training (batch accuracy with dropout on), dashed "
        f"lines test. Training time so far: {seconds[0]:.2f} s against {seconds[1]:.2f} s."
    )


TRAINING_NOTES = (
    "The MLP sees 784 unrelated numbers; shift the digit by one pixel and every input changes. "
    "The CNN applies the same 3×3 filter everywhere, so a stroke is detected wherever it is, and "
    "pooling forgives small shifts. It pays in compute: every filter is applied at 26×26 places, "
    "so the CNN needs more FLOPs per image than the MLP even though its convolution has only 80 "
    "weights. The training time is measured on this machine; it varies from run to run. The "
    "points at epoch 0 are the untrained networks, measured without dropout."
)


CHANCE = (
    " At least one network is no better than guessing (10%, within two standard errors): "
    "a very large learning rate throws the weights about instead of letting them settle, a "
    "tiny one barely moves them."
)


def result(cnn: float, mlp: float, margin: float, chance: bool) -> str:
    diff = cnn - mlp
    if chance:
        verdict = f"CNN {cnn:.1%}, MLP {mlp:.1%}.{CHANCE}"
    elif diff > margin:
        verdict = f"The CNN wins by {diff:.1%}, more than twice the standard error ({margin:.1%})."
    elif diff > 0:
        verdict = (
            f"The CNN is ahead by {diff:.1%}, but that is within two standard errors "
            f"({margin:.1%}) of 1,000 test digits: not a clear win at these settings."
        )
    else:
        verdict = f"Here the MLP is not beaten: {-diff:.1%} in its favour. Train longer."
    return (
        f"Training is done. {verdict} Top middle: every feature map of the chosen test digit; "
        "top right: the learned 3×3 filters (blue and orange are the weight's sign). "
        "<b>Click a pixel</b> of the conv or pool map in the strip on the left: the box on the "
        "input shows its receptive field at once, the only pixels that pixel can see."
    )


RESULT_NOTES = (
    "A conv pixel sees a 3×3 patch; a pooled pixel sees a 2×2 block of conv pixels, so 4×4 "
    "input pixels. Deeper layers see more: that is how a CNN builds large patterns out of "
    "small ones. Filters with a light side and a dark side respond to edges of one direction; "
    "the maps show where in the digit each edge is. The Digit slider chooses the test image; "
    "the Feature map slider chooses which filter the strip shows. Both redraw the step at once."
)

LOADER = (
    "Few images? Make more. The loader (top middle) draws, for each image of each batch, a "
    "shift of up to ±{s} pixels and a rotation of up to ±{d}°, from its own seeded generator, "
    "so each epoch sees different versions of the same {n} digits. The labels stay: a moved 7 "
    "is a 7. Two identical CNNs now train on {n} images, one on the originals, one on the "
    "loader's output."
)
LOADER_NOTES = (
    "This is on-the-fly augmentation, like Keras's RandomTranslation and RandomRotation layers "
    "or torchvision's transforms: nothing is stored, each batch is made as it is needed. The "
    "images keep their shape (1×28×28); what leaves the frame is lost, what enters is black. "
    "Rotations are bilinear, so strokes blur a little."
)


def augmenting(epoch: int, total: int, plain: float, aug: float, draw: str) -> str:
    return (
        f"Epoch {epoch} of {total} on the small set. Test accuracy: plain "
        f"<b>{plain:.1%}</b>, augmented <b>{aug:.1%}</b>. Top middle: eight images of this "
        "epoch's last batch as the loader made them, originals in the top two rows, their "
        f"augmented versions below ({draw})."
    )


def draw_text(dy: int, dx: int, degrees: float) -> str:
    """The first image's draw in words."""
    return f"the first one moved {dx:+d} px across, {dy:+d} px down and turned {degrees:+.1f}°"


def aug_verdict(plain: float, aug: float, margin: float, n: int, chance: bool) -> str:
    diff = aug - plain
    if chance:
        verdict = CHANCE.strip()
    elif diff > margin:
        verdict = (
            f"Augmentation helped: {diff:+.1%} test accuracy, beyond two standard errors "
            f"({margin:.1%})."
        )
    elif diff < -margin:
        verdict = (
            f"Augmentation hurt here: {diff:+.1%}, beyond two standard errors ({margin:.1%}). "
            "The distortions may be too strong, or training too short to learn them."
        )
    else:
        verdict = (
            f"The difference, {diff:+.1%}, is within two standard errors ({margin:.1%}): no "
            "clear effect at these settings. Try more epochs or other distortions."
        )
    return f"After training on {n} digits: plain {plain:.1%}, augmented {aug:.1%}. {verdict}"


VERDICT_NOTES = (
    "The standard error of an accuracy a measured on n test images is √(a(1−a)/n); for the "
    "difference of two independent accuracies the variances add. Augmented training usually "
    "starts slower, because the task is harder, and pays off later, when the plain network "
    "starts to memorise its few images."
)


def diverged(name: str) -> str:
    return (
        f"The {name}'s loss became infinite or NaN: the learning rate is too large for Adam to "
        "settle. Training stops here; choose a smaller learning rate to start again."
    )


QUIZ = (
    MultipleChoice(
        "params",
        f"A Conv2D layer has {m.FILTERS} filters of size {m.KERNEL}×{m.KERNEL} on a one-channel "
        "image, with biases. How many parameters does it have?",
        ("9", "72", "80", "6,760"),
        2,
        (
            "That is one filter without its bias.",
            "You forgot the eight biases.",
            "Right: 8 × (3·3 + 1) = 80, however large the image.",
            "That counts outputs (26·26·8 + ...), not weights: the weights are shared.",
        ),
    ),
    MultipleChoice(
        "field",
        "A pixel of the pooled map (2×2 max pooling after a 3×3 convolution) depends on how many "
        "input pixels?",
        ("4", "9", "16", "784"),
        2,
        (
            "That is the pool window in the conv map, not in the input.",
            "That is a conv pixel's field.",
            "Right: 2×2 conv pixels, each seeing 3×3, cover a 4×4 patch.",
            "Only the dense layer after Flatten sees the whole image.",
        ),
    ),
    MultipleChoice(
        "flops",
        "In the comparison table the CNN has more FLOPs per image than the MLP. Why?",
        (
            "Its filters are larger than the MLP's weights.",
            "Each of its few filter weights is used at every one of 26×26 positions.",
            "Max pooling costs more than a matrix product.",
        ),
        1,
        (
            "Each filter has only nine weights.",
            "Right: weight sharing saves parameters, not arithmetic.",
            "Pooling only compares values; it has no multiplications.",
        ),
    ),
)
