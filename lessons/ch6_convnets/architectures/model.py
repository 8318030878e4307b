"""The numbers of lesson 6.4, all from the engine: architecture specs, two small blocks, gradients.

- ``groups(name)`` folds the engine's layer-by-layer spec (``engine.models.architectures.spec``,
  which counts parameters without creating a weight) into the boxes of a diagram: a convolution
  with its batch norm and ReLU is one box; every box keeps the exact sum of its layers' counts.
- ``module_rows`` lists the sub-layers of one full-size inception module or residual block (the
  engine's ``Block.plan``/``routes``), again without weights.
- ``run_inception`` and ``run_residual`` build tiny blocks (``engine.nn.blocks``) on a small
  seeded input and run them forward.
- ``gradient_norms`` builds a deep plain conv net and the same depth with identity skip
  connections, runs one batch of real 8x8 digits forward and backward, and returns the norm of
  each convolution's parameter gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.core.tensor import Tensor
from engine.data.datasets import load_digits
from engine.models.architectures import ARCHITECTURES, ArchitectureSpec, describe, spec
from engine.models.sequential import Sequential
from engine.nn.blocks import BatchNormalization, Block, InceptionBlock, ResidualBlock
from engine.nn.conv import Conv2D
from engine.nn.layers import Dense, Input, Layer, Shape
from engine.nn.losses import SparseCategoricalCrossentropy
from engine.nn.pooling import GlobalAveragePooling2D

NAMES = ("lenet5", "alexnet", "googlenet", "resnet18")
INCEPTION_NAMES = ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")  # the paper's names
FOLDED = ("BatchNormalization", "Activation", "Dropout", "Flatten")  # joined to the box before


@dataclass(frozen=True)
class Box:
    """One box of a diagram: a label, its output shape (no batch axis), its parameters."""

    label: str
    shape: tuple[int, ...]
    params: int
    kinds: tuple[str, ...]  # the engine layer types folded into it


def shape_text(shape: tuple[int, ...] | Shape) -> str:
    """(64, 56, 56) -> "64×56×56" (channels × height × width)."""
    return "×".join(str(int(s)) for s in shape if s is not None)


def architecture(name: str) -> ArchitectureSpec:
    """The engine's spec: the published variant (LeNet-5: LeCun et al. 1998)."""
    return spec(name, variant="1998") if name == "lenet5" else spec(name)


def compact(n: int) -> str:
    """9536 -> "9.54k", 37752832 -> "37.8M" (the exact counts are in the table)."""
    if n >= 1_000_000:
        return f"{n / 1e6:.3g}M"
    if n >= 1_000:
        return f"{n / 1e3:.3g}k"
    return str(n)


_SHORT = {
    "Conv2D": "conv",
    "Dense": "dense",
    "MaxPooling2D": "pool",
    "GlobalAveragePooling2D": "global avg pool",
}


def _stage(name: str, kind: str, index: int) -> str | None:
    """The group a block belongs to: GoogLeNet's inception stage, ResNet-18's stage."""
    if kind == "InceptionBlock":
        tag = INCEPTION_NAMES[index]
        return f"inception {tag[0]}"
    if kind == "ResidualBlock":
        return f"stage {index // 2 + 1}"
    return None


@cache
def groups(name: str) -> tuple[Box, ...]:
    """The diagram boxes of architecture ``name``: input first, then the engine's layers, a
    convolution with its batch norm, ReLU and pooling as one box, the inception modules of a
    stage (3a-3b, 4a-4e, 5a-5b) and ResNet-18's two blocks per stage as one box each.  Every
    box's count is the exact sum of its layers'."""
    s = architecture(name)
    boxes: list[Box] = [Box("input", s.input_shape, 0, ("Input",))]
    counts: dict[str, int] = {}
    last_stage: str | None = None
    for layer in s.layers:
        shape = tuple(int(v) for v in layer.output_shape if v is not None)
        index = counts.get(layer.kind, 0)
        counts[layer.kind] = index + 1
        stage = _stage(name, layer.kind, index)
        fold = (
            name != "lenet5"
            and len(boxes) > 1
            and (
                layer.kind in FOLDED
                or layer.kind in ("MaxPooling2D", "GlobalAveragePooling2D")
                or (stage is not None and stage == last_stage)
            )
        )
        if name == "lenet5":  # the 1998 spec names its layers C1, S2, ...
            boxes.append(Box(layer.name, shape, layer.params, (layer.kind,)))
        elif fold:
            last = boxes[-1]
            label = last.label
            if layer.kind == "InceptionBlock":  # "inception 4a" -> "inception 4a–4e"
                label = f"{label.split('–')[0]}–{INCEPTION_NAMES[index]}"
            boxes[-1] = Box(label, shape, last.params + layer.params, (*last.kinds, layer.kind))
        else:
            label = f"{_SHORT.get(layer.kind, layer.kind)} {index + 1}"
            if layer.kind == "InceptionBlock":
                label = f"inception {INCEPTION_NAMES[index]}"
            elif stage is not None:
                label = stage
            boxes.append(Box(label, shape, layer.params, (layer.kind,)))
        if stage is not None:
            last_stage = stage
    return tuple(boxes)


