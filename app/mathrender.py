"""Render lesson math to images, and lesson markup (prose + math) into a QTextDocument.

This is the only place that turns math into pixels. :func:`render_math` lays a formula out
(:mod:`app.mathlayout`) and paints it into a transparent, tightly cropped :class:`QImage` at the
device pixel ratio, in the text font's size and the theme's colour. :func:`set_markup` fills a
:class:`QTextDocument` with a lesson's text: the prose as HTML, every formula as an image
resource sitting on the text baseline (inline) or centred on its own line (display).
"""

from __future__ import annotations

import hashlib
import html
import logging
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QTextDocument,
)

from app.mathboxes import Box, ceil_px, math_font
from app.mathlayout import Style, layout
from lessons.mathtext import MathError, Node, node_to_plain, parse_math, split_markup

__all__ = ["MATH_FAMILIES", "RenderedMath", "math_family", "render_math", "set_markup"]

_log = logging.getLogger(__name__)

# Serif faces whose italics read as math variables, best first; else the text font's family.
MATH_FAMILIES = ("DejaVu Serif", "STIX Two Text", "Cambria", "Latin Modern Roman",
                 "Times New Roman", "Liberation Serif", "Noto Serif")  # fmt: skip


@dataclass(frozen=True)
class RenderedMath:
    """A rendered formula: the image (device pixels) and its baseline in logical pixels."""

    image: QImage
    baseline: float  # from the image's top edge down to the math baseline

    @property
    def width(self) -> float:
        """Width in logical pixels."""
        return self.image.width() / self.image.devicePixelRatio()

    @property
    def height(self) -> float:
        """Height in logical pixels."""
        return self.image.height() / self.image.devicePixelRatio()


@lru_cache(maxsize=64)
def _family_for(text_family: str) -> str:
    available = set(QFontDatabase.families())
    return next((f for f in MATH_FAMILIES if f in available), text_family)


def math_family(font: QFont) -> str:
    """The font family math is set in: a serif with good italics, or the text font's own."""
    return _family_for(font.family())


@lru_cache(maxsize=64)
def _x_height_ratio(text_family: str, family: str) -> float:
    """How much to enlarge math so its x-height matches the text's (within 0 to 15 %)."""
    text_x = QFontMetricsF(math_font(text_family, 100)).xHeight()
    math_x = QFontMetricsF(math_font(family, 100)).xHeight()
    return min(max(text_x / math_x, 1.0), 1.15) if math_x > 0 else 1.0


def _font_pixels(font: QFont) -> float:
    """The math size in logical pixels: the text font's size, x-heights matched."""
    if font.pixelSize() > 0:
        px = float(font.pixelSize())
    else:
        screen = QGuiApplication.primaryScreen()
        dpi = screen.logicalDotsPerInchY() if screen is not None else 96.0
        px = font.pointSizeF() * dpi / 72.0
    return px * _x_height_ratio(font.family(), math_family(font))


