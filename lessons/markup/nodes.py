"""The math node tree of lesson markup: small frozen dataclasses the parser builds.

:mod:`lessons.markup.mathtext` re-exports these; the app lays them out and paints them
(``app/mathlayout.py``), :func:`lessons.markup.mathtext.node_to_plain` linearises them to text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from lessons.markup.tables import INTEGRALS, Kind


class MathError(ValueError):
    """A markup or math syntax error, with the offending position and command (if any)."""

    def __init__(self, message: str, position: int, command: str | None = None) -> None:
        super().__init__(message)
        self.position = position
        self.command = command


@dataclass(frozen=True)
class Math:
    """A math piece of the markup: its TeX-like source and whether it is display math."""

    source: str
    display: bool


@dataclass(frozen=True)
class Symbol:
    """One glyph run: a letter, number, operator or name. ``kind`` follows TeX's atom classes."""

    text: str
    italic: bool = False
    kind: Kind = "ord"


@dataclass(frozen=True)
class Row:
    """A horizontal list of nodes, spaced by their kinds."""

    items: tuple[Node, ...]


@dataclass(frozen=True)
class Frac:
    """A stacked fraction with a rule on the math axis."""

    num: Node
    den: Node


@dataclass(frozen=True)
class Scripts:
    """A base with an optional subscript and/or superscript."""

    base: Node
    sub: Node | None = None
    sup: Node | None = None


@dataclass(frozen=True)
class BigOp:
    """A large operator (sum, product, integral) or a limit-taking name (max, lim).

    ``named`` operators are upright words (``max``); ``limits`` None means TeX's default:
    limits above/below in display math for sums and names, beside for integrals.
    """

    symbol: str
    sub: Node | None = None
    sup: Node | None = None
    named: bool = False
    limits: bool | None = None

    @property
    def integral(self) -> bool:
        """Whether this is an integral sign (its limits go beside it, even in display)."""
        return self.symbol in INTEGRALS


@dataclass(frozen=True)
class Sqrt:
    """A square (or n-th, with ``index``) root with a drawn radical sign."""

    body: Node
    index: Node | None = None


@dataclass(frozen=True)
class Accent:
    """A mark over ``body``: hat, bar, vec, tilde, dot or ddot (``wide`` spans the body)."""

    body: Node
    accent: str
    wide: bool = False


@dataclass(frozen=True)
class Styled:
    """``body`` in a style: ``bf``, ``bfit``, ``rm``, ``it`` or ``text``, ``textbf``, ``textit``."""

    body: Node
    style: str


@dataclass(frozen=True)
class Delimited:
    """``\\left( body \\right)``: delimiters grown to the body's height ("" is an empty one)."""

    left: str
    body: Node
    right: str


@dataclass(frozen=True)
class Space:
    """Horizontal space in em (negative for ``\\!``)."""

    em: float


@dataclass(frozen=True)
class Matrix:
    """A 2-D array of cells with delimiters; ``align`` is "c", "l" (cases) or "rl" (aligned)."""

    rows: tuple[tuple[Node, ...], ...]
    left: str = "("
    right: str = ")"
    align: str = "c"


Node: TypeAlias = (
    Symbol | Row | Frac | Scripts | BigOp | Sqrt | Accent | Styled | Delimited | Space | Matrix
)
