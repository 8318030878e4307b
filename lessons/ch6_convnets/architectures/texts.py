"""Words of lesson 6.4: the facts (authors, years, sources), each step's narrative from the
engine's numbers, speaker notes and the quiz."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessons.ch6_convnets.architectures import model as m
from lessons.core.base import MultipleChoice, NumericQuestion


@dataclass(frozen=True)
class Fact:
    """Who published a network, when, and where its published parameter total comes from."""

    title: str
    authors: str
    year: int
    venue: str
    variant: str
    source: str
    short: str  # the variant in a few words


FACTS: dict[str, Fact] = {
    "lenet5": Fact(
        "LeNet-5",
        "LeCun, Bottou, Bengio & Haffner",
        1998,
        "Proc. IEEE 86(11), “Gradient-based learning applied to document recognition”",
        "the 1998 original (32×32 input, trainable sub-sampling, partial C3 table, fixed RBF out)",
        "the paper, section II-B: 60,000 trainable parameters",
        "1998 original",
    ),
    "alexnet": Fact(
        "AlexNet",
        "Krizhevsky, Sutskever & Hinton",
        2012,
        "NIPS 2012 (won ImageNet ILSVRC 2012)",
        "torchvision's single-GPU form (64-192-384-256-256 filters; the paper split over 2 GPUs)",
        "torchvision AlexNet_Weights.IMAGENET1K_V1, num_params = 61,100,840",
        "torchvision, one GPU",
    ),
    "googlenet": Fact(
        "GoogLeNet",
        "Szegedy et al.",
        2014,
        "“Going deeper with convolutions”, arXiv 2014 / CVPR 2015 (won ILSVRC 2014)",
        "torchvision's form (batch norm after each bias-free conv, 3×3 in the “5×5” path, "
        "no auxiliary classifiers)",
        "torchvision GoogLeNet_Weights.IMAGENET1K_V1, num_params = 6,624,904",
        "torchvision, batch norm",
    ),
    "resnet18": Fact(
        "ResNet-18",
        "He, Zhang, Ren & Sun",
        2015,
        "“Deep residual learning for image recognition”, arXiv 2015 / CVPR 2016 (won ILSVRC 2015)",
        "torchvision's form (batch norm, 1×1 projection shortcuts where the shape changes)",
        "torchvision ResNet18_Weights.IMAGENET1K_V1, num_params = 11,689,512",
        "torchvision",
    ),
}


def _m(n: int) -> str:
    """61100840 -> "61.1 M"."""
    return f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n:,}"


def compare(name: str) -> str:
    """The engine's total against the published one, with the verdict computed."""
    s = m.architecture(name)
    total, pub = s.total_params, s.published_params
    if pub is None:
        return f"The engine counts {total:,} parameters (no published total for this form)."
    same = "exactly the published" if total == pub else f"{total - pub:+,} against the published"
    return f"The engine's layer-by-layer sum is {total:,}: {same} {pub:,}."


def dense_share(name: str) -> float:
    """The percentage of ``name``'s parameters in its Dense (fully connected) layers."""
    s = m.architecture(name)
    dense = sum(layer.params for layer in s.layers if layer.kind == "Dense")
    return 100.0 * dense / s.total_params


def lenet_text() -> str:
    boxes = m.groups("lenet5")
    c5 = next(b for b in boxes if b.label == "C5")
    return (
        f"LeNet-5 ({FACTS['lenet5'].authors}, 1998) read handwritten digits: two convolution + "
        "sub-sampling stages, then fully connected layers. Each box of the diagram (top left) "
        "shows its parameters and output shape (channels×height×width); a 5×5 convolution "
        "from $n$ maps to $k$ maps has $k(25n + 1)$ (C3 is wired to only some of S2's maps). "
        f"{compare('lenet5')} Most of them, {c5.params:,}, sit in C5."
    )


def alexnet_text() -> str:
    s = m.architecture("alexnet")
    first = s.layers[0]
    return (
        f"AlexNet ({FACTS['alexnet'].authors}, 2012) took the same recipe to 224×224 colour "
        f"photos and 1,000 classes, with ReLU, dropout and GPUs. Its first layer, 11×11 filters "
        f"with stride 4, has only {first.params:,} parameters. {compare('alexnet')} "
        f"{dense_share('alexnet'):.1f}% of them are in the three dense layers at the end."
    )


def googlenet_text() -> str:
    layers = m.architecture("googlenet").layers
    n_inc = sum(1 for b in layers if b.kind == "InceptionBlock")
    return (
        f"GoogLeNet ({FACTS['googlenet'].authors}, 2014) is much deeper: a small stem, then "
        f"{n_inc} inception modules. It ends with a global average pool and one dense layer, "
        f"so there is no huge dense block. {compare('googlenet')} That is "
        f"{m.architecture('alexnet').total_params / m.architecture('googlenet').total_params:.1f}"
        " times fewer than AlexNet."
    )


