"""Parse the lesson text markup: an HTML subset with TeX-like math between dollar signs.

Lesson narrative is a small markup: a few HTML inline/block tags for the prose and math written
between ``$...$`` (inline) or ``$$...$$`` (display, centred on its own line) in a TeX subset.
This module turns it into data, never pixels (no Qt here):

* :func:`split_markup` cuts the text into prose strings and :class:`Math` pieces;
* :func:`parse_math` turns a math source into a tree of small frozen dataclasses
  (:class:`Row`, :class:`Symbol`, :class:`Frac`, :class:`Scripts`, :class:`BigOp`, ...) that the
  app lays out and paints (``app/mathrender.py``), defined in :mod:`lessons.markup.nodes`;
* :func:`to_plain` linearises the whole markup to readable Unicode (terminals, screen readers);
* :func:`check_markup` validates a lesson's text so mistakes fail a test, not a learner's screen.

``COMMANDS`` lists every supported command; anything else raises :class:`MathError`.
"""

from __future__ import annotations

import html
import re

from lessons.markup import tables as T
from lessons.markup.nodes import (
    Accent,
    BigOp,
    Delimited,
    Frac,
    Math,
    MathError,
    Matrix,
    Node,
    Row,
    Scripts,
    Space,
    Sqrt,
    Styled,
    Symbol,
)
from lessons.markup.parse import parse_math
from lessons.markup.tables import Kind

__all__ = [
    "COMMANDS",
    "Accent",
    "BigOp",
    "Delimited",
    "Frac",
    "Kind",
    "Math",
    "MathError",
    "Matrix",
    "Node",
    "Row",
    "Scripts",
    "Space",
    "Sqrt",
    "Styled",
    "Symbol",
    "check_markup",
    "node_to_plain",
    "parse_math",
    "split_markup",
    "to_plain",
]


COMMANDS: frozenset[str] = T.COMMANDS


def _scan(text: str) -> list[tuple[str | Math, int]]:
    """Split ``text`` into prose and math pieces with their offsets (see :func:`split_markup`)."""
    pieces: list[tuple[str | Math, int]] = []
    prose: list[str] = []
    prose_start = i = 0
    while i < len(text):
        if text.startswith("\\$", i):
            prose.append("$")
            i += 2
            continue
        if text[i] != "$":
            prose.append(text[i])
            i += 1
            continue
        display = text.startswith("$$", i)
        fence = "$$" if display else "$"
        j = begin = i + len(fence)
        while j < len(text) and text[j] != "$":
            j += 2 if text[j] == "\\" else 1
        if j >= len(text) or not text.startswith(fence, j):
            raise MathError(f"unbalanced {fence!r} at position {i} in {text!r}", i)
        if not text[begin:j].strip():
            raise MathError(f"empty math at position {i} in {text!r}", i)
        if prose:
            pieces.append(("".join(prose), prose_start))
            prose = []
        pieces.append((Math(text[begin:j], display), begin))
        i = prose_start = j + len(fence)
    if prose:
        pieces.append(("".join(prose), prose_start))
    return pieces


def split_markup(text: str) -> list[str | Math]:
    """Cut markup into prose strings and :class:`Math` pieces (``\\$`` is a literal dollar)."""
    return [piece for piece, _ in _scan(text)]


_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)\s*=")


def _stray(prose: str, start: int, end: int, offset: int) -> None:
    if "<" in prose[start:end]:
        at = offset + prose.index("<", start)
        raise MathError(f"stray '<' at position {at} (write &lt;, or put it in math)", at)


def _check_html(prose: str, offset: int, open_tags: list[tuple[str, int]]) -> None:
    """Check the tags of one prose piece; ``open_tags`` carries open tags across math pieces."""
    pos = 0
    for m in _TAG.finditer(prose):
        _stray(prose, pos, m.start(), offset)
        pos = m.end()
        closing, tag, attrs, selfclose = m.group(1), m.group(2).lower(), m.group(3), m.group(4)
        at = offset + m.start()
        if tag not in T.HTML_TAGS:
            raise MathError(f"tag <{tag}> not allowed at {at}; use {sorted(T.HTML_TAGS)}", at)
        bad = [a for a in _ATTR.findall(attrs) if a.lower() != "class"]
        if bad:
            raise MathError(f"attribute {bad[0]!r} not allowed on <{tag}> at {at}", at)
        if tag == "br" or selfclose:
            continue
        if not closing:
            open_tags.append((tag, at))
        elif not open_tags or open_tags.pop()[0] != tag:
            raise MathError(f"</{tag}> at {at} does not close the innermost open tag", at)
    _stray(prose, pos, len(prose), offset)


def check_markup(text: str) -> None:
    """Validate lesson markup: balanced dollars, known math commands, the allowed HTML subset."""
    open_tags: list[tuple[str, int]] = []
    for piece, offset in _scan(text):
        if isinstance(piece, str):
            _check_html(piece, offset, open_tags)
            continue
        try:
            parse_math(piece.source)
        except MathError as err:
            raise MathError(
                f"{err} (text position {offset + err.position})",
                offset + err.position,
                err.command,
            ) from err
    if open_tags:
        tag, at = open_tags[-1]
        raise MathError(f"<{tag}> at position {at} is never closed", at)


