"""Lesson 8.4 (adversarial): the input gradient, FGSM and its success curve, recomputed.

The model is lesson 5.1's default run (trained once per process); every attack number the
lesson shows is recomputed here with plain NumPy from the model's weights.
"""

from __future__ import annotations

import numpy as np
import pytest

from lessons.ch5_real_data.mnist_mlp.lesson import MnistMlp
from lessons.ch8_ethics.adversarial import model as am
from lessons.ch8_ethics.adversarial import texts
from lessons.ch8_ethics.adversarial.lesson import Adversarial
from lessons.core.base import BarData, ImageGridData, PlotData
from lessons.core.runner import LessonRun
from lessons.shared.mnist import Trainer, digits

EPS = float(Adversarial.controls[0].default)


def _seeds() -> tuple[int, int]:
    rng = np.random.default_rng(Adversarial.seed)
    return int(rng.integers(2**31)), int(rng.integers(2**31))


@pytest.fixture(scope="module")
def attack() -> am.SetAttack:
    """The test set attacked at the lesson's default seed (cached in the module)."""
    return am.attacked_test_set(*_seeds())


@pytest.fixture(scope="module")
def finished() -> LessonRun:
    run = LessonRun(Adversarial, {}, strict=True)
    while run.next():
        pass
    return run


def _forward(weights: list[np.ndarray], x: np.ndarray) -> tuple[np.ndarray, ...]:
    """Plain NumPy: hidden pre-activation, hidden output, softmax."""
    w1, b1, w2, b2 = weights
    z = x @ w1 + b1
    h = np.maximum(z, 0.0)
    logits = h @ w2 + b2
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z, h, e / e.sum(axis=1, keepdims=True)


