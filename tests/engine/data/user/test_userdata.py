"""A learner's table: defaults, split, standardisation, and a message for each unfit choice."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.data.user.csvimport import DataImportError, Problem, parse_csv_text
from engine.data.user.table import (
    MAX_CLASSES,
    MAX_ROWS,
    CsvChoices,
    build_table,
    default_choices,
    split_stratified,
)


def _table(rows: int = 40, classes: int = 2, missing: int = 0, label_missing: int = 0) -> str:
    rng = np.random.default_rng(0)
    lines = ["x,y,colour,label"]
    for i in range(rows):
        x = "" if i < missing else f"{rng.normal(10, 3):.3f}"
        label = "" if i >= rows - label_missing else f"c{i % classes}"
        lines.append(f"{x},{rng.normal(-5, 0.5):.3f},{'red' if i % 3 else 'blue'},{label}")
    return "\n".join(lines) + "\n"


def test_defaults_take_the_last_column_as_label_and_the_numeric_ones_as_features() -> None:
    """The text column is left out; the label's classes are sorted names."""
    table = parse_csv_text(_table(40, 3))
    choices = default_choices(table)
    assert choices.label == "label" and choices.features == ("x", "y")
    built = build_table(table, choices)
    assert built.class_names == ("c0", "c1", "c2")
    assert built.x_train.dtype == np.float32 and built.y_train.dtype == np.int64
    assert built.rows == 40 and built.tabular().x.shape == (40, 2)


def test_the_split_is_stratified_seeded_and_the_share_asked_for() -> None:
    """Each class gives a quarter of its rows to test; the same seed gives the same split."""
    table = parse_csv_text(_table(40, 2))
    built = build_table(table, default_choices(table))
    assert len(built.x_test) == 10 and len(built.x_train) == 30
    assert np.bincount(built.y_test).tolist() == [5, 5]
    again = build_table(table, default_choices(table))
    assert np.array_equal(built.x_train, again.x_train)
    other = build_table(table, replace(default_choices(table), seed=1, test_share=0.5))
    assert len(other.x_test) == 20 and not np.array_equal(built.x_train, other.x_train[:30])


def test_standardising_uses_the_training_rows_only() -> None:
    """Training features get mean 0 and std 1; the statistics are the training rows'."""
    table = parse_csv_text(_table(60, 2))
    built = build_table(table, default_choices(table))
    assert np.allclose(built.x_train.mean(axis=0), 0.0, atol=1e-5)
    assert np.allclose(built.x_train.std(axis=0), 1.0, atol=1e-4)
    assert built.mean is not None and abs(built.mean[0] - 10) < 2
    raw = build_table(table, replace(default_choices(table), standardise=False))
    assert raw.mean is None and abs(float(raw.x_train[:, 1].mean()) + 5) < 0.5
    assert "Standardised" in built.describe() and "Standardised" not in raw.describe()


def test_numeric_labels_are_classes_sorted_as_numbers() -> None:
    """Labels 10, 2, 1 become classes '1', '2', '10' (1 and 1.0 are the same class)."""
    text = "a,b,y\n" + "".join(f"{i},{i * 2},{[1, 2, 10, 1.0][i % 4]}\n" for i in range(20))
    built = build_table(parse_csv_text(text), CsvChoices(("a", "b"), "y"))
    assert built.class_names == ("1", "2", "10")


def test_choices_survive_a_round_trip_through_json() -> None:
    """What the settings store gives back equals what was chosen; bad records are refused."""
    choices = CsvChoices(("a", "b"), "y", False, 0.3, "fill", True, 7)
    assert CsvChoices.from_json(choices.to_json()) == choices
    with pytest.raises(ValueError):
        CsvChoices.from_json({"features": "a", "label": "y"})


def _problem(text: str, choices: CsvChoices | None = None) -> DataImportError:
    table = parse_csv_text(text)
    with pytest.raises(DataImportError) as caught:
        build_table(table, choices or default_choices(table))
    assert "\n" not in str(caught.value)
    return caught.value


