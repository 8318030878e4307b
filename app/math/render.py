"""Render lesson math to images, and lesson markup (prose + math) into a QTextDocument.

This is the only place that turns math into pixels. :func:`render_math` lays a formula out
(:mod:`app.math.layout`) and paints it into a transparent, tightly cropped :class:`QImage` at the
device pixel ratio, in the text font's size and the theme's colour. :func:`set_markup` fills a
:class:`QTextDocument` with a lesson's text: the prose as HTML, every formula as an image
resource sitting on the text baseline (inline) or centred on its own line (display). Math is
never drawn smaller than the text: a display formula too wide for it is cut onto lines
(:mod:`app.math.breaks`), an inline one is set as pieces the text may wrap between (after each
top-level relation), and anything still too wide scrolls.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSizeF, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPyTextObject,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTransform,
)

from app.math.boxes import Box, ceil_px, math_font
from app.math.breaks import break_formula, inline_pieces
from app.math.layout import Style, layout
from lessons.markup.mathtext import (
    MathError,
    Node,
    Row,
    Styled,
    Symbol,
    node_to_plain,
    parse_math,
    split_markup,
)

__all__ = ["MATH_FAMILIES", "RenderedMath", "math_family", "render_math", "set_markup"]

_log = logging.getLogger(__name__)

# Serif faces whose italics read as math variables, best first; else the text font's family.
MATH_FAMILIES = ("DejaVu Serif", "STIX Two Text", "Cambria", "Latin Modern Roman",
                 "Times New Roman", "Liberation Serif", "Noto Serif")  # fmt: skip


@dataclass(frozen=True)
class RenderedMath:
    """A rendered formula: the image (device pixels) and its baseline in logical pixels."""

    image: QImage
    baseline: float  # from the image's top edge down to the math baseline (a device row)

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

    Raises :class:`lessons.markup.mathtext.MathError` for a malformed source. Results are cached by
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
    return _image(layout(node, Style(family, size, size, display)), size, rgba, dpr)


@lru_cache(maxsize=128)
def _render_broken(
    node: Node, family: str, px: float, rgba: int, dpr: float, width: int
) -> RenderedMath | None:
    """A display formula cut onto lines at most ``width`` logical pixels wide, at full size
    (None when it cannot be cut): see :mod:`app.math.breaks`."""
    size = px * dpr
    pad = max(1.0, round(0.04 * size))
    box = break_formula(node, Style(family, size, size, True), width * dpr - 2 * pad)
    return None if box is None else _image(box, size, rgba, dpr)


def _image(box: Box, size: float, rgba: int, dpr: float) -> RenderedMath:
    """``box`` painted into a tight image with a small margin (the baseline on a device row)."""
    pad = max(1.0, round(0.04 * size))
    baseline = ceil_px(pad + box.ascent)  # a whole device row, so glyphs stay crisp
    image = _paint(
        box,
        ceil_px(box.width + 2 * pad),
        ceil_px(baseline + box.descent + pad),
        QPointF(pad, baseline),
        QColor.fromRgba(rgba),
    )
    image.setDevicePixelRatio(dpr)
    return RenderedMath(image, baseline / dpr)


# Formulas sit in the document as custom inline objects: Qt gives an object with the default
# alignment a rect whose bottom edge is the text baseline (in every Qt version), so the handler
# paints the formula with its own baseline there; a zero-width "strut" object after a formula
# reserves the depth below the baseline (centred objects with a 1 px font reserve half their
# height below it). The images themselves are document resources ("math:..." URLs).
_MATH = int(QTextFormat.ObjectTypes.UserObject) + 0x4D41
_STRUT = _MATH + 1
_URL, _WIDTH, _ASCENT, _DEPTH = (
    int(QTextFormat.Property.UserProperty) + 0x4D41 + i for i in range(4)
)


@dataclass(frozen=True)
class _Display:
    """What a display formula was rendered from, so it can be cut to the text width."""

    node: Node
    family: str
    px: float
    rgba: int
    dpr: float


class _MathObjects(QPyTextObject):
    """Sizes and paints formula objects (and the struts that reserve their depth).

    Formulas keep the text's size: a display formula wider than the text is cut onto
    continuation lines (:mod:`app.math.breaks`), re-cut whenever the text width changes; one
    that cannot be cut, and a piece of an inline formula (see :func:`_compose`) too wide on
    its own, stay wide and the document scrolls sideways.
    """

    def __init__(self, parent: QTextDocument) -> None:
        super().__init__(parent)
        self.displays: dict[str, _Display] = {}  # url -> display formula (set by set_markup)

    def shown(self, doc: QTextDocument, url: str) -> RenderedMath | None:
        """The cut version of display formula ``url`` at the document's width (None: whole)."""
        spec = self.displays.get(url)
        if spec is None or doc.textWidth() <= 0:
            return None
        available = doc.textWidth() - 2 * doc.documentMargin() - 2
        whole = _render_cached(spec.node, spec.family, spec.px, spec.rgba, True, spec.dpr)
        if whole.width <= available:
            return None
        return _render_broken(
            spec.node, spec.family, spec.px, spec.rgba, spec.dpr, max(1, int(available))
        )

    def intrinsicSize(self, doc: QTextDocument, pos: int, fmt: QTextFormat) -> QSizeF:
        cut = self.shown(doc, fmt.stringProperty(_URL))
        if fmt.objectType() == _STRUT:
            depth = cut.height - cut.baseline + 0.5 if cut else fmt.doubleProperty(_DEPTH)
            return QSizeF(0.0, 2 * depth)
        if cut is not None:
            return QSizeF(cut.width, cut.baseline)
        return QSizeF(fmt.doubleProperty(_WIDTH), fmt.doubleProperty(_ASCENT))

    def drawObject(
        self,
        painter: QPainter,
        rect: QRectF | QRect,
        doc: QTextDocument,
        pos: int,
        fmt: QTextFormat,
    ) -> None:
        if fmt.objectType() != _MATH:
            return
        url = fmt.stringProperty(_URL)
        cut = self.shown(doc, url)
        if cut is not None:
            image, ascent = cut.image, cut.baseline
        else:
            image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(url))
            ascent = fmt.doubleProperty(_ASCENT)
        if not isinstance(image, QImage):
            return
        # snap the baseline to a device pixel, as text glyphs are, so the two line up exactly
        to_device = painter.deviceTransform()
        rect = QRectF(rect)
        corner = to_device.map(QPointF(rect.left(), rect.bottom()))
        snapped, invertible = to_device.inverted()
        if not invertible:
            snapped = QTransform()
            corner = QPointF(rect.left(), rect.bottom())
        left_base = snapped.map(QPointF(round(corner.x()), round(corner.y())))
        ratio = image.devicePixelRatio()
        target = QRectF(
            left_base.x(),
            left_base.y() - ascent,
            image.width() / ratio,
            image.height() / ratio,
        )
        painter.drawImage(target, image)


