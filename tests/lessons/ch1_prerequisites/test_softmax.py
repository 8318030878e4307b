"""Lesson 1.3: the numbers it shows are softmax, its loss and gradient, computed correctly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lessons.ch1_prerequisites.softmax.lesson import Softmax
from lessons.core.base import BarData, TableData
from lessons.core.runner import LessonRun


def _figures(**values: object) -> dict[str, float]:
    run = LessonRun(Softmax, values, strict=True)
    merged: dict[str, float] = {}
    for step in run.steps_so_far():
        merged.update(step.figures)
    return merged


def test_probabilities_match_a_direct_softmax_and_sum_to_one() -> None:
    """p_i = exp(z_i) / sum exp(z_j) for the default scores."""
    z = np.array([2.0, 1.0, 0.1])
    expected = np.exp(z) / np.exp(z).sum()
    f = _figures()
    assert f["sum"] == pytest.approx(1.0, abs=1e-12)
    for name, p in zip(("cat", "dog", "bird"), expected, strict=True):
        assert f[f"p_{name}"] == pytest.approx(p, rel=1e-9)
    assert f["winner"] == 0


def test_temperature_divides_the_scores() -> None:
    """At T = 2 the probabilities are softmax(z / 2)."""
    z = np.array([3.0, -1.0])
    f = _figures(scores=(3.0, -1.0), temperature=2.0)
    expected = np.exp(z / 2) / np.exp(z / 2).sum()
    assert f["p_cat"] == pytest.approx(expected[0], rel=1e-9)


def test_two_class_softmax_equals_the_logistic_function() -> None:
    """softmax(a, b)[0] == 1 / (1 + exp(-(a - b)))."""
    f = _figures(scores=(1.5, -0.5, 4.0))
    assert f["softmax2"] == pytest.approx(1 / (1 + math.exp(-2.0)), rel=1e-9)
    assert f["logistic"] == pytest.approx(f["softmax2"], rel=1e-12)


def test_loss_and_gradient_of_the_true_class() -> None:
    """L = -log p_true and dL/dz = (p - y) / T, from the engine's backward pass."""
    z = np.array([0.5, 2.0, -1.0, 0.0])
    t = 1.5
    p = np.exp(z / t) / np.exp(z / t).sum()
    f = _figures(scores=tuple(z), temperature=t, true_class="bird")
    assert f["loss"] == pytest.approx(-math.log(p[2]), rel=1e-9)
    y = np.array([0.0, 0.0, 1.0, 0.0])
    for name, g in zip(("cat", "dog", "bird", "fish"), (p - y) / t, strict=True):
        assert f[f"grad_{name}"] == pytest.approx(g, rel=1e-8, abs=1e-12)


def test_huge_scores_do_not_overflow() -> None:
    """Subtracting the maximum keeps exp finite even for extreme scores and low temperature."""
    run = LessonRun(Softmax, {"scores": (10.0, -10.0, 9.9), "temperature": 0.1}, strict=True)
    for step in run.steps_so_far():
        for data in step.data.values():
            if isinstance(data, BarData):
                assert np.all(np.isfinite(data.values))


def test_true_class_outside_the_classes_falls_back_to_the_first() -> None:
    """Choosing 'truck' with three classes is explained, not a crash."""
    run = LessonRun(Softmax, {"true_class": "truck"}, strict=True)
    texts = " ".join(step.text for step in run.steps_so_far())
    assert "only 3 classes" in texts


def test_table_shows_every_number() -> None:
    """The final table has one row per class with z, p and the gradient filled in."""
    run = LessonRun(Softmax, strict=True)
    table = run.panel_state(run.length - 1 if run.length else 0)["numbers"]
    assert isinstance(table, TableData)
    assert len(table.rows) == 3 and all(cell != "" for cell in table.rows[0])


def test_scores_panel_title_names_what_its_bars_show() -> None:
    """Raw scores, scaled, shifted, then the gradient: the title follows the bars' caption."""
    run = LessonRun(Softmax, strict=True)
    seen: dict[str, str] = {}
    for i in range(run.length or 0):
        bars = run.step_at(i).data.get("scores")
        if isinstance(bars, BarData):
            seen[bars.caption] = run.panel_titles(i)["scores"]
    assert seen["raw scores z"] == "Scores z"
    assert seen["∂L/∂z from backward()"] == "Gradient ∂L/∂z"
    assert seen["z / T − max, all ≤ 0"].startswith("Shifted")


def test_normalise_formula_matches_the_shifted_numbers_it_shows() -> None:
    """Step 5 divides shifted exponentials: the formula has the shift m, with its value."""
    run = LessonRun(Softmax, {"temperature": 2.0}, strict=True)
    step = next(s for s in run.steps_so_far() if s.title == "Add them up and normalise")
    assert "z_i / T - m" in step.text and "m = 1" in step.text  # max score 2 / T = 1
    first = next(s for s in run.steps_so_far() if s.title == "Every class gets a score")
    assert "on the right" in first.text and "left" not in first.text


def test_zoom_in_is_filled_from_the_first_step_without_a_legend() -> None:
    """The zoom panel shows e^x with the classes from step 1; no legend covers its curves."""
    from lessons.core.base import Plot, PlotData

    steps = LessonRun(Softmax, {}, strict=True).steps_so_far()
    assert isinstance(steps[0].data.get("curve"), PlotData)
    spec = next(p for p in Softmax.panels if p.id == "curve")
    assert isinstance(spec, Plot) and not spec.legend


def test_class_colours_follow_the_bars_highlight() -> None:
    """In the temperature plot the highlighted (answer) class has the marked colour, the
    others the bars' blue; every curve is labelled with its class name."""
    from lessons.ch1_prerequisites.softmax import plots as sp
    from lessons.core.base import PlotData

    steps = LessonRun(Softmax, {"scores": (0.5, 2.0, 1.0)}, strict=True).steps_so_far()
    step = next(s for s in steps if s.title.startswith("Temperature"))
    probs = step.data["probs"]
    curve = step.data["curve"]
    assert isinstance(probs, BarData) and isinstance(curve, PlotData)
    assert probs.highlight == 1
    colors = {s.name.lstrip("_"): s.color for s in curve.series}
    assert colors == {"cat": sp.CLASS, "dog": sp.MARKED, "bird": sp.CLASS}
    labelled = " ".join(a.text for a in curve.annotations)
    assert all(name in labelled for name in ("cat", "dog", "bird"))
