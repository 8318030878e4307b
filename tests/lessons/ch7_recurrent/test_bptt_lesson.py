"""Lesson 7.3 (backpropagation through time): every gradient shown is the engine's, agrees with
a plain-NumPy BPTT and with central differences in float64; truncation to k steps gives exactly
k steps a gradient; clipping rescales the length only; verdicts, task and quiz follow the numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from walking import finite_steps

from lessons.ch7_recurrent.bptt import model as m
from lessons.ch7_recurrent.bptt.lesson import Bptt, run_seed, task_result
from lessons.core.base import NumericQuestion, Step, TableData

SEED = run_seed(np.random.default_rng(Bptt.seed), 0)
EPS = 1e-7  # small: at rho = 3 the loss bends sharply (float64 keeps the rounding error ~1e-9)


def _steps(values: dict[str, object] | None = None) -> list[Step]:
    return finite_steps(Bptt, values)


@pytest.fixture(scope="module")
def steps() -> list[Step]:
    return _steps()


def _step(steps: list[Step], title: str) -> Step:
    return next(s for s in steps if s.title.startswith(title))


def _table(step: Step) -> TableData:
    data = step.data["table"]
    assert isinstance(data, TableData)
    return data


# ---- a plain-NumPy RNN, independent of the engine ------------------------------------------


def np_states(w: m.Weights, x: np.ndarray, start: int = 0, h: Any = None) -> np.ndarray:
    """h_t for t = start+1 .. T from h_start (zeros when None): rows (T - start, units)."""
    out, state = [], np.zeros(m.UNITS) if h is None else h
    for t in range(start, len(x)):
        state = np.tanh(x[t] * w.W[0] + state @ w.U + w.b)
        out.append(state)
    return np.array(out)


def np_loss_from(w: m.Weights, x: np.ndarray, every: bool, t: int, h_t: np.ndarray) -> float:
    """The part of the loss that depends on h_t (1-based t), from h_t onward."""
    later = np_states(w, x, t, h_t)
    hs = np.vstack([h_t[None, :], later]) if later.size else h_t[None, :]
    y_hat = hs @ w.v[:, 0] + w.c[0]
    err = (y_hat - x[0]) ** 2
    return float(err.sum() / len(x)) if every else float(err[-1])


def np_bptt(w: m.Weights, x: np.ndarray, every: bool, k: int | None = None) -> np.ndarray:
    """dL/dh_t for every t by the textbook recursion on NumPy states (zero outside the window)."""
    steps = len(x)
    h = np_states(w, x)
    y_hat = h @ w.v[:, 0] + w.c[0]
    out = np.zeros((steps, m.UNITS))
    carry = np.zeros(m.UNITS)
    first = 0 if k is None else max(steps - k, 0)
    for t in range(steps - 1, first - 1, -1):
        direct = np.zeros(m.UNITS)
        if every:
            direct = 2.0 / steps * (y_hat[t] - x[0]) * w.v[:, 0]
        elif t == steps - 1:
            direct = 2.0 * (y_hat[t] - x[0]) * w.v[:, 0]
        out[t] = direct + carry
        carry = (out[t] * (1.0 - h[t] ** 2)) @ w.U.T
    return out


def np_full_loss(w: m.Weights, x: np.ndarray, every: bool) -> float:
    h = np_states(w, x)
    err = (h @ w.v[:, 0] + w.c[0] - x[0]) ** 2
    return float(err.mean()) if every else float(err[-1])


# ---- the gradients -------------------------------------------------------------------------


@pytest.mark.parametrize("every", [False, True])
@pytest.mark.parametrize("rho", [0.6, 3.0])
def test_dl_dh_equals_central_differences_numpy_and_engine(rho: float, every: bool) -> None:
    """dL/dh_t (the lesson's walk) = NumPy BPTT = central differences; norms = the engine's."""
    p = m.cached_run(rho, 30, every, None, SEED)
    w, x = p.weights, p.x
    ref = np_bptt(w, x, every)
    assert np.allclose(p.h[1:], np_states(w, x), rtol=0, atol=1e-12)
    assert p.loss == pytest.approx(np_full_loss(w, x, every), rel=1e-12)
    assert np.allclose(p.dh, ref, rtol=1e-10, atol=1e-14)
    assert np.allclose(p.norms, np.linalg.norm(ref, axis=1), rtol=1e-10, atol=1e-14)
    h = p.h
    for t in (1, 2, 15, 29, 30):
        central = np.empty(m.UNITS)
        for i in range(m.UNITS):
            bump = np.zeros(m.UNITS)
            bump[i] = EPS
            up = np_loss_from(w, x, every, t, h[t] + bump)
            down = np_loss_from(w, x, every, t, h[t] - bump)
            central[i] = (up - down) / (2 * EPS)
        scale = max(1.0, float(np.abs(ref[t - 1]).max()))
        assert np.abs(central - p.dh[t - 1]).max() < 1e-6 * scale


def test_parameter_gradient_norm_equals_central_differences() -> None:
    """||g|| of the clipping step (the engine's five gradients) against central differences."""
    p = m.cached_run(m.CLIP_RHO, 12, False, None, SEED)
    arrays = [a.copy() for a in p.weights.arrays()]
    total = 0.0
    for j, a in enumerate(arrays):
        central = np.empty(a.size)
        for i in range(a.size):
            for sign, slot in ((1, 0), (-1, 1)):
                b = [c.copy() for c in arrays]
                b[j].reshape(-1)[i] += sign * EPS
                value = np_full_loss(m.Weights(*b), p.x, False)
                central[i] = value if slot == 0 else (central[i] - value) / (2 * EPS)
        assert np.allclose(central, p.grads[j].reshape(-1), rtol=1e-5, atol=1e-7)
        total += float(np.sum(central**2))
    assert p.grad_norm == pytest.approx(math.sqrt(total), rel=1e-6)


def test_walk_steps_show_the_engines_numbers(steps: list[Step]) -> None:
    """The tables of the walk hold the engine's norms and the walk's dL/dh_t,1, last step first."""
    p = m.cached_run(0.6, 30, False, None, SEED)
    ref = np.linalg.norm(np_bptt(p.weights, p.x, False), axis=1)
    last, back, whole = steps[1], steps[2], steps[3]
    assert [r[0] for r in _table(last).rows] == [30]
    assert [r[0] for r in _table(back).rows] == [30, 29]
    rows = _table(whole).rows
    assert [r[0] for r in rows] == list(range(30, 0, -1))
    shown = np.array([r[1] for r in rows])[::-1]
    assert np.allclose(shown, p.norms, rtol=0, atol=0)
    assert np.allclose(shown, ref, rtol=1e-10)
    assert np.allclose(np.array([r[2] for r in rows])[::-1], p.dh[:, 0])
    assert whole.figures["ratio"] == pytest.approx(ref[0] / ref[-1], rel=1e-10)
    assert last.figures["norm_T"] == pytest.approx(ref[-1], rel=1e-12)
    assert back.figures["norm_T_minus_1"] == pytest.approx(ref[-2], rel=1e-12)


# ---- truncation ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [1, 5, 10, 29, 30, 60])
def test_truncation_gives_exactly_k_steps_a_gradient(k: int) -> None:
    """bptt_steps=k: the last min(k, T) steps get a non-zero gradient, the others exactly 0."""
    cut = m.cached_run(0.6, 30, False, k, SEED)
    got = min(k, 30)
    assert np.count_nonzero(cut.norms) == got
    assert np.all(cut.norms[30 - got :] > 0)
    ref = np.linalg.norm(np_bptt(cut.weights, cut.x, False, k), axis=1)
    assert np.allclose(cut.norms, ref, rtol=1e-10, atol=0)


def test_truncation_step_counts_what_the_engine_gave(steps: list[Step]) -> None:
    step = _step(steps, "Truncated BPTT")
    assert step.figures["steps_with_gradient"] == 10
    assert sum(r[3] == "yes" for r in _table(step).rows) == 10
    every = _step(_steps({"loss_on": "every step", "k": 7, "length": 25}), "Truncated BPTT")
    assert every.figures["steps_with_gradient"] == 7


# ---- verdicts, clipping, task, quiz --------------------------------------------------------


def test_verdicts_follow_the_ratio_of_norms() -> None:
    for rho, word in ((0.5, "vanishing"), (3.0, "exploding")):
        norms = m.cached_run(rho, 30, False, None, SEED).norms
        v = m.verdict(norms)
        assert v.word == word
        assert v.ratio == pytest.approx(norms[0] / norms[-1])
    assert m.verdict(np.array([1.0, 2.0, 4.0])).word == "stable"
    assert m.verdict(np.array([0.0, 0.05, 1.0])).word == "vanishing"  # the window's first step
    assert m.verdict(np.array([np.inf, 1.0])).word == "overflow"
    assert m.verdict(np.zeros(3)).word == "no gradient"


def test_clipping_keeps_the_direction_and_caps_the_length() -> None:
    clip = 1.0
    tr = m.train(m.CLIP_RHO, 30, False, None, clip, SEED)
    g = m.cached_run(m.CLIP_RHO, 30, False, None, SEED).grad_norm
    assert tr.grad_norms[0] == pytest.approx(g)
    assert tr.scales[0] == pytest.approx(clip / g)
    assert np.all(tr.scales * tr.grad_norms <= clip * (1 + 1e-12))
    assert m.clip_factor(0.5, 1.0) == 1.0  # a small gradient is never scaled up
    plain_gd = m.train(m.CLIP_RHO, 30, False, None, None, SEED)
    assert np.all(plain_gd.scales == 1.0)
    assert plain_gd.losses[-1] > 1e6 * tr.losses[-1]  # unclipped descent blows up here


def test_task_is_done_only_within_ten_times() -> None:
    assert not task_result(0.6, 30, False, SEED).done
    ratios = {
        rho: m.verdict(m.cached_run(rho, 30, False, None, SEED).norms).ratio
        for rho in (1.1, 1.2, 1.3, 1.4)
    }
    inside = [rho for rho, r in ratios.items() if 0.1 <= r <= 10]
    assert inside, ratios  # the task can be solved
    assert task_result(inside[0], 30, False, SEED).done
    assert not task_result(inside[0], 30, True, SEED).done  # only with the loss on the last step


def test_quiz_truncation_answer_agrees_with_the_engine() -> None:
    q = next(q for q in Bptt.quiz if q.id == "truncated_steps")
    assert isinstance(q, NumericQuestion)
    assert np.count_nonzero(m.cached_run(1.0, 30, False, 5, SEED).norms) == q.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    "values",
    [
        {"rho": 10.0, "length": 100, "k": 1, "clip": 0.01},
        {"rho": 0.1, "length": 2, "k": 100, "clip": 100.0, "loss_on": "every step"},
    ],
)
def test_extremes_run_to_the_end_deterministically(values: dict[str, Any]) -> None:
    a, b = _steps(values), _steps(values)
    assert [s.figures for s in a] == [s.figures for s in b]
    assert len(a) == 8
