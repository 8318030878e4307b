"""Tests for engine.architectures: published parameter totals, shapes, small trainable models."""

from __future__ import annotations

import numpy as np
import pytest

from engine.models import architectures
from engine.models.architectures import alexnet, googlenet, lenet5, resnet18, spec
from engine.models.sequential import Sequential
from engine.nn.layers import Layer
from engine.nn.losses import SparseCategoricalCrossentropy
from engine.nn.optimizers import Adam

# The totals each variant's authors published (see engine/architectures.py for the variants):
PUBLISHED = {
    # torchvision AlexNet_Weights.IMAGENET1K_V1.meta["num_params"] (single-GPU AlexNet, 2014)
    "alexnet": 61_100_840,
    # torchvision GoogLeNet_Weights.IMAGENET1K_V1.meta["num_params"] (BN, no auxiliary heads)
    "googlenet": 6_624_904,
    # torchvision ResNet18_Weights.IMAGENET1K_V1.meta["num_params"] (He et al. 2016, Table 1)
    "resnet18": 11_689_512,
}


@pytest.fixture
def no_weights(monkeypatch: pytest.MonkeyPatch) -> None:
    """Creating any weight fails: specs must be computed from shapes alone."""

    def refuse(self: Layer, name: str, shape: tuple[int, ...], initializer: object) -> None:
        raise AssertionError(f"{self.name} tried to allocate {name} {shape}")

    monkeypatch.setattr(Layer, "add_weight", refuse)


@pytest.mark.usefixtures("no_weights")
@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_full_size_parameter_counts_equal_the_published_totals(name: str) -> None:
    """AlexNet 61,100,840; GoogLeNet 6,624,904; ResNet-18 11,689,512, without any weights."""
    s = spec(name)
    assert s.total_params == PUBLISHED[name] == s.published_params
    assert s.input_shape == (3, 224, 224) and s.layers[-1].output_shape == (None, 1000)
    assert "num_params" in s.source


@pytest.mark.usefixtures("no_weights")
def test_lenet5_1998_has_the_papers_60000_parameters() -> None:
    """LeCun et al. 1998, section II-B: C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164."""
    s = spec("lenet5", variant="1998")
    assert [layer.params for layer in s.layers] == [156, 12, 1516, 32, 48120, 10164, 0]
    assert s.total_params == 60_000 == s.published_params
    modern = spec("lenet5")
    assert modern.total_params == 156 + 2416 + 48120 + 10164 + 850 == 61_706
    assert [r.output_shape for r in modern.layers[:4]] == [
        (None, 6, 28, 28),
        (None, 6, 14, 14),
        (None, 16, 10, 10),
        (None, 16, 5, 5),
    ]


@pytest.mark.usefixtures("no_weights")
def test_full_size_shapes_follow_the_papers() -> None:
    """AlexNet flattens 256x6x6; GoogLeNet ends with 1024x7x7; ResNet-18 with 512x7x7."""
    shapes = {r.name: r.output_shape for r in spec("alexnet").layers}
    assert shapes["flatten"] == (None, 9216)
    googlenet_rows = spec("googlenet").layers
    blocks = [r for r in googlenet_rows if r.kind == "InceptionBlock"]
    assert len(blocks) == 9 and blocks[0].output_shape == (None, 256, 28, 28)
    assert blocks[-1].output_shape == (None, 1024, 7, 7)
    resnet_rows = spec("resnet18").layers
    residual = [r for r in resnet_rows if r.kind == "ResidualBlock"]
    assert len(residual) == 8 and residual[-1].output_shape == (None, 512, 7, 7)
    paper = spec("googlenet", variant="paper")
    assert paper.published_params is None and paper.total_params != PUBLISHED["googlenet"]


REDUCED = {
    "lenet5": (lenet5, 0.5, 12),
    "alexnet": (alexnet, 1 / 32, 64),
    "googlenet": (googlenet, 1 / 16, 16),
    "resnet18": (resnet18, 1 / 16, 16),
}


@pytest.mark.usefixtures("backend")
@pytest.mark.parametrize("name", sorted(REDUCED))
def test_reduced_models_match_their_spec_and_train(name: str) -> None:
    """A narrow model on small images: built weights equal the spec's count; loss goes down."""
    build, width, size = REDUCED[name]
    model: Sequential = build(classes=4, input_size=size, width=width)
    assert model.count_params() == spec(name, width=width, input_size=size, classes=4).total_params
    channels = 1 if name == "lenet5" else 3
    rng = np.random.default_rng(0)
    x = rng.random((16, channels, size, size), dtype=np.float32)
    y = np.arange(16) % 4
    model.compile(Adam(0.01), SparseCategoricalCrossentropy(from_logits=True))
    losses = [model.train_on_batch(x, y) for _ in range(8)]
    assert losses[-1] < losses[0]


def test_unknown_architecture_and_bad_width_raise_value_error() -> None:
    """A name outside the catalogue, a width <= 0 or an unknown variant is refused clearly."""
    with pytest.raises(ValueError, match="choose one of"):
        spec("vgg16")
    with pytest.raises(ValueError, match="width"):
        spec("resnet18", width=0)
    with pytest.raises(ValueError, match="variant"):
        spec("googlenet", variant="v3")
    assert set(architectures.ARCHITECTURES) == {"lenet5", "alexnet", "googlenet", "resnet18"}
