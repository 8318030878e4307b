"""Named CNN architectures: LeNet-5, AlexNet, GoogLeNet and ResNet-18, as specs and as models.

`spec(name)` lists every layer of the full-size network with its output shape and parameter
count, computed from the layer definitions without creating a single weight, and the total
published for that variant. The same definitions, narrower (`width`) and on smaller images,
build a `Sequential` model that trains on a laptop: `resnet18(width=1/8, input_size=32)`.

Variants (the ones whose totals are published exactly):

- LeNet-5 as in LeCun et al. (1998): 32x32 input, trainable sub-sampling, C3's partial
  connection table, a fixed RBF output layer: 60,000 trainable parameters. It is a spec only;
  `lenet5()` builds the modern form (ReLU, max pooling, full C3, a Dense output) used by the
  W2 benchmark: 28x28 input padded by 2, 61,706 parameters.
- AlexNet, GoogLeNet, ResNet-18 as in torchvision's model zoo, whose totals its weights
  document (`num_params`): AlexNet is the single-GPU "one weird trick" variant; GoogLeNet has
  batch normalisation after every (bias-free) convolution, a 3x3 kernel in the "5x5" branch
  (pytorch/vision#906) and no auxiliary classifiers; ResNet-18 has batch normalisation and 1x1
  projection shortcuts where the shape changes. `variant="paper"` gives GoogLeNet's original
  form (5x5 branch, convolution biases, no batch normalisation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.models.sequential import Sequential
from engine.nn.blocks import BatchNormalization, InceptionBlock, ResidualBlock
from engine.nn.conv import Conv2D
from engine.nn.layers import Activation, Dense, Dropout, Flatten, Input, Layer, Shape
from engine.nn.pooling import GlobalAveragePooling2D, MaxPooling2D

__all__ = [
    "ARCHITECTURES",
    "ArchitectureSpec",
    "LayerSpec",
    "alexnet",
    "describe",
    "googlenet",
    "layer_params",
    "lenet5",
    "resnet18",
    "spec",
]


@dataclass(frozen=True)
class LayerSpec:
    """One layer of an architecture: name, type, output shape (batch axis None), parameters."""

    name: str
    kind: str
    output_shape: Shape
    params: int


@dataclass(frozen=True)
class ArchitectureSpec:
    """A whole network: its layers, and the total published for this variant (and where)."""

    name: str
    variant: str
    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    published_params: int | None = None
    source: str = ""

    @property
    def total_params(self) -> int:
        """The sum of the layers' parameter counts."""
        return sum(layer.params for layer in self.layers)


def layer_params(layer: Layer, input_shape: Shape) -> int:
    """How many parameters `layer` has for inputs of `input_shape`, without building it."""
    counter = getattr(layer, "params_for", None)
    if counter is not None:
        return int(counter(input_shape))
    if isinstance(layer, Dense):
        return (int(input_shape[-1] or 0) + int(layer.use_bias)) * layer.units
    return layer.count_params()  # parameter-free layers (activations, pooling, ...)


def describe(layers: list[Layer], input_shape: Shape) -> tuple[LayerSpec, ...]:
    """Output shape and parameter count of each layer, in order, for inputs of `input_shape`."""
    rows, shape = [], tuple(input_shape)
    for layer in layers:
        params = layer_params(layer, shape)
        shape = layer.output_shape(shape)
        rows.append(LayerSpec(layer.name, type(layer).__name__, shape, params))
    return tuple(rows)


def _w(channels: int, width: float) -> int:
    return max(1, round(channels * width))


def _lenet5_layers(width: float, classes: int, variant: str) -> list[Layer]:
    return [
        Conv2D(_w(6, width), 5, padding=2, activation="relu"),
        MaxPooling2D(2),
        Conv2D(_w(16, width), 5, activation="relu"),
        MaxPooling2D(2),
        Flatten(),
        Dense(_w(120, width), activation="relu"),
        Dense(_w(84, width), activation="relu"),
        Dense(classes),
    ]


def _alexnet_layers(width: float, classes: int, variant: str) -> list[Layer]:
    c = [_w(n, width) for n in (64, 192, 384, 256, 256, 4096)]
    return [
        Conv2D(c[0], 11, 4, padding=2, activation="relu"),
        MaxPooling2D(3, 2),
        Conv2D(c[1], 5, padding=2, activation="relu"),
        MaxPooling2D(3, 2),
        Conv2D(c[2], 3, padding=1, activation="relu"),
        Conv2D(c[3], 3, padding=1, activation="relu"),
        Conv2D(c[4], 3, padding=1, activation="relu"),
        MaxPooling2D(3, 2),
        Flatten(),
        Dropout(0.5),
        Dense(c[5], activation="relu"),
        Dropout(0.5),
        Dense(c[5], activation="relu"),
        Dense(classes),
    ]


