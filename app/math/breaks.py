"""Break a formula that is too wide onto lines, instead of shrinking it or cutting it off.

A formula is never drawn smaller than the text around it. When a display formula is wider than
the narrative, :func:`break_formula` cuts its top-level row before a relation (=, ←, ≤, ...) or
a binary operator (+, −, ...), packing as much onto each line as fits, TeX style: continuation
lines start with the operator they were cut before, indented to where the right-hand side of
the first relation begins (or by one quad when that is too far or takes more lines; less where
a line needs it). A cut before a product's dot or cross is taken only where no relation or
sum sign gives a line that fits.
Only the outermost row is cut, so nothing inside fractions or scripts is ever split. A
top-level ``\\left[ ... \\right]`` group that is too wide is opened as a last resort: its
delimiters become ordinary brackets around the items of its body, which may then be cut
(``= ½[(a − 1)² +`` / ``(b − 0)²]``). A formula with no place to cut, or a piece still too
wide on its own, stays as wide as it is: the narrative then scrolls sideways.

Inline math is cut beforehand, TeX style, after each top-level relation:
:func:`inline_pieces` splits ``a = b = c`` into ``a =`` / ``b =`` / ``c``, which the narrative
sets as separate images with a line-break opportunity between them, so the text wraps there
when the formula would run past the right edge (and reads as one formula when it fits).
"""

from __future__ import annotations

from app.math.boxes import Box, HList
from app.math.layout import Style, atom_class, layout
from lessons.markup.mathtext import Node, Row
from lessons.markup.nodes import Delimited, Space, Symbol

__all__ = ["break_formula", "break_points", "inline_pieces"]

LINE_GAP_EM = 0.35  # between one line's lowest ink and the next line's highest
_UNARY_AFTER = (None, "bin", "op", "rel", "open", "punct")  # a "bin" after these is a sign


def break_points(node: Node) -> tuple[int, ...]:
    """Indices of the top-level items before which ``node`` may be cut (empty if nowhere).

    A line may start at a relation or at a binary operator outside any plain brackets; a
    sign (the minus of ``= -x``, or one in first place) is not an operator, and the first atom
    never starts a new line.
    """
    if not isinstance(node, Row):
        return ()
    points: list[int] = []
    prev: str | None = None
    depth = 0  # inside plain "(" ... ")": (b − 0)² is not cut after its "−"
    for i, item in enumerate(node.items):
        kind = atom_class(item)
        if kind is None:
            continue
        depth = max(0, depth + (kind == "open") - (kind == "close"))
        operator = kind == "rel" or (kind == "bin" and prev not in _UNARY_AFTER)
        if prev is not None and depth == 0 and operator:
            points.append(i)
        prev = kind
    return tuple(points)


# What follows a relation with TeX's thick space (a "bin" after a relation is a sign: "ord").
_THICK_AFTER_REL = ("ord", "op", "bin", "open", "inner")
# The thick space a cut relation keeps on its right, less the two images' transparent margins.
_REL_SPACE_EM = 5 / 18 - 0.08


def inline_pieces(node: Node) -> tuple[Node, ...]:
    """``node`` cut after each top-level relation that has more formula after it, for inline
    math to wrap there: each piece but the last ends with its relation and the space after it.

    Nothing inside brackets, fractions or scripts is cut; a formula without such a relation is
    one piece (``node`` itself).
    """
    if not isinstance(node, Row):
        return (node,)
    kinds = [atom_class(item) for item in node.items]
    atoms = [i for i, kind in enumerate(kinds) if kind is not None]
    cuts: list[int] = []  # cut after these item indices
    depth = 0
    for n, i in enumerate(atoms):
        kind = kinds[i]
        depth = max(0, depth + (kind == "open") - (kind == "close"))
        nxt = kinds[atoms[n + 1]] if n + 1 < len(atoms) else None
        if kind == "rel" and n > 0 and depth == 0 and nxt in _THICK_AFTER_REL:
            cuts.append(i)
    if not cuts:
        return (node,)
    pieces: list[Node] = []
    start = 0
    for end in (*cuts, len(node.items) - 1):
        while start < end and isinstance(node.items[start], Space):
            start += 1  # a line never starts with space (the piece before ends with one)
        items = node.items[start : end + 1]
        pieces.append(Row((*items, Space(_REL_SPACE_EM))) if end in cuts else Row(items))
        start = end + 1
    return tuple(pieces)