def _loss(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = _forward(weights, x)[2]
    return -np.log(p[np.arange(len(y)), y])


def _numpy_gradient(weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL_i/dx_i by hand: (p - onehot) back through the second layer, ReLU, first layer."""
    w1, _, w2, _ = weights
    z, _, p = _forward(weights, x)
    d = p.copy()
    d[np.arange(len(y)), y] -= 1.0
    out: np.ndarray = ((d @ w2.T) * (z > 0)) @ w1.T
    return out


def test_the_model_is_lesson_5_1s_default_run() -> None:
    """Same seed and the same default controls as 5.1, so the first draw is 5.1's model seed."""
    defaults = {c.name: c.default for c in MnistMlp.controls if hasattr(c, "default")}
    assert Adversarial.seed == MnistMlp.seed
    assert (
        defaults["hidden"],
        defaults["rate"],
        defaults["batch"],
        defaults["epochs"],
    ) == (am.HIDDEN, am.RATE, am.BATCH, am.EPOCHS)


def test_input_gradient_matches_central_differences(attack: am.SetAttack) -> None:
    """The engine's dL/dx (float64) equals central differences of a NumPy loss, all pixels."""
    data = digits()
    weights = attack.net.weights()
    for i in (0, 6):  # a digit read right and one read wrong
        x, y = data.x_test[i : i + 1].astype(np.float64), data.y_test[i : i + 1]
        engine = attack.net.input_gradient(x, y)[0]
        h = 1e-6
        bumped = x + h * np.eye(784)
        lowered = x - h * np.eye(784)
        labels = np.repeat(y, 784)
        numeric = (_loss(weights, bumped, labels) - _loss(weights, lowered, labels)) / (2 * h)
        assert np.allclose(engine, numeric, rtol=1e-5, atol=1e-8)
        assert np.allclose(attack.grad[i], engine, rtol=1e-12, atol=1e-15)  # in a batch


def test_fgsm_stays_within_epsilon_and_pixel_range(attack: am.SetAttack) -> None:
    """max |x' - x| <= eps and every pixel in [0, 1], for FGSM and random signs."""
    x = digits().x_test.astype(np.float64)
    for eps in (0.0, 0.001, EPS, 0.3):
        for direction in (attack.grad, attack.signs):
            moved = am.fgsm(x, direction, eps)
            assert np.max(np.abs(moved - x)) <= eps + 1e-12
            assert moved.min() >= 0.0 and moved.max() <= 1.0
    assert np.array_equal(am.fgsm(x, attack.grad, 0.0), x)


def test_fgsm_flips_the_default_digit(attack: am.SetAttack) -> None:
    """Default seed, test digit #1, default eps: read right before, wrongly after."""
    data = digits()
    x, y = data.x_test[0].astype(np.float64), int(data.y_test[0])
    weights = attack.net.weights()
    before = _forward(weights, x[None])[2][0].argmax()
    after = _forward(weights, am.fgsm(x, attack.grad[0], EPS)[None])[2][0].argmax()
    assert before == y and after != y


def test_success_curve_recomputed_with_numpy(attack: am.SetAttack) -> None:
    """The test-set curves from the weights, a hand-written gradient and the same signs."""
    data = digits()
    x, y = data.x_test.astype(np.float64), data.y_test
    weights = attack.net.weights()
    grad = _numpy_gradient(weights, x, y)
    assert np.allclose(grad, attack.grad, rtol=1e-9, atol=1e-12)
    signs = np.random.default_rng(_seeds()[1]).choice(np.array([-1.0, 1.0]), size=x.shape)
    assert np.array_equal(signs, attack.signs)
    right = _forward(weights, x)[2].argmax(axis=1) == y
    curve = attack.curve
    for j in range(0, len(curve.eps), 2):  # every other epsilon keeps the test short
        eps = curve.eps[j]
        for direction, success, accuracy in (
            (grad, curve.fgsm_success, curve.fgsm_accuracy),
            (signs, curve.noise_success, curve.noise_accuracy),
        ):
            hit = _forward(weights, np.clip(x + eps * np.sign(direction), 0, 1))[2].argmax(1) == y
            assert accuracy[j] == pytest.approx(hit.mean(), abs=1e-12)
            assert success[j] == pytest.approx((right & ~hit).sum() / right.sum(), abs=1e-12)
    assert curve.fgsm_success[0] == 0.0 and curve.noise_success[0] == 0.0
    middle = int(np.argmin(np.abs(curve.eps - 0.1)))
    assert curve.fgsm_success[middle] > 5 * curve.noise_success[middle]  # what the text claims


def test_shown_numbers_match_the_recomputation(finished: LessonRun, attack: am.SetAttack) -> None:
    """Step 3's bars and step 6's curve and figures are the recomputed values."""
    weights = attack.net.weights()
    x = digits().x_test[0].astype(np.float64)
    p_adv = _forward(
        weights, am.fgsm(x, _numpy_gradient(weights, x[None], digits().y_test[:1])[0], EPS)[None]
    )[2][0]
    after = finished.step_at(2).data["after"]
    assert isinstance(after, BarData)
    assert np.allclose(after.values, p_adv, atol=1e-12)
    sweep = finished.step_at(5)
    curve = sweep.data["curve"]
    assert isinstance(curve, PlotData)
    assert np.array_equal(curve.series[0].y, attack.curve.fgsm_success)
    change = finished.step_at(2).data["change"]
    assert isinstance(change, ImageGridData)
    assert np.max(np.abs(change.images)) <= EPS + 1e-12
    assert "flips" in finished.step_at(2).text


def _run(values: dict[str, object]) -> LessonRun:
    run = LessonRun(Adversarial, values, strict=True)
    while run.next():
        pass
    return run


def test_the_task_accepts_only_the_smallest_flipping_epsilon(finished: LessonRun) -> None:
    """The smallest flipping eps (on the 0.001 grid) is done; 0.001 less does not flip."""
    smallest = finished.current.figures["smallest"]
    assert 0 < smallest < EPS
    assert finished.current.task is not None and not finished.current.task.done
    found = _run({"epsilon": smallest}).current
    assert found.task is not None and found.task.done
    below = _run({"epsilon": round(smallest - 0.001, 3)}).current
    assert below.figures["attacked_answer"] == below.figures["answer"]
    assert below.task is not None and not below.task.done


def test_extremes_read_true() -> None:
    """eps 0 moves nothing and says so; a digit read wrongly is called a mistake."""
    zero = _run({"epsilon": 0.0})
    assert zero.current.figures["max_change"] == 0.0
    assert "nothing moves" in zero.step_at(2).text
    assert zero.current.figures["fgsm_success"] == 0.0
    wrong = _run({"digit": 7})  # test digit #7: a 0 the model reads as a 9
    first = wrong.step_at(0)
    assert first.figures["answer"] != first.figures["label"]
    assert "mistake" in first.text
    assert texts.task_message(0.1, False, None, 7).startswith("No ε")


def test_never_lit_pixels_keep_their_initial_weights(attack: am.SetAttack) -> None:
    """Step 2's note: pixels black in every training digit never change their weights, yet
    the input gradient on them is not zero."""
    never = digits().x_train.max(axis=0) == 0
    assert never.any()
    initial = Trainer(am.HIDDEN, am.RATE, _seeds()[0]).model.get_weights()[0]
    assert np.array_equal(am.trained(_seeds()[0]).weights[0][never], initial[never])
    assert np.abs(attack.grad[0][never]).sum() > 0