def _handler(document: QTextDocument) -> _MathObjects:
    handler = document.findChild(_MathObjects)
    if handler is None:
        handler = _MathObjects(document)
    layout = document.documentLayout()
    layout.registerHandler(_MATH, handler)
    layout.registerHandler(_STRUT, handler)
    return handler


def _math_format(base: QTextCharFormat, url: str, math: RenderedMath) -> QTextCharFormat:
    fmt = QTextCharFormat(base)
    fmt.setObjectType(_MATH)
    fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignNormal)
    fmt.setProperty(_URL, url)
    fmt.setProperty(_WIDTH, math.width)
    fmt.setProperty(_ASCENT, math.baseline)
    return fmt


def _strut_format(url: str, depth: float) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setProperty(_URL, url)
    fmt.setObjectType(_STRUT)
    fmt.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
    tiny = QFont()
    tiny.setPixelSize(1)
    fmt.setFont(tiny)
    fmt.setProperty(_DEPTH, depth + 0.5)
    return fmt


def _place_formulas(document: QTextDocument, formulas: dict[str, RenderedMath]) -> None:
    """Replace the placeholder images of ``formulas`` by baseline-aligned math objects."""
    found: list[tuple[int, str, QTextCharFormat]] = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            name = fmt.toImageFormat().name() if fmt.isImageFormat() else ""
            if name in formulas:
                found.append((fragment.position(), name, fmt))
            it += 1
        block = block.next()
    cursor = QTextCursor(document)
    for position, url, fmt in reversed(found):  # from the end, so positions stay valid
        math = formulas[url]
        cursor.setPosition(position)
        cursor.setPosition(position + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.setCharFormat(_math_format(fmt, url, math))
        cursor.setPosition(position + 1)
        cursor.insertText("\ufffc", _strut_format(url, math.height - math.baseline))


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
    """Fill ``document`` with lesson markup: prose as HTML, math as images on the baseline.

    ``font`` becomes the document's default font (pass the font of the widget showing it) and
    math follows its size; ``color`` is the theme's text colour for prose and math alike. The
    ratio defaults to the primary screen's. Each formula image is a document resource
    (``math:...`` URL); display math is centred in its own block. A formula that does not parse
    is shown as its source (and logged): lesson tests run
    :func:`lessons.markup.mathtext.check_markup`, so learners never see one.
    """
    dpr = device_pixel_ratio or _screen_ratio()
    body, sources = _compose(text)
    formulas = {
        f"math:{i}": render_math(node, font, color, display, dpr)
        for i, (node, display) in enumerate(sources)
    }
    handler = _handler(document)
    family, px = math_family(font), _font_pixels(font)
    handler.displays = {
        f"math:{i}": _Display(node, family, px, color.rgba(), dpr)
        for i, (node, display) in enumerate(sources)
        if display
    }
    undo = document.isUndoRedoEnabled()
    document.setUndoRedoEnabled(False)
    if document.defaultFont() != font:  # setting it lays out the old text again
        document.setDefaultFont(font)
    document.setHtml(f'<body style="color: {color.name()}">{body}</body>')
    for url, math in formulas.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), math.image)
    _place_formulas(document, formulas)
    document.setUndoRedoEnabled(undo)
    document.setModified(False)


