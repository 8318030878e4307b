"""Lay out a math node tree into boxes, TeX style: fractions, scripts, limits, roots, matrices.

A simplified version of the TeXbook's appendix G: each node becomes a :class:`~app.math.boxes.Box`
(width, ascent, descent) built from its children's boxes at the right size and offset. Spacing
between atoms follows TeX's table of atom classes; fractions sit on the math axis; scripts
shrink to 70 %; display style puts limits above and below sums. Sizes are device pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from app.math.boxes import (
    Box,
    Glyphs,
    HList,
    Rule,
    accent_shape,
    delimiter_shape,
    math_font,
    radical_shape,
)
from lessons.markup.mathtext import (
    Accent,
    BigOp,
    Delimited,
    Frac,
    Matrix,
    Node,
    Row,
    Scripts,
    Space,
    Sqrt,
    Styled,
    Symbol,
)

_CLASSES = ("ord", "op", "bin", "rel", "open", "close", "punct", "inner")
# TeX's inter-atom spacing: 0 none, 1 thin always; t/m/T thin/medium/thick outside scripts.
_SPACING = dict(
    zip(_CLASSES, ("01mT000t", "110T000t", "mm00m00m", "TT00T00T", "00000000", "01mT000t",
                   "tt0ttttt", "t1mTt0tt"), strict=True)
)  # fmt: skip
_MU = {"0": 0.0, "1": 3.0, "t": 3.0, "m": 4.0, "T": 5.0}
_BIN_TO_ORD_AFTER = {None, "bin", "op", "rel", "open", "punct"}


@dataclass(frozen=True)
class Style:
    """Where a node is laid out: font family, current and base size (px), display or not."""

    family: str
    size: float
    base: float
    display: bool = False
    variant: str = ""  # "", "bf", "bfit", "rm", "it", "text", "textbf", "textit"
    script: bool = False  # sub/superscripts and limits: no medium or thick spaces

    def smaller(self, factor: float, script: bool = True) -> Style:
        """The style ``factor`` times smaller (never below 60 % of the base size), not display."""
        size = max(self.size * factor, self.base * 0.6)
        return replace(self, size=size, display=False, script=script or self.script)

    @cached_property
    def xheight(self) -> float:
        return Glyphs.make("x", math_font(self.family, round(self.size))).ascent

    @cached_property
    def axis(self) -> float:
        minus = Glyphs.make("−", math_font(self.family, round(self.size)))
        return (minus.ascent - minus.descent) / 2 if minus.ascent > 0 else self.size * 0.25

    @cached_property
    def rule(self) -> float:
        return max(self.size * 0.05, 1.0)


def atom_class(node: Node) -> str | None:
    """TeX atom class of a node (None for spaces, which do not separate atoms)."""
    if isinstance(node, Space):
        return None
    if isinstance(node, Symbol):
        return node.kind
    if isinstance(node, Scripts):
        return atom_class(node.base) or "ord"
    if isinstance(node, BigOp):
        return "op"
    if isinstance(node, Frac | Delimited | Matrix):
        return "inner"
    return "ord"


def layout(node: Node, st: Style) -> Box:
    """The box of ``node`` laid out in style ``st``."""
    if isinstance(node, Symbol):
        return _symbol(node, st)
    if isinstance(node, Row):
        return _row(node.items, st)
    if isinstance(node, Frac):
        return _frac(node, st)
    if isinstance(node, Scripts):
        return _scripts(layout(node.base, st), node.sub, node.sup, st, _is_char(node.base))
    if isinstance(node, BigOp):
        return _bigop(node, st)
    if isinstance(node, Sqrt):
        return _sqrt(node, st)
    if isinstance(node, Accent):
        return _accent(node, st)
    if isinstance(node, Styled):
        return layout(node.body, replace(st, variant=node.style))
    if isinstance(node, Delimited):
        return _delimited(node.left, layout(node.body, st), node.right, st)
    if isinstance(node, Space):
        return Box(width=node.em * st.size)
    return _matrix(node, st)


def _is_char(node: Node) -> bool:
    return isinstance(node, Symbol) and len(node.text) <= 2


def _symbol(node: Symbol, st: Style) -> Glyphs:
    letters = any(ch.isalpha() for ch in node.text)
    italic = node.italic
    bold = st.variant in ("bf", "bfit", "textbf")
    if st.variant in ("bf", "rm", "text", "textbf"):
        italic = False
    elif st.variant in ("it", "textit") and letters:
        italic = True
    return Glyphs.make(node.text, math_font(st.family, round(st.size), bold, italic))


def _row(items: tuple[Node, ...], st: Style) -> Box:
    classes = [atom_class(item) for item in items]
    atoms = [i for i, c in enumerate(classes) if c is not None]
    for n, i in enumerate(atoms):  # a binary operator with nothing to its left is unary
        prev = classes[atoms[n - 1]] if n else None
        nxt = classes[atoms[n + 1]] if n + 1 < len(atoms) else None
        if classes[i] == "bin" and (prev in _BIN_TO_ORD_AFTER or nxt in (None, "rel", "close")):
            classes[i] = "ord"
    placed: list[tuple[float, float, Box]] = []
    x, prev_class = 0.0, None
    for item, cls in zip(items, classes, strict=True):
        if cls is not None and prev_class is not None:
            code = _SPACING[prev_class][_CLASSES.index(cls)]
            if code in "01" or not st.script:
                x += _MU[code] * st.size / 18
        box = layout(item, st)
        placed.append((x, 0.0, box))
        x += box.width
        prev_class = cls if cls is not None else prev_class
    row = HList.of(placed, width=x)
    row.italic = placed[-1][2].italic if placed else 0.0
    return row


def _frac(node: Frac, st: Style) -> Box:
    inner = replace(st, display=False) if st.display else st.smaller(0.8, script=False)
    num, den = layout(node.num, inner), layout(node.den, inner)
    em, t, axis = st.size, st.rule, st.axis
    gap = 2.5 * t if st.display else max(1.5 * t, 0.1 * em)
    up = max(0.68 * em if st.display else 0.45 * em, axis + t / 2 + gap + num.descent)
    down = max(0.69 * em if st.display else 0.4 * em, den.ascent + gap + t / 2 - axis)
    pad = 0.1 * em
    width = max(num.width, den.width) + 2 * pad
    bar = Rule(width=width, ascent=t / 2, descent=t / 2)
    return HList.of(
        [
            ((width - num.width) / 2, -up, num),
            (0.0, -axis, bar),
            ((width - den.width) / 2, down, den),
        ]
    )


def _scripts(base: Box, sub: Node | None, sup: Node | None, st: Style, char: bool) -> Box:
    em, xh = st.size, st.xheight
    small = st.smaller(0.7)
    placed: list[tuple[float, float, Box]] = [(0.0, 0.0, base)]
    x_sup = base.width
    primes = _primes(sup) if sup is not None else None
    if primes is not None:  # primes keep the base size, right after the base
        prime = layout(primes[0], st)
        placed.append((base.width, 0.0, prime))
        x_sup += prime.width
        sup = primes[1]
    sup_box = layout(sup, small) if sup is not None else None
    sub_box = layout(sub, small) if sub is not None else None
    u = v = 0.0
    if sup_box is not None:
        drop = 0.0 if char else base.ascent - 0.39 * small.size
        u = max(0.41 * em if st.display else 0.36 * em, sup_box.descent + xh / 4, drop)
    if sub_box is not None:
        drop = 0.0 if char else base.descent + 0.05 * small.size
        v = max(0.15 * em, sub_box.ascent - 0.8 * xh, drop)
    if sup_box is not None and sub_box is not None:
        v = max(v, 0.25 * em)
        clash = 4 * st.rule - ((u - sup_box.descent) - (sub_box.ascent - v))
        if clash > 0:
            v += clash
    script_space = 0.05 * em
    if sup_box is not None:
        placed.append((x_sup, -u, sup_box))
    if sub_box is not None:
        placed.append((base.width - base.italic, v, sub_box))
    width = max(dx + b.width for dx, _, b in placed)
    return HList.of(placed, width=width + (script_space if len(placed) > 1 else 0.0))


def _primes(sup: Node) -> tuple[Symbol, Node | None] | None:
    """Split a superscript into its leading primes and the rest (None if it has no primes)."""
    if isinstance(sup, Symbol) and sup.text.startswith("′"):
        return sup, None
    if isinstance(sup, Row) and sup.items:
        first, rest = sup.items[0], sup.items[1:]
        if isinstance(first, Symbol) and first.text.startswith("′"):
            return first, (rest[0] if len(rest) == 1 else Row(rest))
    return None


def _bigop(node: BigOp, st: Style) -> Box:
    integral = node.integral
    limits = node.limits if node.limits is not None else st.display and not integral
    if node.named:
        op: Box = Glyphs.make(node.symbol, math_font(st.family, round(st.size)))
    else:
        scale = (2.0 if integral else 1.45) if st.display else (1.3 if integral else 1.1)
        font = math_font(st.family, round(st.size * scale), False, False)
        probe = Glyphs.make(node.symbol, font)
        shift = -st.axis - (probe.descent - probe.ascent) / 2  # centre the ink on the axis
        op = Glyphs.make(node.symbol, font, shift)
        if integral:
            op.italic = 0.12 * st.size * scale
    if not limits:
        if node.sub is None and node.sup is None:
            return op
        return _scripts(op, node.sub, node.sup, st, char=False)
    small = st.smaller(0.7)
    gap = 0.12 * st.size
    parts = [(0.0, op)]
    if node.sup is not None:
        sup = layout(node.sup, small)
        parts.append((-(op.ascent + gap + sup.descent), sup))
    if node.sub is not None:
        sub = layout(node.sub, small)
        parts.append((op.descent + gap + sub.ascent, sub))
    width = max(b.width for _, b in parts)
    return HList.of([((width - b.width) / 2, dy, b) for dy, b in parts], width=width)


def _sqrt(node: Sqrt, st: Style) -> Box:
    body = layout(node.body, st)
    em, t = st.size, st.rule
    clearance = t + (st.xheight if st.display else t) / 4 + 0.1 * em
    height = max(body.ascent, st.xheight) + clearance + t
    depth = max(body.descent, 0.1 * em)
    sign, x_bar = radical_shape(height + depth, depth, em, t)
    placed: list[tuple[float, float, Box]] = []
    x0 = 0.0
    if node.index is not None:
        index = layout(node.index, st.smaller(0.5))
        x0 = max(0.0, index.width - 0.3 * em)
        placed.append((x0 + 0.3 * em - index.width, depth - 0.55 * (height + depth), index))
    pad = 0.08 * em
    bar = Rule(width=body.width + 2 * pad, ascent=height, descent=t - height)
    placed += [(x0, 0.0, sign), (x0 + x_bar - 0.5, 0.0, bar), (x0 + x_bar + pad, 0.0, body)]
    return HList.of(placed, width=x0 + x_bar + body.width + 2 * pad + 0.05 * em)


def _accent(node: Accent, st: Style) -> Box:
    body = layout(node.body, st)
    em = st.size
    inner = body.width - body.italic
    skew = 0.1 * max(body.ascent, st.xheight) if _italic_char(node.body, st) else 0.0
    if node.wide or node.accent == "vec":
        width = max(inner * 0.95, 0.4 * em)
    else:
        width = min(max(inner * 0.8, 0.3 * em), 0.5 * em)
    mark = accent_shape(node.accent, width, em, st.rule)
    lift = max(body.ascent, st.xheight) + 0.08 * em + mark.descent
    x = inner / 2 + skew - width / 2
    shift = max(0.0, -x)
    return HList.of(
        [(shift, 0.0, body), (shift + x, -lift, mark)],
        width=max(shift + body.width, shift + x + width),
    )


def _italic_char(node: Node, st: Style) -> bool:
    return isinstance(node, Symbol) and node.italic and st.variant not in ("bf", "rm")


def _delimited(left: str, body: Box, right: str, st: Style) -> Box:
    axis = st.axis
    need = 2 * max(body.ascent - axis, body.descent + axis) + 0.1 * st.size
    parts = [delimiter(left, need, st), body, delimiter(right, need, st)]
    placed, x = [], 0.0
    for part in parts:
        placed.append((x, 0.0, part))
        x += part.width
    return HList.of(placed, width=x)


def delimiter(char: str, height: float, st: Style) -> Box:
    """A delimiter at least ``height`` tall: the font's glyph when it is tall enough."""
    if not char:
        return Box(width=0.12 * st.size)
    glyph = Glyphs.make(char, math_font(st.family, round(st.size)))
    if height <= (glyph.ascent + glyph.descent) * 1.1:
        return glyph
    return delimiter_shape(char, height, st.size, st.rule, st.axis)


