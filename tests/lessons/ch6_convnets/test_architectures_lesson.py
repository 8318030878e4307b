"""Lesson 6.4 (architectures): counts against closed forms and published totals, the two small
blocks recomputed with plain NumPy loops, gradient norms against the engine's parameter
gradients and against central differences."""

from __future__ import annotations

import numpy as np
import pytest
from walking import finite_steps

from engine.models.architectures import spec
from engine.nn.losses import SparseCategoricalCrossentropy
from lessons.ch6_convnets.architectures import model as m
from lessons.ch6_convnets.architectures import texts as tx
from lessons.ch6_convnets.architectures.lesson import Architectures
from lessons.core.base import PlotData, Step, TableData

# Published totals (see texts.FACTS for where each comes from).
PUBLISHED = {
    "lenet5": 60_000,
    "alexnet": 61_100_840,
    "googlenet": 6_624_904,
    "resnet18": 11_689_512,
}


def _steps(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(Architectures, values)


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return _steps()


def _table(step: Step, panel: str = "table") -> TableData:
    data = step.data[panel]
    assert isinstance(data, TableData)
    return data


def _int(text: object) -> int:
    return int(str(text).replace(",", ""))


# ---- parameter counts -----------------------------------------------------------------------


@pytest.mark.parametrize("name", m.NAMES)
def test_totals_equal_published_and_the_layer_sum(name: str) -> None:
    s = m.architecture(name)
    assert s.total_params == PUBLISHED[name] == s.published_params
    assert sum(layer.params for layer in s.layers) == s.total_params
    assert sum(box.params for box in m.groups(name)) == s.total_params  # the diagram's boxes


def test_lenet5_1998_closed_form() -> None:
    # C1: 6 maps of 5x5 on 1 input (+bias); S2/S4: coefficient + bias per map; C3: Table I of
    # the paper, 6 maps see 3 inputs, 9 see 4, 1 sees 6 -> 60 kernels; C5: 120 of 16x5x5.
    c3_kernels = 6 * 3 + 9 * 4 + 1 * 6
    expected = [
        6 * (25 * 1 + 1),
        6 * 2,
        c3_kernels * 25 + 16,
        16 * 2,
        120 * (16 * 25 + 1),
        84 * (120 + 1),
        0,
    ]
    assert [layer.params for layer in m.architecture("lenet5").layers] == expected
    assert sum(expected) == 60_000


def test_modern_lenet5_closed_form() -> None:
    k = [6 * (25 * 1 + 1), 16 * (25 * 6 + 1), 400 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10]
    s = spec("lenet5")
    assert [layer.params for layer in s.layers if layer.params] == k
    assert s.total_params == sum(k) == 61_706


def test_residual_blocks_closed_form() -> None:
    blocks = [b for b in m.architecture("resnet18").layers if b.kind == "ResidualBlock"]
    c_in = 64
    for i, block in enumerate(blocks):
        c = int(block.output_shape[1] or 0)
        if c == c_in:  # identity shortcut: two 3x3 kernels (no bias) + two batch norms
            assert block.params == 18 * c * c + 4 * c
        else:  # projection: 3x3 (c_in -> c), 3x3 (c -> c), 1x1 (c_in -> c), three batch norms
            assert i in (2, 4, 6)
            assert block.params == 9 * c_in * c + 9 * c * c + c_in * c + 6 * c
        c_in = c
    channels, counts = m.identity_blocks()
    assert counts == [18 * c * c + 4 * c for c in channels]


def test_alexnet_closed_form() -> None:
    convs = [(3, 64, 11), (64, 192, 5), (192, 384, 3), (384, 256, 3), (256, 256, 3)]
    dense = [(256 * 6 * 6, 4096), (4096, 4096), (4096, 1000)]
    total = sum((k * k * a + 1) * b for a, b, k in convs) + sum((a + 1) * b for a, b in dense)
    assert total == m.architecture("alexnet").total_params
    assert tx.dense_share("alexnet") == pytest.approx(100 * 58_631_144 / 61_100_840)


def test_variants_against_the_papers() -> None:
    # AlexNet's 2012 paper quotes "60 million"; GoogLeNet's Table 1 sums to about 6.8 M for the
    # original form: torchvision's form (3x3 "5x5", batch norm) is below, the paper form above.
    assert abs(m.architecture("alexnet").total_params - 60e6) / 60e6 < 0.02
    paper = spec("googlenet", variant="paper").total_params
    assert m.architecture("googlenet").total_params < 6.8e6 < paper < 7.0e6


def test_inception_module_rows_closed_form() -> None:
    rows = {role: p for role, _, p in m.module_rows("googlenet")}
    # torchvision's 3a: convolutions without bias, each followed by batch norm (2 per channel)
    assert rows["1x1_conv"] == 192 * 64 and rows["1x1_bn"] == 2 * 64
    assert rows["3x3_conv"] == 9 * 96 * 128 and rows["5x5_conv"] == 9 * 16 * 32
    first = next(la for la in m.architecture("googlenet").layers if la.kind == "InceptionBlock")
    assert sum(rows.values()) == first.params == 155_872
    _, built, direct = m.inception_paths()
    assert built[1] == 192 * 96 + 2 * 96 + 9 * 96 * 128 + 2 * 128
    assert direct == [9 * 192 * 128 + 2 * 128, 9 * 192 * 32 + 2 * 32]


def test_shown_tables_hold_the_engine_counts(steps: list[Step]) -> None:
    for step, name in zip((steps[0], steps[1], steps[2], steps[4]), m.NAMES, strict=True):
        rows = _table(step).rows
        assert rows[0][0] == "total" and _int(rows[0][2]) == PUBLISHED[name]
        assert [_int(r[2]) for r in rows[1:]] == [la.params for la in m.architecture(name).layers]
        assert step.figures["total"] == PUBLISHED[name]
    totals = _table(steps[6]).rows
    assert [(_int(r[3]), _int(r[4])) for r in totals] == [(p, p) for p in PUBLISHED.values()]


# ---- the two small blocks, recomputed with NumPy --------------------------------------------


def _conv(x: np.ndarray, k: np.ndarray, b: np.ndarray) -> np.ndarray:
    """'same' cross-correlation, stride 1, odd kernel, loops over output pixels."""
    _, _, h, w = x.shape
    kh = k.shape[2]
    p = kh // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    out = np.zeros((1, k.shape[0], h, w))
    for o in range(k.shape[0]):
        for y in range(h):
            for z in range(w):
                out[0, o, y, z] = b[o] + np.sum(k[o] * xp[0, :, y : y + kh, z : z + kh])
    return out


def _maxpool3(x: np.ndarray) -> np.ndarray:
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    out = np.zeros_like(x)
    for y in range(x.shape[2]):
        for z in range(x.shape[3]):
            out[:, :, y, z] = xp[:, :, y : y + 3, z : z + 3].max(axis=(2, 3))
    return out


def _weight(w: dict[str, np.ndarray], role: str, kind: str) -> np.ndarray:
    (found,) = [v for k, v in w.items() if k.endswith(f"/{role}/{kind}")]
    return found


def _unit(x: np.ndarray, w: dict[str, np.ndarray], role: str) -> np.ndarray:
    """conv (its kernel and bias from the engine's weights) then ReLU."""
    return np.maximum(_conv(x, _weight(w, role, "kernel"), _weight(w, role, "bias")), 0.0)


def test_inception_block_equals_numpy(steps: list[Step]) -> None:
    x = m.small_input(np.random.default_rng(Architectures.seed))
    run = m.run_inception(x, Architectures.seed)
    w = run.weights
    p1 = _unit(x, w, "1x1_conv")
    p3 = _unit(_unit(x, w, "3x3_reduce_conv"), w, "3x3_conv")
    p5 = _unit(_unit(x, w, "5x5_reduce_conv"), w, "5x5_conv")
    pp = _unit(_maxpool3(x), w, "pool_proj_conv")
    expected = np.concatenate([p1, p3, p5, pp], axis=1)
    assert expected.shape == run.out.shape == (1, 9, 6, 6)
    np.testing.assert_allclose(run.out, expected, rtol=1e-10, atol=1e-12)
    assert run.params == sum(v.size for v in w.values()) == 137
    rows = _table(steps[7]).rows
    assert len(rows) == 9
    for r in rows:
        a = expected[0, int(r[0])]
        assert r[2] == pytest.approx(a.mean(), abs=1e-12)
        assert r[3] == pytest.approx(a.max(), abs=1e-12)
        assert r[4] == int(np.count_nonzero(a == 0))


def test_residual_block_equals_numpy(steps: list[Step]) -> None:
    x = m.small_input(np.random.default_rng(Architectures.seed))
    run = m.run_residual(x, Architectures.seed)
    w = run.weights
    fx = _conv(_unit(x, w, "a_conv"), _weight(w, "b_conv", "kernel"), _weight(w, "b_conv", "bias"))
    expected = np.maximum(fx + x, 0.0)
    np.testing.assert_allclose(run.paths["F(x)"], fx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(run.out, expected, rtol=1e-10, atol=1e-12)
    assert run.params == 2 * (9 * 3 * 3 + 3) == 168
    rows = _table(steps[8]).rows
    for j, r in enumerate(rows):
        assert (r[1], r[2], r[4]) == pytest.approx(
            (x[0, 0, 3, j], fx[0, 0, 3, j], expected[0, 0, 3, j]), abs=1e-12
        )


# ---- gradient norms ---------------------------------------------------------------------------


def test_gradient_norms_equal_the_engines_gradients(steps: list[Step]) -> None:
    blocks = 12
    shown = _table(steps[9]).rows
    for column, skip in ((1, False), (2, True)):
        net = m.deep_net(blocks, skip, Architectures.seed)
        x, y = m.digit_batch()
        loss, _ = net.loss_and_output(
            x, y, loss=SparseCategoricalCrossentropy(from_logits=True), training=True
        )
        loss.backward()
        convs = m.conv_layers(net)
        assert len(convs) == 1 + 2 * blocks == len(shown)
        for layer, row in zip(convs, shown, strict=True):
            norm = np.sqrt(sum(np.sum(np.asarray(p.grad) ** 2) for p in layer.params))
            assert row[column] == pytest.approx(norm, rel=1e-12)


@pytest.mark.parametrize("skip", [False, True])
def test_gradients_match_central_differences(skip: bool) -> None:
    net = m.deep_net(2, skip, 3)
    x, y = m.digit_batch()
    loss_fn = SparseCategoricalCrossentropy(from_logits=True)

    def loss() -> float:
        return float(net.loss_and_output(x, y, loss=loss_fn, training=True)[0].item())

    out, _ = net.loss_and_output(x, y, loss=loss_fn, training=True)
    net.zero_grad()
    out.backward()
    rng = np.random.default_rng(0)
    for layer in (m.conv_layers(net)[0], m.conv_layers(net)[-1]):
        kernel = layer.params[0]
        grad = np.asarray(kernel.grad).copy()
        for flat in rng.choice(kernel.data.size, 4, replace=False):
            idx = np.unravel_index(flat, kernel.data.shape)
            old = float(kernel.data[idx])
            h = 1e-6
            kernel.data[idx] = old + h
            up = loss()
            kernel.data[idx] = old - h
            down = loss()
            kernel.data[idx] = old
            assert (up - down) / (2 * h) == pytest.approx(grad[idx], rel=1e-4, abs=1e-9)


def test_verdict_is_computed_and_quiz_agrees(steps: list[Step]) -> None:
    g = m.gradient_norms(12, Architectures.seed)
    assert g.ratio >= 100 and "vanished in the plain net" in steps[9].text
    assert int(np.argmin(g.plain)) < len(g.plain) // 4  # quiz "vanish": smallest near the input
    assert tx.QUIZ[0].check(round(tx.dense_share("alexnet"))).correct
    plot = steps[9].data["plot"]
    assert isinstance(plot, PlotData)
    np.testing.assert_allclose(plot.series[0].y, np.log10(g.plain))
    np.testing.assert_allclose(plot.series[1].y, np.log10(g.residual))


@pytest.mark.parametrize("blocks", [1, 20])
def test_control_extremes(blocks: int) -> None:
    last = _steps({"blocks": blocks})[-1]
    g = m.gradient_norms(blocks, Architectures.seed)
    assert np.all(np.isfinite(g.plain)) and np.all(np.isfinite(g.residual))
    assert tx.verdict(g) in last.text
    assert len(_table(last).rows) == 1 + 2 * blocks


def test_deterministic() -> None:
    a, b = _steps(), _steps()
    assert [s.text for s in a] == [s.text for s in b]
