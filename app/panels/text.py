"""The text panel: rich text (HTML inline tags with math between dollar signs) in the stage."""

from __future__ import annotations

import importlib
import importlib.util
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QTextBrowser, QWidget

from app.panels.base import PanelView
from app.shell.theme import Theme
from lessons.core.base import Panel, Text, TextData

__all__ = ["TextView", "render_markup"]

_DOLLAR = re.compile(r"(?<!\\)\$")


def _fallback_html(text: str) -> str:
    """The markup as HTML without a math renderer: ``$`` signs dropped, blank lines = paragraphs."""
    body = _DOLLAR.sub("", text).replace(r"\$", "$")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def render_markup(browser: QTextBrowser, text: str, theme: Theme) -> None:
    """Show lesson markup in ``browser`` with the theme's font and text colour.

    This is the one place the math renderer plugs in: when ``app.math.render`` exists, it
    lays out the markup (math typeset) into the browser's document through
    ``set_markup(document, text, font, color)``; otherwise the markup is shown as HTML with
    the dollar signs removed.
    """
    font = theme.font("body")
    color = QColor(theme.foreground)
    document = browser.document()
    document.setDefaultFont(font)
    document.setDefaultStyleSheet(
        f"body {{ color: {theme.foreground}; }} a {{ color: {theme.palette[0]}; }}"
        f" code {{ background-color: {theme.window}; }}"
    )
    renderer = _math_renderer()
    if renderer is not None:
        renderer.set_markup(document, text, font, color)
    else:
        browser.setHtml(_fallback_html(text))


def _math_renderer() -> Any:
    """The math plug-in point: the ``app.math.render`` module when it exists, else None."""
    if importlib.util.find_spec("app.math.render") is None:
        return None
    return importlib.import_module("app.math.render")


class TextView(PanelView):
    """Shows :class:`~lessons.core.base.TextData` for a :class:`~lessons.core.base.Text` spec."""

    accepts = (TextData,)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Text):
            raise ValueError(f"TextView needs a Text spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName(spec.title or spec.id)
        self.browser.setReadOnly(True)
        self.browser.setOpenExternalLinks(True)
        self.browser.setFrameShape(QFrame.Shape.NoFrame)
        self.browser.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self._set_content(self.browser)

    def _show(self, data: TextData) -> None:
        render_markup(self.browser, data.text, self.theme)

    def plain_text(self) -> str:
        """The text shown now, without markup."""
        return self.browser.toPlainText()

    def _clear(self) -> None:
        self.browser.clear()

    def _is_empty(self, data: TextData) -> bool:
        return not data.text.strip()
