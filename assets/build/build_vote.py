"""Build assets/vote.npz: 1984 United States Congressional Voting Records (435 x 16).

Source: ``vote.arff`` in the examples of Debian's ``weka`` package (the UCI data set donated by
Jeff Schlimmer, 1987, from the Congressional Quarterly Almanac, 98th Congress, 2nd session
1984). The script downloads the .deb with ``apt-get download weka`` (run ``apt-get update``
first) or takes one given with ``--deb PATH``, and extracts it with ``dpkg -x``; no Java needed.

Built with: Debian bookworm ``weka`` 3.6.14-3 (``weka_3.6.14-3_all.deb``), numpy 2.4.6,
Python 3.11.7. The manifest records the .deb's version and sha256.

Changes: each vote coded as an integer: 0 = 'n' (nay), 1 = 'y' (yea), 2 = '?' (neither: voted
present, avoided a conflict of interest, or did not vote; kept as its own value, not imputed);
party coded 0 = democrat, 1 = republican (the ARFF order). Rows kept in file order.

Run: ``python assets/build/build_vote.py [--deb weka_3.6.14-3_all.deb]`` (repository root).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, sha256_file, write_npz
from _weka import deb_argument, read_arff, temp_workdir, weka_examples

NAME = "vote.npz"
VOTE_LEVELS = ["n", "y", "?"]


def main() -> None:
    """Extract vote.arff from the weka package, code it and write the asset."""
    deb = deb_argument(__doc__)
    with temp_workdir() as tmp:
        source = weka_examples(Path(tmp), deb)
        arff_path = source.examples / "vote.arff"
        arff = read_arff(arff_path)
        arff_sha = sha256_file(arff_path)
    features = arff.names[:-1]
    classes = arff.levels[-1]
    if (
        classes is None
        or classes != ["democrat", "republican"]
        or len(arff.rows) != 435
        or len(features) != 16
    ):
        raise SystemExit("unexpected vote.arff layout")
    x = np.array([[VOTE_LEVELS.index(v) for v in row[:-1]] for row in arff.rows], dtype=np.int8)
    y = np.array([classes.index(row[-1]) for row in arff.rows], dtype=np.uint8)
    counts = np.bincount(y).tolist()
    if counts != [267, 168]:
        raise SystemExit(f"expected 267 democrats / 168 republicans, got {counts}")
    versions = package_versions("numpy")
    debian = {
        "package": "weka",
        "version": source.deb_version,
        "deb": source.deb_name,
        "deb_sha256": source.deb_sha256,
        "file": "usr/share/doc/weka/examples/vote.arff",
        "file_sha256": arff_sha,
    }
    meta = {
        "id": "vote",
        "title": "1984 United States Congressional Voting Records",
        "feature_names": features,
        "categories": {name: VOTE_LEVELS for name in features},
        "class_names": classes,
        "debian": debian,
        "versions": versions,
    }
    write_npz(NAME, {"x": x, "y": y}, meta)
    record(NAME, Path(__file__).name, {"debian": debian, "python": versions})


if __name__ == "__main__":
    main()
