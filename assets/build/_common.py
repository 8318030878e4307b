"""Shared helpers for the asset build scripts: reproducible .npz writing and the manifest.

Every build script in this folder writes one ``assets/<name>.npz`` and records its sha256 in
``assets/manifest.json``; ``engine.data.datasets`` verifies that checksum on load.

File format (read with ``numpy.load(path, allow_pickle=False)``):

- every array is an integer or floating-point array (no object or string arrays);
- the key ``meta`` holds UTF-8 encoded JSON as a ``uint8`` array: names of features, classes
  and categories, provenance, build inputs. Decode with ``bytes(meta).decode("utf-8")``.

The zip members are written with a fixed timestamp, so re-running a script on the same inputs
gives a byte-identical file and the same checksum.

These scripts run in a separate build virtual environment (see each script's docstring); they
are never run at install or test time.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import platform
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

ASSETS_DIR = Path(__file__).resolve().parent.parent
MANIFEST = ASSETS_DIR / "manifest.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions(*names: str) -> dict[str, str]:
    """Installed versions of the named distributions (and of Python), for the provenance."""
    versions = {name: importlib.metadata.version(name) for name in names}
    versions["python"] = platform.python_version()
    return versions


def write_npz(name: str, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> Path:
    """Write ``assets/<name>`` reproducibly (fixed timestamps, sorted keys) with a meta key."""
    for key, array in arrays.items():
        if array.dtype.kind not in "iuf":
            raise TypeError(
                f"{name}: array {key!r} has dtype {array.dtype}; only int/float allowed"
            )
    meta_bytes = json.dumps(meta, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")
    members = dict(arrays)
    members["meta"] = np.frombuffer(meta_bytes, dtype=np.uint8)
    path = ASSETS_DIR / name
    tmp = path.with_suffix(".npz.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for key in sorted(members):
            buffer = io.BytesIO()
            np.lib.format.write_array(
                buffer, np.ascontiguousarray(members[key]), allow_pickle=False
            )
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buffer.getvalue(), compresslevel=9)
    tmp.replace(path)
    return path


def record(name: str, script: str, sources: Mapping[str, Any]) -> None:
    """Record ``assets/<name>``'s sha256, size, build script and sources in manifest.json."""
    path = ASSETS_DIR / name
    manifest: dict[str, Any] = {"files": {}}
    if MANIFEST.exists():
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    manifest["files"][name] = {
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "build": f"python assets/build/{script}",
        "sources": dict(sources),
    }
    MANIFEST.write_text(json.dumps(manifest, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def stratified_split(
    y: np.ndarray, test_per_class: int | float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with ``test_per_class`` items (or that fraction) of every class in
    the test part, each part shuffled; a fixed seed makes the split the same on every run."""
    rng = np.random.default_rng(seed)
    train: list[np.ndarray] = []
    test: list[np.ndarray] = []
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        k = test_per_class if isinstance(test_per_class, int) else round(len(idx) * test_per_class)
        test.append(idx[:k])
        train.append(idx[k:])
    tr, te = np.concatenate(train), np.concatenate(test)
    # shuffle so that classes are interleaved (a mini-batch sees every class), reproducibly
    return rng.permutation(tr), rng.permutation(te)
