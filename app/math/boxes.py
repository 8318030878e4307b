"""Boxes for math layout: glyph runs, rules, drawn shapes and lists that paint themselves.

Every box has a width, an ascent above its baseline and a descent below it (device pixels),
and paints itself with its baseline-left corner at a given point. Shapes (growing delimiters,
radical signs, accents) are painter paths built here, so they scale to any height and stay crisp.
Used by :mod:`app.math.layout`; no other module draws math.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QTransform,
)


@lru_cache(maxsize=256)
def math_font(family: str, px: int, bold: bool = False, italic: bool = False) -> QFont:
    """A font of ``family`` at ``px`` pixels (pixel sizes keep metrics device independent)."""
    font = QFont(family)
    font.setPixelSize(max(1, px))
    font.setBold(bold)
    font.setItalic(italic)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setKerning(True)
    return font


def _font_key(font: QFont) -> tuple[str, int, bool, bool]:
    return (font.family(), font.pixelSize(), font.bold(), font.italic())


@lru_cache(maxsize=4096)
def _ink(key: tuple[str, int, bool, bool], text: str) -> tuple[float, float, float, float, float]:
    """(advance, left, top, right, bottom) of ``text``: exact outline bounds, y down."""
    font = math_font(*key)
    path = QPainterPath()
    path.addText(0.0, 0.0, font, text)
    ink = path.boundingRect()
    advance = QFontMetricsF(font).horizontalAdvance(text)
    if ink.isEmpty():
        return advance, 0.0, 0.0, advance, 0.0
    return advance, ink.left(), ink.top(), ink.right(), ink.bottom()


@dataclass
class Box:
    """An empty box (also the base class): ``width``, ``ascent``, ``descent`` in pixels."""

    width: float = 0.0
    ascent: float = 0.0
    descent: float = 0.0
    italic: float = 0.0  # italic correction: ink past the advance (superscripts go after it)

    def paint(self, painter: QPainter, x: float, y: float) -> None:
        """Paint with the baseline-left corner at (x, y); an empty box paints nothing."""


@dataclass
class Glyphs(Box):
    """A run of text in one font; ``lead`` shifts the pen right so left overhangs stay inside."""

    text: str = ""
    font: QFont = field(default_factory=QFont)
    lead: float = 0.0
    shift: float = 0.0  # baseline shift (down positive) of the glyphs inside the box

    @classmethod
    def make(cls, text: str, font: QFont, shift: float = 0.0) -> Glyphs:
        """Measure ``text``: the ink decides height and depth, advance plus overhangs the width."""
        advance, left, top, right, bottom = _ink(_font_key(font), text)
        lead = max(0.0, -left)
        italic = max(0.0, right - advance) if font.italic() else 0.0
        return cls(
            width=lead + advance + italic,
            ascent=max(0.0, -(top + shift)),
            descent=max(0.0, bottom + shift),
            italic=italic,
            text=text,
            font=font,
            lead=lead,
            shift=shift,
        )

    def paint(self, painter: QPainter, x: float, y: float) -> None:
        painter.setFont(self.font)
        painter.drawText(QPointF(x + self.lead, y + self.shift), self.text)


@dataclass
class Rule(Box):
    """A filled rectangle covering the whole box (fraction bars)."""

    def paint(self, painter: QPainter, x: float, y: float) -> None:
        painter.fillRect(
            QRectF(x, y - self.ascent, self.width, self.ascent + self.descent),
            painter.pen().color(),
        )


@dataclass
class Shape(Box):
    """A painter path in box coordinates (baseline-left origin, y down), stroked or filled."""

    path: QPainterPath = field(default_factory=QPainterPath)
    pen_width: float = 0.0  # 0 fills the path instead of stroking it

    def paint(self, painter: QPainter, x: float, y: float) -> None:
        color = QColor(painter.pen().color())
        painter.save()
        painter.translate(x, y)
        if self.pen_width > 0:
            pen = QPen(color, self.pen_width)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
        painter.drawPath(self.path)
        painter.restore()


@dataclass
class HList(Box):
    """Children placed at (dx, dy) offsets from this box's baseline-left corner (dy down)."""

    children: list[tuple[float, float, Box]] = field(default_factory=list)

    @classmethod
    def of(cls, placed: list[tuple[float, float, Box]], width: float | None = None) -> HList:
        """A list whose extents cover all ``placed`` children (and ``width`` if given)."""
        right = max((dx + b.width for dx, _, b in placed), default=0.0)
        return cls(
            width=right if width is None else width,
            ascent=max((b.ascent - dy for _, dy, b in placed), default=0.0),
            descent=max((b.descent + dy for _, dy, b in placed), default=0.0),
            children=placed,
        )

    def paint(self, painter: QPainter, x: float, y: float) -> None:
        for dx, dy, child in self.children:
            child.paint(painter, x + dx, y + dy)


