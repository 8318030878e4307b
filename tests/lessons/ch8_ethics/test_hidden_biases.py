"""Lesson 8.2 (hidden biases): per-group rates, the proxy, the mitigation table and the
impossibility of three fairness criteria, each recomputed here in plain NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from walking import finite_steps

from engine.core.tensor import Tensor
from engine.data.datasets import load_credit_g
from engine.data.loading import StandardScaler
from engine.data.synthetic.hiring import make_hiring
from lessons.ch8_ethics.hidden_biases import check as ck
from lessons.ch8_ethics.hidden_biases import criteria as cr
from lessons.ch8_ethics.hidden_biases import model as md
from lessons.ch8_ethics.hidden_biases.lesson import HiddenBiases
from lessons.core.base import Step, TableData

SEED = int(np.random.default_rng(HiddenBiases.seed).integers(2**31))


def _walk(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(HiddenBiases, values)


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return _walk()


@pytest.fixture(scope="module")
def hiring() -> md.Hiring:
    return md.hiring(1.0, 0.8, SEED)


@pytest.fixture(scope="module")
def credit() -> md.Credit:
    return md.credit(SEED)


def _np_rates(truth: np.ndarray, chosen: np.ndarray, group: np.ndarray, g: int) -> dict[str, float]:
    """Selection, TPR, FPR and precision of group g by direct counting."""
    t, c = truth[group == g] == 1, chosen[group == g] == 1
    return {
        "sel": c.sum() / c.size,
        "tpr": (t & c).sum() / t.sum(),
        "fpr": (~t & c).sum() / (~t).sum(),
        "ppv": (t & c).sum() / c.sum() if c.sum() else math.nan,
    }


def test_per_group_rates_equal_direct_counts(steps: list[Step], hiring: md.Hiring) -> None:
    """The model step's selection, TPR and FPR per group are plain counts on the test set."""
    f = steps[1].figures
    chosen = (hiring.full.scores >= 0.5).astype(int)
    for g, side in ((0, "a"), (1, "b")):
        r = _np_rates(hiring.qualified, chosen, hiring.group, g)
        assert f[f"sel_{side}"] == pytest.approx(r["sel"], abs=1e-12)
        assert f[f"tpr_{side}"] == pytest.approx(r["tpr"], abs=1e-12)
        assert f[f"fpr_{side}"] == pytest.approx(r["fpr"], abs=1e-12)
    table = steps[1].data["table"]
    assert isinstance(table, TableData)
    assert (
        table.rows[0][2]
        == f"{100 * _np_rates(hiring.qualified, chosen, hiring.group, 1)['sel']:.1f}%"
    )


def test_model_scores_are_a_logistic_regression(hiring: md.Hiring) -> None:
    """The shown P(hire) is sigmoid(standardised x @ w + b) of the engine's trained weights."""
    data = make_hiring(md.APPLICANTS, bias=1.0, proxy_strength=0.8, seed=SEED, dtype=np.float64)
    cut = round(md.TRAIN_SHARE * md.APPLICANTS)
    x = data.x
    mean, std = x[:cut].mean(0), x[:cut].std(0)
    scaler = StandardScaler().fit(x[:cut])
    model = md.train_logistic(scaler.transform(x[:cut]), data.y[:cut], None, SEED)
    w, b = (np.asarray(a, np.float64) for a in model.get_weights())
    p = 1 / (1 + np.exp(-(((x[cut:] - mean) / std) @ w.ravel() + b[0])))
    np.testing.assert_allclose(p, hiring.full.scores, atol=1e-9)


def test_weighted_loss_gradient_matches_central_differences() -> None:
    """WeightedBCE's gradient (float64) agrees with central differences of its value."""
    rng = np.random.default_rng(0)
    z, y, w = (
        rng.normal(size=(6, 1)),
        rng.integers(0, 2, (6, 1)).astype(float),
        rng.uniform(0.2, 2, 6),
    )
    loss = md.WeightedBCE(w)
    t = Tensor(z.copy(), requires_grad=True)
    loss(y, t).backward()
    assert t.grad is not None

    def value(v: np.ndarray) -> float:
        return float(np.mean(w * (np.maximum(v, 0) - v * y + np.log1p(np.exp(-np.abs(v)))).ravel()))

    num = np.zeros_like(z)
    for i in range(len(z)):
        d = np.zeros_like(z)
        d[i] = 1e-6
        num[i] = (value(z + d) - value(z - d)) / 2e-6
    np.testing.assert_allclose(np.asarray(t.grad), num, atol=1e-8)
    assert float(loss(y, z).data) == pytest.approx(value(z), abs=1e-12)


