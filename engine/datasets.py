"""Real data sets from assets/: typed loaders, checksums verified on load, and a registry.

Each loader reads one ``assets/*.npz`` file (see ``assets/ATTRIBUTION.md`` for sources and
licences), checks its sha256 against ``assets/manifest.json`` and returns a small frozen
dataclass: ``ImageSet`` (images NCHW float32, labels int64), ``TabularSet``, ``Series`` or
``Corpus``. A missing or corrupt file raises ``DatasetError`` whose message names the file and
the command that rebuilds it; lessons show that message instead of crashing.

``DATASETS`` lists every data set (id, title, kind, loader, provenance) for the data browser.
The seeded synthetic generators live in ``engine.synthetic`` and are re-exported here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray

import assets
from assets.catalog import CATALOG
from engine.synthetic import (
    SURFACES,
    HiringSet,
    PointSet,
    RegressionSet,
    SequenceSet,
    Surface,
    make_adding_problem,
    make_circle,
    make_copy_task,
    make_gaussians,
    make_hiring,
    make_playground,
    make_regression,
    make_remember_first,
    make_sine_sequences,
    make_spiral,
    make_xor,
    surface,
)

__all__ = [
    "DATASETS",
    "FASHION_CLASSES",
    "FASHION_FILES",
    "FASHION_MNIST_DIR",
    "FASHION_MNIST_ENV",
    "SURFACES",
    "Corpus",
    "Dataset",
    "DatasetEntry",
    "DatasetError",
    "DatasetInfo",
    "HiringSet",
    "ImageSet",
    "PointSet",
    "RegressionSet",
    "SequenceSet",
    "Series",
    "Surface",
    "TabularSet",
    "dataset_problem",
    "get_dataset",
    "load_breast_cancer",
    "load_co2",
    "load_credit_g",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "load_shakespeare",
    "load_sunspots",
    "load_vote",
    "make_adding_problem",
    "make_circle",
    "make_copy_task",
    "make_gaussians",
    "make_hiring",
    "make_playground",
    "make_regression",
    "make_remember_first",
    "make_sine_sequences",
    "make_spiral",
    "make_xor",
    "surface",
]

Kind = Literal["images", "tabular", "series", "corpus"]
FASHION_MNIST_ENV = "DEEPSTEP_FASHION_MNIST_DIR"
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")


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

# --------------------------------------------------------------------------- file access

_verified: dict[Path, tuple[int, int, str]] = {}
_verified_lock = threading.Lock()


def _manifest() -> dict[str, Any]:
    path = Path(str(assets.__file__)).with_name("manifest.json")
    try:
        files: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(
            f"The data manifest {path} is missing or unreadable ({exc}). Reinstall DeepStep or "
            "rebuild the data files with the scripts in assets/build/.",
            filename="manifest.json",
            remedy="reinstall DeepStep",
        ) from exc
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified_path(info: DatasetInfo) -> Path:
    """The asset's path after checking it exists and matches the manifest (cached per process)."""
    path = assets.asset_path(info.filename)
    how = f"Rebuild it with `{info.rebuild}` (see assets/ATTRIBUTION.md) or reinstall DeepStep."
    try:
        stat = path.stat()
    except OSError as exc:
        raise DatasetError(
            f"Data file '{info.filename}' ({info.title}) is missing: {path} not found. {how}",
            filename=info.filename,
            remedy=info.rebuild,
        ) from exc
    expected = str(_manifest().get(info.filename, {}).get("sha256", ""))
    key = (stat.st_size, stat.st_mtime_ns, expected)
    with _verified_lock:
        if _verified.get(path) == key:
            return path
    actual = _sha256(path)
    if actual != expected:
        raise DatasetError(
            f"Data file '{info.filename}' ({info.title}) is corrupt: its sha256 {actual[:16]}... "
            f"does not match the manifest's {expected[:16] or '(none)'}... ({path}). {how}",
            filename=info.filename,
            remedy=info.rebuild,
        )
    with _verified_lock:
        _verified[path] = key
    return path


def _read(info: DatasetInfo) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """All arrays of a verified asset and its decoded ``meta`` JSON."""
    path = _verified_path(info)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        meta: dict[str, Any] = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise DatasetError(
            f"Data file '{info.filename}' ({info.title}) cannot be read ({exc}). "
            f"Rebuild it with `{info.rebuild}`.",
            filename=info.filename,
            remedy=info.rebuild,
        ) from exc
    return arrays, meta


# ------------------------------------------------------------------------------- loaders


