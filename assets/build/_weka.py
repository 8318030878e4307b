"""Fetch Debian's ``weka`` package and read the ARFF example files it ships (no Java needed).

``weka_examples()`` runs ``apt-get download weka`` into a temporary folder (or uses a .deb given
with ``--deb PATH``), extracts it with ``dpkg -x`` and returns the folder
``usr/share/doc/weka/examples`` with the package's version and the .deb's sha256.
``read_arff()`` is a small parser for the nominal/numeric ARFF subset those files use.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from _common import sha256_file

EXAMPLES = Path("usr/share/doc/weka/examples")


@dataclass(frozen=True)
class WekaSource:
    """Where the extracted examples are and which .deb they came from."""

    examples: Path
    deb_name: str
    deb_version: str
    deb_sha256: str


@dataclass(frozen=True)
class Arff:
    """An ARFF file: attribute names, their levels (None for numeric) and the raw rows."""

    relation: str
    names: list[str]
    levels: list[list[str] | None]
    rows: list[list[str]]


def deb_argument(description: str | None) -> Path | None:
    """The ``--deb PATH`` command-line option of the weka build scripts (None: download)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--deb", type=Path, help="use this weka_*.deb instead of apt-get download")
    deb: Path | None = parser.parse_args().deb
    return None if deb is None else deb.resolve()


def weka_examples(workdir: Path, deb: Path | None) -> WekaSource:
    """Extract the weka .deb (downloaded with apt-get when ``deb`` is None) under ``workdir``."""
    if deb is None:
        subprocess.run(["apt-get", "download", "weka"], cwd=workdir, check=True)
        deb = next(workdir.glob("weka_*.deb"))
    target = workdir / "x"
    subprocess.run(["dpkg", "-x", str(deb), str(target)], check=True)
    version = subprocess.run(
        ["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    return WekaSource(target / EXAMPLES, deb.name, version, sha256_file(deb))


def _split(text: str) -> list[str]:
    """Split a comma-separated ARFF list, honouring single quotes."""
    row = next(csv.reader([text], quotechar="'", skipinitialspace=True))
    return [item.strip() for item in row]


def read_arff(path: Path) -> Arff:
    """Parse the nominal/numeric ARFF subset of the weka examples."""
    relation = ""
    names: list[str] = []
    levels: list[list[str] | None] = []
    rows: list[list[str]] = []
    in_data = False
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.strip()
        if not line or line.startswith("%"):
            continue
        lower = line.lower()
        if in_data:
            rows.append(_split(line))
        elif lower.startswith("@relation"):
            relation = line.split(None, 1)[1].strip("'")
        elif lower.startswith("@attribute"):
            rest = line.split(None, 1)[1]
            if "{" in rest:
                name, _, spec = rest.partition("{")
                names.append(name.strip().strip("'"))
                levels.append(_split(spec.rstrip().rstrip("}")))
            else:
                name, kind = rest.rsplit(None, 1)
                if kind.lower() not in ("numeric", "real", "integer"):
                    raise ValueError(f"{path.name}: unsupported attribute type {kind!r}")
                names.append(name.strip().strip("'"))
                levels.append(None)
        elif lower.startswith("@data"):
            in_data = True
    for row in rows:
        if len(row) != len(names):
            raise ValueError(f"{path.name}: row has {len(row)} values, expected {len(names)}")
    return Arff(relation, names, levels, rows)


def temp_workdir() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for the download and extraction."""
    return tempfile.TemporaryDirectory(prefix="deepstep-weka-")
