"""The lesson text markup: an HTML subset with TeX-like math, and number formatting."""
