"""Build assets/digits8x8.npz: scikit-learn's 8x8 handwritten digits (1,797 images).

Source: ``sklearn.datasets.load_digits()``, a copy of the test set of the UCI "Optical
Recognition of Handwritten Digits" data set (E. Alpaydin, C. Kaynak, 1998).

Built with (PyPI, separate build venv, ``pip install scikit-learn``): scikit-learn 1.9.1,
numpy 2.4.6, scipy 1.17.1, Python 3.11.7.

Changes: pixels float64 -> uint8 (integers 0..16), shape (N, 8, 8), and a fixed stratified
split stored in the file: 20 % of each class for testing (seed 20240506).

Run: ``python assets/build/build_digits.py`` (from the repository root, in the build venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, stratified_split, write_npz

NAME = "digits8x8.npz"
SEED = 20240506


def main() -> None:
    """Read scikit-learn's digits, check them, split them and write the asset."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = np.asarray(bunch.images)
    labels = np.asarray(bunch.target)
    if images.shape != (1797, 8, 8) or not np.array_equal(images, np.round(images)):
        raise SystemExit(f"unexpected sklearn digits: {images.shape}")
    images8 = images.astype(np.uint8)
    labels8 = labels.astype(np.uint8)
    train, test = stratified_split(labels8, 0.2, SEED)
    versions = package_versions("scikit-learn", "numpy")
    meta = {
        "id": "digits",
        "title": "8x8 handwritten digits (scikit-learn)",
        "class_names": [str(d) for d in range(10)],
        "split": {"seed": SEED, "test_fraction_per_class": 0.2},
        "pixel_max": 16,
        "versions": versions,
    }
    write_npz(
        NAME,
        {
            "x_train": images8[train],
            "y_train": labels8[train],
            "x_test": images8[test],
            "y_test": labels8[test],
        },
        meta,
    )
    record(NAME, Path(__file__).name, {"sklearn.datasets.load_digits()": versions})


if __name__ == "__main__":
    main()