def _line(items: tuple[Node, ...], st: Style, continued: bool) -> Box:
    """A line of the formula; a continuation starts after an empty atom, so a leading
    operator keeps the space it has between two operands (like ``&=`` in aligned)."""
    return layout(Row((Row(()), *items)) if continued else Row(items), st)


def _indent(items: tuple[Node, ...], st: Style, width: float) -> float:
    """Where continuation lines start: under the first relation's right-hand side, if it is
    in the left half of the width, else one quad in."""
    first_rel = next((i for i, item in enumerate(items) if atom_class(item) == "rel"), None)
    if first_rel is not None and first_rel > 0:
        lhs = layout(Row(items[: first_rel + 1]), st).width + 5 * st.size / 18
        if lhs <= width / 2:
            return lhs
    return st.size


def _opened(node: Row) -> Row:
    """``node`` with each top-level delimited group spliced in: bracket, body items, bracket."""
    items: list[Node] = []
    for item in node.items:
        if isinstance(item, Delimited):
            body = item.body.items if isinstance(item.body, Row) else (item.body,)
            # ordinary atoms, so that the body's own operators count as top-level cuts
            items += [Symbol(item.left)] if item.left else []
            items += body
            items += [Symbol(item.right)] if item.right else []
        else:
            items.append(item)
    return Row(tuple(items))


def break_formula(node: Node, st: Style, width: float) -> Box | None:
    """``node`` laid out on several lines, each at most ``width`` wide where it can be.

    Returns None when the formula fits on one line or cannot be cut anywhere. The box's
    baseline is the last line's; lines are ``LINE_GAP_EM`` apart (ink to ink). Delimited
    groups are opened only when the formula cannot be cut to fit without that.
    """
    box = _break(node, st, width)
    if isinstance(node, Row) and (box is None or box.width > width):
        opened = _opened(node)
        if opened != node and layout(node, st).width > width:
            cut = _break(opened, st, width)
            if cut is not None and (box is None or cut.width < box.width):
                return cut
    return box


def _break(node: Node, st: Style, width: float) -> Box | None:
    """:func:`break_formula` at the top-level row's own break points only.

    Continuation lines go under the first relation's right-hand side unless indenting them
    one quad takes fewer lines (a wide left-hand side such as a sum leaves little room).
    """
    points = break_points(node)
    if not points or not isinstance(node, Row):
        return None
    items = node.items
    whole = layout(node, st)
    if whole.width <= width:
        return None
    aligned = _indent(items, st, width)
    lines = _lines(items, points, st, width, aligned)
    if aligned != st.size:
        quad = _lines(items, points, st, width, st.size)
        if len(quad) < len(lines):
            lines = quad
    if len(lines) < 2:
        return None
    gap = LINE_GAP_EM * st.size
    placed: list[tuple[float, float, Box]] = []
    y = 0.0
    for n, (x, box) in enumerate(lines):
        if n:
            y += lines[n - 1][1].descent + gap + box.ascent
        placed.append((x, y, box))
    return HList.of([(x, dy - y, box) for x, dy, box in placed])


# Cutting before a product's dot or cross splits two factors: only where no relation or sum
# sign leaves a line that fits (TeX, too, prefers a relation to a binary operator).
_WEAK_CUTS = frozenset({"·", "×", "⋅", "∗", "∘"})


def _lines(
    items: tuple[Node, ...], points: tuple[int, ...], st: Style, width: float, indent: float
) -> list[tuple[float, Box]]:
    """Greedy lines: each takes the last cut that fits, a weak cut only if no other fits."""
    cuts = (*points, len(items))
    lines: list[tuple[float, Box]] = []
    start = 0
    while start < len(items):
        continued = start > 0
        room = width - (indent if continued else 0.0)
        end = next(cut for cut in cuts if cut > start)  # the first piece goes, even too wide
        box = _line(items[start:end], st, continued)
        strong: tuple[int, Box] | None = None
        for cut in cuts:
            if cut <= end:
                continue
            candidate = _line(items[start:cut], st, continued)
            if candidate.width > room:
                break
            end, box = cut, candidate
            if cut == len(items) or getattr(items[cut], "text", "") not in _WEAK_CUTS:
                strong = (cut, candidate)
        if strong is not None and end != len(items):
            end, box = strong
        x = min(indent, max(0.0, width - box.width)) if continued else 0.0  # pull in to fit
        lines.append((x, box))
        start = end
    return lines
