"""Build assets/sunspots.npz: yearly sunspot numbers 1700-2008 (309 values).

Source: ``statsmodels.datasets.sunspots`` (file ``statsmodels/datasets/sunspots/sunspots.csv``),
yearly data from the National Geophysical Data Center (NOAA); statsmodels states "This data is
public domain."

Built with (PyPI, separate build venv, ``pip install statsmodels``): statsmodels 0.15.0,
pandas 3.1.1, numpy 2.4.6, Python 3.11.7.

Changes: none to the values; stored as ``year`` (int16) and ``value`` (float64).

Run: ``python assets/build/build_sunspots.py`` (from the repository root, in the build venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, sha256_file, write_npz

NAME = "sunspots.npz"


def main() -> None:
    """Read statsmodels' sunspots, check them and write the asset."""
    import statsmodels.datasets.sunspots as module

    frame = module.load_pandas().data
    year = frame["YEAR"].to_numpy()
    value = frame["SUNACTIVITY"].to_numpy(dtype=np.float64)
    if not np.array_equal(year, np.arange(1700, 2009)) or np.isnan(value).any():
        raise SystemExit("unexpected statsmodels sunspots data")
    versions = package_versions("statsmodels", "pandas", "numpy")
    meta = {
        "id": "sunspots",
        "title": "Yearly sunspot numbers, 1700-2008",
        "name": "sunspot number",
        "unit": "sunspots (yearly mean)",
        "source_file": "statsmodels/datasets/sunspots/sunspots.csv",
        "source_sha256": sha256_file(Path(module.__file__).parent / "sunspots.csv"),
        "copyright": module.COPYRIGHT.strip(),
        "versions": versions,
    }
    write_npz(NAME, {"year": year.astype(np.int16), "value": value}, meta)
    record(NAME, Path(__file__).name, {"statsmodels.datasets.sunspots": versions})


if __name__ == "__main__":
    main()
