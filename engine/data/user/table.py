"""A learner's own table: features and label chosen, checked, cleaned, split and standardised.

:func:`build_table` takes a parsed :class:`~engine.data.user.csvimport.CsvTable` and the learner's
:class:`CsvChoices` and returns a :class:`UserTable` ready to train on, or raises
:class:`~engine.data.user.csvimport.DataImportError` with a message that says what to change:

- a feature column holds text (features must be numbers);
- the label has one class only, or more than ``MAX_CLASSES`` distinct values;
- the file has more than ``MAX_ROWS`` rows (the choice ``subset`` takes a random, seeded
  subset of that many rows);
- values are missing (the choice ``missing`` drops those rows or fills each gap with its
  column's mean; rows without a label are always dropped).

The split is stratified (each class gives its share of test rows) and seeded; standardising
uses the mean and standard deviation of the *training* rows only, so nothing about the test
rows leaks into training.  :func:`load_csv` reads and builds in one call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from engine.data.types import DatasetInfo, TabularSet
from engine.data.user.csvimport import (
    MAX_VALUE,
    Column,
    CsvTable,
    DataImportError,
    Problem,
    Progress,
    read_csv,
    shorten,
)

__all__ = [
    "MAX_CLASSES",
    "MAX_ROWS",
    "MIN_ROWS",
    "CsvChoices",
    "UserTable",
    "build_table",
    "default_choices",
    "load_csv",
    "split_stratified",
]

MAX_ROWS = 20_000  # interactive training: larger files are subsampled on request
MAX_CLASSES = 20
MIN_ROWS = 10
TEST_SHARES = (0.1, 0.5)  # the test share must lie in this range
Missing = Literal["ask", "drop", "fill"]


@dataclass(frozen=True)
class CsvChoices:
    """What the learner chose in the import dialog (or the command line's defaults)."""

    features: tuple[str, ...]
    label: str
    standardise: bool = True
    test_share: float = 0.25
    missing: Missing = "ask"
    subset: bool = False
    seed: int = 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for the settings file)."""
        return {
            "features": list(self.features),
            "label": self.label,
            "standardise": self.standardise,
            "test_share": self.test_share,
            "missing": self.missing,
            "subset": self.subset,
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> CsvChoices:
        """Choices read back from the settings; ValueError if they are not well-formed."""
        if not isinstance(raw, Mapping):
            raise ValueError("remembered choices: not a set of named choices")
        features = raw.get("features")
        label = raw.get("label")
        if not (isinstance(features, list) and all(isinstance(f, str) for f in features)):
            raise ValueError("remembered choices: 'features' is not a list of names")
        if not isinstance(label, str):
            raise ValueError("remembered choices: 'label' is not a name")
        missing = raw.get("missing", "ask")
        if missing not in ("ask", "drop", "fill"):
            raise ValueError(f"remembered choices: unknown missing-value choice {missing!r}")
        share = raw.get("test_share", 0.25)
        seed = raw.get("seed", 0)
        finite = isinstance(share, int | float) and math.isfinite(share)
        if not finite or not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError("remembered choices: test share or seed is not a number")
        return cls(
            tuple(features),
            label,
            bool(raw.get("standardise", True)),
            float(share),
            missing,
            bool(raw.get("subset", False)),
            int(seed),
        )


def default_choices(table: CsvTable) -> CsvChoices:
    """The last column as the label, every other numeric column as a feature, standardised."""
    label = table.columns[-1].name
    features = tuple(c.name for c in table.columns[:-1] if c.kind == "numeric")
    return CsvChoices(features, label)


@dataclass(frozen=True, eq=False)  # holds arrays
class UserTable:
    """An imported table, split into training and test rows, ready to train on.

    ``x_*`` are float32 (rows, features), ``y_*`` int64 class indices into ``class_names``.
    ``mean`` and ``scale`` are the training rows' statistics used to standardise (None when
    not standardised).  ``notes`` says what was done to the file's rows.
    """

    path: Path
    choices: CsvChoices
    x_train: NDArray[np.float32]
    y_train: NDArray[np.int64]
    x_test: NDArray[np.float32]
    y_test: NDArray[np.int64]
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    notes: tuple[str, ...] = ()
    mean: NDArray[np.float64] | None = None
    scale: NDArray[np.float64] | None = None
    source: str = field(default="")  # how the file was read (rows, separator, encoding)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def rows(self) -> int:
        return len(self.x_train) + len(self.x_test)

    def tabular(self) -> TabularSet:
        """Every row (training rows first) as a :class:`TabularSet`, for the data browser."""
        info = DatasetInfo(
            id=f"user:{self.path}",
            title=f"{self.name} (imported)",
            kind="tabular",
            filename=str(self.path),
            rebuild="",
            source=str(self.path),
            authors="You (imported file, read in place, not copied)",
            licence="Your own data",
            changes="; ".join(self.notes) or "none",
        )
        return TabularSet(
            np.concatenate([self.x_train, self.x_test]),
            np.concatenate([self.y_train, self.y_test]),
            self.feature_names,
            self.class_names,
            info,
        )

    def describe(self) -> str:
        """A few lines: rows, split, features, label, what was done."""
        lines = [
            f"{self.rows:,} rows: {len(self.x_train):,} for training, {len(self.x_test):,} "
            f"for testing; {len(self.feature_names)} features "
            f"({', '.join(self.feature_names)}); label '{self.choices.label}' with "
            f"{len(self.class_names)} classes ({', '.join(self.class_names)})",
        ]
        if self.source:
            lines.append(f"Read as {self.source}")
        lines.extend(self.notes)
        return "\n".join(lines)


# -------------------------------------------------------------------------------- checks


def _check_columns(table: CsvTable, choices: CsvChoices) -> None:
    _check_in_range(table.column(choices.label), "label")
    if not choices.features:
        raise DataImportError(
            Problem.NO_FEATURES, "Choose at least one feature column (the model's inputs)."
        )
    for name in choices.features:
        column = table.column(name)
        if name == choices.label:
            raise DataImportError(
                Problem.NO_FEATURES,
                f"'{shorten(name)}' is the label, so it cannot also be a feature: untick it.",
            )
        if column.kind != "numeric":
            raise DataImportError(
                Problem.NOT_NUMERIC,
                f"Column '{shorten(name)}' holds text (for example '{column.example}'), so it "
                "cannot be a feature: features must be numbers. Leave it out of the features, "
                "or use it as the label.",
            )
        _check_in_range(column, "feature")
    if not TEST_SHARES[0] <= choices.test_share <= TEST_SHARES[1]:
        raise ValueError(
            f"test share {choices.test_share:g} is outside {TEST_SHARES[0]:g} .. {TEST_SHARES[1]:g}"
        )


def _check_in_range(column: Column, role: str) -> None:
    """A chosen column with a number too large to compute with is named with its line."""
    if not column.out_of_range:
        return
    more = column.out_of_range - 1
    others = f" ({more:,} more in the column)" if more else ""
    raise DataImportError(
        Problem.OUT_OF_RANGE,
        f"Column '{shorten(column.name)}' holds a number too large to compute with: "
        f"{column.first_out_of_range}{others}. DeepStep computes with numbers up to "
        f"±{MAX_VALUE:.1e}; correct the value in the file, or leave the column out of the "
        f"{role}{'s' if role == 'feature' else ''}.",
        count=column.out_of_range,
    )


def _label_texts(table: CsvTable, label: str) -> NDArray[np.object_]:
    """The label of each row as text ('' where missing); numbers written the same way compare
    equal (1 == 1.0).  Each distinct number is formatted once."""
    gap = table.missing[label]
    if label not in table.numbers:
        return np.where(gap, "", table.texts[label])
    out = np.full(len(gap), "", dtype=object)
    distinct, index = np.unique(table.numbers[label][~gap], return_inverse=True)
    formatted = np.empty(len(distinct), dtype=object)
    formatted[:] = [f"{v:g}" for v in distinct.tolist()]
    out[~gap] = formatted[index.reshape(-1)]
    return out


def _class_names(labels: NDArray[np.object_], numeric: bool) -> tuple[str, ...]:
    distinct = sorted(str(v) for v in set(labels.tolist()))
    if numeric:
        distinct.sort(key=float)
    return tuple(distinct)


def _check_classes(label: str, labels: NDArray[np.object_]) -> None:
    distinct = sorted(set(labels.tolist()) - {""})  # a set: fast on a million rows
    if len(distinct) < 2:
        only = f"'{shorten(str(distinct[0]))}'" if len(distinct) else "nothing"
        raise DataImportError(
            Problem.ONE_CLASS,
            f"Every row has the label {only} in column '{shorten(label)}': a classifier needs at "
            "least two classes to tell apart. Choose another label column, or add rows of "
            "other classes.",
            count=len(distinct),
        )
    if len(distinct) > MAX_CLASSES:
        examples = ", ".join(shorten(str(v), 30) for v in distinct[:3])
        raise DataImportError(
            Problem.TOO_MANY_CLASSES,
            f"The label column '{shorten(label)}' has {len(distinct):,} different values "
            f"({examples}, ...); DeepStep classifies into 2 to {MAX_CLASSES} classes. Is it a "
            "measurement rather than a category? Choose a column that names a class.",
            count=len(distinct),
        )


def _subset(table: CsvTable, choices: CsvChoices) -> tuple[NDArray[np.int64], list[str]]:
    rows = np.arange(table.rows)
    if table.rows <= MAX_ROWS:
        return rows, []
    if not choices.subset:
        raise DataImportError(
            Problem.TOO_LARGE,
            f"'{table.path.name}' has {table.rows:,} rows, more than the {MAX_ROWS:,} that "
            "DeepStep trains on interactively. Use a random subset of "
            f"{MAX_ROWS:,} rows (the same rows every time).",
            count=table.rows,
        )
    keep = np.sort(np.random.default_rng([choices.seed, 11]).choice(table.rows, MAX_ROWS, False))
    return keep, [f"A random subset of {MAX_ROWS:,} of the {table.rows:,} rows (seeded)."]


def _clean(
    table: CsvTable, choices: CsvChoices, rows: NDArray[np.int64], labels: NDArray[np.object_]
) -> tuple[NDArray[np.float64], NDArray[np.int64], list[str]]:
    """Feature matrix and the rows kept, after dropping or filling missing values."""
    x = np.stack([table.numbers[f][rows] for f in choices.features], axis=1)
    gaps = np.isnan(x)
    no_label = labels[rows] == ""
    bad_rows = gaps.any(axis=1) | no_label
    notes: list[str] = []
    if not bad_rows.any():
        return x, rows, notes
    per_column = ", ".join(
        f"'{shorten(name, 40)}' {int(n):,}"
        for name, n in zip(
            (*choices.features, choices.label), (*gaps.sum(0), no_label.sum()), strict=True
        )
        if n
    )
    cells = int(gaps.sum() + no_label.sum())
    count = int(bad_rows.sum())
    if choices.missing == "ask":
        raise DataImportError(
            Problem.MISSING,
            f"{cells:,} value{'s are' if cells > 1 else ' is'} missing, in {count:,} "
            f"row{'s' if count > 1 else ''} ({per_column}). Drop those rows, or fill each "
            "gap with its column's mean.",
            count=count,
        )
    if choices.missing == "fill":
        for j, name in enumerate(choices.features):
            if gaps[~no_label, j].all():
                raise DataImportError(
                    Problem.MISSING, f"Column '{name}' has no values at all: untick it."
                )
        means = np.nanmean(x[~no_label], axis=0)  # over the rows that stay
        x = np.where(gaps, means, x)
        notes.append(f"Filled {int(gaps.sum()):,} missing values with their column's mean.")
        bad_rows = no_label
        if no_label.any():
            notes.append(f"Dropped {int(no_label.sum()):,} rows without a label.")
    else:
        notes.append(f"Dropped {count:,} rows with missing values ({per_column}).")
    keep = ~bad_rows
    return x[keep], rows[keep], notes


def split_stratified(
    y: NDArray[np.int64], test_share: float, seed: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Training and test row indices: each class gives round(count * share) rows to test,
    keeping at least one of its rows for training; seeded."""
    rng = np.random.default_rng([seed, 17])
    train: list[NDArray[np.int64]] = []
    test: list[NDArray[np.int64]] = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        k = min(round(len(idx) * test_share), len(idx) - 1)
        test.append(idx[:k])
        train.append(idx[k:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


# ----------------------------------------------------------------------------------- build


def build_table(table: CsvTable, choices: CsvChoices) -> UserTable:
    """Check, clean, split and standardise ``table`` as ``choices`` say (DataImportError)."""
    _check_columns(table, choices)
    labels = _label_texts(table, choices.label)
    _check_classes(choices.label, labels)
    rows, notes = _subset(table, choices)
    x, rows, cleaned = _clean(table, choices, rows, labels)
    notes += cleaned
    if len(rows) < MIN_ROWS:
        raise DataImportError(
            Problem.TOO_FEW_ROWS,
            f"Only {len(rows)} rows are left to learn from; DeepStep needs at least {MIN_ROWS}.",
            count=len(rows),
        )
    kept_labels = labels[rows]
    class_names = _class_names(kept_labels, choices.label in table.numbers)
    _check_classes(choices.label, kept_labels)
    index = {name: i for i, name in enumerate(class_names)}
    y = np.array([index[str(v)] for v in kept_labels], dtype=np.int64)
    train, test = split_stratified(y, choices.test_share, choices.seed)
    mean = scale = None
    if choices.standardise:
        mean = x[train].mean(axis=0)
        std = x[train].std(axis=0)
        scale = np.where(std > 0, std, 1.0)
        x = (x - mean) / scale
        notes.append("Standardised with the training rows' mean and standard deviation.")
    return UserTable(
        table.path,
        choices,
        x[train].astype(np.float32),
        y[train],
        x[test].astype(np.float32),
        y[test],
        choices.features,
        class_names,
        tuple(notes),
        mean,
        scale,
        table.describe(),
    )


def load_csv(
    path: Path | str, choices: CsvChoices | None = None, *, progress: Progress | None = None
) -> UserTable:
    """Read ``path`` and build it with ``choices`` (default: :func:`default_choices`)."""
    table = read_csv(path, progress=progress)
    return build_table(table, choices or default_choices(table))