def _lead_ord(cell: Node) -> Row:
    """``cell`` after an empty atom, so a leading "=" gets its space (``&=`` in aligned)."""
    return Row((Row(()), *(cell.items if isinstance(cell, Row) else (cell,))))


def _matrix(node: Matrix, st: Style) -> Box:
    cell_style = replace(st, display=False)
    em = st.size
    ncols = max(len(row) for row in node.rows)
    boxes = [
        [
            layout(_lead_ord(cell) if node.align == "rl" and j % 2 else cell, cell_style)
            for j, cell in enumerate(row)
        ]
        for row in node.rows
    ]
    widths = [max((r[j].width for r in boxes if j < len(r)), default=0.0) for j in range(ncols)]
    col_gap = 0.0 if node.align == "rl" else em
    row_gap = 0.15 * em
    asc = [max([0.72 * em, *(b.ascent for b in r)]) for r in boxes]
    desc = [max([0.28 * em, *(b.descent for b in r)]) for r in boxes]
    total = sum(asc) + sum(desc) + row_gap * (len(boxes) - 1)
    top = -(st.axis + total / 2)
    pad = 0.15 * em if node.left else 0.0
    placed: list[tuple[float, float, Box]] = []
    y = top
    for r, row in enumerate(boxes):
        y += asc[r]
        x = pad
        for j, box in enumerate(row):
            free = widths[j] - box.width
            align = "l" if node.align == "l" or (node.align == "rl" and j % 2) else "c"
            align = "r" if node.align == "rl" and j % 2 == 0 else align
            dx = {"l": 0.0, "c": free / 2, "r": free}[align]
            placed.append((x + dx, y, box))
            x += widths[j] + col_gap
        y += desc[r] + row_gap
    inner_width = sum(widths) + col_gap * (ncols - 1) + 2 * pad
    body = HList.of(placed, width=inner_width)
    body.ascent, body.descent = st.axis + total / 2, total / 2 - st.axis
    return _delimited(node.left, body, node.right, st)
