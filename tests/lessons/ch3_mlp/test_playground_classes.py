"""The playground with k classes and with the learner's own table (given as ImportedSets)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data.user.csvimport import parse_csv_text
from engine.data.user.table import CsvChoices, UserTable, build_table
from lessons.ch3_mlp.playground.lesson import Playground
from lessons.core.base import NetworkData, PlotData, TableData
from lessons.core.runner import LessonRun
from lessons.core.userdata import NO_IMPORTS, ImportedSets, UserSet
from lessons.markup.mathtext import check_markup


def _yours(entry: UserSet) -> ImportedSets:
    """The learner's sets with ``entry`` as the playground's."""
    return NO_IMPORTS.with_set(entry, playground=True)


def _network(run: LessonRun) -> NetworkData:
    data = run.panel_state()["network"]
    assert isinstance(data, NetworkData)
    return data


def _table(run: LessonRun, panel: str) -> TableData:
    data = run.panel_state()[panel]
    assert isinstance(data, TableData)
    return data


@pytest.mark.slow
def test_three_blobs_are_learned_to_95_percent_with_fixed_seeds() -> None:
    """3-class blobs, default network: >= 95% of the test points right after 40 epochs."""
    run = LessonRun(Playground, {"data": "blobs", "classes": 3}, strict=True)
    run.goto(40)
    figures = run.current.figures
    assert figures["classes"] == 3 and figures["test_accuracy"] >= 0.95, figures
    again = LessonRun(Playground, {"data": "blobs", "classes": 3}, strict=True)
    again.goto(40)
    assert again.current.figures == figures  # same seed, same run


def test_k_classes_get_a_softmax_layer_of_k_neurons_and_two_classes_one_sigmoid() -> None:
    """The output layer has k neurons for k > 2 and one neuron for 2 classes (unchanged)."""
    run = LessonRun(Playground, {"data": "k-arm spiral", "classes": 5}, strict=True)
    assert _network(run).sizes == (2, 4, 4, 5)
    assert _network(run).layers[-1].labels[0] == "p(blue)"
    two = LessonRun(Playground, {"data": "blobs", "classes": 2}, strict=True)
    assert _network(two).sizes == (2, 4, 4, 1)
    circle = LessonRun(Playground, strict=True)
    assert _network(circle).sizes == (2, 4, 4, 1)
    check_markup(run.current.text)
    assert "softmax" in run.current.text.lower() and "cross-entropy" in run.current.text


def test_the_decision_map_holds_each_class_probability_and_the_region_edges() -> None:
    """k > 2: a (48, 48, k) probability map coloured by class, rows summing to one."""
    run = LessonRun(Playground, {"data": "blobs", "classes": 4}, strict=True)
    run.goto(5)
    plot = run.panel_state()["boundary"]
    assert isinstance(plot, PlotData) and plot.image is not None
    assert plot.image.shape == (48, 48, 4) and plot.image_colormap == "classes"
    assert np.allclose(plot.image.sum(axis=-1), 1.0, atol=1e-4)
    edges = plot.series[0]
    assert edges.style == "line" and np.isfinite(edges.x).sum() > 10
    colours = {s.color for s in plot.series[1:]}
    assert colours == {0, 1, 2, 3}  # one palette colour per class
    run.set_control("discretize", True)
    run.next()
    image = run.panel_state()["boundary"].image  # type: ignore[union-attr]
    assert image is not None and set(np.unique(image)) == {0.0, 1.0}


def test_per_class_accuracy_and_the_confusion_matrix_are_computed() -> None:
    """The table's diagonal is correct predictions; rows add up to each class's test points."""
    run = LessonRun(Playground, {"data": "blobs", "classes": 3}, strict=True)
    run.goto(10)
    confusion = _table(run, "confusion")
    counts = np.array([row[1:] for row in confusion.rows], dtype=int)
    assert counts.shape == (3, 3) and counts.sum() == 300
    assert confusion.highlight_cells == ((0, 1), (1, 2), (2, 3))
    accuracy = np.trace(counts) / counts.sum()
    assert run.current.figures["test_accuracy"] == pytest.approx(accuracy)
    numbers = {str(r[0]).strip(" ·"): str(r[1]) for r in _table(run, "numbers").rows}
    assert numbers["blue"] == f"{100 * counts[0, 0] / counts[0].sum():.1f} %"
    assert numbers["Classes"] == "3"


def _user_table(features: int = 2, classes: int = 3, rows: int = 90) -> UserTable:
    rng = np.random.default_rng(5)
    names = [f"f{j}" for j in range(features)]
    lines = [",".join([*names, "kind"])]
    for i in range(rows):
        c = i % classes
        values = rng.normal(3.0 * c, 0.5, features) + 100
        lines.append(",".join([*(f"{v:.3f}" for v in values), f"k{c}"]))
    table = parse_csv_text("\n".join(lines), path=Path("mine.csv"))
    return build_table(table, CsvChoices(tuple(names), "kind"))


def test_your_data_without_an_import_says_how_to_import() -> None:
    """Choosing 'your data' before importing stops with instructions, no error: a one-step
    lesson whose length is known at once ("Step 1 / 1", not "1 / 1+")."""
    run = LessonRun(Playground, {"data": "your data"}, strict=True)
    assert run.current.title == "No data imported yet" and run.current.stop
    assert run.length == 1 and run.at_end
    assert "Import CSV" in run.current.text and not run.next()


def test_an_imported_table_with_two_features_trains_on_the_plane() -> None:
    """Points are placed at 2 x their standardised values; named classes; the file's split."""
    table = _user_table()
    imports = _yours(UserSet("k", "mine", table))
    run = LessonRun(Playground, {"data": "your data"}, strict=True, imports=imports)
    assert run.current.title == "Before training"
    check_markup(run.current.text)
    assert "<b>f0</b>" in run.current.text and "multiplied by 2" in run.current.text
    run.goto(30)
    assert run.current.figures["classes"] == 3
    assert run.current.figures["test_accuracy"] >= 0.9
    plot = run.panel_state()["boundary"]
    assert isinstance(plot, PlotData)
    assert plot.axis_labels == ("x₁: f0", "x₂: f1")
    train_points = sum(len(s.x) for s in plot.series if s.name.startswith("training"))
    assert train_points == len(table.x_train)
    xs = np.concatenate([s.x for s in plot.series if s.style == "scatter"])
    assert abs(float(xs.mean())) < 0.5 and 1.0 < float(xs.std()) < 3.0
    labels = [row[0] for row in _table(run, "confusion").rows]
    assert labels == ["k0 (blue)", "k1 (orange)", "k2 (green)"]