def _conv_bn(filters: int, kernel: int, strides: int = 1) -> list[Layer]:
    return [
        Conv2D(filters, kernel, strides, "same", use_bias=False),
        BatchNormalization(),
        Activation("relu"),
    ]


# GoogLeNet's inception modules (Szegedy et al. 2015, Table 1): 1x1, 3x3 reduce, 3x3, 5x5
# reduce, 5x5, pool projection; "M" is a 3x3 (last: 2x2) max pool with stride 2.
_INCEPTION = (
    (64, 96, 128, 16, 32, 32),
    (128, 128, 192, 32, 96, 64),
    "M",
    (192, 96, 208, 16, 48, 64),
    (160, 112, 224, 24, 64, 64),
    (128, 128, 256, 24, 64, 64),
    (112, 144, 288, 32, 64, 64),
    (256, 160, 320, 32, 128, 128),
    "M2",
    (256, 160, 320, 32, 128, 128),
    (384, 192, 384, 48, 128, 128),
)


def _googlenet_layers(width: float, classes: int, variant: str) -> list[Layer]:
    if variant not in ("torchvision", "paper"):
        raise ValueError(f"googlenet: variant={variant!r}; use 'torchvision' or 'paper'")
    bn = variant == "torchvision"

    def conv(filters: int, kernel: int, strides: int = 1) -> list[Layer]:
        if bn:
            return _conv_bn(filters, kernel, strides)
        return [Conv2D(filters, kernel, strides, "same", activation="relu")]

    layers: list[Layer] = [
        *conv(_w(64, width), 7, 2),
        MaxPooling2D(3, 2, "same"),
        *conv(_w(64, width), 1),
        *conv(_w(192, width), 3),
        MaxPooling2D(3, 2, "same"),
    ]
    for item in _INCEPTION:
        if isinstance(item, str):
            layers.append(MaxPooling2D(2 if item == "M2" else 3, 2, "same"))
        else:
            c1, c3r, c3, c5r, c5, pool = (_w(n, width) for n in item)
            kernel = 3 if bn else 5
            layers.append(InceptionBlock(c1, c3r, c3, c5r, c5, pool, bn, kernel))
    return [*layers, GlobalAveragePooling2D(), Dropout(0.2 if bn else 0.4), Dense(classes)]


def _resnet18_layers(width: float, classes: int, variant: str) -> list[Layer]:
    layers: list[Layer] = [*_conv_bn(_w(64, width), 7, 2), MaxPooling2D(3, 2, "same")]
    for stage, filters in enumerate((64, 128, 256, 512)):
        layers.append(ResidualBlock(_w(filters, width), strides=1 if stage == 0 else 2))
        layers.append(ResidualBlock(_w(filters, width)))
    return [*layers, GlobalAveragePooling2D(), Dense(classes)]


@dataclass(frozen=True)
class _Entry:
    layers: Callable[[float, int, str], list[Layer]]
    channels: int
    size: int
    classes: int
    variant: str
    published: int | None
    source: str


ARCHITECTURES: dict[str, _Entry] = {
    "lenet5": _Entry(
        _lenet5_layers, 1, 28, 10, "modern", None, "the W2 benchmark's LeNet-5 (ReLU, max pool)"
    ),
    "alexnet": _Entry(
        _alexnet_layers,
        3,
        224,
        1000,
        "torchvision",
        61_100_840,
        "torchvision AlexNet_Weights.IMAGENET1K_V1.meta['num_params']",
    ),
    "googlenet": _Entry(
        _googlenet_layers,
        3,
        224,
        1000,
        "torchvision",
        6_624_904,
        "torchvision GoogLeNet_Weights.IMAGENET1K_V1.meta['num_params']",
    ),
    "resnet18": _Entry(
        _resnet18_layers,
        3,
        224,
        1000,
        "torchvision",
        11_689_512,
        "torchvision ResNet18_Weights.IMAGENET1K_V1.meta['num_params']",
    ),
}

