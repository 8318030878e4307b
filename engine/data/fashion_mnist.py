"""Finds and reads the optional Fashion-MNIST IDX files (Debian's dataset-fashion-mnist).

``engine.data.datasets.load_fashion_mnist`` turns the arrays read here into an ``ImageSet``. The
folder is ``directory`` if given, else ``$DEEPSTEP_FASHION_MNIST_DIR``, else
/usr/share/datasets/fashion-mnist. Missing or unreadable files raise ``DatasetError`` whose
message says how to install them.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from engine.data.types import DatasetError, DatasetInfo

__all__ = [
    "FASHION_CLASSES",
    "FASHION_FILES",
    "FASHION_MNIST_DIR",
    "FASHION_MNIST_ENV",
    "fashion_folder",
    "read_fashion_arrays",
    "read_idx",
]

FASHION_MNIST_ENV = "DEEPSTEP_FASHION_MNIST_DIR"
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
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


def read_idx(path: Path, shape: tuple[int, ...]) -> NDArray[np.uint8]:
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


def fashion_folder(info: DatasetInfo, directory: Path | None) -> Path:
    """Where Fashion-MNIST is looked for; DatasetError if any of its four files is missing."""
    folder = directory or Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)
    missing = [name for name, _ in FASHION_FILES if not (folder / name).is_file()]
    if missing:
        how = info.rebuild
        raise DatasetError(
            f"Fashion-MNIST is optional and not installed: {', '.join(missing)} not found in "
            f"{folder}. {how}",
            filename=missing[0],
            remedy=how,
        )
    return folder


def read_fashion_arrays(info: DatasetInfo, folder: Path) -> list[NDArray[np.uint8]]:
    """x_train, y_train, x_test, y_test as uint8; DatasetError if a file cannot be read."""
    try:
        arrays = [read_idx(folder / name, shape) for name, shape in FASHION_FILES]
        if max(int(arrays[1].max()), int(arrays[3].max())) > 9:
            raise ValueError("labels outside 0..9")
    except (OSError, ValueError, EOFError) as exc:
        raise DatasetError(
            f"Fashion-MNIST in {folder} cannot be read ({exc}). {info.rebuild}",
            filename=str(folder),
            remedy=info.rebuild,
        ) from exc
    return arrays
