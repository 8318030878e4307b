"""Lesson 4.3 (optimizers): the paths, states and rates shown are the engine's, checked in NumPy.

The references here are written from the published update rules and the surfaces' formulas,
in plain float64 NumPy, without the engine: a shown path must equal the path the rule gives.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from engine.nn.optimizers import Momentum
from lessons.ch4_training.optimizers import quadratic as q
from lessons.ch4_training.optimizers import race as r
from lessons.ch4_training.optimizers.lesson import LONGER, STEPS, Optimizers
from lessons.ch4_training.optimizers.study import TASK_UPDATES, study
from lessons.core.base import MultipleChoice, NumericQuestion, PlotData, Step, TableData
from lessons.core.runner import LessonRun

EPS = 1e-7  # the engine's (Keras's) epsilon for RMSprop and Adam

Grad = Callable[[np.ndarray], np.ndarray]

# The surfaces' gradients written out by hand from their formulas (not the engine's).
GRADS: dict[str, Grad] = {
    "bowl": lambda w: 2 * w,
    "noisy bowl": lambda w: 2 * w,
    "ravine": lambda w: np.array([0.1 * w[0], 4 * w[1]]),
    "Rosenbrock": lambda w: np.array(
        [2 * (w[0] - 1) - 400 * w[0] * (w[1] - w[0] ** 2), 200 * (w[1] - w[0] ** 2)]
    ),
    "saddle": lambda w: np.array([2 * w[0], w[1] ** 3 - w[1]]),
}
LOSSES: dict[str, Callable[[np.ndarray], float]] = {
    "bowl": lambda w: w[0] ** 2 + w[1] ** 2,
    "ravine": lambda w: 0.05 * w[0] ** 2 + 2 * w[1] ** 2,
    "Rosenbrock": lambda w: (w[0] - 1) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2,
    "saddle": lambda w: w[0] ** 2 + w[1] ** 4 / 4 - w[1] ** 2 / 2,
}
DEFAULTS = {c.name: c.initial for c in Optimizers.controls}


def reference(
    key: str, grad: Grad, start: np.ndarray, steps: int, noise: np.ndarray, h: dict[str, float]
) -> np.ndarray:
    """The path of optimizer ``key`` from the published rule (Keras conventions), NumPy only;
    it stops after the first point beyond the race's FAR, as the race does."""
    w = np.array(start, dtype=np.float64)
    v, s, m = np.zeros(2), np.zeros(2), np.zeros(2)
    points = [w.copy()]
    for t in range(1, steps + 1):
        g = grad(w) + noise[t - 1]
        lr = h[f"{key}_rate"]
        if key == "sgd":
            w = w - lr * g
        elif key == "momentum":
            v = h["beta"] * v - lr * g
            w = w + v
        elif key == "nesterov":
            v = h["beta"] * v - lr * g
            w = w + h["beta"] * v - lr * g
        elif key == "rmsprop":
            s = h["rho"] * s + (1 - h["rho"]) * g**2
            w = w - lr * g / (np.sqrt(s) + EPS)
        else:  # adam
            m = h["beta_1"] * m + (1 - h["beta_1"]) * g
            s = h["beta_2"] * s + (1 - h["beta_2"]) * g**2
            m_hat, v_hat = m / (1 - h["beta_1"] ** t), s / (1 - h["beta_2"] ** t)
            w = w - lr * m_hat / (np.sqrt(v_hat) + EPS)
        points.append(w.copy())
        if not (np.all(np.isfinite(w)) and np.max(np.abs(w)) <= r.FAR):
            break
    return np.array(points)


@pytest.fixture(scope="module")
def walk() -> LessonRun:
    """The whole lesson with its default controls."""
    return LessonRun(Optimizers, strict=True)


def _step(run: LessonRun, title_start: str) -> Step:
    return next(s for s in run.steps_so_far() if s.title.startswith(title_start))


def _map_paths(step: Step) -> dict[str, np.ndarray]:
    plot = step.data["map"]
    assert isinstance(plot, PlotData)
    return {s.name: np.column_stack([s.x, s.y]) for s in plot.series if s.style == "line"}