def _paint(box: Box, width: int, height: int, origin: QPointF, color: QColor) -> QImage:
    image = QImage(max(1, width), max(1, height), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.setPen(color)
    painter.setBrush(color)
    box.paint(painter, origin.x(), origin.y())
    painter.end()
    return image


def render_math(
    node_or_source: Node | str,
    font: QFont,
    color: QColor,
    display: bool = False,
    device_pixel_ratio: float = 1.0,
) -> RenderedMath:
    """Render a formula (source or parsed node) in ``font``'s size and ``color``, cropped tight.

    Raises :class:`lessons.mathtext.MathError` for a malformed source. Results are cached by
    (formula, font, colour, ratio): do not paint on the returned image.
    """
    node = parse_math(node_or_source) if isinstance(node_or_source, str) else node_or_source
    key = (node, math_family(font), _font_pixels(font), color.rgba(), display, device_pixel_ratio)
    return _render_cached(*key)


@lru_cache(maxsize=512)
def _render_cached(
    node: Node, family: str, px: float, rgba: int, display: bool, dpr: float
) -> RenderedMath:
    size = px * dpr
    box = layout(node, Style(family, size, size, display))
    pad = max(1.0, round(0.04 * size))
    image = _paint(
        box,
        ceil_px(box.width + 2 * pad),
        ceil_px(box.ascent + box.descent + 2 * pad),
        QPointF(pad, pad + box.ascent),
        QColor.fromRgba(rgba),
    )
    image.setDevicePixelRatio(dpr)
    return RenderedMath(image, (pad + box.ascent) / dpr)


@lru_cache(maxsize=512)
def _text_image(
    node: Node, family: str, px: float, rgba: int, display: bool, dpr: float, half_x: float
) -> tuple[str, QImage, int, int]:
    """An image for a text line: (url, image, logical width, logical height).

    Qt centres a "vertical-align: middle" image so that its top sits (height + x-height/2)/2
    above the baseline; the image is padded so the formula's own baseline lands exactly there.
    """
    size = px * dpr
    box = layout(node, Style(family, size, size, display))
    pad = max(1.0, round(0.04 * size))
    ascent, descent = (box.ascent + pad) / dpr, (box.descent + pad) / dpr
    top = max(ascent, descent + half_x)  # logical distance from image top to baseline
    height = ceil_px(2 * top - half_x)
    top = (height + half_x) / 2
    width = ceil_px((box.width + 2 * pad) / dpr)
    image = _paint(
        box,
        round(width * dpr),
        round(height * dpr),
        QPointF(pad, top * dpr),
        QColor.fromRgba(rgba),
    )
    image.setDevicePixelRatio(dpr)
    digest = hashlib.sha1(repr((node, family, px, rgba, display, dpr, half_x)).encode())
    return f"math:{digest.hexdigest()[:20]}", image, width, height


def _screen_ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.devicePixelRatio() if screen is not None else 1.0


def set_markup(
    document: QTextDocument,
    text: str,
    font: QFont,
    color: QColor,
    device_pixel_ratio: float | None = None,
) -> None:
    """Fill ``document`` with lesson markup: prose as HTML, math as baseline-aligned images.

    ``font`` becomes the document's default font (pass the font of the widget showing it) and
    math follows its size; ``color`` is the theme's text colour for prose and math alike. The
    ratio defaults to the primary screen's. A formula that does not parse is shown as its source
    (and logged): lesson tests run :func:`lessons.mathtext.check_markup` so learners never see it.
    """
    dpr = device_pixel_ratio or _screen_ratio()
    half_x = QFontMetrics(font).xHeight() / 2  # what Qt's layout uses for vertical-align: middle
    family, px = math_family(font), _font_pixels(font)
    try:
        pieces = split_markup(text)
    except MathError as err:
        _log.warning("lesson markup shown unrendered: %s", err)
        pieces = [text]
    parts: list[str] = []
    resources: list[tuple[str, QImage]] = []
    for piece in pieces:
        if isinstance(piece, str):
            parts.append(piece)
            continue
        try:
            node = parse_math(piece.source)
        except MathError as err:
            _log.warning("formula shown unrendered: %s", err)
            parts.append(f"<code>{html.escape(piece.source)}</code>")
            continue
        url, image, width, height = _text_image(
            node, family, px, color.rgba(), piece.display, dpr, half_x
        )
        resources.append((url, image))
        alt = html.escape(node_to_plain(node), quote=True)
        img = (
            f'<img src="{url}" width="{width}" height="{height}" alt="{alt}"'
            ' style="vertical-align: middle">'
        )
        parts.append(
            f'<div align="center" style="margin: 4px 0">{img}</div>' if piece.display else img
        )
    document.setDefaultFont(font)
    document.setHtml(f'<body style="color: {color.name()}">{"".join(parts)}</body>')
    for url, image in resources:
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
