"""Wide display formulas: cut onto lines at full size, or scrolled, never shrunk."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QFont, QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from app.math.breaks import break_points, inline_pieces
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


CHAIN = r"\sigma'(z) = \sigma(z)(1 - \sigma(z)) = y(1 - y)"


def test_inline_math_is_cut_after_top_level_relations_only() -> None:
    """``a = b = c`` -> ``a =`` / ``b =`` / ``c``; no cut inside brackets, none without a rel."""
    pieces = inline_pieces(parse_math(CHAIN))
    assert len(pieces) == 3
    assert [getattr(p.items[-2], "text", "") for p in pieces[:2]] == ["=", "="]  # type: ignore[union-attr]
    assert inline_pieces(parse_math(r"x")) == (parse_math(r"x"),)
    assert len(inline_pieces(parse_math(r"f\left(a = b\right) + (c = d)"))) == 1
    assert len(inline_pieces(parse_math(r"a \le"))) == 1  # nothing after the relation
    assert len(inline_pieces(parse_math(r"= -x"))) == 1  # a leading relation is no cut


@pytest.mark.parametrize("width", [180.0, 230.0, 900.0])
def test_a_long_inline_formula_wraps_at_its_relations(qapp: QApplication, width: float) -> None:
    """In narrow text an inline chain of equalities wraps after an "=" instead of running past
    the edge; with room it stays on one line, each piece at the text's size."""
    whole = render_math(CHAIN, _font(), QColor("black"), False, 1.0)
    document = QTextDocument()
    set_markup(document, f"slope is ${CHAIN}$, so", _font(), QColor("black"), 1.0)
    document.setTextWidth(width)
    assert document.size().width() <= width + 0.5
    layout = document.begin().layout()
    assert (layout.lineCount() == 1) == (width > whole.width + 100)
    for number in range(3):
        image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(f"math:{number}"))
        assert isinstance(image, QImage)
        assert image.height() == pytest.approx(whole.image.height(), abs=1)


@pytest.mark.parametrize("width", [150.0, 174.0, 264.0, 318.0])
def test_punctuation_after_inline_math_stays_on_its_line(qapp: QApplication, width: float) -> None:
    """A line never starts with the full stop that follows a formula (Qt may break after
    any inline object: the stop is set in the formula's last image)."""
    document = QTextDocument()
    text = r"all of them: $m = \max_j z_j / T = 2.000$. Every score is now at most 0."
    set_markup(document, text, _font(), QColor("black"), 1.0)
    document.setTextWidth(width)
    block = document.begin()
    layout = block.layout()
    starts = [block.text()[layout.lineAt(i).textStart()] for i in range(layout.lineCount())]
    assert "." not in starts
