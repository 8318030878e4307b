"""The narrative pane: the step's title and its text with typeset math."""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.shell.theme import Theme, build_palette
from lessons.markup.mathtext import to_plain


class Narrative(QWidget):
    """Shows a step: a large title, then the text (HTML subset with $math$)."""

    BODY_PX, TITLE_PX, LESSON_PX = 17, 24, 14  # at font scale 1

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setAccessibleName("Step narrative")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        self.heading = QLabel()
        self.heading.setObjectName("stepTitle")
        self.heading.setWordWrap(True)
        self.lesson_label = QLabel()
        self.lesson_label.setObjectName("lessonTitle")
        self.lesson_label.setWordWrap(True)
        self.body = QTextBrowser()
        self.body.setOpenExternalLinks(False)
        self.body.setAccessibleName("Step text")
        layout.addWidget(self.lesson_label)
        layout.addWidget(self.heading)
        layout.addWidget(self.body, 1)
        self._text = ""
        # what the body shows now: (text, font, colour) of the last typesetting
        self._rendered: tuple[str, str, int] | None = None
        self.apply_theme(theme)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        base = QFont(self.font())
        base.setPixelSize(round(self.BODY_PX * theme.font_scale))
        self.body.setFont(base)
        title = QFont(base)
        title.setPixelSize(round(self.TITLE_PX * theme.font_scale))
        title.setBold(True)
        self.heading.setFont(title)
        small = QFont(base)
        small.setPixelSize(round(self.LESSON_PX * theme.font_scale))
        self.lesson_label.setFont(small)
        self._set_palette(theme)
        if self._text:
            self._render()

    def _set_palette(self, theme: Theme) -> None:
        """Colours on every part (an application style sheet stops palettes propagating)."""
        role = QPalette.ColorRole
        palette = build_palette(
            {
                role.Window: theme.window,
                role.WindowText: theme.foreground,
                role.Base: theme.background,
                role.Text: theme.foreground,
                role.Highlight: theme.accent,
                role.HighlightedText: theme.accent_text,
            },
            self.palette(),
        )
        for widget in (self, self.heading, self.body, self.body.viewport()):
            widget.setPalette(palette)
        self.lesson_label.setPalette(build_palette({role.WindowText: theme.muted}, palette))

    def show_step(self, lesson_title: str, title: str, text: str) -> None:
        """Show a step; text identical to what is shown is not typeset again (live frames)."""
        self.lesson_label.setText(lesson_title)
        self.heading.setText(title)
        changed = text != self._text
        self._text = text
        self._render()
        if changed or not self.body.accessibleDescription():
            self.body.setAccessibleDescription(to_plain(text))

    def _render(self) -> None:
        """Typeset the text, unless the same text is shown in the same font and colour."""
        font = self.body.font()
        color = QColor(self.theme.foreground)
        key = (self._text, font.key(), color.rgba())
        if key == self._rendered:
            return
        self._rendered = key
        document = self.body.document()
        try:
            from app.math.render import set_markup
        except ImportError:  # the math renderer is optional at import time
            document.setDefaultFont(font)
            self.body.setHtml(re.sub(r"\$+", "", self._text))
            return
        set_markup(document, self._text, font, color)

    def plain_text(self) -> str:
        return self.body.toPlainText()

    def fits(self) -> bool:
        """True when the whole text fits the pane without scrolling either way."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
        viewport = self.body.viewport()
        document = self.body.document()
        document.setTextWidth(viewport.width())
        size = document.size()
        return size.height() <= viewport.height() and size.width() <= viewport.width() + 1
