"""Lesson 5.2 (keras_kfold): the folds, the per-fold scores, the parameter counts and the code.

Scores are checked against independent engine runs built here (not with the lesson's helpers),
the mean and spread against NumPy, the encoding against the raw asset codes, and the PyTorch
code the lesson shows is executed where torch is installed.
"""

from __future__ import annotations

import numpy as np
import pytest
from walking import finite_steps

from engine.data.datasets import load_vote
from engine.data.loading import k_fold
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Input
from engine.nn.optimizers import Adam
from lessons.ch5_real_data.keras_kfold import code as cd
from lessons.ch5_real_data.keras_kfold import model as md
from lessons.ch5_real_data.keras_kfold.lesson import KerasKFold
from lessons.core.base import PlotData, Step, TableData, TextData

FAST = {"epochs": 5, "k": 3}  # a quick setting for the runs the tests repeat


def _steps(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(KerasKFold, values)


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    """The lesson with its default controls."""
    return _steps()


@pytest.fixture(scope="module")
def fast() -> list[Step]:
    """The lesson with 3 folds of 5 epochs."""
    return _steps(FAST)


def _seed() -> int:
    return int(np.random.default_rng(KerasKFold.seed).integers(2**31))


@pytest.mark.parametrize("k", range(3, 11))
def test_every_member_is_validated_exactly_once(k: int) -> None:
    """The lesson's folds: disjoint validation parts covering all 435 rows; train = the rest."""
    n = md.votes().size
    pairs = md.splits(md.Settings(k=k, seed=_seed()), n)
    assert len(pairs) == k
    counts = np.bincount(np.concatenate([va for _, va in pairs]), minlength=n)
    assert np.all(counts == 1)
    for tr, va in pairs:
        assert np.intersect1d(tr, va).size == 0
        assert np.array_equal(np.sort(np.concatenate([tr, va])), np.arange(n))
    sizes = [len(va) for _, va in pairs]
    assert max(sizes) - min(sizes) <= 1


def test_encoding_matches_the_asset_codes() -> None:
    """'y' (1) -> +1, 'n' (0) -> -1, '?' (2) -> 0; the '?' share shown is the raw codes'."""
    raw = load_vote().x
    x = md.votes().x
    assert np.array_equal(x[raw == 1], np.ones((raw == 1).sum()))
    assert np.array_equal(x[raw == 0], -np.ones((raw == 0).sum()))
    assert np.array_equal(x[raw == 2], np.zeros((raw == 2).sum()))
    assert md.votes().size == 435 and int((md.votes().y == 1).sum()) == 168


def test_data_step_shows_the_file_rows(steps: list[Step]) -> None:
    """The table's y / n / ? are the first rows' codes; the figures are recomputed."""
    table = steps[0].data["table"]
    assert isinstance(table, TableData)
    raw = load_vote().x
    for i, row in enumerate(table.rows):
        marks = row[2].split()
        assert marks == [{0: "n", 1: "y", 2: "?"}[int(c)] for c in raw[i]]
        assert int(row[3]) == int((raw[i] == 2).sum())
    assert steps[0].figures["missing_share"] == pytest.approx(float((raw == 2).mean()))


def test_parameter_counts(steps: list[Step]) -> None:
    """Summary counts equal n*m + m per layer and the engine's count_params."""
    figs = steps[1].figures
    assert [figs["params_1"], figs["params_2"], figs["params_3"]] == [102, 28, 5]
    assert figs["params"] == 16 * 6 + 6 + 6 * 4 + 4 + 4 * 1 + 1 == 135
    for h1, h2 in ((1, 1), (16, 16), (7, 3)):
        model = md.build(md.Settings(hidden1=h1, hidden2=h2))
        expected = 16 * h1 + h1 + h1 * h2 + h2 + h2 + 1
        assert model.count_params() == expected
        assert sum(w.size for w in model.get_weights()) == expected


def test_untrained_loss_is_recomputed_with_numpy(steps: list[Step]) -> None:
    """The untrained model's cross-entropy, forward pass in float64 NumPy."""
    model = md.build(md.Settings(seed=_seed()), 16, _seed() + 1)
    w = [a.astype(np.float64) for a in model.get_weights()]
    v = md.votes()
    h = np.maximum(v.x @ w[0] + w[1], 0)
    h = np.maximum(h @ w[2] + w[3], 0)
    p = 1 / (1 + np.exp(-(h @ w[4] + w[5])[:, 0]))
    loss = -np.mean(v.y * np.log(p) + (1 - v.y) * np.log(1 - p))
    assert steps[1].figures["untrained_loss"] == pytest.approx(loss, abs=1e-5)


def _independent_fold_scores(k: int, epochs: int, rate: float, seed: int) -> list[float]:
    """Each fold trained afresh, written out here without the lesson's helpers; accuracy
    recomputed with NumPy from the engine's predictions."""
    data = load_vote()
    x = np.select([data.x == 1, data.x == 0], [1.0, -1.0], 0.0).astype(np.float32)
    y = data.y.astype(np.float32)[:, None]
    scores = []
    for i, (tr, va) in enumerate(k_fold(len(x), k, shuffle=True, seed=seed)):
        init = "random_normal"
        model = Sequential(
            [
                Input((16,)),
                Dense(6, activation="relu", kernel_initializer=init),
                Dense(4, activation="relu", kernel_initializer=init),
                Dense(1, activation="sigmoid", kernel_initializer=init),
            ],
            seed=seed + 1 + i,
        )
        model.compile(optimizer=Adam(rate), loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x[tr], y[tr], epochs=epochs, batch_size=32, validation_data=(x[va], y[va]))
        p = model.predict(x[va])[:, 0]
        scores.append(float(np.mean((p > 0.5) == (y[va, 0] == 1))))
    return scores


def test_fold_scores_equal_independent_engine_runs(fast: list[Step]) -> None:
    """Step 4's per-fold scores are what fresh engine models score on their folds."""
    figs = fast[3].figures
    shown = [figs[f"fold{i + 1}_score"] for i in range(FAST["k"])]
    expected = _independent_fold_scores(FAST["k"], FAST["epochs"], 0.01, _seed())
    assert np.allclose(shown, expected, atol=1e-12)
    assert figs["validated_once"] == 1.0
    assert fast[2].figures["fold1_val_acc"] == pytest.approx(expected[0])


def test_mean_and_spread_recomputed_with_numpy(steps: list[Step], fast: list[Step]) -> None:
    """Step 5's mean and standard deviation are NumPy's of step 4's fold scores."""
    for walk, k in ((steps, 5), (fast, FAST["k"])):
        scores = np.array([walk[3].figures[f"fold{i + 1}_score"] for i in range(k)])
        assert walk[4].figures["mean"] == pytest.approx(float(np.mean(scores)), abs=1e-12)
        assert walk[4].figures["std"] == pytest.approx(float(np.std(scores)), abs=1e-12)
        table = walk[4].data["table"]
        assert isinstance(table, TableData)
        assert table.rows[1][1] == f"{100 * np.mean(scores):.1f}%"
        assert table.rows[2][1] == f"{100 * np.std(scores):.1f}%"
    assert steps[4].figures["baseline"] == pytest.approx(267 / 435)


def test_curves_are_solid_training_and_dashed_validation(steps: list[Step]) -> None:
    """Step 3's plot: training solid, validation dashed, the marked epoch the lowest val loss."""
    plot = steps[2].data["plot"]
    assert isinstance(plot, PlotData)
    train, val = plot.series[0], plot.series[1]
    assert (train.style, val.style) == ("line", "dash")
    assert plot.vlines == (float(np.argmin(val.y)),)
    assert steps[2].figures["fold1_best_epoch"] == float(np.argmin(val.y))


def test_code_follows_the_controls() -> None:
    """The Keras and PyTorch code name the current sizes, rate, epochs and k."""
    steps = _steps({**FAST, "hidden1": 9, "hidden2": 2, "rate": 0.003})
    text = steps[0].data["code"]
    assert isinstance(text, TextData)
    flat = text.text.replace("\u00a0", " ")
    for piece in ("Dense(9,", "Dense(2,", "nn.Linear(16, 9)", "nn.Linear(9, 2)", "0.003"):
        assert piece in flat
    fit = steps[2].data["code"]
    assert isinstance(fit, TextData) and "epochs=5" in fit.text.replace("\u00a0", " ")
    kfold = steps[3].data["code"]
    assert isinstance(kfold, TextData) and "KFold(3," in kfold.text.replace("\u00a0", " ")


@pytest.mark.parametrize("sizes", [(6, 4), (1, 1), (16, 16)])
def test_pytorch_code_runs_and_counts_the_same_parameters(sizes: tuple[int, int]) -> None:
    """The PyTorch code shown builds a model with the engine's parameter count, and trains."""
    torch = pytest.importorskip("torch")
    from torch import nn
    from torch.optim import Adam as TorchAdam
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)  # PyTorch's own initialisation and shuffling: fixed, so the test is
    s = md.Settings(hidden1=sizes[0], hidden2=sizes[1], epochs=2)  # deterministic
    engine_model = md.build(s)
    v = md.votes()
    scope: dict[str, object] = {
        "torch": torch,
        "nn": nn,
        "Adam": TorchAdam,
        "DataLoader": DataLoader,
        "TensorDataset": TensorDataset,
        "x_tr": torch.tensor(v.x),
        "y_tr": torch.tensor(v.y.astype(np.float32)[:, None]),
    }
    exec(cd.torch_model(engine_model), scope)
    model = scope["model"]
    assert isinstance(model, nn.Module)
    assert sum(p.numel() for p in model.parameters()) == engine_model.count_params()
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [w.T.shape if w.ndim == 2 else w.shape for w in engine_model.get_weights()]
    exec(cd.torch_fit(s.epochs, md.BATCH), scope)
    with torch.no_grad():
        loss = nn.BCELoss()(model(scope["x_tr"]), scope["y_tr"]).item()
    assert np.isfinite(loss) and loss < np.log(2)


def test_verdicts_follow_the_run() -> None:
    """A tiny learning rate and few epochs: step 3 says the model has not beaten the baseline
    exactly when its validation accuracy is at or below always answering 'democrat'."""
    steps = _steps({"rate": 1e-4, "epochs": 5, "k": 3})
    acc, base = steps[2].figures["fold1_val_acc"], steps[4].figures["baseline"]
    assert ("no better than always" in steps[2].text) == (acc <= base)
    mean, std = steps[4].figures["mean"], steps[4].figures["std"]
    assert ("well above" in steps[4].text) == (mean - std > base)
