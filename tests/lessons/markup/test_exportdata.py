"""A step's numbers as JSON: every lesson serialises, numbers are exact, NaN/inf survive."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lessons.core.base import (
    Annotation,
    BarData,
    Bars,
    Image,
    ImageData,
    ImageGrid,
    ImageGridData,
    Lesson,
    Network,
    NetworkData,
    NeuronLayer,
    Plot,
    PlotData,
    Series,
    Step,
    Table,
    TableData,
    Text,
    TextData,
    Values,
)
from lessons.core.panels import Graph, GraphData, GraphEdge, GraphNode
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import json_value, panel_data, step_data, to_json, write_json
from lessons.registry import all_lessons, find

TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _reloaded(data: dict[str, Any]) -> Any:
    """The data as a reader of the file sees it (strict JSON: no NaN allowed)."""
    return json.loads(json.dumps(data, allow_nan=False))


def _panel(data: dict[str, Any], panel_id: str) -> Any:
    return next(p for p in data["panels"] if p["id"] == panel_id)


@pytest.mark.parametrize("lesson", all_lessons(), ids=lambda lesson: lesson.id)
def test_every_lessons_first_step_serialises_as_strict_json(lesson: type[Lesson]) -> None:
    """Step 1 of each lesson is strict JSON with one entry per panel, data where it has some."""
    run = LessonRun(lesson)
    data = _reloaded(step_data(run, 0))
    assert data["lesson"]["id"] == lesson.id and data["step"] == 1
    assert data["steps"] == (None if lesson.live else run.length)
    assert [p["id"] for p in data["panels"]] == [spec.id for spec in lesson.panels]
    state = run.panel_state(0)
    assert [p["data"] is not None for p in data["panels"]] == [
        spec.id in state for spec in lesson.panels
    ]


def test_a_later_step_of_a_live_lesson_serialises() -> None:
    """A live lesson computed forward to step 6 exports that step's network and curves."""
    run = LessonRun(find("playground"))
    run.goto(5)
    data = _reloaded(step_data(run))
    assert data["step"] == 6 and data["steps"] is None
    network = next(p["data"] for p in data["panels"] if p["kind"] == "network")
    layer = run.panel_state()[next(p["id"] for p in data["panels"] if p["kind"] == "network")]
    assert isinstance(layer, NetworkData)
    assert network["sizes"] == list(layer.sizes)
    assert network["layers"][1]["weights"] == np.asarray(layer.layers[1].weights).tolist()


def test_tables_and_series_hold_the_exact_numbers_of_the_panels() -> None:
    """Every table cell and series point of gradient descent's step 3 reads back unchanged."""
    run = LessonRun(find("gradient_descent"))
    data = _reloaded(step_data(run, 2))
    tables = series = 0
    for panel_id, shown in run.panel_state(2).items():
        exported = _panel(data, panel_id)["data"]
        if isinstance(shown, TableData):
            tables += 1
            assert exported["headers"] == list(shown.columns)
            assert exported["rows"] == [list(row) for row in shown.rows]
        if isinstance(shown, PlotData):
            for s, out in zip(shown.series, exported["series"], strict=True):
                series += 1
                assert out["name"] == s.name and out["style"] == s.style
                assert out["x"] == np.asarray(s.x).tolist()
                assert out["y"] == np.asarray(s.y).tolist()
    assert tables and series


def test_non_finite_numbers_become_strings() -> None:
    """NaN, inf and -inf are written as "NaN", "Infinity", "-Infinity" wherever they occur."""
    values = np.array([np.nan, np.inf, -np.inf, 1.5])
    assert json_value(values) == ["NaN", "Infinity", "-Infinity", 1.5]
    assert json_value(np.float32("nan")) == "NaN"
    assert json_value((float("inf"), np.float64(-2.0))) == ["Infinity", -2.0]
    table = panel_data(TableData(("loss",), ((float("nan"),), (np.float64("-inf"),))))
    assert table["rows"] == [["NaN"], ["-Infinity"]]
    bars = panel_data(BarData(values, ("a", "b", "c", "d")))
    assert json.dumps(bars, allow_nan=False)  # no bare NaN left anywhere


def test_every_narrative_is_plain_text() -> None:
    """Titles, narratives and notes of every finite lesson's steps carry no markup or `$`."""
    for lesson in all_lessons():
        if lesson.live:
            continue
        run = LessonRun(lesson)
        for number in range(run.length or 0):
            data = step_data(run, number)
            for key in ("title", "narrative", "notes"):
                assert "$" not in data[key] and not TAG.search(data[key]), (lesson.id, number)
        assert data["narrative"]