def test_a_text_feature_is_refused_with_an_example_value() -> None:
    """Choosing the colour column as a feature says it holds text and shows a value."""
    err = _problem(_table(), CsvChoices(("x", "colour"), "label"))
    assert err.problem is Problem.NOT_NUMERIC and "'colour'" in str(err) and "'blue'" in str(err)


def test_missing_values_are_counted_then_dropped_or_filled() -> None:
    """3 gaps in x and 2 missing labels: 5 rows; drop removes them, fill uses the mean."""
    text = _table(40, 2, missing=3, label_missing=2)
    err = _problem(text)
    assert err.problem is Problem.MISSING and err.count == 5
    assert "5 values are missing, in 5 rows" in str(err) and "'x' 3" in str(err)
    table = parse_csv_text(text)
    dropped = build_table(table, replace(default_choices(table), missing="drop"))
    assert dropped.rows == 35 and "Dropped 5 rows" in dropped.describe()
    filled = build_table(table, replace(default_choices(table), missing="fill", standardise=False))
    assert filled.rows == 38  # rows without a label cannot be filled
    x = table.numbers["x"][:38]
    mean = float(np.nanmean(x))
    assert np.sum(np.isclose(filled.tabular().x[:, 0], mean, atol=1e-4)) == 3
    assert "Filled 3 missing values" in filled.describe()


def test_one_class_only_is_refused() -> None:
    """A label with one value cannot train a classifier."""
    err = _problem("a,b,y\n" + "1,2,yes\n" * 12)
    assert err.problem is Problem.ONE_CLASS and "'yes'" in str(err)


def test_a_label_with_hundreds_of_values_is_refused() -> None:
    """A measurement chosen as the label: the message gives the count and the limit."""
    text = "a,price\n" + "".join(f"{i},{100 + i * 3.5}\n" for i in range(300))
    err = _problem(text)
    assert err.problem is Problem.TOO_MANY_CLASSES and err.count == 300
    assert "300 different values" in str(err) and f"2 to {MAX_CLASSES} classes" in str(err)


def test_a_file_too_large_states_the_limit_and_a_seeded_subset_works() -> None:
    """More than MAX_ROWS rows: refused with the limit; subset=True takes MAX_ROWS rows."""
    n = MAX_ROWS + 500
    rng = np.random.default_rng(1)
    a = rng.normal(size=n)
    text = "a,b,y\n" + "".join(f"{v:.3f},{-v:.3f},{i % 2}\n" for i, v in enumerate(a))
    table = parse_csv_text(text)
    with pytest.raises(DataImportError) as caught:
        build_table(table, default_choices(table))
    assert caught.value.problem is Problem.TOO_LARGE and f"{MAX_ROWS:,}" in str(caught.value)
    subset = build_table(table, replace(default_choices(table), subset=True))
    assert subset.rows == MAX_ROWS and "random subset" in subset.describe()
    again = build_table(table, replace(default_choices(table), subset=True))
    assert np.array_equal(subset.x_train, again.x_train)


def test_too_few_rows_and_no_features_are_refused() -> None:
    """Fewer than 10 rows, or no feature ticked, each say so."""
    assert _problem("a,y\n1,x\n2,y\n3,x\n").problem is Problem.TOO_FEW_ROWS
    table_text = _table()
    assert _problem(table_text, CsvChoices((), "label")).problem is Problem.NO_FEATURES
    assert _problem(table_text, CsvChoices(("label",), "label")).problem is Problem.NO_FEATURES
    assert _problem(table_text, CsvChoices(("z",), "label")).problem is Problem.UNKNOWN_COLUMN


def test_the_stratified_split_keeps_a_training_row_of_every_class() -> None:
    """A class with a single row stays in training."""
    y = np.array([0] * 10 + [1], dtype=np.int64)
    train, test = split_stratified(y, 0.5, 0)
    assert 10 in train.tolist() and len(test) == 5
