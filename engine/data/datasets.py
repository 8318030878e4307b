"""Real data sets from assets/: typed loaders, checksums verified on load, and a registry.

Each loader reads one ``assets/*.npz`` file (see ``assets/ATTRIBUTION.md`` for sources and
licences), checks its sha256 against ``assets/manifest.json`` and returns a small frozen
dataclass: ``ImageSet`` (images NCHW float32, labels int64), ``TabularSet``, ``Series`` or
``Corpus``. A missing or corrupt file raises ``DatasetError`` whose message names the file and
the command that rebuilds it; lessons show that message instead of crashing.

``DATASETS`` lists every data set (id, title, kind, loader, provenance) for the data browser.
The result types live in ``engine.data.types``, the Fashion-MNIST file reader in
``engine.data.fashion_mnist`` and the seeded synthetic generators in ``engine.data.synthetic.sets``;
their
public names are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

import assets
from assets.catalog import CATALOG
from engine.data.fashion_mnist import (
    FASHION_CLASSES,
    FASHION_FILES,
    FASHION_MNIST_DIR,
    FASHION_MNIST_ENV,
    fashion_folder,
    read_fashion_arrays,
)
from engine.data.synthetic.sets import (
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
from engine.data.types import (
    Corpus,
    Dataset,
    DatasetError,
    DatasetInfo,
    ImageSet,
    Kind,
    Series,
    TabularSet,
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


def load_fashion_mnist(*, scale: bool = True, directory: Path | None = None) -> ImageSet:
    """Fashion-MNIST (optional): 60,000 + 10,000 images 28x28 from Debian's package.

    Read from ``directory``, else ``$DEEPSTEP_FASHION_MNIST_DIR``, else
    /usr/share/datasets/fashion-mnist (``apt install dataset-fashion-mnist``).
    """
    info = INFO["fashion_mnist"]
    folder = fashion_folder(info, directory)
    x_train, y_train, x_test, y_test = read_fashion_arrays(info, folder)
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
            fashion_folder(info, None)
        else:
            _verified_path(info)
    except DatasetError as exc:
        return str(exc)
    return None
