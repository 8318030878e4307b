"""Build assets/co2.npz: weekly atmospheric CO2 at Mauna Loa, March 1958 - December 2001.

Source: ``statsmodels.datasets.co2`` (file ``statsmodels/datasets/co2/co2.csv``): C. D. Keeling
and T. P. Whorf (2004), Scripps Institution of Oceanography, via CDIAC; statsmodels states
"This is public domain."

Built with (PyPI, separate build venv, ``pip install statsmodels``): statsmodels 0.15.0,
pandas 3.1.1, numpy 2.4.6, Python 3.11.7.

Changes: 2,284 weeks stored as ``day`` (int32, days since 1970-01-01 of the week's Saturday) and
``value`` (float64, ppmv); the 59 weeks without a measurement are kept as NaN (not filled).

Run: ``python assets/build/build_co2.py`` (from the repository root, in the build venv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _common import package_versions, record, sha256_file, write_npz

NAME = "co2.npz"


def main() -> None:
    """Read statsmodels' CO2 series, check it and write the asset."""
    import statsmodels.datasets.co2 as module

    frame = module.load_pandas().data
    days = frame.index.to_numpy().astype("datetime64[D]").astype(np.int64)
    value = frame["co2"].to_numpy(dtype=np.float64)
    if len(value) != 2284 or int(np.isnan(value).sum()) != 59 or np.any(np.diff(days) != 7):
        raise SystemExit("unexpected statsmodels co2 data")
    versions = package_versions("statsmodels", "pandas", "numpy")
    meta = {
        "id": "co2",
        "title": "Weekly atmospheric CO2 at Mauna Loa, 1958-2001",
        "name": "CO2 concentration",
        "unit": "ppmv",
        "source_file": "statsmodels/datasets/co2/co2.csv",
        "source_sha256": sha256_file(Path(module.__file__).parent / "co2.csv"),
        "copyright": module.COPYRIGHT.strip(),
        "versions": versions,
    }
    write_npz(NAME, {"day": days.astype(np.int32), "value": value}, meta)
    record(NAME, Path(__file__).name, {"statsmodels.datasets.co2": versions})


if __name__ == "__main__":
    main()