# Punctuation right after an inline formula joins the formula's last image: Qt may break a
# line after any inline object, whatever follows, so a "." set as text could start a line.
_TRAILING_PUNCTUATION = re.compile(r"^[.,;:!?)\]]+")


@lru_cache(maxsize=32)
def _compose(text: str) -> tuple[str, tuple[tuple[Node, bool], ...]]:
    """``text`` as HTML with a placeholder image per formula (``math:0``, ``math:1``, ...;
    an inline formula gets one per piece of :func:`app.math.breaks.inline_pieces`, the
    punctuation right after it set in its last piece), and the formulas (node, display) in
    that order. Cached: live frames repeat their text."""
    try:
        pieces = split_markup(text)
    except MathError as err:
        _log.warning("lesson markup shown unrendered: %s", err)
        pieces = [text]
    parts: list[str] = []
    formulas: list[tuple[Node, bool]] = []
    after_display = False  # nothing but white space since the last display formula
    for k, piece in enumerate(pieces):
        if isinstance(piece, str):
            after_display = after_display and not piece.strip()
            parts.append(piece)
            continue
        try:
            node = parse_math(piece.source)
        except MathError as err:
            _log.warning("formula shown unrendered: %s", err)
            parts.append(f"<code>{html.escape(piece.source)}</code>")
            after_display = False
            continue
        # inline math may wrap after a top-level relation: one image per piece, and a
        # zero-width space (a line-break opportunity) between them
        shown = [node] if piece.display else list(inline_pieces(node))
        following = pieces[k + 1] if k + 1 < len(pieces) else None
        if isinstance(following, str) and not piece.display:
            stuck = _TRAILING_PUNCTUATION.match(following)
            if stuck is not None:
                shown[-1] = _with_text(shown[-1], stuck.group())
                pieces[k + 1] = following[stuck.end() :]
        imgs = []
        for part in shown:
            url = f"math:{len(formulas)}"
            formulas.append((part, piece.display))
            alt = html.escape(node_to_plain(part).strip(), quote=True)
            imgs.append(f'<img src="{url}" alt="{alt}">')
        img = "&#8203;".join(imgs)
        if piece.display:
            parts.append(f'<div align="center" style="margin: 6px 0">{img}</div>')
        elif after_display:
            # Qt would put an image right after a display block into that block, on the
            # formula's line: a zero-width space starts the next paragraph first.
            parts.append(f"&#8203;{img}")
        else:
            parts.append(img)
        after_display = piece.display
    return "".join(parts), tuple(formulas)


def _with_text(node: Node, text: str) -> Node:
    """``node`` followed by ``text`` set upright, as text (the punctuation after a formula)."""
    items = node.items if isinstance(node, Row) else (node,)
    return Row((*items, Styled(Symbol(text, False, "ord"), "text")))