class _AllKinds(Lesson):
    """One step giving every kind of panel data, with markup and a NaN."""

    id, chapter, number, title = "all_kinds", 0, "0.9", "All kinds"
    panels = (
        Plot("plot"),
        Bars("bars"),
        Image("image"),
        ImageGrid("grid"),
        Table("table"),
        Text("text"),
        Graph("graph"),
        Network("net"),
        Plot("empty"),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        layers = (
            NeuronLayer("in", 2, labels=("x1", "x2")),
            NeuronLayer(
                "out",
                1,
                heatmaps=np.zeros((1, 2, 3)),
                weights=np.array([[0.5], [-0.25]]),
                biases=np.array([0.125]),
            ),
        )
        yield Step(
            "The <b>first</b> step",
            "Loss is $L = \\frac{1}{2}(y - t)^2$ here.",
            {
                "plot": PlotData(
                    (Series("loss", np.arange(3.0), np.array([1.0, np.nan, 0.5]), "dash"),),
                    (Annotation(1.0, 2.0, "min"),),
                    image=np.eye(2),
                    image_rect=(0.0, 0.0, 1.0, 1.0),
                ),
                "bars": BarData(np.array([0.25, 0.75]), ("a", "b"), highlight=1),
                "image": ImageData(np.arange(6.0).reshape(2, 3), row_labels=("r0", "r1")),
                "grid": ImageGridData(np.zeros((2, 2, 2), dtype=np.uint8), ("zero", "one")),
                "table": TableData(("name", "value"), (("w", np.float32(0.5)), ("ok", True))),
                "text": TextData("<p>Sum: $a + b$</p>"),
                "graph": GraphData(
                    (GraphNode("a", "input", "a", "1.00"), GraphNode("b", "mul", "b")),
                    (GraphEdge("a", "b", "×2", lit=True),),
                ),
                "net": NetworkData(layers, selected=(1, 0)),
            },
            figures={"loss": np.float64(0.5)},
            notes="More on <i>this</i>.",
        )


def test_every_panel_data_type_is_written_as_named_fields() -> None:
    """Plot, bars, image, grid, table, text, graph and network data become readable fields."""
    data = _reloaded(step_data(LessonRun(_AllKinds, strict=True)))
    assert data["title"] == "The first step" and data["notes"] == "More on this."
    assert data["narrative"] == "Loss is L = 1/2 (y − t)² here."
    assert data["figures"] == {"loss": 0.5}
    kinds = {p["id"]: p["kind"] for p in data["panels"]}
    assert kinds["grid"] == "image_grid" and kinds["net"] == "network"
    plot = _panel(data, "plot")["data"]
    assert plot["series"][0] == {
        "name": "loss",
        "style": "dash",
        "x": [0.0, 1.0, 2.0],
        "y": [1.0, "NaN", 0.5],
        "labels": [],
    }
    assert plot["annotations"] == [{"x": 1.0, "y": 2.0, "text": "min"}]
    assert plot["background"]["image"] == [[1.0, 0.0], [0.0, 1.0]]
    assert _panel(data, "bars")["data"]["values"] == [0.25, 0.75]
    assert _panel(data, "image")["data"]["image"] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert _panel(data, "grid")["data"]["images"] == [[[0, 0], [0, 0]]] * 2
    assert _panel(data, "table")["data"]["rows"] == [["w", 0.5], ["ok", True]]
    assert _panel(data, "text")["data"] == {"text": "Sum: a + b"}
    graph = _panel(data, "graph")["data"]
    assert graph["nodes"][0]["value"] == "1.00" and graph["edges"][0]["lit"] is True
    net = _panel(data, "net")["data"]
    assert net["layers"][1]["weights"] == [[0.5], [-0.25]] and net["layers"][1]["biases"] == [0.125]
    assert net["layers"][0]["labels"] == ["x1", "x2"] and net["selected"] == [1, 0]
    assert _panel(data, "empty")["data"] is None


def test_written_file_reads_back_with_one_line_per_row(tmp_path: Path) -> None:
    """write_json writes UTF-8 JSON equal to the data, each row of numbers on one line."""
    data = step_data(LessonRun(find("softmax")), 3)
    out = tmp_path / "step.json"
    write_json(data, out)
    text = out.read_text(encoding="utf-8")
    assert json.loads(text) == _reloaded(data) and text == to_json(data) + "\n"
    table = next(p["data"] for p in _reloaded(data)["panels"] if p["kind"] == "table")
    for row in table["rows"]:
        assert json.dumps(row, ensure_ascii=False, separators=(", ", ": ")) in text
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