def _stroke(path: QPainterPath, width: float) -> QPainterPath:
    """The outline of ``path`` stroked at ``width`` (so shapes can be filled in one go)."""
    stroker = QPainterPathStroker()
    stroker.setWidth(width)
    stroker.setCapStyle(Qt.PenCapStyle.FlatCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return stroker.createStroke(path)


def delimiter_shape(char: str, height: float, em: float, rule: float, axis: float) -> Shape:
    """A delimiter ``char`` drawn ``height`` tall, centred on the math axis."""
    top, bottom = -axis - height / 2, -axis + height / 2
    mid = (top + bottom) / 2
    side = 0.08 * em
    thick = max(rule * 1.6, 0.075 * em)
    path = QPainterPath()
    w = min(0.28 * em + 0.05 * height, 0.6 * em)
    if char in "()":
        x_end, x_far = side + w, side
        bulge = min(thick * 0.9, 0.08 * em) + rule * 0.3
        path.moveTo(x_end, top)
        path.cubicTo(x_far, top + height * 0.22, x_far, bottom - height * 0.22, x_end, bottom)
        path.lineTo(x_end - rule * 0.2, bottom)
        path.cubicTo(
            x_far + 2 * bulge, bottom - height * 0.25, x_far + 2 * bulge, top + height * 0.25,
            x_end - rule * 0.2, top,
        )  # fmt: skip
        path.closeSubpath()
    elif char in "[]⌊⌋⌈⌉":
        w = min(0.22 * em + 0.02 * height, 0.45 * em)
        x0, x1 = side + thick / 2, side + w
        stem = QPainterPath(QPointF(x0, top))
        stem.lineTo(x0, bottom)
        path = _stroke(stem, thick)
        if char in "[]⌈⌉":
            path.addRect(QRectF(side, top, x1 - side, rule))
        if char in "[]⌊⌋":
            path.addRect(QRectF(side, bottom - rule, x1 - side, rule))
    elif char in "{}":
        x0, x1, xm = side, side + w, side + w / 2
        line = QPainterPath()
        line.moveTo(x1, top)
        line.cubicTo(xm, top, xm, top + 0.05 * height, xm, top + 0.15 * height)
        line.lineTo(xm, mid - 0.12 * height)
        line.cubicTo(xm, mid - 0.02 * height, x0 + w * 0.2, mid, x0, mid)
        line.cubicTo(x0 + w * 0.2, mid, xm, mid + 0.02 * height, xm, mid + 0.12 * height)
        line.lineTo(xm, bottom - 0.15 * height)
        line.cubicTo(xm, bottom - 0.05 * height, xm, bottom, x1, bottom)
        path = _stroke(line, thick * 0.85)
    elif char in "|‖":
        w = thick + (0.18 * em if char == "‖" else 0.0)
        path.addRect(QRectF(side, top, thick * 0.8, height))
        if char == "‖":
            path.addRect(QRectF(side + w - thick * 0.8, top, thick * 0.8, height))
    elif char in "⟨⟩/":
        w = min(0.25 * em + 0.08 * height, 0.55 * em) if char != "/" else 0.1 * em + 0.3 * height
        line = QPainterPath()
        if char == "/":
            line.moveTo(side, bottom)
            line.lineTo(side + w, top)
        else:
            line.moveTo(side + w, top)
            line.lineTo(side, mid)
            line.lineTo(side + w, bottom)
        path = _stroke(line, thick * 0.75)
    if char in ")]}⟩⌋⌉":
        path = _mirror(path, 2 * side + w)
    return Shape(width=2 * side + w, ascent=-top, descent=bottom, path=path)


def _mirror(path: QPainterPath, width: float) -> QPainterPath:
    return QTransform(-1.0, 0.0, 0.0, 1.0, width, 0.0).map(path)


def radical_shape(total: float, depth: float, em: float, rule: float) -> tuple[Shape, float]:
    """A radical sign reaching ``total`` px from its bottom (``depth`` below the baseline).

    Returns the shape (whose top stroke is the start of the bar) and the x where the bar starts.
    """
    bottom, top = depth, depth - total
    k = min(1.0, total / em)
    width = 0.45 * em + min(0.25 * em, 0.04 * total)
    p0 = QPointF(0.04 * em, bottom - 0.42 * em * k)
    p1 = QPointF(0.16 * em, bottom - 0.5 * em * k)
    p2 = QPointF(0.34 * em + 0.03 * total * 0.2, bottom)
    p3 = QPointF(width, top + rule / 2)
    thin = QPainterPath(p0)
    thin.lineTo(p1)
    thick = QPainterPath(p1)
    thick.lineTo(p2)
    rise = QPainterPath(p2)
    rise.lineTo(p3)
    path = _stroke(thin, rule) | _stroke(thick, rule * 2.2) | _stroke(rise, rule)
    return Shape(width=width, ascent=-top, descent=bottom, path=path), width


def accent_shape(accent: str, width: float, em: float, rule: float) -> Shape:
    """An accent mark ``width`` wide sitting on the baseline of its own box (y up is negative)."""
    path = QPainterPath()
    pen = rule * 0.9
    if accent == "hat":
        h = 0.16 * em + 0.05 * width
        path.moveTo(0, 0)
        path.lineTo(width / 2, -h)
        path.lineTo(width, 0)
    elif accent == "bar":
        h = rule
        path.moveTo(0, -h / 2)
        path.lineTo(width, -h / 2)
    elif accent == "vec":
        h = 0.2 * em
        head = 0.12 * em
        path.moveTo(0, -h / 2)
        path.lineTo(width, -h / 2)
        path.moveTo(width - head, -h / 2 - head * 0.8)
        path.lineTo(width, -h / 2)
        path.lineTo(width - head, -h / 2 + head * 0.8)
    elif accent == "tilde":
        h = 0.13 * em
        path.moveTo(0, -h * 0.25)
        path.cubicTo(width * 0.3, -h * 1.3, width * 0.7, h * 0.3, width, -h * 0.75)
    else:  # dot, ddot
        r = 0.055 * em + rule * 0.3
        h = 2 * r
        xs = [width / 2] if accent == "dot" else [width / 2 - 0.13 * em, width / 2 + 0.13 * em]
        for cx in xs:
            path.addEllipse(QPointF(cx, -r), r, r)
        return Shape(width=width, ascent=h, descent=0.0, path=path)
    outline = _stroke(path, pen)
    return Shape(width=width, ascent=h + pen, descent=pen / 2, path=outline)


def ceil_px(value: float) -> int:
    """Round a pixel extent up to a whole pixel (a hair of tolerance for float noise)."""
    return math.ceil(value - 1e-6)