# LeNet-5 of LeCun, Bottou, Bengio & Haffner (1998), "Gradient-based learning applied to
# document recognition", Proc. IEEE 86(11), section II-B: per-layer trainable parameters.
_LENET_1998 = (
    LayerSpec("C1", "convolution 5x5, 6 maps", (None, 6, 28, 28), 6 * (5 * 5 + 1)),
    LayerSpec("S2", "sub-sampling (coefficient + bias)", (None, 6, 14, 14), 6 * 2),
    # C3: 6 maps see 3 of S2's maps, 9 see 4, 1 sees all 6 (Table I): 60 kernels of 5x5.
    LayerSpec("C3", "convolution 5x5, partial table", (None, 16, 10, 10), 60 * 25 + 16),
    LayerSpec("S4", "sub-sampling (coefficient + bias)", (None, 16, 5, 5), 16 * 2),
    LayerSpec("C5", "convolution 5x5, 120 maps", (None, 120, 1, 1), 120 * (16 * 25 + 1)),
    LayerSpec("F6", "full connection", (None, 84), 84 * (120 + 1)),
    LayerSpec("OUTPUT", "Euclidean RBF (fixed)", (None, 10), 0),
)
_LENET_1998_SOURCE = "LeCun et al. 1998, Proc. IEEE 86(11), sec. II-B: 60,000 trainable"


def _entry(name: str) -> _Entry:
    if name not in ARCHITECTURES:
        raise ValueError(f"Unknown architecture {name!r}; choose one of {', '.join(ARCHITECTURES)}")
    return ARCHITECTURES[name]


def _layers(name: str, width: float, classes: int | None, variant: str | None) -> list[Layer]:
    if not width > 0:
        raise ValueError(f"{name}: width={width!r} must be > 0")
    e = _entry(name)
    named = Sequential(e.layers(width, classes or e.classes, variant or e.variant))
    return named.layers  # unbuilt, uniquely named ("conv2d", "conv2d_1", ...)


def spec(
    name: str,
    *,
    width: float = 1.0,
    input_size: int | None = None,
    classes: int | None = None,
    variant: str | None = None,
) -> ArchitectureSpec:
    """The layers, output shapes and parameter counts of architecture `name`, no weights made.

    Defaults are the full-size published network; `variant="1998"` gives the original LeNet-5.
    """
    e = _entry(name)
    if name == "lenet5" and variant == "1998":
        return ArchitectureSpec(name, "1998", (1, 32, 32), _LENET_1998, 60_000, _LENET_1998_SOURCE)
    size = input_size or e.size
    full = width == 1.0 and size == e.size and classes in (None, e.classes)
    chosen = variant or e.variant
    rows = describe(_layers(name, width, classes, variant), (None, e.channels, size, size))
    published = e.published if full and chosen == e.variant else None
    return ArchitectureSpec(name, chosen, (e.channels, size, size), rows, published, e.source)


def _model(
    name: str, width: float, input_size: int | None, classes: int, seed: int, variant: str | None
) -> Sequential:
    e = _entry(name)
    size = input_size or e.size
    layers = _layers(name, width, classes, variant)
    return Sequential([Input((e.channels, size, size)), *layers], seed=seed, name=name)


def lenet5(
    classes: int = 10, input_size: int = 28, width: float = 1.0, seed: int = 0
) -> Sequential:
    """The modern LeNet-5 (the W2 benchmark network): Conv 6 -> pool -> Conv 16 -> pool -> 120
    -> 84 -> `classes` logits, on (1, input_size, input_size) images."""
    return _model("lenet5", width, input_size, classes, seed, None)


def alexnet(
    classes: int = 10, input_size: int = 64, width: float = 1 / 16, seed: int = 0
) -> Sequential:
    """AlexNet (torchvision's layout) at `width` times the channels, on RGB images (>= 63 px)."""
    return _model("alexnet", width, input_size, classes, seed, None)


def googlenet(
    classes: int = 10,
    input_size: int = 32,
    width: float = 1 / 8,
    seed: int = 0,
    variant: str = "torchvision",
) -> Sequential:
    """GoogLeNet (nine inception modules) at `width` times the channels, on RGB images."""
    return _model("googlenet", width, input_size, classes, seed, variant)


def resnet18(
    classes: int = 10, input_size: int = 32, width: float = 1 / 8, seed: int = 0
) -> Sequential:
    """ResNet-18 (eight residual blocks) at `width` times the channels, on RGB images."""
    return _model("resnet18", width, input_size, classes, seed, None)
