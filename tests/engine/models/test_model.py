"""Tests for engine.Sequential: learning, fit/evaluate/predict, weights, files, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine import Dropout
from engine.data.loading import DataLoader, Dataset
from engine.models.sequential import Sequential
from engine.nn.callbacks import Callback, EarlyStopping, History
from engine.nn.layers import Dense, Flatten, Input
from engine.nn.optimizers import SGD, Adam

pytestmark = pytest.mark.usefixtures("backend")


def spiral(n: int, noise: float, seed: int, turns: float = 1.5) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spiral arms with Gaussian noise; labels 0/1."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.02, 1, n)) * turns * 2 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (turns * 2 * np.pi)
    label = rng.integers(0, 2, n)
    points = np.where(label[:, None] == 1, -arm, arm) + rng.normal(0, noise, (n, 2))
    return points.astype(np.float32), label


def _mlp(seed: int = 0, dtype: str = "float32") -> Sequential:
    model = Sequential(
        [
            Input((2,)),
            Dense(32, activation="tanh"),
            Dense(32, activation="tanh"),
            Dense(1, activation="sigmoid"),
        ],
        seed=seed,
        dtype=dtype,
    )
    model.compile(Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.slow
def test_learns_a_noisy_two_class_spiral_to_97_percent(fake_training: Any) -> None:
    """An MLP reaches >= 97% accuracy on fresh points of a noisy two-arm spiral.

    On the fake GPU it trains a few epochs only, which must give NumPy's numbers."""
    x, y = spiral(600, noise=0.05, seed=0)
    x_test, y_test = spiral(1000, noise=0.05, seed=1)

    def run(epochs: int) -> tuple[dict[str, list[float]], dict[str, float], list[np.ndarray]]:
        model = _mlp()
        history = model.fit(x, y, epochs=epochs, batch_size=32)
        return history.history, model.evaluate(x_test, y_test), model.get_weights()

    if fake_training.active:
        fake_training.assert_matches_numpy(lambda: run(fake_training.epochs))
        return
    history, scores, _ = run(150)
    assert history["accuracy"][-1] >= 0.97
    assert scores["accuracy"] >= 0.97


def test_learns_xor() -> None:
    """A 2-4-1 network learns XOR exactly."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0])
    model = Sequential([Input((2,)), Dense(4, activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(Adam(0.1), "binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=300, batch_size=4)
    np.testing.assert_array_equal((model.predict(x)[:, 0] > 0.5).astype(int), y)
    assert model.evaluate(x, y)["accuracy"] == 1.0


def test_same_seed_same_numbers_and_other_seed_differs() -> None:
    """Two identical runs give bit-identical weights and losses; another seed does not."""
    x, y = spiral(64, 0.05, 2)

    def run(seed: int) -> tuple[list[float], list[np.ndarray]]:
        model = _mlp(seed)
        model.add(Dropout(0.0))
        history = model.fit(x, y, epochs=3, batch_size=16, shuffle=True)
        return history.history["loss"], model.get_weights()

    (loss_a, w_a), (loss_b, w_b), (loss_c, _) = run(0), run(0), run(1)
    assert loss_a == loss_b and loss_a != loss_c
    for a, b in zip(w_a, w_b, strict=True):
        np.testing.assert_array_equal(a, b)


def test_float64_on_request() -> None:
    """dtype="float64" gives float64 weights and outputs; float32 is the default."""
    assert _mlp().predict(np.zeros((1, 2))).dtype == np.float32
    model = _mlp(dtype="float64")
    assert model.predict(np.zeros((1, 2))).dtype == np.float64
    assert all(w.dtype == np.float64 for w in model.get_weights())


def test_fit_returns_history_with_validation_logs() -> None:
    """History has one entry per epoch for loss, metrics and their val_ versions."""
    x, y = spiral(100, 0.05, 3)
    model = _mlp()
    history = model.fit(x, y, epochs=3, batch_size=20, validation_split=0.2)
    assert isinstance(history, History) and history.epoch == [0, 1, 2]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    assert model.history is history
    x_val, y_val = spiral(30, 0.05, 4)
    logs = model.fit(x, y, epochs=1, validation_data=(x_val, y_val)).history
    assert logs["val_loss"][0] == pytest.approx(model.evaluate(x_val, y_val)["loss"], rel=1e-5)


def test_train_on_batch_is_one_step_and_predict_matches_call() -> None:
    """train_on_batch returns the loss before its step; predict equals the forward pass."""
    x, y = spiral(16, 0.05, 5)
    model = _mlp()
    before = model.evaluate(x, y)["loss"]
    first = model.train_on_batch(x, y)
    assert first == pytest.approx(before, rel=1e-5)
    assert model.train_on_batch(x, y) < first
    np.testing.assert_allclose(model.predict(x, batch_size=5), model(x).numpy(), rtol=1e-6)


def test_fit_accepts_a_dataloader_with_augmentation() -> None:
    """A DataLoader passed as x is used as is, augmentation hook included."""
    x, y = spiral(40, 0.05, 6)
    calls: list[int] = []

    def augment(xb: np.ndarray, yb: np.ndarray, rng: np.random.Generator) -> tuple:
        calls.append(len(xb))
        return xb + rng.normal(0, 0.01, xb.shape).astype(xb.dtype), yb

    loader = DataLoader(Dataset(x, y), batch_size=16, shuffle=True, seed=1, augment=augment)
    _mlp().fit(loader, epochs=2)
    assert calls == [16, 16, 8] * 2


def test_summary_lists_output_shapes_and_parameter_counts() -> None:
    """summary() reports each layer's output shape and parameters, and the total."""
    model = Sequential([Input((4, 2)), Flatten(), Dense(16, activation="relu"), Dense(3)])
    rows = model.summary_rows()
    assert [(r.name, r.kind, r.output_shape, r.params) for r in rows] == [
        ("flatten", "Flatten", (None, 8), 0),
        ("dense", "Dense", (None, 16), 144),
        ("dense_1", "Dense", (None, 3), 51),
    ]
    text = model.summary()
    assert "dense_1 (Dense)" in text and "(None, 16)" in text and "Total params: 195" in text
    assert model.count_params() == 195


