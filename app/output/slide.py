"""The projected picture of one step: stage and narrative, sized for the back of the room.

:class:`SlideView` puts the lesson's panels and the step's narrative side by side with a
one-line footer, scaled so body text is at least 28 px per 1080 screen lines (plot labels,
ticks and lines grow with it).  It fits itself to each step: the narrative starts a little
larger and shrinks to the minimum, then takes a wider column, before it would scroll; panels
shrink one size at a time (for the rest of the lesson) while a wide table would be cut off.
Presentation mode projects it; the PNG and PDF exports draw it offscreen.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractScrollArea, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.shell.descendants import descendants
from app.shell.narrative import Narrative
from app.shell.player import Frame
from app.shell.stage import Stage
from app.shell.theme import Theme
from lessons.core.base import Lesson, PanelData, Step

BODY_PX_AT_1080 = 28  # the smallest projected body text, in pixels of a 1080-line screen
REFERENCE_LINES = 1080
ROOMY = 1.15  # the narrative starts this much larger and shrinks to BODY_PX_AT_1080 to fit
STAGE_FIT = (1.0, 0.9, 0.8, 0.72)  # panels shrink this far so a wide table is not cut off
# (stage share, narrative share, text size factor): tried in turn until the narrative fits
NARRATIVE_FITS = ((5, 2, ROOMY), (5, 2, 1.0), (2, 1, 1.0), (3, 2, 1.0))


def projection_scales(theme: Theme, height: int) -> tuple[float, float]:
    """(stage scale, narrative scale) so body text is >= 28 px per 1080 screen lines."""
    lines = max(height, 1) / REFERENCE_LINES
    body = BODY_PX_AT_1080 * lines
    unit = theme.scaled(1 / theme.font_scale)
    stage = body / unit.px("body")
    narrative = body / Narrative.BODY_PX
    return max(stage, 0.5), max(narrative, 0.5)


class SlideView(QWidget):
    """One projected step: the stage, the narrative beside it, and a one-line footer."""

    def __init__(self, theme: Theme, height: int = REFERENCE_LINES) -> None:
        super().__init__()
        self.setObjectName("slide")
        self.setAccessibleName("Projected step")
        self.setAutoFillBackground(True)
        self._theme, self._height = theme, height
        stage_scale, self._narrative_scale = projection_scales(theme, height)
        self.stage = Stage(theme.scaled(stage_scale))
        self.narrative = Narrative(theme.scaled(self._narrative_scale * ROOMY))
        self.footer = QLabel()
        self.footer.setObjectName("slideFooter")
        self.footer.setAccessibleName("Lesson and step")
        self.row = row = QHBoxLayout()
        row.setSpacing(0)
        row.addWidget(self.stage, 5)
        row.addWidget(self.narrative, 2)
        self.outer = layout = QVBoxLayout(self)
        margin = round(12 * height / REFERENCE_LINES)
        layout.setContentsMargins(margin, margin, margin, margin // 2)
        layout.setSpacing(margin // 2)
        layout.addLayout(row, 1)
        layout.addWidget(self.footer)
        self._text = ("", "", "")
        self._fit = 0  # index into STAGE_FIT; only grows within a lesson (no jumping back)
        self.apply_theme(theme, height)

    @property
    def stage_theme(self) -> Theme:
        return self.stage.theme

    def apply_theme(self, theme: Theme, height: int | None = None) -> None:
        """Re-theme and re-scale for ``theme`` on a screen ``height`` pixels tall."""
        self._theme = theme
        self._height = height or self._height
        stage_scale, self._narrative_scale = projection_scales(theme, self._height)
        self.stage.apply_theme(theme.scaled(stage_scale * STAGE_FIT[self._fit]))
        self.narrative.apply_theme(theme.scaled(self._narrative_scale * ROOMY))
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor(theme.window))
        self.setPalette(palette)
        muted = self.footer.palette()
        muted.setColor(self.footer.foregroundRole(), QColor(theme.muted))
        self.footer.setFont(theme.scaled(stage_scale).font("small"))  # unaffected by shrink
        self.footer.setPalette(muted)
        if self._text[2]:
            self._fit_narrative()

    def set_lesson(self, lesson: type[Lesson]) -> None:
        if self._fit:
            self._fit = 0
            self.apply_theme(self._theme)
        self.stage.set_lesson(lesson)
        for widget in descendants(self, QWidget):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the clicker keys go to the window

    def show_step(
        self,
        lesson: type[Lesson],
        step: Step,
        state: dict[str, PanelData],
        position: int,
        total: str,
        titles: Mapping[str, str] | None = None,
    ) -> None:
        """Show step ``position`` (from 0) of ``total`` (text, e.g. "11" or "12+"), with the
        panel titles of that step (panel id -> title)."""
        self.stage.show_state(state, titles)
        self._text = (f"{lesson.number}  {lesson.title}", step.title, step.text)
        self.footer.setText(
            f"{lesson.number}  {lesson.title}    ·    Step {position + 1} / {total}"
        )
        self._fit_narrative()

    def show_frame(self, frame: Frame) -> None:
        total = f"{frame.length}" if frame.length is not None else f"{frame.computed}+"
        self.show_step(frame.lesson, frame.step, frame.state, frame.position, total, frame.titles)

    def clipped(self) -> bool:
        """True when a panel (a wide table) is cut off and would need a scroll bar."""
        off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        return any(
            area.isVisible()
            and area.horizontalScrollBarPolicy() != off
            and area.horizontalScrollBar().maximum() > 0
            for area in descendants(self.stage, QAbstractScrollArea)
        )

    def shrink(self) -> bool:
        """Make the panels one size smaller (for this lesson); False at the smallest size."""
        if self._fit + 1 >= len(STAGE_FIT):
            return False
        self._fit += 1
        self.apply_theme(self._theme)
        return True

    def _fit_narrative(self) -> None:
        """The roomy text size if it fits, else the minimum; a wider column if still needed.

        The last try stands even if it does not fit (the text then scrolls).
        """
        self.narrative.show_step(*self._text)
        for stage_part, text_part, factor in NARRATIVE_FITS:
            self.row.setStretch(0, stage_part)
            self.row.setStretch(1, text_part)
            self.outer.activate()
            self.narrative.apply_theme(self._theme.scaled(self._narrative_scale * factor))
            if self.narrative.fits():
                return