def block_rows(block: Block, shape: Shape) -> tuple[tuple[str, str, int], ...]:
    """(role, output shape, parameters) of each sub-layer of ``block`` for inputs of ``shape``,
    path by path, from the engine's ``plan``/``routes`` and ``describe`` (no weights made)."""
    parts = block.plan(shape)
    rows = [("input", shape_text(shape), 0)]
    for route in block.routes(parts):
        described = describe([parts[r] for r in route], shape)
        for role, row in zip(route, described, strict=True):
            rows.append((role, shape_text(row.output_shape), row.params))
    rows.append(("output", shape_text(block.output_shape(shape)), 0))
    return tuple(rows)


@cache
def module_rows(name: str) -> tuple[tuple[str, str, int], ...]:
    """The sub-layers of GoogLeNet's first inception module (3a) (``name="googlenet"``) or of
    ResNet-18's second residual block (identity shortcut), full size, counted without weights."""
    entry = ARCHITECTURES[name]
    layers = entry.layers(1.0, entry.classes, entry.variant)
    s = spec(name)
    wanted = InceptionBlock if name == "googlenet" else ResidualBlock
    hits = [i for i, layer in enumerate(layers) if isinstance(layer, wanted)]
    index = hits[0] if name == "googlenet" else hits[1]
    block = layers[index]
    assert isinstance(block, Block)
    return block_rows(block, (None, *s.layers[index - 1].output_shape[1:]))


def inception_paths() -> tuple[list[str], list[int], list[int]]:
    """Module 3a's four paths: names, parameters as built, and the 3x3 and "5x5" paths'
    parameters if their convolution read all 192 input channels (no 1x1 reduction)."""
    rows = module_rows("googlenet")
    shape: Shape = (None, *(int(v) for v in rows[0][1].split("×")))
    names = ["1x1", "3x3", "5x5", "pool"]
    built = [sum(p for role, _, p in rows if role.startswith(f"{n}_")) for n in names]
    built[3] = sum(p for role, _, p in rows if role.startswith("pool"))
    direct = []
    for prefix in ("3x3_conv", "5x5_conv"):
        out = next(int(r[1].split("×")[0]) for r in rows if r[0] == prefix)
        layers: list[Layer] = [Conv2D(out, 3, padding="same", use_bias=False), BatchNormalization()]
        direct.append(sum(row.params for row in describe(layers, shape)))
    return names, built, direct


def identity_blocks() -> tuple[list[int], list[int]]:
    """ResNet-18's identity blocks (the second of each stage): channels, engine counts."""
    blocks = [b for b in architecture("resnet18").layers if b.kind == "ResidualBlock"]
    second = blocks[1::2]
    return [int(b.output_shape[1] or 0) for b in second], [b.params for b in second]


# ---- the two runnable blocks --------------------------------------------------------------

SMALL_INPUT = (1, 3, 6, 6)  # one image, 3 channels, 6x6 pixels
INCEPTION_WIDTHS = (2, 2, 3, 1, 2, 2)  # 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection


def small_input(rng: np.random.Generator) -> np.ndarray:
    """A seeded input (1, 3, 6, 6), values rounded to 0.1 so they read easily."""
    return np.round(rng.uniform(-1.0, 1.0, SMALL_INPUT), 1)


@dataclass(frozen=True)
class BlockRun:
    """A small block run forward: its input, its output, each path's output, its weights."""

    x: np.ndarray
    out: np.ndarray
    paths: dict[str, np.ndarray]
    weights: dict[str, np.ndarray]  # parameter name -> array (float64)
    params: int


def _built(block: Block, seed: int) -> Sequential:
    return Sequential([Input(SMALL_INPUT[1:]), block], seed=seed, dtype="float64")