def _script(plain: str, table: dict[str, str], mark: str) -> str:
    if len(plain) > 2 and plain.isalpha():  # a word reads better as p_true than pₜᵣᵤₑ
        return mark + plain
    if plain and all(ch in table for ch in plain):
        return "".join(table[ch] for ch in plain)
    return mark + (plain if len(plain) == 1 else f"({plain})")


def _atomic(plain: str) -> bool:
    return not any(ch in plain for ch in " +−=<>≤≥,/")


def _wrap(plain: str) -> str:
    return plain if _atomic(plain) or len(plain) <= 1 else f"({plain})"


_UNARY_AFTER = (None, "bin", "rel", "open", "punct", "op")


def _kind_of(node: Node) -> Kind:
    if isinstance(node, Symbol):
        return node.kind
    if isinstance(node, Scripts):
        return _kind_of(node.base)
    return "op" if isinstance(node, BigOp) else "ord"


def _scripts_plain(node: Scripts | BigOp) -> str:
    base = node.symbol if isinstance(node, BigOp) else _wrap(node_to_plain(node.base))
    sub = node_to_plain(node.sub).replace(" ", "") if node.sub else ""
    sup = node_to_plain(node.sup).replace(" ", "") if node.sup else ""
    return (
        base
        + (_script(sub, T.SUBSCRIPTS, "_") if sub else "")
        + (_script(sup, T.SUPERSCRIPTS, "^") if sup else "")
    )


def _row_plain(items: tuple[Node, ...]) -> str:
    out, prev = "", None
    for item, nxt in zip(items, (*items[1:], None), strict=False):
        kind = _kind_of(item)
        unary = kind == "bin" and isinstance(item, Symbol) and prev in _UNARY_AFTER
        if unary and isinstance(item, Symbol):
            out += item.text
        elif isinstance(item, Frac | BigOp):
            lead = "" if prev == "bin" and out.endswith(("−", "+", "±")) else " "
            out += lead + node_to_plain(item) + (" " if isinstance(item, Frac) else "")
        else:
            out += node_to_plain(item)
        if kind == "op" and nxt is not None and not node_to_plain(nxt).startswith(("(", "[")):
            out += " "
        prev = prev if isinstance(item, Space) else kind
    out = re.sub(r"([(\[{]) | ([)\]},])", r"\1\2", re.sub(r" {2,}", " ", out))
    return out.strip()


def node_to_plain(node: Node) -> str:
    """Linearise a math node to readable Unicode text, e.g. ``σ(z) = 1/(1 + e⁻ᶻ)``."""
    if isinstance(node, Symbol):
        if node.kind in ("bin", "rel"):
            return f" {node.text} "
        return node.text + (" " if node.kind == "punct" else "")
    if isinstance(node, Row):
        return _row_plain(node.items)
    if isinstance(node, Frac):
        return f"{_wrap(node_to_plain(node.num))}/{_wrap(node_to_plain(node.den))}"
    if isinstance(node, Scripts | BigOp):
        return _scripts_plain(node)
    if isinstance(node, Sqrt):
        index = _script(node_to_plain(node.index), T.SUPERSCRIPTS, "") if node.index else ""
        return f"{index}√{_wrap(node_to_plain(node.body))}"
    if isinstance(node, Accent):
        body = node_to_plain(node.body)
        if len(body) == 1:
            return body + T.COMBINING[node.accent]
        return f"{node.accent}({body})"
    if isinstance(node, Styled):
        return node_to_plain(node.body)
    if isinstance(node, Delimited):
        return f"{node.left}{node_to_plain(node.body)}{node.right}"
    if isinstance(node, Space):
        return " " if node.em >= 0.15 else ""
    rows = "; ".join(", ".join(node_to_plain(c) for c in row) for row in node.rows)
    return f"{node.left}{rows}{node.right}" if node.left or node.right else f"[{rows}]"


def _prose_to_plain(prose: str) -> str:
    prose = re.sub(r"\s+", " ", prose)
    prose = re.sub(r"<sub>(.*?)</sub>", lambda m: _script(m.group(1), T.SUBSCRIPTS, "_"), prose)
    prose = re.sub(r"<sup>(.*?)</sup>", lambda m: _script(m.group(1), T.SUPERSCRIPTS, "^"), prose)
    prose = re.sub(r"<br\s*/?>|</?(p|ul|ol)(\s[^>]*)?>", "\n", prose, flags=re.IGNORECASE)
    prose = re.sub(r"<li(\s[^>]*)?>", "\n• ", prose, flags=re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", "", prose))


def to_plain(text: str) -> str:
    """The whole markup as readable Unicode plain text: tags stripped, math linearised."""
    out: list[str] = []
    for piece in split_markup(text):
        if isinstance(piece, str):
            out.append(_prose_to_plain(piece))
            continue
        try:
            plain = node_to_plain(parse_math(piece.source))
        except MathError:
            plain = piece.source
        out.append(f"\n{plain}\n" if piece.display else plain)
    lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
