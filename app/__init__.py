"""DeepStep's Qt GUI: the window, the lesson player, panels and the command line.

Importing the app caps the BLAS at one thread (unless the environment already chose), before
NumPy loads: the lessons' matrices are small, and on a 2-core laptop OpenBLAS's extra threads
spin-wait against the GUI thread and the lesson worker (a training step measured 10-20x
slower with the default threads on a loaded 2-core machine).
"""

import os
from importlib.metadata import PackageNotFoundError, version

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

try:
    __version__ = version("deepstep")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
