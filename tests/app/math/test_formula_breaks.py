"""Wide display formulas: cut onto lines at full size, or scrolled, never shrunk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QFont, QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from app.math.breaks import break_points
from app.math.render import _MathObjects, render_math, set_markup
from lessons.markup.mathtext import parse_math

UPDATE_RULE = (
    r"w \leftarrow w - \eta \left( \frac{\partial J}{\partial w} + \lambda w \right) + "
    r"\mu v - \alpha b"
)
NO_BREAK = r"\frac{\partial J}{\partial w_{1}} \frac{\partial w_{1}}{\partial z_{1}} " * 6


def _font() -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(17)
    return font


def _document(formula: str, width: float) -> QTextDocument:
    document = QTextDocument()
    set_markup(document, f"Before $${formula}$$ after.", _font(), QColor("black"), 1.0)
    document.setTextWidth(width)
    document.size()  # lay it out
    return document


def test_break_points_are_top_level_relations_and_binary_operators() -> None:
    """Cuts go before "=" and a binary "+", never before a sign or inside brackets."""
    node = parse_math(r"a = -b + \left( c + d \right)")
    items = node.items  # type: ignore[union-attr]
    texts = [getattr(items[i], "text", "") for i in break_points(node)]
    assert texts == ["=", "+"]


def test_a_wide_display_formula_is_cut_at_full_size(qapp: QApplication) -> None:
    """Too wide for the text, the formula goes onto several lines at the body size."""
    whole = render_math(UPDATE_RULE, _font(), QColor("black"), True, 1.0)
    width = whole.width * 0.6
    document = _document(UPDATE_RULE, width)
    handler = document.findChild(_MathObjects)
    cut = handler.shown(document, "math:0")
    assert cut is not None
    assert cut.width <= width
    assert cut.height >= 1.5 * whole.height  # two lines or more
    image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl("math:0"))
    assert isinstance(image, QImage)
    assert image.size() == whole.image.size()  # the one-line image was not scaled down
    assert document.size().width() <= width + 0.5


def test_a_formula_that_fits_is_not_cut(qapp: QApplication) -> None:
    """With room to spare the formula stays on one line, exactly as rendered."""
    whole = render_math(UPDATE_RULE, _font(), QColor("black"), True, 1.0)
    document = _document(UPDATE_RULE, whole.width + 100)
    handler = document.findChild(_MathObjects)
    assert handler.shown(document, "math:0") is None


def test_an_unbreakable_formula_scrolls_instead_of_shrinking(qtbot: QtBot) -> None:
    """No place to cut: the formula keeps its size and the text scrolls sideways."""
    whole = render_math(NO_BREAK, _font(), QColor("black"), True, 1.0)
    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.resize(round(whole.width / 2), 300)
    browser.show()
    set_markup(browser.document(), f"Before $${NO_BREAK}$$ after.", _font(), QColor("black"), 1.0)
    qtbot.waitUntil(lambda: browser.horizontalScrollBar().maximum() > 0, timeout=2000)
    assert browser.document().size().width() >= whole.width


@pytest.mark.parametrize("width", [120.0, 160.0, 220.0])
def test_no_line_of_a_cut_formula_is_smaller_than_body_text(
    qapp: QApplication, width: float
) -> None:
    """However narrow the text, every line of a cut formula is set at the text's size."""
    whole = render_math(UPDATE_RULE, _font(), QColor("black"), True, 1.0)
    document = _document(UPDATE_RULE, width)
    handler = document.findChild(_MathObjects)
    cut = handler.shown(document, "math:0")
    assert cut is not None
    assert cut.image.devicePixelRatio() == whole.image.devicePixelRatio()
    # a line of the cut formula holds the tallest part (the bracket) at its full height
    assert cut.height >= whole.height


def test_a_wide_bracketed_sum_opens_its_brackets_to_be_cut() -> None:
    """``= ½[(a − 1)² + (b − 0)²]`` has no top-level cut: its brackets open, the sum is cut."""
    from app.math.breaks import break_formula
    from app.math.layout import Style

    st = Style("DejaVu Serif", 17.0, 17.0, True)
    node = parse_math(
        r"= \frac{1}{2} \left[ (0.6035 - 1)^2 + (0.203 - 0)^2 + (0.4112 - 1)^2 \right]"
    )
    assert break_points(node) == ()
    box = break_formula(node, st, 200.0)
    assert box is not None and box.width <= 200.0
    inside = parse_math(r"(b - 0)^2 + c")  # only the "+" outside the parentheses is a cut
    assert [getattr(inside.items[i], "text", "") for i in break_points(inside)] == ["+"]  # type: ignore[union-attr]
    fits = parse_math(r"= \frac{1}{2} \left[ a + b \right]")
    assert break_formula(fits, st, 200.0) is None  # fits on one line: left whole