def _noise(sigma: float, steps: int) -> np.ndarray:
    """The lesson's noise draws, made again from its seed."""
    longest = max(STEPS, *LONGER.values())
    draws = np.random.default_rng(Optimizers.seed).standard_normal((longest, 2))
    return sigma * draws[:steps]


def test_shown_paths_equal_the_published_update_rules(walk: LessonRun) -> None:
    """Every optimizer's path on every surface's result map equals its rule run in NumPy."""
    done = 0
    for step in walk.steps_so_far():
        key = next((k for k, c in r.COURSES.items() if step.title.endswith(f"the {c.name}")), None)
        if key is None or "map" not in step.data or not step.title.startswith(("After", "Same")):
            continue
        course = r.COURSES[key]
        steps = LONGER.get(key, STEPS)
        noise = _noise(DEFAULTS["noise"], steps) if course.noisy else np.zeros((steps, 2))
        shown = _map_paths(step)
        for opt in r.KEYS:
            ref = reference(opt, GRADS[key], np.array(course.surface.start), steps, noise, DEFAULTS)
            ref = ref[np.all(np.abs(ref) <= r.FAR, axis=1)]
            np.testing.assert_allclose(shown[r.LABELS[opt]], ref, rtol=1e-9, atol=1e-12)
            done += 1
    assert done == 25


@pytest.mark.parametrize("key", ["ravine", "Rosenbrock", "saddle", "bowl"])
def test_the_engine_gradient_matches_central_differences(key: str) -> None:
    """The gradient every racer received (no noise) is the surface's, to float64 precision."""
    course = r.COURSES[key]
    settings = r.Settings({k: 1e-3 for k in r.KEYS})
    race = r.race_all(course, settings, 5, np.zeros((5, 2)))
    for track in race.tracks.values():
        for w, g in zip(track.points[:-1], track.grads, strict=True):
            h = 1e-6
            num = [(LOSSES[key](w + h * e) - LOSSES[key](w - h * e)) / (2 * h) for e in np.eye(2)]
            np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-6)


def test_state_table_is_what_the_rules_keep(walk: LessonRun) -> None:
    """Update 2's table: velocity, squared-gradient average and Adam's moments (raw and divided
    by 1 − βᵗ) equal the NumPy recomputation of the rules on the ravine."""
    table = _step(walk, "Update 2").data["numbers"]
    assert isinstance(table, TableData)
    rows = {row[0]: row for row in table.rows if row[0]}
    h, g = DEFAULTS, GRADS["ravine"]
    w0 = np.array(r.COURSES["ravine"].surface.start)
    # Momentum's velocity after two updates
    g1 = g(w0)
    v1 = -h["momentum_rate"] * g1
    g2 = g(w0 + v1)
    np.testing.assert_allclose(rows["Momentum"][3], h["beta"] * v1 - h["momentum_rate"] * g2)
    # RMSprop's average
    p1 = w0 - h["rmsprop_rate"] * g1 / (np.sqrt((1 - h["rho"]) * g1**2) + EPS)
    s2 = h["rho"] * (1 - h["rho"]) * g1**2 + (1 - h["rho"]) * g(p1) ** 2
    np.testing.assert_allclose(rows["RMSprop"][3], s2)
    # Adam's first moment, raw and corrected; the next row holds v
    b1, b2 = h["beta_1"], h["beta_2"]
    a1 = w0 - h["adam_rate"] * g1 / (np.abs(g1) + EPS)
    m2 = b1 * (1 - b1) * g1 + (1 - b1) * g(a1)
    v2 = b2 * (1 - b2) * g1**2 + (1 - b2) * g(a1) ** 2
    np.testing.assert_allclose(rows["Adam"][3], m2)
    np.testing.assert_allclose(rows["Adam"][4], m2 / (1 - b1**2))
    adam_v = table.rows[[row[0] for row in table.rows].index("Adam") + 1]
    np.testing.assert_allclose(adam_v[3], v2)
    np.testing.assert_allclose(adam_v[4], v2 / (1 - b2**2))


