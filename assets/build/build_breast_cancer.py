"""Build assets/breast_cancer.npz: Breast Cancer Wisconsin (Diagnostic), 569 x 30.

Source: ``sklearn.datasets.load_breast_cancer()``, a copy of the UCI data set by
W. H. Wolberg, W. N. Street and O. L. Mangasarian (University of Wisconsin, 1995).

Built with (PyPI, separate build venv, ``pip install scikit-learn``): scikit-learn 1.9.1,
numpy 2.4.6, scipy 1.17.1, Python 3.11.7.

Changes: labels re-coded so that 1 = malignant (the positive class of a screening test) and
0 = benign; scikit-learn uses 0 = malignant. Feature values kept as float64, unchanged.

Run: ``python assets/build/build_breast_cancer.py`` (from the repository root, in the build venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, write_npz

NAME = "breast_cancer.npz"


def main() -> None:
    """Read scikit-learn's copy of WDBC, check it, re-code the labels and write the asset."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    x = np.asarray(bunch.data, dtype=np.float64)
    target = np.asarray(bunch.target)
    names = [str(n) for n in bunch.target_names]
    if x.shape != (569, 30) or names != ["malignant", "benign"]:
        raise SystemExit(f"unexpected sklearn breast cancer: {x.shape} {names}")
    y = (target == 0).astype(np.uint8)  # 1 = malignant
    if int(y.sum()) != 212:
        raise SystemExit(f"expected 212 malignant, got {int(y.sum())}")
    versions = package_versions("scikit-learn", "numpy")
    meta = {
        "id": "breast_cancer",
        "title": "Breast Cancer Wisconsin (Diagnostic)",
        "feature_names": [str(n) for n in bunch.feature_names],
        "class_names": ["benign", "malignant"],
        "versions": versions,
    }
    write_npz(NAME, {"x": x, "y": y}, meta)
    record(NAME, Path(__file__).name, {"sklearn.datasets.load_breast_cancer()": versions})


if __name__ == "__main__":
    main()