def test_a_table_with_more_features_asks_for_two() -> None:
    """Three features: the playground says it needs exactly two and how to pick them."""
    imports = _yours(UserSet("k", "mine", _user_table(features=3)))
    run = LessonRun(Playground, {"data": "your data"}, strict=True, imports=imports)
    assert run.current.title == "The playground needs two features" and run.current.stop
    assert "<b>f2</b>" in run.current.text and "Use in the playground" in run.current.text


def test_a_vanished_import_is_explained() -> None:
    """An entry whose file could not be read again shows why."""
    imports = _yours(UserSet("k", "gone.csv", None, "the file is no longer there"))
    run = LessonRun(Playground, {"data": "your data"}, strict=True, imports=imports)
    assert "no longer there" in run.current.text and run.current.stop


def test_a_running_lesson_keeps_its_data_until_it_restarts() -> None:
    """A run keeps the sets it started with; new ones given to it apply from its restart."""
    first = _yours(UserSet("a", "a", _user_table(classes=3)))
    run = LessonRun(Playground, {"data": "your data"}, strict=True, imports=first)
    run.goto(3)
    run.imports = first.with_set(UserSet("b", "b", _user_table(classes=2)), playground=True)
    run.next()
    assert run.current.figures["classes"] == 3
    run.restart()
    assert run.current.figures["classes"] == 2


def test_the_same_controls_seed_and_sets_give_the_same_steps() -> None:
    """Two runs with equal inputs agree number for number: no hidden state between them."""
    imports = _yours(UserSet("a", "a", _user_table(classes=3)))
    runs = [
        LessonRun(Playground, {"data": "your data"}, strict=True, imports=imports) for _ in range(2)
    ]
    for run in runs:
        run.goto(5)
    assert runs[0].current.figures == runs[1].current.figures
    assert runs[0].current.text == runs[1].current.text
    other = LessonRun(Playground, {"data": "your data"}, strict=True)  # no sets given
    assert other.current.title == "No data imported yet"


def test_imported_sets_forget_and_replace_without_changing_a_snapshot() -> None:
    """without() also clears the playground's choice; of() keeps only known keys."""
    entry = UserSet("a", "a", _user_table())
    sets = NO_IMPORTS.with_set(entry, playground=True)
    assert sets.for_playground() is entry and NO_IMPORTS.sets == ()
    emptied = sets.without("a")
    assert emptied.for_playground() is None and emptied.sets == ()
    assert sets.sets == (entry,)  # the snapshot a run holds is unchanged
    again = ImportedSets.of([entry], playground="missing")
    assert again.sets == (entry,) and again.playground is None
    replaced = again.with_set(UserSet("a", "b", None, "gone"))
    assert [s.title for s in replaced.sets] == ["b"]
    with pytest.raises(KeyError):
        again.using_in_playground("nope")