def test_first_update_figures_follow_from_zero_state(walk: LessonRun) -> None:
    """Update 1: Momentum = SGD = −ηg, Nesterov (1 + β) times that, Adam ≈ η·sign(−g)."""
    f = _step(walk, "Update 1").figures
    g = GRADS["ravine"](np.array(r.COURSES["ravine"].surface.start))
    sgd = -DEFAULTS["sgd_rate"] * g
    assert np.allclose([f["momentum_dw1"], f["momentum_dw2"]], sgd)
    assert np.allclose([f["nesterov_dw1"], f["nesterov_dw2"]], (1 + DEFAULTS["beta"]) * sgd)
    assert np.allclose([f["adam_dw1"], f["adam_dw2"]], -DEFAULTS["adam_rate"] * np.sign(g))
    rms = DEFAULTS["rmsprop_rate"] / math.sqrt(1 - DEFAULTS["rho"])
    assert np.allclose([f["rmsprop_dw1"], f["rmsprop_dw2"]], -rms * np.sign(g))


def _measured(points: np.ndarray) -> float:
    """The decay per update, by a least-squares line through log ‖w_k‖ between 1e-2 and 1e-9
    of the start (an independent reading: no recurrence state, a different window)."""
    e = np.hypot(points[:, 0], points[:, 1])
    k = np.flatnonzero((e < 1e-2 * e[0]) & (e > 1e-9 * e[0]))
    return float(math.exp(np.polyfit(k, np.log(e[k]), 1)[0]))


@pytest.mark.parametrize(("rate", "beta"), [(0.1, 0.9), (0.45, 0.2), (0.5, 0.7)])
def test_rate_map_agrees_with_the_engines_measured_decay(rate: float, beta: float) -> None:
    """The map's spectral radius equals the decay of the engine's Momentum on the quadratic
    (complex roots at two points, real roots at (0.45, 0.2))."""
    rho_map = q.rate_map(q.LAMBDAS)
    i = int(np.argmin(np.abs(q.MAP_RATES - rate)))
    j = int(np.argmin(np.abs(q.MAP_BETAS - beta)))
    assert (q.MAP_RATES[i], q.MAP_BETAS[j]) == pytest.approx((rate, beta), abs=1e-9)
    race = r.run_race(q.TILTED, [("m", Momentum(rate, beta))], 500)
    points = race.tracks["m"].points
    assert _measured(points) == pytest.approx(rho_map[i, j], abs=3e-3)
    assert q.measured_rate(q.offsets(points)) == pytest.approx(rho_map[i, j], abs=3e-3)


def test_spectral_radius_is_the_largest_root_of_the_iteration_matrix() -> None:
    """The closed form used for the map equals the eigenvalues of T, and the map's grid."""
    rng = np.random.default_rng(0)
    for rate, beta, lam in rng.uniform([0, 0, 0.05], [1, 0.999, 5], size=(200, 3)):
        t = np.array([[1 + beta - rate * lam, -beta], [1, 0]])
        expected = float(np.max(np.abs(np.linalg.eigvals(t))))
        assert float(q.radius(rate, beta, lam)) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_the_quadratics_curvature_is_known() -> None:
    """The Hessian measured from the engine's gradients has eigenvalues 0.1 and 4."""
    eig = q.eigen()
    np.testing.assert_allclose(eig.values, [0.1, 4.0], rtol=1e-6)
    np.testing.assert_allclose(np.abs(eig.vectors.T @ q.Q_BUILT), np.eye(2), atol=1e-6)


@pytest.mark.parametrize("rate", [0.01, 0.1, 0.5, 0.9])
def test_critical_damping_from_the_map_matches_theory(rate: float) -> None:
    """β* from the map's row equals max over λ of (1 − √(ηλ))², ρ* = max |1 − √(ηλ)|."""
    d = q.damping(rate, q.LAMBDAS)
    theory = max((1 - math.sqrt(rate * lam)) ** 2 for lam in q.LAMBDAS)
    assert d.beta_map == pytest.approx(theory, abs=1e-3)
    assert d.rho_map == pytest.approx(max(abs(1 - math.sqrt(rate * lam)) for lam in q.LAMBDAS),
                                      abs=1e-4)  # fmt: skip


