"""Math rendering: typeset images, colours, sizes, and formulas on the text baseline."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from app.math.render import RenderedMath, render_math, set_markup

SOFTMAX = r"p_i = \frac{e^{z_i / T}}{\sum_{j=1}^{K} e^{z_j / T}}"


def _font(points: float = 12.0) -> QFont:
    font = QFont("DejaVu Sans")
    font.setPointSizeF(points)
    return font


def _ink_rows(image: QImage, x0: int = 0, x1: int | None = None) -> list[int]:
    """Rows with a clearly dark pixel between columns x0 and x1 (on a white background)."""
    x1 = image.width() if x1 is None else x1
    return [
        y
        for y in range(image.height())
        if any(image.pixelColor(x, y).lightness() < 128 for x in range(x0, x1))
    ]


def _ink_columns(image: QImage) -> list[tuple[int, int]]:
    """Runs of columns that hold ink: one run per separated glyph or formula."""
    runs: list[tuple[int, int]] = []
    for x in range(image.width()):
        if any(image.pixelColor(x, y).lightness() < 128 for y in range(image.height())):
            if runs and runs[-1][1] == x - 1:
                runs[-1] = (runs[-1][0], x)
            else:
                runs.append((x, x))
    return runs


def _draw(document: QTextDocument, dpr: float) -> QImage:
    document.setTextWidth(2000)
    size = document.size()
    image = QImage(
        int(size.width() * dpr) + 1, int(size.height() * dpr) + 1, QImage.Format.Format_RGB32
    )
    image.setDevicePixelRatio(dpr)
    image.fill(QColor("white"))
    painter = QPainter(image)
    document.drawContents(painter)
    painter.end()
    return image


def test_fraction_renders_taller_than_the_same_text_inline(qapp: QApplication) -> None:
    """A stacked fraction is taller than a/b written on one line."""
    stacked = render_math(r"\frac{a}{b}", _font(), QColor("black"))
    inline = render_math("a/b", _font(), QColor("black"))
    assert stacked.height > 1.5 * inline.height
    assert stacked.baseline < stacked.height  # the denominator hangs below the baseline


def test_render_paints_only_the_requested_colour_on_transparency(qapp: QApplication) -> None:
    """Pixels are transparent or the given colour (dark-theme light grey here)."""
    colour = QColor("#e8e8e8")
    math = render_math(SOFTMAX, _font(), colour, display=True)
    image = math.image.convertToFormat(QImage.Format.Format_ARGB32)
    assert image.pixelColor(0, 0).alpha() == 0
    solid = [
        image.pixelColor(x, y)
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() >= 200
    ]
    assert len(solid) > 100
    assert all(abs(c.red() - 0xE8) <= 4 and abs(c.blue() - 0xE8) <= 4 for c in solid)


def test_doubling_the_font_doubles_the_image(qapp: QApplication) -> None:
    """Presentation mode (2x font) scales the math with the text."""
    small = render_math(SOFTMAX, _font(12), QColor("black"), display=True)
    large = render_math(SOFTMAX, _font(24), QColor("black"), display=True)
    assert large.width / small.width == pytest.approx(2.0, rel=0.1)
    assert large.height / small.height == pytest.approx(2.0, rel=0.1)


def test_device_pixel_ratio_adds_pixels_not_size(qapp: QApplication) -> None:
    """At ratio 2 the image has twice the pixels and about the same logical size."""
    one = render_math(SOFTMAX, _font(), QColor("black"), True, 1.0)
    two = render_math(SOFTMAX, _font(), QColor("black"), True, 2.0)
    assert two.image.devicePixelRatio() == 2.0
    assert two.image.width() == pytest.approx(2 * one.image.width(), rel=0.1)
    assert two.width == pytest.approx(one.width, rel=0.1)


def test_display_sum_puts_limits_above_and_below(qapp: QApplication) -> None:
    """In display style the limits stack on the sum: taller and narrower than inline."""
    source = r"\sum_{i=1}^{n} x_i"
    display = render_math(source, _font(), QColor("black"), display=True)
    inline = render_math(source, _font(), QColor("black"), display=False)
    assert display.height > 1.3 * inline.height
    assert display.width < inline.width


def test_rendering_is_cached(qapp: QApplication) -> None:
    """The same formula, font, colour and ratio returns the cached image."""
    first = render_math(r"\alpha", _font(), QColor("black"))
    assert isinstance(first, RenderedMath)
    assert render_math(r"\alpha", _font(), QColor("black")) is first


def test_set_markup_adds_image_resources_and_keeps_the_prose(qapp: QApplication) -> None:
    """Each formula is an image resource; the prose reads as before (the punctuation right
    after a formula is set with it, so that no line can start with it)."""
    document = QTextDocument()
    text = f"<p>The <b>softmax</b> is $${SOFTMAX}$$ for class $i$, here $z = 2.31$.</p>"
    set_markup(document, text, _font(), QColor("black"))
    for number in range(3):
        image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(f"math:{number}"))
        assert isinstance(image, QImage) and not image.isNull()
    plain = document.toPlainText().replace("\ufffc", "")
    assert "The softmax is" in plain and "for class" in plain and " here" in plain


@pytest.mark.parametrize("dpr", [1.0, 2.0])
@pytest.mark.parametrize("points", [9.0, 11.0, 13.5, 22.0])
@pytest.mark.parametrize("formula", [r"x = 3", r"x + y_j", r"x \frac{a}{b}"])
def test_inline_math_sits_on_the_text_baseline(
    qapp: QApplication, formula: str, points: float, dpr: float
) -> None:
    """The bottom of an inline x lands on the same pixel row as the text's x."""
    document = QTextDocument()
    set_markup(document, f"xxxx ${formula}$ xxxx", _font(points), QColor("black"), dpr)
    image = _draw(document, dpr)
    runs = _ink_columns(image)
    text_x, math_x = runs[0], runs[4]  # four text x's, then the formula's italic x
    assert (
        _ink_rows(image, text_x[0], text_x[1] + 1)[-1]
        == _ink_rows(image, math_x[0], math_x[1] + 1)[-1]
    )


