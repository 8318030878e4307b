"""Lesson 4.7 (loss landscapes): every shown loss is the network's loss at those weights.

The slices, the line, the projected path and the sharpness numbers are recomputed here with a
plain NumPy forward pass (float64) and, where it says so, with the engine model itself; the
verdicts are checked against the numbers they are built from.
"""

from __future__ import annotations

import numpy as np
import pytest

from lessons.ch4_training.loss_landscapes import model as m
from lessons.ch4_training.loss_landscapes import slices as sl
from lessons.ch4_training.loss_landscapes import texts
from lessons.ch4_training.loss_landscapes.lesson import LossLandscapes
from lessons.core.base import MultipleChoice, PlotData, Step, TableData
from lessons.core.panels import Surface3DData
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import step_data

Weights = list[np.ndarray]


def numpy_loss(weights: Weights, x: np.ndarray, y: np.ndarray) -> float:
    """Binary cross-entropy of the 2-16-16-1 tanh network, in float64, without the engine."""
    w = [np.asarray(a, dtype=np.float64) for a in weights]
    h = np.tanh(np.asarray(x, np.float64) @ w[0] + w[1])
    h = np.tanh(h @ w[2] + w[3])
    z = h @ w[4] + w[5]
    t = np.asarray(y, np.float64)
    return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))


def numpy_direction(weights: Weights, rng: np.random.Generator) -> Weights:
    """Li et al.'s filter-normalised direction, written out again: kernel columns scaled."""
    out = []
    for w in weights:
        if w.ndim == 1:
            out.append(np.zeros_like(w, dtype=np.float64))
            continue
        d = rng.standard_normal(w.shape)
        d *= np.linalg.norm(w, axis=0) / np.linalg.norm(d, axis=0)
        out.append(d)
    return out


def moved(base: Weights, *terms: tuple[float, Weights]) -> Weights:
    return [np.asarray(b, np.float64) + sum(c * d[i] for c, d in terms) for i, b in enumerate(base)]


@pytest.fixture(scope="module")
def run() -> LessonRun:
    """The lesson with its default controls (finite: every step computed)."""
    return LessonRun(LossLandscapes, strict=True)


@pytest.fixture(scope="module")
def ex() -> m.Experiment:
    """The training runs the default lesson shows, from the lesson's own seed."""
    rng = np.random.default_rng(LossLandscapes.seed)
    data_seed, model_seed = (int(v) for v in rng.integers(2**31, size=2))
    return m.experiment(data_seed, model_seed, int(LossLandscapes.controls[0].default))


def _step(run: LessonRun, title: str) -> tuple[int, Step]:
    for i, step in enumerate(run.steps_so_far()):
        if step.title == title:
            return i, step
    raise AssertionError(f"no step {title!r}")


def test_steps_are_the_planned_seven(run: LessonRun) -> None:
    """Seven steps, each with its own title and figures."""
    titles = [s.title for s in run.steps_so_far()]
    assert len(titles) == 7 and len(set(titles)) == 7
    assert run.length == 7


