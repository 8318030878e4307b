"""Build assets/credit_g.npz: Statlog German Credit data (1,000 x 20), for the bias lesson.

Source: ``credit-g.arff`` in the examples of Debian's ``weka`` package (the UCI Statlog data
set by Prof. Dr. Hans Hofmann, Universität Hamburg). The script downloads the .deb with
``apt-get download weka`` (run ``apt-get update`` first) or takes one given with
``--deb PATH``, and extracts it with ``dpkg -x``; no Java needed.

Built with: Debian bookworm ``weka`` 3.6.14-3 (``weka_3.6.14-3_all.deb``), numpy 2.4.6,
Python 3.11.7. The manifest records the .deb's version and sha256.

Changes: the 13 nominal attributes coded as integers (index into the ARFF's list of levels,
kept in ``meta``), the 7 numeric attributes (all whole numbers) stored as integers; class coded
0 = good, 1 = bad (the ARFF order). Rows kept in file order.

Run: ``python assets/build/build_credit_g.py [--deb weka_3.6.14-3_all.deb]`` (repository root).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, sha256_file, write_npz
from _weka import deb_argument, read_arff, temp_workdir, weka_examples

NAME = "credit_g.npz"


def main() -> None:
    """Extract credit-g.arff from the weka package, code it and write the asset."""
    deb = deb_argument(__doc__)
    with temp_workdir() as tmp:
        source = weka_examples(Path(tmp), deb)
        arff_path = source.examples / "credit-g.arff"
        arff = read_arff(arff_path)
        arff_sha = sha256_file(arff_path)
    classes = arff.levels[-1]
    if (
        classes is None
        or classes != ["good", "bad"]
        or len(arff.rows) != 1000
        or len(arff.names) != 21
    ):
        raise SystemExit("unexpected credit-g.arff layout")
    columns: list[list[int]] = []
    for j, levels in enumerate(arff.levels[:-1]):
        values = [row[j] for row in arff.rows]
        if levels is None:
            numbers = [float(v) for v in values]
            if any(n != int(n) for n in numbers):
                raise SystemExit(f"{arff.names[j]} has non-integer values")
            columns.append([int(n) for n in numbers])
        else:
            columns.append([levels.index(v) for v in values])
    x = np.array(columns, dtype=np.int32).T
    y = np.array([classes.index(row[-1]) for row in arff.rows], dtype=np.uint8)
    counts = np.bincount(y).tolist()
    if counts != [700, 300]:
        raise SystemExit(f"expected 700 good / 300 bad, got {counts}")
    features = arff.names[:-1]
    versions = package_versions("numpy")
    debian = {
        "package": "weka",
        "version": source.deb_version,
        "deb": source.deb_name,
        "deb_sha256": source.deb_sha256,
        "file": "usr/share/doc/weka/examples/credit-g.arff",
        "file_sha256": arff_sha,
    }
    meta = {
        "id": "credit_g",
        "title": "Statlog German Credit",
        "feature_names": features,
        "categories": {
            name: levels for name, levels in zip(features, arff.levels, strict=False) if levels
        },
        "class_names": classes,
        "debian": debian,
        "versions": versions,
    }
    write_npz(NAME, {"x": x, "y": y}, meta)
    record(NAME, Path(__file__).name, {"debian": debian, "python": versions})


if __name__ == "__main__":
    main()