def test_the_lowest_cell_is_polyaks_optimum(walk: LessonRun) -> None:
    """The map's best cell sits next to η* = 4/(√λ₁+√λ₂)², β* = ((√κ−1)/(√κ+1))²."""
    rho_map = q.rate_map(q.LAMBDAS)
    i, j = np.unravel_index(int(np.argmin(rho_map)), rho_map.shape)
    eta, beta, rho = q.polyak(q.LAMBDAS)
    assert q.MAP_RATES[i] == pytest.approx(eta, abs=0.02)
    assert q.MAP_BETAS[j] == pytest.approx(beta, abs=0.02)
    assert rho_map[i, j] == pytest.approx(rho, abs=0.005)
    assert _step(walk, "The convergence-rate map").figures["rho_best"] == rho_map[i, j]


def test_quiz_answers_agree_with_the_lessons_numbers(walk: LessonRun) -> None:
    """0.81 is the lesson's β*; (0.1, −0.1) its Adam step; Rosenbrock's SGD family diverges."""
    quiz = {question.id: question for question in Optimizers.quiz}
    critical = quiz["critical"]
    assert isinstance(critical, NumericQuestion)
    damping = _step(walk, "Critical damping").figures
    assert critical.answer == pytest.approx(damping["beta_star_map"], abs=critical.tolerance)
    assert critical.answer == pytest.approx(damping["beta_star_theory"], abs=1e-12)
    first = _step(walk, "Update 1").figures
    adam = quiz["adam_first"]
    assert isinstance(adam, MultipleChoice) and "(0.1, −0.1)" in adam.options[adam.answer]
    assert (first["adam_dw1"], first["adam_dw2"]) == pytest.approx((0.1, -0.1), abs=1e-6)
    rosen = _step(walk, "Same settings on the banana")
    table = rosen.data["numbers"]
    assert isinstance(table, TableData)
    verdicts = {row[0]: row[4] for row in table.rows}
    assert all(verdicts[k].startswith("diverged") for k in ("SGD", "Momentum", "Nesterov"))
    assert not any(verdicts[k].startswith("diverged") for k in ("RMSprop", "Adam"))
    lam = np.linalg.eigvalsh(r.curvature(r.COURSES["Rosenbrock"], (-1.2, 1.0)))[-1]
    assert lam > 1000 and 2 / lam < DEFAULTS["sgd_rate"]


def test_task_is_checked_on_the_engine_run(walk: LessonRun) -> None:
    """The default settings miss the task; a good (η, β) from the map meets it."""
    assert walk.task_result is not None and not walk.task_result.done
    good = study(0.1, 0.6, 0.6)
    assert good.task_done
    at = good.shrunk("momentum")
    track = good.race.tracks["momentum"]
    e = np.hypot(track.points[:, 0], track.points[:, 1])
    assert at is not None and at <= TASK_UPDATES
    assert np.all(e[at:] <= 1e-3 * e[0]) and e[at - 1] > 1e-3 * e[0]
    run = LessonRun(Optimizers, {"momentum_rate": 0.6, "beta": 0.6}, strict=True)
    assert run.task_result is not None and run.task_result.done


def test_noise_is_seeded_and_shared_by_all_racers() -> None:
    """On the noisy bowl every racer's gradient minus the true one is the same seeded draw."""
    course = r.COURSES["noisy bowl"]
    noise = _noise(2.0, 30)
    race = r.race_all(course, r.Settings({k: 0.05 for k in r.KEYS}), 30, noise)
    for track in race.tracks.values():
        true = np.array([GRADS["bowl"](w) for w in track.points[:-1]])
        np.testing.assert_allclose(track.grads - true, noise, atol=1e-12)


def test_divergence_is_shown_and_stops_cleanly() -> None:
    """At the largest rates the SGD family leaves the map: marked, stopped, no inf warnings."""
    run = LessonRun(Optimizers, {"surface": "Rosenbrock", "sgd_rate": 1.0, "adam_rate": 1.0},
                    strict=True)  # fmt: skip
    result = _step(run, "After the race")
    table = result.data["numbers"]
    assert isinstance(table, TableData)
    sgd = next(row for row in table.rows if row[0] == "SGD")
    assert sgd[4].startswith("diverged at update") and math.isinf(sgd[1])
    assert "flew off the map" in result.text
