"""Typed containers for data sets: ImageSet, TabularSet, Series, Corpus and their provenance.

``DatasetInfo`` describes where a data set comes from; ``DatasetError`` is raised when its file
is missing or corrupt. The loaders that fill these containers live in ``engine.data.datasets``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Corpus",
    "Dataset",
    "DatasetError",
    "DatasetInfo",
    "ImageSet",
    "Kind",
    "Series",
    "TabularSet",
]

Kind = Literal["images", "tabular", "series", "corpus"]


class DatasetError(RuntimeError):
    """A data file is missing, corrupt or unreadable; the message says how to get it back."""

    def __init__(self, message: str, *, filename: str, remedy: str) -> None:
        super().__init__(message)
        self.filename = filename
        self.remedy = remedy


@dataclass(frozen=True)
class DatasetInfo:
    """Provenance of a data set, as the data browser and the About box show it."""

    id: str
    title: str
    kind: Kind
    filename: str
    rebuild: str
    source: str
    authors: str
    licence: str
    changes: str
    optional: bool = False

    def describe(self) -> str:
        """Several lines: title, source, authors, licence, changes."""
        return (
            f"{self.title}\nSource: {self.source}\nAuthors: {self.authors}\n"
            f"Licence: {self.licence}\nChanges: {self.changes}"
        )


def _counts(y: NDArray[np.int64], n_classes: int) -> dict[int, int]:
    return {int(k): int(v) for k, v in enumerate(np.bincount(y, minlength=n_classes))}


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class ImageSet:
    """Images NCHW float32 (in [0, 1] when scaled) with int64 labels and a fixed split."""

    x_train: NDArray[np.float32]
    y_train: NDArray[np.int64]
    x_test: NDArray[np.float32]
    y_test: NDArray[np.int64]
    class_names: tuple[str, ...]
    info: DatasetInfo

    def class_counts(self) -> dict[int, int]:
        """Number of images of each class, training and test together."""
        return _counts(np.concatenate([self.y_train, self.y_test]), len(self.class_names))

    def describe(self) -> str:
        """A short summary (shapes, classes) followed by the provenance."""
        return (
            f"{len(self.x_train)} training and {len(self.x_test)} test images of shape "
            f"{self.x_train.shape[1:]}, {len(self.class_names)} classes\n{self.info.describe()}"
        )


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class TabularSet:
    """Rows of features (float32) with int64 labels.

    ``categories`` maps each categorical feature to its level names; that column of ``x``
    holds the level's index (0, 1, ...). ``one_hot()`` expands those columns to indicators.
    """

    x: NDArray[np.float32]
    y: NDArray[np.int64]
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    info: DatasetInfo
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def class_counts(self) -> dict[int, int]:
        """Number of rows of each class."""
        return _counts(self.y, len(self.class_names))

    def one_hot(self) -> TabularSet:
        """The same rows with each categorical column replaced by one 0/1 column per level."""
        columns: list[NDArray[np.float32]] = []
        names: list[str] = []
        for j, name in enumerate(self.feature_names):
            levels = self.categories.get(name)
            if levels is None:
                columns.append(self.x[:, j : j + 1])
                names.append(name)
            else:
                codes = self.x[:, j].astype(np.int64)
                columns.append((codes[:, None] == np.arange(len(levels))).astype(np.float32))
                names.extend(f"{name}={level}" for level in levels)
        x = np.concatenate(columns, axis=1)
        return TabularSet(x, self.y, tuple(names), self.class_names, self.info, {})

    def describe(self) -> str:
        """A short summary (rows, features, class counts) followed by the provenance."""
        counts = ", ".join(f"{self.class_names[k]} {v}" for k, v in self.class_counts().items())
        return f"{len(self.x)} rows x {len(self.feature_names)} features ({counts})\n" + (
            self.info.describe()
        )


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Series:
    """A time series: times ``t`` (float64, in ``t_unit``) and float32 ``values`` (NaN = gap)."""

    t: NDArray[np.float64]
    values: NDArray[np.float32]
    name: str
    unit: str
    t_unit: str
    info: DatasetInfo

    def describe(self) -> str:
        """A short summary (length, range, gaps) followed by the provenance."""
        gaps = int(np.isnan(self.values).sum())
        return (
            f"{len(self.t)} values of {self.name} ({self.unit}) from {self.t[0]:.2f} to "
            f"{self.t[-1]:.2f} ({self.t_unit}), {gaps} missing\n{self.info.describe()}"
        )


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class Corpus:
    """A character corpus: ``text_bytes`` (uint8, ASCII) and its sorted ``vocab``."""

    text_bytes: NDArray[np.uint8]
    vocab: tuple[str, ...]
    works: tuple[str, ...]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    info: DatasetInfo

    def ids(self) -> NDArray[np.int64]:
        """The whole text as indices into ``vocab``."""
        table = np.full(256, -1, dtype=np.int64)
        table[[ord(c) for c in self.vocab]] = np.arange(len(self.vocab))
        return table[self.text_bytes]

    def encode(self, text: str) -> NDArray[np.int64]:
        """Indices into ``vocab`` of the characters of ``text``; ValueError for unknown ones."""
        index = {c: i for i, c in enumerate(self.vocab)}
        unknown = sorted(set(text) - set(index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}")
        return np.array([index[c] for c in text], dtype=np.int64)

    def decode(self, ids: NDArray[np.integer[Any]] | list[int]) -> str:
        """The text of a sequence of vocabulary indices."""
        return "".join(self.vocab[int(i)] for i in np.asarray(ids).ravel())

    def text(self, work: str | None = None) -> str:
        """The whole corpus as a string, or one work of it by title."""
        if work is None:
            return self.text_bytes.tobytes().decode("ascii")
        k = self.works.index(work)
        return self.text_bytes[self.starts[k] : self.ends[k]].tobytes().decode("ascii")

    def describe(self) -> str:
        """A short summary (size, vocabulary, works) followed by the provenance."""
        return (
            f"{len(self.text_bytes):,} characters, vocabulary of {len(self.vocab)}; "
            f"works: {', '.join(self.works)}\n{self.info.describe()}"
        )


Dataset = ImageSet | TabularSet | Series | Corpus