def test_grid_equals_engine_and_numpy_losses_at_sampled_points(
    run: LessonRun, ex: m.Experiment
) -> None:
    """The 3-D surface's heights are the loss at theta_1 + a d1 + b d2: engine model and NumPy."""
    i, _ = _step(run, "The loss around the trained weights")
    surface = run.panel_state(i)["surface"]
    assert isinstance(surface, Surface3DData)
    rng = np.random.default_rng(int(LossLandscapes.controls[3].default))  # the direction seed
    d1 = numpy_direction(ex.small.final, rng)
    d2 = numpy_direction(ex.small.final, rng)
    model = m.new_model(0)
    data = ex.data
    picks = np.random.default_rng(1).integers(0, len(surface.x), size=(6, 2))
    for ix, iy in [(len(surface.x) // 2, len(surface.y) // 2), *map(tuple, picks)]:
        a, b = float(surface.x[ix]), float(surface.y[iy])
        weights = moved(ex.small.final, (a, d1), (b, d2))
        model.set_weights(weights)
        engine = model.evaluate(data.x_train, data.y_train)["loss"]
        assert surface.z[iy, ix] == pytest.approx(engine, rel=1e-5, abs=1e-6)
        plain = numpy_loss(weights, data.x_train, data.y_train)
        assert surface.z[iy, ix] == pytest.approx(plain, rel=1e-4, abs=1e-5)
    assert surface.marker is not None
    assert surface.marker[2] == pytest.approx(ex.small.end.train, rel=1e-5)


def test_directions_are_filter_normalised(ex: m.Experiment) -> None:
    """Every filter (kernel column) of each direction has the length of the weights' filter."""
    for seed in (0, 3):
        directions = sl.sharpness_directions(ex.small.final, seed)
        for direction in directions:
            for w, d in zip(ex.small.final, direction, strict=True):
                if w.ndim == 1:
                    assert not np.any(d), "biases are not moved"
                    continue
                np.testing.assert_allclose(
                    np.linalg.norm(d, axis=0), np.linalg.norm(w.astype(np.float64), axis=0)
                )
        # the map's two directions are the first two of the sharpness slices
        data = ex.data
        plane = sl.random_slice(m.new_model(0), data, ex.small.final, seed, 1.0, 5)
        for k in range(2):
            for a, b in zip(plane.directions[k], directions[k], strict=True):
                np.testing.assert_array_equal(a, b)


def test_filter_table_shows_equal_lengths(run: LessonRun, ex: m.Experiment) -> None:
    """The filter-length table's three columns agree to the digits shown."""
    i, _ = _step(run, "Directions scaled filter by filter")
    table = run.panel_state(i)["numbers"]
    assert isinstance(table, TableData)
    for row in table.rows:
        assert row[2] == row[3] == row[4]
        layer, unit = int(row[0]), int(row[1])
        expect = np.linalg.norm(ex.small.final[2 * (layer - 1)][:, unit - 1])
        assert float(row[2].replace("−", "-")) == pytest.approx(expect, rel=1e-3)


def test_interpolation_equals_numpy(run: LessonRun, ex: m.Experiment) -> None:
    """The line theta(a) = (1 - a) theta_0 + a theta_1: training and validation loss."""
    i, step = _step(run, "From the initial to the trained weights")
    curves = run.panel_state(i)["curves"]
    assert isinstance(curves, PlotData)
    series = {s.name: s for s in curves.series}
    a = series["training"].x
    assert a[0] == pytest.approx(-0.5) and a[-1] == pytest.approx(1.5)
    for k in (0, 10, 20, 30, 40):
        weights = [
            (1 - a[k]) * np.asarray(w0, np.float64) + a[k] * np.asarray(w1, np.float64)
            for w0, w1 in zip(ex.small.initial, ex.small.final, strict=True)
        ]
        data = ex.data
        expect_t = numpy_loss(weights, data.x_train, data.y_train)
        expect_v = numpy_loss(weights, data.x_val, data.y_val)
        assert series["training"].y[k] == pytest.approx(expect_t, rel=1e-4)
        assert series["validation"].y[k] == pytest.approx(expect_v, rel=1e-4)
    best = int(np.argmin(series["validation"].y))
    assert step.figures["line_val_min_at"] == pytest.approx(a[best])
    seg = series["training"].y[(a >= -1e-9) & (a <= 1 + 1e-9)]
    assert step.figures["line_bump"] == pytest.approx(max(0.0, float(np.max(np.diff(seg)))))


def test_path_projection_is_least_squares(ex: m.Experiment) -> None:
    """Coordinates solve the normal equations; the shares are recomputed; PCA keeps the most."""
    s = ex.small
    rng = np.random.default_rng(0)
    dirs = (numpy_direction(s.final, rng), numpy_direction(s.final, rng))
    proj = sl.project(s.path, s.final, dirs)
    basis = np.stack([m.flat(dirs[0]), m.flat(dirs[1])], axis=1)
    offsets = np.stack([m.flat(w) - m.flat(s.final) for w in s.path])
    for t in (0, 5, 17):
        residual = offsets[t] - basis @ proj.coords[t]
        np.testing.assert_allclose(basis.T @ residual, 0.0, atol=1e-8 * np.abs(offsets).max())
    kept = (basis @ proj.coords.T).T
    assert proj.total == pytest.approx(np.sum(kept**2) / np.sum(offsets**2))
    assert np.isnan(proj.captured[-1])  # the trained weights themselves: no step to keep
    pca = sl.project(s.path, s.final, sl.path_plane(s.path, s.final))
    singular = np.linalg.svd(offsets, compute_uv=False)
    assert pca.total == pytest.approx(np.sum(singular[:2] ** 2) / np.sum(singular**2))
    assert pca.total > 0.9 > 0.1 > proj.total
    assert pca.coords[0, 0] > 0 and pca.coords[0, 1] > 0  # the start, by the sign convention


def test_path_step_shows_real_losses_and_plane_losses(run: LessonRun, ex: m.Experiment) -> None:
    """The 3-D path's heights are the real training losses; the plane's match the grid's."""
    i, step = _step(run, "A plane that holds the path")
    surface = run.panel_state(i)["surface"]
    assert isinstance(surface, Surface3DData) and surface.path is not None
    data = ex.data
    for t in (0, 10, len(ex.small.path) - 1):
        assert surface.path[t, 2] == pytest.approx(
            numpy_loss(ex.small.path[t], data.x_train, data.y_train), rel=1e-4
        )
    curves = run.panel_state(i)["curves"]
    assert isinstance(curves, PlotData)
    plane = {s.name: s for s in curves.series}["plane's loss below"]
    dirs = sl.path_plane(ex.small.path, ex.small.final)
    for t in (0, 12):
        a, b = surface.path[t, :2]
        weights = moved(ex.small.final, (a, dirs[0]), (b, dirs[1]))
        assert plane.y[t] == pytest.approx(
            numpy_loss(weights, data.x_train, data.y_train), rel=1e-4
        )
    gap = float(np.max(np.abs(plane.y - surface.path[:, 2])))
    assert step.figures["pca_mismatch"] == pytest.approx(gap, rel=1e-6)


def test_sharpness_rise_recomputed_with_numpy(run: LessonRun, ex: m.Experiment) -> None:
    """The rise at distance 0.5, averaged over both sides and four directions, both runs."""
    _, step = _step(run, "Small batches, large batches")
    data = ex.data
    for key, weights in (("rise_small", ex.small.final), ("rise_large", ex.large.final)):
        rng = np.random.default_rng(int(LossLandscapes.controls[3].default))
        rises = []
        for _ in range(sl.SHARPNESS_DIRECTIONS):
            d = numpy_direction(weights, rng)
            centre = numpy_loss(weights, data.x_train, data.y_train)
            sides = [
                numpy_loss(moved(weights, (r, d)), data.x_train, data.y_train)
                for r in (-sl.RADIUS, sl.RADIUS)
            ]
            rises.append(np.mean(sides) - centre)
        assert step.figures[key] == pytest.approx(float(np.mean(rises)), rel=1e-4, abs=1e-5)
    verdict = texts.compare(step.figures["rise_large"], step.figures["rise_small"])
    assert step.figures["sharper"] == verdict
    assert texts.sharp_word(verdict) in step.text


def test_large_batch_is_stopped_at_the_small_batch_depth(ex: m.Experiment) -> None:
    """The matched weights are the first whose full-batch loss reached the target."""
    lb, target = ex.large, ex.small.end.train
    assert lb.matched is not None and lb.matched_scores is not None
    k = lb.matched_update
    assert lb.losses[k] <= target < np.min(lb.losses[:k])
    data = ex.data
    assert numpy_loss(lb.matched, data.x_train, data.y_train) == pytest.approx(
        lb.losses[k], rel=1e-4
    )
    assert lb.updates == ex.small.updates == m.EPOCHS * int(np.ceil(data.n_train / ex.small.batch))


def test_training_is_deterministic_and_read_only_when_cached(ex: m.Experiment) -> None:
    """Training again from the same seeds gives the same weights; the cache cannot be changed."""
    again = m.train_small_batch(m.new_model(_model_seed()), ex.data, ex.small.batch, epochs=3)
    for a, b in zip(again.path[3], ex.small.path[3], strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        ex.small.final[0][0, 0] = 1.0


def _model_seed() -> int:
    rng = np.random.default_rng(LossLandscapes.seed)
    return int(rng.integers(2**31, size=2)[1])


def test_compare_and_bumps() -> None:
    """Within 20% (or 0.025) is "about the same"; a bump is the largest rise between points."""
    assert texts.compare(1.0, 0.85) == 0
    assert texts.compare(1.0, 0.7) == 1 and texts.compare(0.7, 1.0) == -1
    assert texts.compare(0.02, 0.0) == 0  # both tiny: noise
    assert texts.bumps(np.array([3.0, 2.0, 1.0])) == 0.0
    assert texts.bumps(np.array([3.0, 2.0, 2.5, 1.0])) == pytest.approx(0.5)


def _fake(rise: float) -> sl.Sharpness:
    """A slice whose rise at distance 0.5 is ``rise`` (a parabola through the minimum)."""
    a = sl.SLICE_ALPHAS
    curve = 0.1 + rise * (a / sl.RADIUS) ** 2
    return sl.Sharpness(a, np.array([curve]), np.array([curve + 0.1]))


def test_batch_verdicts_for_every_outcome(ex: m.Experiment) -> None:
    """Flatter, sharper, about the same: the sentence follows the numbers."""
    text, fig = texts.batches(ex, _fake(0.3), _fake(0.2))
    assert "<b>flatter</b>" in text and "does not show the textbook picture" in text
    assert fig["sharper"] == -1
    text, fig = texts.batches(ex, _fake(0.3), _fake(0.31))
    assert "<b>about as sharp</b>" in text and fig["sharper"] == 0
    text, _ = texts.batches(ex, _fake(0.2), _fake(0.6))
    assert "<b>sharper</b>" in text


def test_matched_verdicts(ex: m.Experiment) -> None:
    """Alike at equal depth, still sharper, no difference at all, or no equal depth at all."""
    small = _fake(0.25)
    text, fig = texts.matched(ex, small, _fake(0.8), _fake(0.9))
    assert "Even at equal depth it is sharper" in text and fig["sharper_matched"] == 1
    text, _ = texts.matched(ex, small, _fake(0.8), None)
    assert "never got down" in text
    for rise, word in ((0.26, "about as sharp"), (0.1, "flatter")):
        text, fig = texts.matched(ex, small, _fake(0.8), _fake(rise))
        assert fig["sharper_matched"] == (0 if word == "about as sharp" else -1)
        assert f"it is {word}" in text and "came from training further" in text
        # when the end of the large-batch run was not sharper, nothing "came from" anywhere
        text, _ = texts.matched(ex, small, _fake(0.26), _fake(rise))
        assert "came from" not in text and "no clear difference" in text


def test_default_run_tells_the_textbook_story_and_its_caveat(run: LessonRun) -> None:
    """Default controls: the large batch is sharper with a wider gap; at equal depth, alike."""
    _, batch = _step(run, "Small batches, large batches")
    _, same = _step(run, "Same depth, same sharpness?")
    assert batch.figures["sharper"] == 1 and "textbook picture" in batch.text
    assert batch.figures["gap_large"] > batch.figures["gap_small"]
    assert same.figures["sharper_matched"] <= 0 and "came from training further" in same.text
    assert same.figures["rise_matched"] < batch.figures["rise_large"]
    # the quiz's third answer is the comparison this step makes
    depth = LossLandscapes.quiz[2]
    assert isinstance(depth, MultipleChoice)
    assert "same training loss" in depth.options[depth.answer]


def test_view_controls_reuse_training_and_change_the_grid() -> None:
    """A finer grid or a wider slice recomputes the slices, never the training."""
    coarse = LessonRun(LossLandscapes, {"resolution": 9, "extent": 2.0}, strict=True)
    step = coarse.steps_so_far()[0]
    surface = coarse.panel_state(0)["surface"]
    assert isinstance(surface, Surface3DData)
    assert surface.z.shape == (9, 9) and surface.x[-1] == pytest.approx(2.0)
    default = LessonRun(LossLandscapes, strict=True).steps_so_far()[0]
    assert step.figures["train_loss"] == default.figures["train_loss"]
    assert step.figures["center_loss"] == pytest.approx(default.figures["center_loss"], rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("values", [{"batch": 10}, {"batch": 75}, {"directions": 9}])
def test_control_extremes_walk_every_step(values: dict[str, object]) -> None:
    """The smallest and largest batch and another seed: all seven steps, verdicts consistent."""
    run = LessonRun(LossLandscapes, values, strict=True)
    assert run.length == 7 and run.error is None
    last = run.steps_so_far()[-1]
    if last.figures["matched_update"] == 0:
        assert "never got down" in last.text


def test_export_holds_the_surface_and_path(run: LessonRun) -> None:
    """--export-data writes the 3-D panel's arrays as lists: z rows are y."""
    i, _ = _step(run, "A plane that holds the path")
    data = step_data(run, i)
    panel = next(p for p in data["panels"] if p["id"] == "surface")
    assert panel["kind"] == "surface_3d"
    body = panel["data"]
    assert len(body["z"]) == len(body["y"]) and len(body["z"][0]) == len(body["x"])
    assert len(body["path"]) == m.EPOCHS + 1 and all(len(p) == 3 for p in body["path"])
    surface = run.panel_state(i)["surface"]
    assert isinstance(surface, Surface3DData)
    assert body["z"][3][5] == float(surface.z[3, 5])