def test_summary_of_an_unbuilt_model_explains_how_to_build_it() -> None:
    """Without an input shape, summary() says how to give one."""
    with pytest.raises(ValueError, match="Input"):
        Sequential([Dense(2)]).summary()


def test_get_and_set_weights_round_trip() -> None:
    """set_weights(get_weights()) restores the outputs; shapes and counts are checked."""
    model = _mlp()
    x = np.ones((3, 2), dtype=np.float32)
    saved, out = model.get_weights(), model.predict(x)
    assert [w.shape for w in saved] == [(2, 32), (32,), (32, 32), (32,), (32, 1), (1,)]
    model.set_weights([np.zeros_like(w) for w in saved])
    assert not np.allclose(model.predict(x), out)
    model.set_weights(saved)
    np.testing.assert_array_equal(model.predict(x), out)
    with pytest.raises(ValueError, match="6 weight arrays, got 1"):
        model.set_weights(saved[:1])
    with pytest.raises(ValueError, match=r"dense/kernel has shape \(2, 32\), got \(3, 32\)"):
        model.set_weights([np.zeros((3, 32)), *saved[1:]])


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    """Weights saved to .npz load into a fresh model of the same architecture."""
    model = _mlp(seed=1)
    path = tmp_path / "weights.npz"
    model.save(path)
    fresh = Sequential(
        [Dense(32, activation="tanh"), Dense(32, activation="tanh"), Dense(1, activation="sigmoid")]
    )
    assert fresh.load(path) is fresh and fresh.built
    x = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_array_equal(fresh.predict(x), model.predict(x))
    other = Sequential([Input((2,)), Dense(5)])
    with pytest.raises(ValueError, match="holds weights"):
        other.load(path)


def test_early_stopping_restores_the_best_weights() -> None:
    """When the monitored loss stops improving, training stops and the best weights return."""

    class Recorder(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.weights: list[list[np.ndarray]] = []

        def on_epoch_end(self, epoch: int, logs: object = None) -> None:
            assert self.model is not None
            self.weights.append(self.model.get_weights())

    x, y = spiral(200, 0.05, 7)
    x_val, y_val = spiral(100, 0.05, 8)
    model = _mlp()
    model.compile(SGD(2.0, momentum=0.9), "binary_crossentropy")  # overshoots: val loss wobbles
    recorder = Recorder()
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(
        x,
        y,
        epochs=40,
        batch_size=20,
        validation_data=(x_val, y_val),
        callbacks=[recorder, stopper],
    )
    losses = history.history["val_loss"]
    best = int(np.argmin(losses))
    assert stopper.best_epoch == best and stopper.best_value == pytest.approx(losses[best])
    assert len(losses) < 40 and stopper.stopped_epoch == len(losses) - 1
    assert len(losses) - 1 - best == 2  # patience epochs without improvement
    for restored, kept in zip(model.get_weights(), recorder.weights[best], strict=True):
        np.testing.assert_array_equal(restored, kept)


def test_early_stopping_names_missing_monitor() -> None:
    """Monitoring val_loss without validation data is a clear error."""
    x, y = spiral(20, 0.05, 9)
    with pytest.raises(ValueError, match=r"val_loss.*'accuracy', 'loss'"):
        _mlp().fit(x, y, epochs=2, callbacks=[EarlyStopping()])


def test_input_shape_errors_name_the_layer_and_both_shapes() -> None:
    """Data of the wrong width is rejected by the first layer, naming both shapes."""
    with pytest.raises(ValueError, match=r"'input'.*\(None, 2\).*\(5, 3\)"):
        _mlp().predict(np.zeros((5, 3)))
    model = Sequential([Dense(4), Dense(1)])
    model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"'dense' \(Dense\).*\(None, 3\).*\(2, 7\)"):
        model.predict(np.zeros((2, 7)))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, x, y: m.fit(x, y[:5]), r"20 samples.*has 5"),
        (lambda m, x, y: m.fit(x, y, epochs=-1), "epochs"),
        (lambda m, x, y: m.fit(x, y, validation_split=1.0), "validation_split"),
        (lambda m, x, y: m.compile("adam"), "loss"),
        (lambda m, x, y: m.compile("adamw", "mse"), "valid names"),
        (lambda m, x, y: m.compile("adam", "mse", metrics=["f2"]), "valid names"),
        (lambda m, x, y: Sequential([Dense(1)]).fit(x, y), "not compiled"),
        (lambda m, x, y: Sequential([Dense(1), Input((2,))]), "first layer"),
        (lambda m, x, y: Sequential(dtype="float16"), "dtype"),
        (lambda m, x, y: m.add("dense"), "Layer"),
    ],
)
def test_bad_arguments_raise_value_error(call: object, message: str) -> None:
    """Mismatched data, bad settings and misuse raise ValueError with a useful message."""
    x, y = spiral(20, 0.05, 10)
    with pytest.raises(ValueError, match=message):
        call(_mlp(), x, y)  # type: ignore[operator]


def test_layers_get_unique_names() -> None:
    """Repeated layer types are numbered as in Keras: dense, dense_1, dense_2."""
    model = Sequential([Dense(2), Dense(2), Dense(2)])
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]
