"""DeepStep's data files (.npz), their checksums (manifest.json) and ATTRIBUTION.md.

The files are package data: they are found the same way from a source checkout and from an
installed wheel. The environment variable ``DEEPSTEP_ASSETS_DIR`` points the loaders at another
folder instead (tests use it to simulate a missing or corrupt file). How each file was made:
``assets/build/`` (build scripts, not shipped in the wheel) and ``ATTRIBUTION.md``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

__all__ = ["ENV_VAR", "asset_path", "assets_dir", "attribution_text"]

ENV_VAR = "DEEPSTEP_ASSETS_DIR"


def assets_dir() -> Path:
    """The folder holding the assets: ``$DEEPSTEP_ASSETS_DIR`` if set, else this package."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return Path(str(files(__name__)))


def asset_path(name: str) -> Path:
    """The path of the asset file ``name`` (it may not exist; loaders check)."""
    return assets_dir() / name


def attribution_text() -> str:
    """The text of ATTRIBUTION.md (sources, authors, licences), for the About box."""
    return Path(str(files(__name__))).joinpath("ATTRIBUTION.md").read_text(encoding="utf-8")