def test_shallow_inline_math_keeps_the_line_height(qapp: QApplication) -> None:
    """Formulas no taller or deeper than the text leave line spacing alone."""
    plain, with_math = QTextDocument(), QTextDocument()
    set_markup(plain, "a x b<br>a x b", _font(), QColor("black"))
    set_markup(with_math, "a $x = 1$ b<br>a x b", _font(), QColor("black"))
    plain.setTextWidth(500)
    with_math.setTextWidth(500)
    assert with_math.size().height() == pytest.approx(plain.size().height(), abs=0.5)


def test_unparseable_formula_shows_its_source_and_logs(
    qapp: QApplication, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken formula does not crash the narrative: its source is shown, and logged."""
    document = QTextDocument()
    with caplog.at_level(logging.WARNING, logger="app.math.render"):
        set_markup(document, r"see $x + \nosuch$ here", _font(), QColor("black"))
    assert r"\nosuch" in document.toPlainText()
    assert "unknown command" in caplog.text


def test_text_browser_shows_math_in_the_theme_colour(qtbot: QtBot) -> None:
    """In a QTextBrowser the formulas are drawn, in the colour given (dark theme)."""
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.resize(500, 200)
    browser.setStyleSheet("QTextBrowser { background: #1e1f22; }")
    set_markup(browser.document(), f"$${SOFTMAX}$$", _font(), QColor("#ffcc00"))
    browser.show()
    qtbot.waitExposed(browser)
    shot = browser.grab().toImage()
    yellow = sum(
        1
        for y in range(0, shot.height(), 2)
        for x in range(0, shot.width(), 2)
        if shot.pixelColor(x, y).red() > 200 and shot.pixelColor(x, y).blue() < 80
    )
    assert yellow > 30


def test_inline_math_after_a_display_formula_starts_the_next_line(qapp: QApplication) -> None:
    """Qt would put an image that follows a display block into that block, on its line."""
    document = QTextDocument()
    document.setTextWidth(600)
    set_markup(document, "Before $$z = a + b$$ $W_1$ then text.", QFont(), QColor("black"))
    blocks = []
    block = document.begin()
    while block.isValid():
        blocks.append(block.text())
        block = block.next()
    display = next(text for text in blocks if "\ufffc" in text)
    assert display.count("\ufffc") == 2  # the display formula and its depth strut only
    assert any(text.endswith("then text.") and "\ufffc" in text for text in blocks)