def _info(key: str) -> DatasetInfo:
    title, kind, filename, rebuild, source, authors, licence, changes = CATALOG[key]
    if kind not in ("images", "tabular", "series", "corpus"):
        raise ValueError(f"assets.catalog: {key} has unknown kind {kind!r}")
    return DatasetInfo(
        key, title, cast(Kind, kind), filename, rebuild, source, authors, licence, changes,
        optional=key == "fashion_mnist",
    )  # fmt: skip


INFO: dict[str, DatasetInfo] = {key: _info(key) for key in CATALOG}


def _images(raw: NDArray[Any], scale: bool, peak: float) -> NDArray[np.float32]:
    x = raw.astype(np.float32)[:, None, :, :]
    return x / np.float32(peak) if scale else x


def _image_set(info: DatasetInfo, scale: bool, peak: float) -> ImageSet:
    a, meta = _read(info)
    return ImageSet(
        _images(a["x_train"], scale, peak),
        a["y_train"].astype(np.int64),
        _images(a["x_test"], scale, peak),
        a["y_test"].astype(np.int64),
        tuple(meta["class_names"]),
        info,
    )


def load_mnist(*, scale: bool = True) -> ImageSet:
    """MNIST subset: 5,000 digits 28x28 (500 per class), 4,000 train / 1,000 test.

    ``x`` has shape (N, 1, 28, 28), values in [0, 1] (``scale=False``: 0..255).
    """
    return _image_set(INFO["mnist"], scale, 255.0)


def load_digits(*, scale: bool = True) -> ImageSet:
    """scikit-learn's 8x8 digits: 1,797 images (N, 1, 8, 8), values in [0, 1] (or 0..16)."""
    return _image_set(INFO["digits"], scale, 16.0)


def _tabular(info: DatasetInfo) -> TabularSet:
    a, meta = _read(info)
    categories = {k: tuple(v) for k, v in meta.get("categories", {}).items()}
    return TabularSet(
        a["x"].astype(np.float32),
        a["y"].astype(np.int64),
        tuple(meta["feature_names"]),
        tuple(meta["class_names"]),
        info,
        categories,
    )


def load_breast_cancer() -> TabularSet:
    """Breast Cancer Wisconsin (Diagnostic): 569 x 30; y = 1 malignant (212), 0 benign (357)."""
    return _tabular(INFO["breast_cancer"])


def load_vote() -> TabularSet:
    """1984 US Congress votes: 435 x 16 codes (0 'n', 1 'y', 2 '?'); y 0 democrat, 1 republican."""
    return _tabular(INFO["vote"])


def load_credit_g() -> TabularSet:
    """Statlog German Credit: 1,000 x 20 (13 categorical as codes); y 0 good (700), 1 bad (300)."""
    return _tabular(INFO["credit_g"])


def load_sunspots() -> Series:
    """Yearly sunspot numbers 1700-2008 (309 values); ``t`` is the year."""
    info = INFO["sunspots"]
    a, meta = _read(info)
    return Series(
        a["year"].astype(np.float64),
        a["value"].astype(np.float32),
        meta["name"],
        meta["unit"],
        "year",
        info,
    )


def load_co2(*, fill_missing: bool = False) -> Series:
    """Weekly Mauna Loa CO2 (ppmv), 1958-2001: 2,284 weeks, ``t`` in decimal years.

    The 59 weeks without a measurement are NaN, or linearly interpolated with ``fill_missing``.
    """
    info = INFO["co2"]
    a, meta = _read(info)
    day = a["day"].astype("datetime64[D]")
    year = day.astype("datetime64[Y]")
    start, end = year.astype("datetime64[D]"), (year + 1).astype("datetime64[D]")
    t = year.astype(np.float64) + 1970.0 + (day - start) / (end - start)
    values = a["value"].astype(np.float64)
    if fill_missing:
        gap = np.isnan(values)
        values[gap] = np.interp(t[gap], t[~gap], values[~gap])
    return Series(t, values.astype(np.float32), meta["name"], meta["unit"], "year", info)


def load_shakespeare() -> Corpus:
    """About 1 M characters of eight Shakespeare plays (ASCII bytes) and their vocabulary."""
    info = INFO["shakespeare"]
    a, meta = _read(info)
    vocab = tuple(chr(int(b)) for b in a["vocab"])
    return Corpus(
        a["text"].astype(np.uint8),
        vocab,
        tuple(meta["works"]),
        a["starts"].astype(np.int64),
        a["ends"].astype(np.int64),
        info,
    )


