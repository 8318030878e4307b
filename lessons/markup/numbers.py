"""Number formatting shared by the lessons: numbers inside $...$ math and in plain prose."""

from __future__ import annotations

import math


def tex(x: float, digits: int = 4) -> str:
    """``x`` for use inside math: 4 significant digits, powers of ten written as such."""
    if math.isnan(x):
        return r"\mathrm{NaN}"
    if math.isinf(x):
        return r"\infty" if x > 0 else r"-\infty"
    if x != 0 and (abs(x) >= 1e5 or abs(x) < 1e-4):
        mantissa, exponent = f"{x:.2e}".split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def ptex(x: float, digits: int = 4) -> str:
    """Like :func:`tex`, in parentheses when negative (for products: 0.1 × (−4))."""
    text = tex(x, digits)
    return f"({text})" if text.startswith("-") else text


def plain(x: float, digits: int = 4) -> str:
    """``x`` for prose, tables and captions: 4 significant digits and a real minus sign."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{digits}g}"
    return ("0" if text == "-0" else text).replace("-", "−")