def test_reweighing_makes_group_and_label_independent(hiring: md.Hiring) -> None:
    """With Kamiran-Calders weights, P_w(y = 1 | g) is the same in both groups."""
    rng = np.random.default_rng(3)
    g, y = rng.integers(0, 2, 500), (rng.random(500) < 0.3).astype(int)
    y[g == 1] = (rng.random((g == 1).sum()) < 0.1).astype(int)
    w = md.reweighing(g, y)
    rate = [np.sum(w * y * (g == k)) / np.sum(w * (g == k)) for k in (0, 1)]
    assert rate[0] == pytest.approx(rate[1], abs=1e-12)
    assert w.sum() == pytest.approx(len(y), abs=1e-9)


def test_proxy_carries_the_group(steps: list[Step], hiring: md.Hiring) -> None:
    """Without the group column the proxy correlates with group and selection still differs;
    with no proxy the gap of the blind model shrinks."""
    f = steps[2].figures
    data = make_hiring(md.APPLICANTS, bias=1.0, proxy_strength=0.8, seed=SEED, dtype=np.float64)
    cut = round(md.TRAIN_SHARE * md.APPLICANTS)
    r = np.corrcoef(data.x[:cut, 3], data.group[:cut])[0, 1]
    assert f["proxy_corr"] == pytest.approx(r, abs=1e-9)
    assert f["proxy_corr"] > 0.7 and f["proxy_weight"] < 0
    chosen = (hiring.blind.scores >= 0.5).astype(int)
    sel = [_np_rates(hiring.qualified, chosen, hiring.group, g)["sel"] for g in (0, 1)]
    assert (f["sel_a"], f["sel_b"]) == pytest.approx(tuple(sel), abs=1e-12)
    assert sel[0] - sel[1] > 0.15  # still selected at different rates
    none = md.hiring(1.0, 0.0, SEED)
    blind0 = (none.blind.scores >= 0.5).astype(int)
    sel0 = [_np_rates(none.qualified, blind0, none.group, g)["sel"] for g in (0, 1)]
    assert abs(sel0[0] - sel0[1]) < 0.5 * (sel[0] - sel[1])


def test_mitigation_table_recomputed(steps: list[Step], hiring: md.Hiring) -> None:
    """Every column of the mitigation table, recomputed by counting; the thresholds cost
    accuracy against the past decisions (quiz question 'cost')."""
    f = steps[4].figures
    data = make_hiring(md.APPLICANTS, bias=1.0, proxy_strength=0.8, seed=SEED, dtype=np.float64)
    cut = round(md.TRAIN_SHARE * md.APPLICANTS)
    for i, s in enumerate((hiring.full, hiring.blind, hiring.reweighed, hiring.thresholds)):
        chosen = (s.scores >= np.where(hiring.group == 1, s.t_b, s.t_a)).astype(int)
        a = _np_rates(hiring.qualified, chosen, hiring.group, 0)
        b = _np_rates(hiring.qualified, chosen, hiring.group, 1)
        ra = _np_rates(hiring.hired, chosen, hiring.group, 0)
        rb = _np_rates(hiring.hired, chosen, hiring.group, 1)
        assert f[f"acc_rec_{i}"] == pytest.approx(np.mean(chosen == hiring.hired), abs=1e-12)
        assert f[f"acc_true_{i}"] == pytest.approx(np.mean(chosen == hiring.qualified), abs=1e-12)
        assert f[f"tpr_gap_{i}"] == pytest.approx(a["tpr"] - b["tpr"], abs=1e-12)
        assert f[f"fpr_gap_{i}"] == pytest.approx(a["fpr"] - b["fpr"], abs=1e-12)
        assert f[f"ppv_gap_{i}"] == pytest.approx(ra["ppv"] - rb["ppv"], abs=1e-12)
        assert f[f"sel_b_{i}"] == pytest.approx(b["sel"], abs=1e-12)
    assert f["acc_rec_3"] < f["acc_rec_1"]  # quiz 'cost': it fell
    assert f["sel_b_2"] > f["sel_b_1"] and f["sel_b_3"] > f["sel_b_1"]
    # the B threshold selects, among B's training applicants, A's training share
    assert data.group[:cut].sum() > 0 and 0.0 < f["t_b"] < 0.5