FASHION_CLASSES = (  # label 0..9
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
FASHION_FILES = (
    ("train-images-idx3-ubyte.gz", (60000, 28, 28)),
    ("train-labels-idx1-ubyte.gz", (60000,)),
    ("t10k-images-idx3-ubyte.gz", (10000, 28, 28)),
    ("t10k-labels-idx1-ubyte.gz", (10000,)),
)


def _read_idx(path: Path, shape: tuple[int, ...]) -> NDArray[np.uint8]:
    """One gzip-compressed IDX file (the MNIST format) of the given shape, as uint8."""
    with gzip.open(path, "rb") as fh:
        data = fh.read()
    ndim = len(shape)
    header = np.frombuffer(data[: 4 + 4 * ndim], dtype=">u4")
    found = tuple(int(n) for n in header[1:])
    if len(header) != ndim + 1 or int(header[0]) != 2048 + ndim or found != shape:
        raise ValueError(f"{path.name} is not an IDX file of shape {shape}")
    array = np.frombuffer(data[4 + 4 * ndim :], dtype=np.uint8)
    if array.size != np.prod(shape):
        raise ValueError(f"{path.name} is truncated")
    return array.reshape(shape)


def _fashion_folder(directory: Path | None) -> Path:
    """Where Fashion-MNIST is looked for; DatasetError if any of its four files is missing."""
    folder = directory or Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)
    missing = [name for name, _ in FASHION_FILES if not (folder / name).is_file()]
    if missing:
        how = INFO["fashion_mnist"].rebuild
        raise DatasetError(
            f"Fashion-MNIST is optional and not installed: {', '.join(missing)} not found in "
            f"{folder}. {how}",
            filename=missing[0],
            remedy=how,
        )
    return folder


def load_fashion_mnist(*, scale: bool = True, directory: Path | None = None) -> ImageSet:
    """Fashion-MNIST (optional): 60,000 + 10,000 images 28x28 from Debian's package.

    Read from ``directory``, else ``$DEEPSTEP_FASHION_MNIST_DIR``, else
    /usr/share/datasets/fashion-mnist (``apt install dataset-fashion-mnist``).
    """
    info = INFO["fashion_mnist"]
    folder = _fashion_folder(directory)
    try:
        arrays = [_read_idx(folder / name, shape) for name, shape in FASHION_FILES]
        if max(int(arrays[1].max()), int(arrays[3].max())) > 9:
            raise ValueError("labels outside 0..9")
    except (OSError, ValueError, EOFError) as exc:
        raise DatasetError(
            f"Fashion-MNIST in {folder} cannot be read ({exc}). {info.rebuild}",
            filename=str(folder),
            remedy=info.rebuild,
        ) from exc
    x_train, y_train, x_test, y_test = arrays
    return ImageSet(
        _images(x_train, scale, 255.0),
        y_train.astype(np.int64),
        _images(x_test, scale, 255.0),
        y_test.astype(np.int64),
        FASHION_CLASSES,
        info,
    )


# ------------------------------------------------------------------------------ registry


@dataclass(frozen=True)
class DatasetEntry:
    """One data set of the registry: id, title, kind, the loader and the provenance."""

    id: str
    title: str
    kind: Kind
    load: Callable[[], Dataset]
    info: DatasetInfo


def _entry(load: Callable[[], Dataset], key: str) -> DatasetEntry:
    info = INFO[key]
    return DatasetEntry(info.id, info.title, info.kind, load, info)


DATASETS: tuple[DatasetEntry, ...] = (
    _entry(load_mnist, "mnist"),
    _entry(load_digits, "digits"),
    _entry(load_breast_cancer, "breast_cancer"),
    _entry(load_vote, "vote"),
    _entry(load_credit_g, "credit_g"),
    _entry(load_sunspots, "sunspots"),
    _entry(load_co2, "co2"),
    _entry(load_shakespeare, "shakespeare"),
    _entry(load_fashion_mnist, "fashion_mnist"),
)


def get_dataset(dataset_id: str) -> DatasetEntry:
    """The registry entry of ``dataset_id``; KeyError naming the known ids otherwise."""
    for entry in DATASETS:
        if entry.id == dataset_id:
            return entry
    raise KeyError(f"unknown data set {dataset_id!r}; known: {[e.id for e in DATASETS]}")


def dataset_problem(dataset_id: str) -> str | None:
    """None if the data set's files are there and intact, else the message a lesson shows.

    Cheap: checks presence and checksum (cached), without decoding the arrays.
    """
    info = get_dataset(dataset_id).info
    try:
        if info.optional:
            _fashion_folder(None)
        else:
            _verified_path(info)
    except DatasetError as exc:
        return str(exc)
    return None