def _weights(block: Block) -> dict[str, np.ndarray]:
    return {str(p.name): np.array(p.numpy(), dtype=np.float64) for p in block.params}


def run_inception(x: np.ndarray, seed: int) -> BlockRun:
    """A tiny inception module (no batch norm, 5x5 branch) on ``x``: four paths, concatenated."""
    block = InceptionBlock(*INCEPTION_WIDTHS, batch_norm=False, large_kernel=5)
    model = _built(block, seed)
    out = model(x).numpy()
    paths = {}
    for route in block.routes(block.parts):
        paths[route[-1]] = block.run(route, Tensor(x), False).numpy()
    return BlockRun(x, out, paths, _weights(block), model.count_params())


def run_residual(x: np.ndarray, seed: int) -> BlockRun:
    """A tiny residual block (3 filters, identity shortcut, no batch norm) on ``x``."""
    block = ResidualBlock(x.shape[1], batch_norm=False)
    model = _built(block, seed)
    out = model(x).numpy()
    main, _ = block.routes(block.parts)
    fx = block.run(main, Tensor(x), False).numpy()
    return BlockRun(x, out, {"F(x)": fx}, _weights(block), model.count_params())


# ---- gradient norms: plain vs residual ----------------------------------------------------

CHANNELS = 4
BATCH = 32


@cache
def digit_batch() -> tuple[np.ndarray, np.ndarray]:
    """The first 32 training digits (32, 1, 8, 8) in [0, 1] and their labels."""
    data = load_digits(scale=False)
    return data.x_train[:BATCH].astype(np.float64) / 16.0, data.y_train[:BATCH].astype(np.int64)


def deep_net(blocks: int, skip: bool, seed: int) -> Sequential:
    """Conv stem, then ``blocks`` times two 3x3 ReLU convolutions (with ``skip``: one residual
    block, the identity added back before the second ReLU), global average pool, 10 logits."""
    layers: list[Layer] = [Input((1, 8, 8)), Conv2D(CHANNELS, 3, padding="same", activation="relu")]
    for _ in range(blocks):
        if skip:
            layers.append(ResidualBlock(CHANNELS, batch_norm=False))
        else:
            layers += [
                Conv2D(CHANNELS, 3, padding="same", activation="relu"),
                Conv2D(CHANNELS, 3, padding="same", activation="relu"),
            ]
    layers += [GlobalAveragePooling2D(), Dense(10)]
    return Sequential(layers, seed=seed, dtype="float64")


def conv_layers(model: Sequential) -> list[Layer]:
    """Every Conv2D of ``model`` in order, the ones inside residual blocks included."""
    found: list[Layer] = []
    for layer in model.layers:
        if isinstance(layer, Conv2D):
            found.append(layer)
        elif isinstance(layer, Block):
            found += [p for p in layer.parts.values() if isinstance(p, Conv2D)]
    return found


@dataclass(frozen=True)
class Gradients:
    """One backward pass through each net: loss, and the gradient norm of every convolution."""

    plain: np.ndarray
    residual: np.ndarray
    plain_loss: float
    residual_loss: float
    params: int  # the same for both nets

    @property
    def ratio(self) -> float:
        """How many times larger the residual net's median gradient norm is."""
        return float(np.median(self.residual) / max(np.median(self.plain), 1e-300))


def backward_norms(model: Sequential) -> tuple[np.ndarray, float]:
    """Loss on the digit batch, backward, and the norm of each conv's (kernel, bias) gradient."""
    x, y = digit_batch()
    loss_fn = SparseCategoricalCrossentropy(from_logits=True)
    loss, _ = model.loss_and_output(x, y, loss=loss_fn, training=True)
    model.zero_grad()
    loss.backward()
    norms = []
    for layer in conv_layers(model):
        grads = [np.asarray(p.grad, dtype=np.float64) for p in layer.params if p.grad is not None]
        norms.append(float(np.sqrt(sum(float((g * g).sum()) for g in grads))))
    return np.array(norms), float(loss.item())


def gradient_norms(blocks: int, seed: int) -> Gradients:
    """The same depth (1 + 2 * blocks convolutions), with and without skip connections."""
    plain = deep_net(blocks, False, seed)
    residual = deep_net(blocks, True, seed)
    gp, lp = backward_norms(plain)
    gr, lr = backward_norms(residual)
    return Gradients(gp, gr, lp, lr, residual.count_params())
