"""Lesson 6.2 (relu_pooling): every number shown is recomputed here with plain NumPy."""

from __future__ import annotations

import numpy as np
import pytest
from walking import finite_steps

from lessons.ch6_convnets.relu_pooling import model as m
from lessons.ch6_convnets.relu_pooling import texts as tx
from lessons.ch6_convnets.relu_pooling.lesson import ReluPooling
from lessons.core.base import ImageData, Step
from lessons.core.runner import LessonRun


def _steps(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(ReluPooling, values)


def _image(step: Step, panel: str) -> np.ndarray:
    data = step.data[panel]
    assert isinstance(data, ImageData)
    return np.asarray(data.image)


def _np_conv(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlation with one ring of zero padding, written out with loops."""
    padded = np.pad(image, 1)
    out = np.zeros_like(image)
    for y in range(image.shape[0]):
        for x in range(image.shape[1]):
            out[y, x] = np.sum(padded[y : y + 3, x : x + 3] * kernel)
    return out


def _np_pool(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pool and the winner mask (first cell of the window on a tie)."""
    pooled = np.zeros((a.shape[0] // 2, a.shape[1] // 2))
    won = np.zeros(a.shape, dtype=bool)
    for r in range(pooled.shape[0]):
        for c in range(pooled.shape[1]):
            window = a[2 * r : 2 * r + 2, 2 * c : 2 * c + 2]
            k = int(np.argmax(window))
            pooled[r, c] = window.reshape(-1)[k]
            won[2 * r + k // 2, 2 * c + k % 2] = True
    return pooled, won


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return _steps()


def _defaults() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _, image = m.first_of_class(3)
    kernel = m.KERNELS["Sobel: vertical edges"]
    v = m.readout_weights(np.random.default_rng(ReluPooling.seed))
    return image, kernel, v


def test_the_lesson_has_six_steps_and_a_quiz(steps: list[Step]) -> None:
    """Six steps, each with 2-6 sentences of text; 2-4 quiz questions."""
    assert len(steps) == 6
    assert 2 <= len(ReluPooling.quiz) <= 4
    for step in steps:
        assert 2 <= step.text.count(". ") + 1 <= 8


def test_feature_map_relu_and_pool_match_numpy(steps: list[Step]) -> None:
    """Steps 1-3 show the conv, ReLU and pooled maps NumPy computes from the real digit."""
    image, kernel, _ = _defaults()
    z = _np_conv(image, kernel)
    np.testing.assert_array_equal(_image(steps[0], "input"), image)
    np.testing.assert_allclose(_image(steps[0], "map"), z, atol=1e-9)
    np.testing.assert_array_equal(_image(steps[0], "cells"), (z < 0).astype(float))
    a = np.maximum(z, 0)
    np.testing.assert_allclose(_image(steps[1], "map"), a, atol=1e-9)
    assert steps[1].figures["zeroed"] == np.count_nonzero(z < 0)
    assert f"zeroed {np.count_nonzero(z < 0)} of the 64" in steps[1].text
    pooled, won = _np_pool(a)
    np.testing.assert_allclose(_image(steps[2], "pooled"), pooled, atol=1e-9)
    np.testing.assert_array_equal(_image(steps[2], "cells"), won.astype(float))


@pytest.mark.parametrize("kernel", list(m.KERNELS))
def test_pool_winners_are_the_argmax_of_each_window(kernel: str) -> None:
    """For every digit class and kernel the marked winners are each window's argmax."""
    for label in range(10):
        _, image = m.first_of_class(label)
        f = m.forward(image[None, None], m.KERNELS[kernel])
        a = f.a[0, 0]
        pooled, won = _np_pool(a)
        np.testing.assert_array_equal(f.winners[0, 0], won)
        np.testing.assert_allclose(f.p[0, 0], pooled)
        assert f.winners[0, 0].reshape(4, 2, 4, 2).sum(axis=(1, 3)).tolist() == [[1] * 4] * 4


def test_gradients_match_numpy_and_central_differences(steps: list[Step]) -> None:
    """dL/dP = V, routed to winners only, then masked by z > 0; dL/dz from finite differences."""
    image, kernel, v = _defaults()
    z = _np_conv(image, kernel)
    pooled, won = _np_pool(np.maximum(z, 0))
    grad_a = np.zeros((8, 8))
    for r in range(4):
        for c in range(4):
            window = won[2 * r : 2 * r + 2, 2 * c : 2 * c + 2]
            grad_a[2 * r : 2 * r + 2, 2 * c : 2 * c + 2][window] = v[r, c]
    grad_z = grad_a * (z > 0)
    np.testing.assert_array_equal(_image(steps[3], "pooled"), v)
    np.testing.assert_array_equal(_image(steps[3], "map"), grad_a)
    np.testing.assert_array_equal(_image(steps[4], "map"), grad_z)
    assert steps[3].figures["loss"] == pytest.approx(float(np.sum(v * pooled)))
    b = m.backward(image, kernel, v)
    np.testing.assert_array_equal(b.grad_a, grad_a)
    np.testing.assert_array_equal(b.grad_z, grad_z)

    def loss_of_z(zz: np.ndarray) -> float:
        return float(np.sum(v * _np_pool(np.maximum(zz, 0))[0]))

    eps = 1e-4  # cells are whole numbers, so no tie or kink lies within eps of z
    numeric = np.zeros((8, 8))
    for idx in np.ndindex(8, 8):
        up, down = z.copy(), z.copy()
        up[idx] += eps
        down[idx] -= eps
        numeric[idx] = (loss_of_z(up) - loss_of_z(down)) / (2 * eps)
    nonzero = z != 0  # at z == 0 ReLU has a kink: central differences are not a derivative
    np.testing.assert_allclose(b.grad_z[nonzero], numeric[nonzero], atol=1e-6)


def test_relu_gradient_mask_blocks_winners_with_nonpositive_z(steps: list[Step]) -> None:
    """Step 5 marks exactly the winners with z > 0; the others get no gradient."""
    image, kernel, v = _defaults()
    f = m.forward(image[None, None], kernel)
    z, won = f.z[0, 0], f.winners[0, 0]
    passed = won & (z > 0)
    np.testing.assert_array_equal(_image(steps[4], "cells"), passed.astype(float))
    b = m.backward(image, kernel, v)
    assert np.all(b.grad_z[~passed] == 0)
    assert np.all(b.grad_z[passed] == b.grad_a[passed])
    blocked = int(np.count_nonzero(won & (z <= 0)))
    assert blocked > 0  # the default digit shows the all-zero window case
    assert f"{blocked} winners had" in steps[4].text


def test_shift_figures_are_recomputed() -> None:
    """The shift step's counts and fractions match a NumPy recomputation on all digits."""
    for shift in m.SHIFTS:
        step = _steps({"shift": shift})[5]
        dy, dx = m.SHIFTS[shift]
        image, kernel, _ = _defaults()
        moved = np.pad(image, 1)[1 - dy : 9 - dy, 1 - dx : 9 - dx]  # zeros move in
        np.testing.assert_array_equal(_image(step, "input"), moved)
        p0 = _np_pool(np.maximum(_np_conv(image, kernel), 0))[0]
        p1 = _np_pool(np.maximum(_np_conv(moved, kernel), 0))[0]
        np.testing.assert_allclose(_image(step, "pooled"), p1)
        assert step.figures["kept_pool"] == np.count_nonzero((p1 == p0) & (p0 > 0))
        assert step.figures["of_pool"] == np.count_nonzero(p0 > 0)
        x, _ = m.digits()
        xs = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))[..., 1 - dy : 9 - dy, 1 - dx : 9 - dx]
        a0 = np.maximum(_windows_conv(x, kernel), 0)
        a1 = np.maximum(_windows_conv(xs, kernel), 0)
        q0 = a0.reshape(-1, 4, 2, 4, 2).max(axis=(2, 4))
        q1 = a1.reshape(-1, 4, 2, 4, 2).max(axis=(2, 4))
        frac_pool = np.count_nonzero((q1 == q0) & (q0 > 0)) / np.count_nonzero(q0 > 0)
        frac_map = np.count_nonzero((a1 == a0) & (a0 > 0)) / np.count_nonzero(a0 > 0)
        assert step.figures["all_pool"] == pytest.approx(frac_pool)
        assert step.figures["all_map"] == pytest.approx(frac_map)
        assert f"{frac_pool:.0%} of pooled values kept against {frac_map:.0%}" in step.text
        rel = np.linalg.norm(q1 - q0) / np.linalg.norm(q0)
        assert step.figures["change_pool"] == pytest.approx(rel)


def _windows_conv(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Batched 'same' cross-correlation of (N, 1, 8, 8) images with NumPy sliding windows."""
    padded = np.pad(x[:, 0], ((0, 0), (1, 1), (1, 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(1, 2))
    return np.einsum("nyxij,ij->nyx", windows, kernel)


def test_every_digit_and_kernel_runs() -> None:
    """Every control value gives six steps without error (the extremes of each Choice)."""
    for digit in ("0", "9"):
        for kernel in m.KERNELS:
            assert len(_steps({"digit": digit, "kernel": kernel, "shift": "1 px up"})) == 6


def test_back_restores_the_same_step() -> None:
    """Back returns the exact earlier step (same seeded weights V)."""
    run = LessonRun(ReluPooling, {}, strict=True)
    for _ in range(4):
        run.next()
    before = run.panel_state()
    run.next()
    run.back()
    after = run.panel_state()
    for panel in ("map", "cells", "pooled"):
        old, new = before[panel], after[panel]
        assert isinstance(old, ImageData) and isinstance(new, ImageData)
        np.testing.assert_array_equal(new.image, old.image)


def test_quiz_answers_agree_with_the_engine() -> None:
    """The routing and tie answers of the quiz are what the engine does."""
    from engine.core.tensor import Tensor
    from engine.nn import activations
    from engine.nn.pooling import max_pool2d

    z = Tensor(np.array([[[[3.0, 0.0], [7.0, 2.0]]]]), requires_grad=True)
    max_pool2d(activations.relu(z)).backward(np.full((1, 1, 1, 1), 5.0))
    assert z.grad is not None and np.asarray(z.grad).reshape(-1).tolist() == [0, 0, 5, 0]
    z = Tensor(np.array([[[[-3.0, -1.0], [-7.0, -2.0]]]]), requires_grad=True)
    out = max_pool2d(activations.relu(z))
    out.backward(np.ones((1, 1, 1, 1)))
    assert z.grad is not None and np.all(np.asarray(z.grad) == 0)
    assert tx.QUIZ[0].answer == 2 and tx.QUIZ[1].answer == 1