def inception_text() -> str:
    rows = m.module_rows("googlenet")
    params = sum(r[2] for r in rows)
    _, built, direct = m.inception_paths()
    return (
        "An inception module runs four paths side by side on the same input and stacks their "
        "outputs along the channels: 1×1, 1×1 → 3×3, 1×1 → “5×5”, and 3×3 max pool → 1×1. "
        f"This one is module 3a at full size ({rows[0][1]} in, {rows[-1][1]} out, "
        f"{params:,} parameters). Cheap 1×1 convolutions first cut the 192 channels down to 96 "
        f"and 16: the 3×3 path needs {built[1]:,} parameters instead of {direct[0]:,} without "
        "that cut (plot, yellow)."
    )


def resnet_text() -> str:
    blocks = [b for b in m.architecture("resnet18").layers if b.kind == "ResidualBlock"]
    return (
        f"ResNet-18 ({FACTS['resnet18'].authors}, 2015) stacks {len(blocks)} residual blocks "
        "after a 7×7 stem: every block adds its input back to what its two 3×3 convolutions "
        f"computed. {compare('resnet18')} The last two blocks (512 channels) alone hold "
        f"{blocks[-1].params + blocks[-2].params:,}."
    )


def residual_text() -> str:
    rows = m.module_rows("resnet18")
    params = sum(r[2] for r in rows)
    c = int(rows[0][1].split("×")[0])
    return (
        "Inside a residual block: two 3×3 convolutions compute $F(x)$, and the skip "
        "connection adds the input back, $y = \\mathrm{ReLU}(F(x) + x)$. "
        f"This is ResNet-18's second block at full size: {params:,} parameters, which is "
        f"$2 \\cdot 9 c^2 + 4c$ for $c = {c}$ (two kernels, plus batch norm's γ and β twice). "
        "The skip adds no parameter at all."
    )


def totals_text(totals: dict[str, tuple[int, int | None]]) -> str:
    exact = [FACTS[k].title for k, (t, p) in totals.items() if p is not None and t == p]
    return (
        "Side by side (table bottom left): the engine counted every network layer by layer, "
        "without creating a single weight, and "
        f"{', '.join(exact)} match their published totals exactly. "
        "Depth grew from LeNet-5's 7 layers to GoogLeNet's 22, while parameters peaked with "
        "AlexNet: the later networks spend them on convolutions, not on dense layers."
    )


def inception_run_text(run: m.BlockRun) -> str:
    sizes = [v.shape[1] for v in run.paths.values()]
    return (
        f"Now a tiny inception block, built and run by the engine on a seeded input "
        f"{m.shape_text(run.x.shape[1:])}. Its four paths give "
        f"{' + '.join(str(s) for s in sizes)} = {sum(sizes)} channels, all still 6×6 "
        "(“same” padding and a stride-1 pool), so they can be concatenated. "
        f"It has {run.params} parameters; the table lists each output channel, ReLU's zeros "
        "included."
    )


def residual_run_text(run: m.BlockRun) -> str:
    fx = run.paths["F(x)"]
    changed = float(np.abs(run.out - np.maximum(run.x, 0.0)).max())
    return (
        f"And a tiny residual block on the same input: 3 channels, {run.params} parameters, no "
        "batch norm. The plot follows row 3 of channel 0 (counting from 0): the input $x$, "
        "the two convolutions' $F(x)$ and the output $\\mathrm{ReLU}(F(x) + x)$. "
        f"$F(x)$ ranges from {float(fx.min()):.2f} to {float(fx.max()):.2f}; the output differs "
        f"from $\\mathrm{{ReLU}}(x)$ by at most {changed:.2f}: the convolutions add a correction "
        "to the input instead of replacing it."
    )


def verdict(g: m.Gradients) -> str:
    """Which net's gradients vanished, computed from the medians and the first layers."""
    r = g.ratio
    if r >= 100:
        word = f"vanished in the plain net (median {r:,.0f} times smaller)"
    elif r >= 3:
        word = f"shrank in the plain net (median {r:.1f} times smaller)"
    elif r > 1 / 3:
        word = "are about as large in both nets"
    else:
        word = f"are smaller with skips (median {1 / r:.1f} times)"
    first = float(g.plain[0] / g.plain[-1]) if g.plain[-1] > 0 else 0.0
    skip = float(g.residual[0] / g.residual[-1]) if g.residual[-1] > 0 else 0.0
    return (
        f"Verdict: the gradients {word}. First conv vs last: {first:.2g}× plain, "
        f"{skip:.2g}× with skips."
    )


def gradient_text(blocks: int, g: m.Gradients) -> str:
    depth = 1 + 2 * blocks
    return (
        f"Two nets of {depth} ReLU convolutions, {g.params:,} parameters each, on {m.BATCH} "
        "real 8×8 digits; the second adds each pair's input back. One backward pass each: "
        "$\\lVert \\partial L / \\partial W \\rVert$ per convolution, log scale. "
        f"{verdict(g)}"
    )


