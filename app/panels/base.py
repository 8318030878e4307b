"""The base of every stage panel: a titled, themed widget that shows one kind of panel data.

A view is built once for its spec and then fed :mod:`lessons.core.base` panel data step after step
with :meth:`PanelView.set_data`; subclasses update their widgets and plot items in place.
"""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.shell.theme import Theme, build_palette, contrast_ratio
from lessons.core.base import Panel

__all__ = ["MIN_HEIGHT", "MIN_WIDTH", "PanelView"]

# Four panels must fit a 1280x720 stage next to the narrative.
MIN_WIDTH, MIN_HEIGHT = 200, 160
PLACEHOLDER = "This panel fills in at a later step."


class PanelView(QWidget):
    """A titled panel on the stage; subclasses draw one kind of panel data.

    Subclasses set ``accepts`` (the data classes they draw), put their content widget in
    place with :meth:`_set_content`, and implement ``_show`` (draw data, reusing items),
    ``_restyle`` (apply ``self.theme`` to fonts, pens and colours) and ``_clear``.
    """

    accepts: ClassVar[tuple[type, ...]] = ()

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.theme = theme
        self._data: Any = None
        self._content: QWidget | None = None
        self.setObjectName(f"panel_{spec.id}")
        self.setAccessibleName(spec.title or spec.id)
        if spec.help:
            self.setAccessibleDescription(spec.help)
        self.setMinimumSize(MIN_WIDTH, MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAutoFillBackground(True)

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 8)
        self._layout.setSpacing(4)
        self._title = QLabel(spec.title, self)
        self._title.setObjectName("panelTitle")
        self._title.setVisible(bool(spec.title))
        self._title.setToolTip(spec.help)
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        self._title.setWordWrap(True)  # a long title wraps on a narrow or projected panel
        self._caption = QLabel(self)
        self._caption.setObjectName("panelCaption")
        self._caption.setWordWrap(True)
        self._caption.setTextFormat(Qt.TextFormat.PlainText)
        self._caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._caption.hide()
        self._placeholder = QLabel(PLACEHOLDER, self)
        self._placeholder.setObjectName("panelPlaceholder")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self._layout.addWidget(self._title)
        self._layout.addWidget(self._placeholder, 1)
        self._layout.addWidget(self._caption)
        self._style_frame()

    # ---- public API --------------------------------------------------------------------

    def set_data(self, data: Any) -> None:
        """Show ``data``; raise ValueError if this view cannot show that kind of data."""
        if not isinstance(data, self.accepts):
            kinds = ", ".join(t.__name__ for t in self.accepts) or "nothing"
            raise ValueError(
                f"panel {self.spec.id!r} ({type(self.spec).__name__}) cannot show "
                f"{type(data).__name__}; it shows {kinds}"
            )
        self._show(data)
        self._data = data
        self._show_placeholder(False)

    def data(self) -> Any:
        """The data shown now, or None."""
        return self._data

    def apply_theme(self, theme: Theme) -> None:
        """Re-colour and re-scale fonts and lines, keeping what is shown."""
        self.theme = theme
        self._style_frame()
        self._restyle()
        if self._data is not None:
            self._show(self._data)

    def has_content(self) -> bool:
        """True when the panel shows something (data that is not empty)."""
        return self._data is not None and not self._is_empty(self._data)

    def clear(self) -> None:
        """Forget the data and show an empty panel (items are kept for reuse)."""
        self._data = None
        self._clear()
        self.set_caption("")
        self._show_placeholder(True)

    def _show_placeholder(self, empty: bool) -> None:
        """Before its first data a panel says so, instead of showing empty axes."""
        self._placeholder.setVisible(empty)
        if self._content is not None:
            self._content.setVisible(not empty)

    def title(self) -> str:
        """The title shown above the panel now."""
        return self._title.text()

    def set_title(self, title: str) -> None:
        """Show ``title`` above the panel (a step's retitle); an empty title hides it."""
        if title == self._title.text():
            return
        self._title.setText(title)
        self._title.setVisible(bool(title))
        self.setAccessibleName(title or self.spec.id)

    def set_caption(self, text: str) -> None:
        """Set the small text under the content; an empty text hides it."""
        self._caption.setText(text)
        self._caption.setVisible(bool(text))

    # ---- for subclasses ------------------------------------------------------------------

    def _set_content(self, widget: QWidget) -> None:
        """Put the content widget between the title and the caption."""
        self._content = widget
        self._layout.insertWidget(1, widget, 1)
        self._show_placeholder(self._data is None)
        self._style_frame()

    def _show(self, data: Any) -> None:
        raise NotImplementedError

    def _restyle(self) -> None:
        """Apply ``self.theme``; ``_show`` runs after this when there is data."""

    def _clear(self) -> None:
        raise NotImplementedError

    def _is_empty(self, data: Any) -> bool:
        return False

    def _hide_hover(self) -> None:
        """Hide any hover read-out (called when the mouse leaves the panel)."""

    def paintEvent(self, event: QPaintEvent) -> None:
        """Outline the panel where its background would not stand out from the window's."""
        super().paintEvent(event)
        if contrast_ratio(self.theme.window, self.theme.background) < 1.15:
            painter = QPainter(self)
            painter.setPen(QPen(QColor(self.theme.grid), 1))
            painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
            painter.end()

    def leaveEvent(self, event: QEvent) -> None:
        self._hide_hover()
        super().leaveEvent(event)

    def _style_frame(self) -> None:
        t = self.theme
        role = QPalette.ColorRole
        pal = build_palette(
            {
                role.Window: t.background,
                role.Base: t.background,
                role.WindowText: t.foreground,
                role.Text: t.foreground,
                role.Highlight: t.accent,
                role.HighlightedText: t.accent_text,
                role.AlternateBase: t.window,
                role.PlaceholderText: t.muted,
            },
            self.palette(),
        )
        self.setPalette(pal)
        # An application style sheet stops palettes propagating to children: set them too.
        for child in (self._title, self._content):
            if child is not None:
                child.setPalette(pal)
        if isinstance(self._content, QAbstractScrollArea):
            self._content.viewport().setPalette(pal)
        self._title.setFont(t.font("title", bold=True))
        self._caption.setFont(t.font("caption"))
        muted = build_palette({role.WindowText: t.muted}, pal)
        self._caption.setPalette(muted)
        self._placeholder.setFont(t.font("caption"))
        self._placeholder.setPalette(muted)