def _brute(scores: np.ndarray, good: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Criteria holding at every threshold pair, by direct counting."""
    out = np.zeros((3, len(cr.GRID), len(cr.GRID)), bool)
    for i, ta in enumerate(cr.GRID):
        for j, tb in enumerate(cr.GRID):
            chosen = (scores >= np.where(group == 1, tb, ta)).astype(int)
            a, b = (_np_rates(good, chosen, group, g) for g in (0, 1))
            for k, key in enumerate(("sel", "tpr", "ppv")):
                x, y = a[key], b[key]
                if not (np.isfinite(x) and np.isfinite(y)):
                    continue  # undefined: does not hold
                out[k, j, i] = x == y or min(x, y) / max(x, y) >= cr.RATIO
    return out


def test_no_threshold_pair_satisfies_all_three(steps: list[Step], credit: md.Credit) -> None:
    """A grid search over all threshold pairs finds none where the three criteria hold,
    though parity and equal opportunity together hold at some; the map agrees."""
    brute = _brute(credit.without_age, credit.good, credit.group)
    assert not brute.all(axis=0).any()
    two = int((brute[0] & brute[1]).sum())
    assert two > 0
    np.testing.assert_array_equal(brute, cr.grid(credit.without_age, credit.good, credit.group))
    f = steps[5].figures
    assert f["pairs_three"] == 0 and f["pairs_two"] == two
    pa = credit.good[credit.group == 0].mean()
    pb = credit.good[credit.group == 1].mean()
    assert pb / pa / cr.RATIO**2 < cr.RATIO  # the identity rules it out
    assert "0 all three" in steps[5].text


def test_credit_groups_as_described(credit: md.Credit) -> None:
    """Group B is the 149 applicants under 25; no applicant is coded 'female single'."""
    data = load_credit_g()
    age = data.x[:, data.feature_names.index("age")]
    assert int((age < 25).sum()) == 149 == int(credit.group.sum())
    levels = data.categories["personal_status"]
    ps = data.x[:, data.feature_names.index("personal_status")]
    assert int((ps == levels.index("female single")).sum()) == 0
    np.testing.assert_array_equal(credit.good, (data.y == 0).astype(int))


@pytest.mark.parametrize(("t_a", "t_b"), [(1.0, 1.0), (0.0, 0.0), (1.0, 0.0)])
def test_threshold_extremes_never_crash(t_a: float, t_b: float) -> None:
    """Nobody selected: precision undefined, said so; everybody selected: parity holds."""
    steps = _walk({"t_a": t_a, "t_b": t_b})
    text = steps[5].text
    if t_a == t_b == 1.0:
        assert "undefined" in text
        table = steps[5].data["table"]
        assert isinstance(table, TableData) and table.rows[2][2] == "undefined"
    if t_a == t_b == 0.0:
        assert "demographic parity" in text and steps[5].figures["demographic_ratio"] == 1.0


@pytest.mark.parametrize(("bias", "proxy"), [(0.0, 0.0), (2.0, 1.0)])
def test_hiring_extremes_never_crash(bias: float, proxy: float) -> None:
    steps = _walk({"bias": bias, "proxy": proxy})
    assert len(steps) == 7 and all(
        np.isfinite(v) or math.isnan(v) for v in steps[1].figures.values()
    )


def test_task_is_verified(steps: list[Step], credit: md.Credit) -> None:
    """Defaults do not solve the task; a pair from the map's dots with 50-90% approved does;
    approving nobody does not."""
    assert steps[-1].task is not None and not steps[-1].task.done
    holds = cr.grid(credit.without_age, credit.good, credit.group)
    for j, i in zip(*np.nonzero(holds[0] & holds[1]), strict=True):
        k = cr.criteria(credit.without_age, credit.good, credit.group, cr.GRID[i], cr.GRID[j])
        if ck.MIN_APPROVED <= min(k.pair(0)) <= max(k.pair(0)) <= ck.MAX_APPROVED:
            break
    else:
        raise AssertionError("no pair solves the task")
    last = _walk({"t_a": float(cr.GRID[i]), "t_b": float(cr.GRID[j])})[-1]
    assert (
        last.task is not None and last.task.done and "predictive parity fails" in last.task.message
    )


@pytest.mark.parametrize("target", [0.0, 0.1, 0.36, 1.0])
def test_equalising_threshold_selects_the_target_share(target: float) -> None:
    """The per-group threshold lets through exactly round(target * n) of distinct scores."""
    scores = np.random.default_rng(5).random(250)
    t = md.equalising_threshold(scores, target)
    assert int((scores >= t).sum()) == round(target * len(scores))


def test_quiz_agrees_with_the_lesson(steps: list[Step], credit: md.Credit) -> None:
    """Quiz 'impossible': base rates differ and wherever parity and equal opportunity hold,
    group B (lower base rate) has the lower precision where defined; quiz 'proxy' names it."""
    f = steps[3].figures
    assert f["base_a"] > f["base_b"]
    holds = cr.grid(credit.without_age, credit.good, credit.group)
    for j, i in zip(*np.nonzero(holds[0] & holds[1]), strict=True):
        k = cr.criteria(credit.without_age, credit.good, credit.group, cr.GRID[i], cr.GRID[j])
        if k.a.selection_rate > 0 and k.b.selection_rate > 0:  # else precision is undefined
            assert k.b.precision < k.a.precision
    assert "Neighbourhood" in steps[2].text and "proxy carries the group" in steps[2].text
    assert HiddenBiases.quiz[1].answer == 1 and HiddenBiases.quiz[0].answer == 1