LENET_NOTES = (
    "Variant: the 1998 original, which the engine lists from the paper. S2 and S4 are not max "
    "pools: each map has one trainable coefficient and one bias. C3 connects each of its 16 maps "
    "to only some of S2's 6 maps (Table I of the paper): 60 kernels of 5×5 plus 16 biases = "
    "1,516. The output layer is a fixed Euclidean RBF with no trainable weights. The modern "
    "LeNet-5 people write today (ReLU, max pool, full C3, a dense output) has 61,706 "
    "parameters in the engine's spec on 28×28 input padded by 2."
)
ALEXNET_NOTES = (
    "Source of the total: torchvision's documented num_params for AlexNet_Weights.IMAGENET1K_V1 "
    "(61,100,840). torchvision builds the single-GPU form from Krizhevsky's 2014 “one weird "
    "trick” paper (64 filters in the first layer instead of 96 split over two GPUs); the 2012 "
    "paper quotes “60 million parameters” for its own form. Dropout, ReLU and Flatten are "
    "folded into the box before them; they have no parameters. Dense layer 1 alone: "
    "(256·6·6 + 1)·4096 = 37,752,832."
)
GOOGLENET_NOTES = (
    "Source of the total: torchvision's documented num_params for GoogLeNet_Weights.IMAGENET1K_V1 "
    "(6,624,904), which excludes the auxiliary classifiers used only while training. The "
    "often-quoted 6.8 M is the sum of the params column in Table 1 of the paper (rounded per "
    "layer, the original form with 5×5 kernels). The engine's spec of that original form "
    "(variant='paper', with convolution biases) counts 6,998,552. A box “conv” includes its batch "
    "norm and ReLU."
)
INCEPTION_NOTES = (
    "In torchvision's form the “5×5” path uses a 3×3 kernel (a known quirk, pytorch/vision "
    "issue 906), which is why the engine shows 3×3 sizes there. Without the 1×1 reductions, a "
    "3×3 convolution from 192 to 128 channels would need 192·9·128 = 221,184 weights instead of "
    "the 18,432 + 110,592 of reduce-then-convolve."
)
RESNET_NOTES = (
    "Source of the total: torchvision's documented num_params for ResNet18_Weights.IMAGENET1K_V1 "
    "(11,689,512). Blocks 3, 5 and 7 change the shape (stride 2, twice the channels), so their "
    "shortcut is a 1×1 convolution with batch norm instead of the identity: that is why block 3 "
    "(230,144) differs from block 4 (295,424). The paper's Table 1 gives ResNet-18's cost as "
    "1.8 billion FLOPs."
)
RESIDUAL_NOTES = (
    "Closed form for an identity block with c channels: two 3×3 kernels of c·c·9 weights (no "
    "bias, batch norm follows) and two batch norms of 2c: 18c² + 4c = 73,984 for c = 64. With a "
    "projection (c_in → c, stride 2): 9·c_in·c + 9c² + c_in·c + 6c."
)
TOTALS_NOTES = (
    "Published numbers: LeNet-5 from the 1998 paper's text; the other three from torchvision's "
    "model documentation (num_params of the IMAGENET1K_V1 weights), which describe exactly the "
    "forms the engine specifies. The x axis is the year of first publication (arXiv or "
    "conference)."
)
RUN_NOTES = (
    "The block is the engine's InceptionBlock(2, 2, 3, 1, 2, 2) without batch norm and with a "
    "real 5×5 kernel, weights drawn by the engine's Glorot initialiser from the lesson's seed. "
    "The tests recompute every output with plain NumPy loops."
)
RESRUN_NOTES = (
    "If the two convolutions learned all-zero weights, F(x) = 0 and the block would pass "
    "ReLU(x) on unchanged: an identity is easy for a residual block, hard for a plain stack."
)
GRAD_NOTES = (
    "Both nets start from the same seed and Glorot-uniform weights, ReLU everywhere, no batch "
    "norm. In the plain stack each layer multiplies the backward signal by its weights and ReLU's "
    "0/1 mask; on average that shrinks it, layer after layer, toward the input. The skip gives "
    "the gradient a path around every pair: ∂y/∂x = I + ∂F/∂x, so it does not have to fade. Batch "
    "norm (which real ResNets also use) helps the plain net too; He et al. showed that even "
    "then, deeper plain nets train worse."
)

QUIZ = (
    NumericQuestion(
        "dense_share",
        "What percentage of AlexNet's parameters are in its three dense layers (whole number)?",
        answer=round(dense_share("alexnet")),
        tolerance=1.0,
        explanation="58,631,144 of 61,100,840: the convolutions hold only about 4%.",
        unit="%",
    ),
    MultipleChoice(
        "googlenet_fewer",
        "GoogLeNet is far deeper than AlexNet. Why does it need about 9 times fewer parameters?",
        (
            "It ends with global average pooling and one dense layer, and 1×1 convolutions "
            "cut the channels before the large kernels",
            "It uses smaller input images",
            "Its weights are shared between the inception modules",
        ),
        answer=0,
    ),
    MultipleChoice(
        "vanish",
        "In the gradient step (default depth), where were the plain net's gradients smallest?",
        (
            "In the first convolutions, next to the input",
            "In the last convolutions, next to the output",
            "Equal everywhere",
        ),
        answer=0,
        explanations=(
            "Yes: the backward signal shrinks at each layer on its way to the input.",
            "No: there they are largest; look at the yellow line.",
            "No: the yellow line falls by orders of magnitude toward the input.",
        ),
    ),
)
