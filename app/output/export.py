"""Export a lesson: a PNG per step (the projected slide) or a PDF handout, at a chosen size.

Each export is a job that renders one step at a time offscreen (widgets live in the GUI
thread, so the jobs run there, step by step, and the menu shows a cancellable progress
dialog between steps).  A PNG sequence holds the slide as presentation mode projects it; a
PDF handout has one page per step: the lesson and step title, the step's panels, and its
narrative below as real text.  A cancelled or failed export leaves nothing half-written: the
PDF is written to a temporary file that replaces the target only when complete, and the PNGs
written so far are removed.

    deepstep --lesson softmax --export-pdf softmax.pdf [--size 1920x1080] [--theme light]
    deepstep --lesson softmax --export-png slides/
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from app.output.slide import SlideView
from app.shell.player import Frame
from app.shell.theme import THEMES, Theme
from lessons.core.base import Code, Lesson
from lessons.core.runner import LessonRun
from lessons.core.userdata import NO_IMPORTS, ImportedSets

DEFAULT_SIZE = (1920, 1080)
LIVE_STEPS = 20  # a live lesson's steps are endless: export this many unless told otherwise
PDF_DPI = 300
_MM = PDF_DPI / 25.4


@dataclass(frozen=True)
class ExportPlan:
    """What to export: a lesson with control values, drawn at ``size`` in ``theme``."""

    lesson: type[Lesson]
    values: Mapping[str, Any] = field(default_factory=dict)
    size: tuple[int, int] = DEFAULT_SIZE
    theme: Theme = THEMES["light"]
    live_steps: int = LIVE_STEPS
    imports: ImportedSets = NO_IMPORTS  # the learner's data sets the run starts with

    def start(self) -> tuple[LessonRun, int]:
        """A fresh run of the lesson and how many steps to export (ValueError: bad values)."""
        run = LessonRun(self.lesson, dict(self.values), imports=self.imports)
        return run, run.length if run.length is not None else self.live_steps


def _offscreen(widget: QWidget, size: tuple[int, int]) -> None:
    """Lay ``widget`` out at ``size`` without putting it on any screen."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    widget.resize(*size)
    widget.show()
    _settle()


def _settle() -> None:
    """Let layouts (pyqtgraph's take a few rounds) reach their final sizes."""
    for _ in range(6):
        QApplication.processEvents()


def _fit(slide: SlideView) -> None:
    """Settle the layout, shrinking the panels while one is cut off (as on the projector)."""
    _settle()
    while slide.clipped() and slide.shrink():
        _settle()


def render(widget: QWidget, size: tuple[int, int], background: str) -> QImage:
    """Draw ``widget`` into an image of exactly ``size`` pixels (whatever the screen's ratio)."""
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor(background))
    widget.render(image)
    return image


def render_slide(plan: ExportPlan, step: int) -> QImage:
    """The projected slide of one step (``deepstep --presentation --screenshot``)."""
    run, _ = plan.start()
    run.goto(step)
    slide = SlideView(plan.theme, plan.size[1])
    try:
        _offscreen(slide, plan.size)
        slide.set_lesson(plan.lesson)
        total = f"{run.length}" if run.length is not None else f"{run.computed}+"
        slide.show_step(
            plan.lesson, run.current, run.panel_state(), step, total, run.panel_titles()
        )
        _fit(slide)
        return render(slide, plan.size, plan.theme.window)
    finally:
        slide.close()
        slide.deleteLater()


class ExportJob:
    """Iterate to export: each item is the number of steps done so far; ``total`` steps."""

    def __init__(self, plan: ExportPlan, target: Path) -> None:
        self.plan = plan
        self.target = target
        self.run, self.total = plan.start()
        self.written: list[Path] = []

    def __iter__(self) -> Generator[int, None, None]:
        finished = False
        try:
            self._begin()
            for number in range(self.total):
                try:
                    self.run.goto(number)
                except IndexError:  # a live lesson that ended early
                    self.total = number
                    break
                self._page(number)
                yield number + 1
            self._finish()
            finished = True
        finally:
            self._close()
            if not finished:
                self._abort()

    def run_all(self) -> int:
        """Export every step without a dialog; the number of steps written."""
        return sum(1 for _ in self)

    def _total_text(self) -> str:
        length = self.run.length
        return f"{length}" if length is not None else f"{self.total}"

    def _begin(self) -> None:
        raise NotImplementedError

    def _page(self, number: int) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        """Make the result visible (only after every step was rendered)."""

    def _close(self) -> None:
        """Release widgets and painters (always)."""

    def _abort(self) -> None:
        """Remove what a cancelled or failed export wrote."""


class PngSequence(ExportJob):
    """One PNG per step in a folder: ``<lesson>-01.png``, ``<lesson>-02.png``, ..."""

    def _begin(self) -> None:
        self.target.mkdir(parents=True, exist_ok=True)
        self.slide = SlideView(self.plan.theme, self.plan.size[1])
        _offscreen(self.slide, self.plan.size)
        self.slide.set_lesson(self.plan.lesson)
        self.digits = max(2, len(str(self.total)))

    def _page(self, number: int) -> None:
        self.slide.show_step(
            self.plan.lesson,
            self.run.current,
            self.run.panel_state(),
            number,
            self._total_text(),
            self.run.panel_titles(),
        )
        _fit(self.slide)
        image = render(self.slide, self.plan.size, self.plan.theme.window)
        path = self.target / f"{self.plan.lesson.id}-{number + 1:0{self.digits}d}.png"
        if not image.save(str(path)):  # the format follows the .png suffix
            raise OSError(f"could not write {path}")
        self.written.append(path)

    def _close(self) -> None:
        slide = getattr(self, "slide", None)
        if slide is not None:
            slide.close()
            slide.deleteLater()

    def _abort(self) -> None:
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written.clear()


class PdfHandout(ExportJob):
    """A PDF with one A4 page per step: titles, the step's panels, the narrative below.

    A step with speaker notes gets them printed under its narrative.  When the lesson's steps
    carry their model as code ("Show as code"), a last page prints the last step's model as
    Keras and as PyTorch code, side by side.
    """

    code: Code | None = None  # the newest step's model as code

    def _begin(self) -> None:
        self.tmp = self.target.with_name(f".{self.target.name}.{os.getpid()}.part")
        self.writer = QPdfWriter(str(self.tmp))
        self.writer.setResolution(PDF_DPI)
        self.writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        self.writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
        lesson = self.plan.lesson
        self.writer.setTitle(f"DeepStep {lesson.number} {lesson.title}")
        self.writer.setCreator("DeepStep")
        self.slide = SlideView(self.plan.theme, self.plan.size[1])  # its stage, as projected
        self.slide.narrative.hide()
        self.slide.footer.hide()
        _offscreen(self.slide, self.plan.size)
        self.slide.set_lesson(lesson)
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise OSError(f"could not write {self.target}")
        self.area = QRectF(self.writer.pageLayout().paintRectPixels(PDF_DPI))

    def _page(self, number: int) -> None:
        if number:
            self.writer.newPage()
        step = self.run.current
        self.code = step.code or self.code
        self.slide.stage.show_state(self.run.panel_state(), self.run.panel_titles())
        _fit(self.slide)
        image = render(self.slide, self.plan.size, self.plan.theme.window)
        p, width = self.painter, self.area.width()
        y = 0.0
        lesson = self.plan.lesson
        y += _text(p, f"{lesson.number}  {lesson.title}", 9, y, width, "#555d69")
        y += _text(p, f"Step {number + 1} of {self._total_text()}: {step.title}", 15, y, width)
        y += 3 * _MM
        height = width * image.height() / image.width()
        p.drawImage(QRectF(0, y, width, height), image)
        p.setPen(QColor("#d5dae0"))
        p.drawRect(QRectF(0, y, width, height))
        y += height + 5 * _MM
        bottom = self.area.height() - 8 * _MM  # room for the page footer
        if step.notes.strip():  # the speaker's notes under the narrative, each half at most
            y += _narrative(p, step.text, QRectF(0, y, width, (bottom - y) / 2)) + 4 * _MM
            y += _text(p, "Speaker notes", 10, y, width, "#555d69")
            _narrative(p, step.notes, QRectF(0, y, width, bottom - y))
        else:
            _narrative(p, step.text, QRectF(0, y, width, bottom - y))
        _text(
            p, f"DeepStep  ·  page {number + 1}", 8, self.area.height() - 4 * _MM, width, "#555d69"
        )

    def _close(self) -> None:
        painter = getattr(self, "painter", None)
        if painter is not None and painter.isActive():
            painter.end()
        slide = getattr(self, "slide", None)
        if slide is not None:
            slide.close()
            slide.deleteLater()

    def _finish(self) -> None:
        if self.code is not None:
            self._code_page(self.code)
        self.painter.end()
        os.replace(self.tmp, self.target)

    def _code_page(self, code: Code) -> None:
        """The model as code: Keras on the left, PyTorch on the right, in a fixed-width font."""
        self.writer.newPage()
        p, width = self.painter, self.area.width()
        lesson = self.plan.lesson
        y = _text(p, f"{lesson.number}  {lesson.title}", 9, 0.0, width, "#555d69")
        y += _text(p, "The model as code (the last step's settings)", 15, y, width)
        y += 3 * _MM
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPixelSize(round(7.5 * PDF_DPI / 72))
        half = (width - 6 * _MM) / 2
        for i, (name, text) in enumerate((("Keras", code.keras), ("PyTorch", code.torch))):
            x = i * (half + 6 * _MM)
            p.save()
            p.translate(x, 0)
            top = y + _text(p, name, 11, y, half)
            p.restore()
            p.setFont(mono)
            p.setPen(QColor("#1b1f24"))
            rect = QRectF(x, top, half, self.area.height() - top - 8 * _MM)
            p.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), text)

    def _abort(self) -> None:
        tmp = getattr(self, "tmp", None)
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    font.setPixelSize(round(points * PDF_DPI / 72))
    font.setBold(bold)
    return font


def _text(
    painter: QPainter, text: str, points: float, y: float, width: float, color: str = "#1b1f24"
) -> float:
    """Draw one line of text at ``y``; its height."""
    font = _font(points, bold=points >= 12)
    painter.setFont(font)
    painter.setPen(QColor(color))
    rect = QRectF(0, y, width, points * PDF_DPI / 72 * 1.6)
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
    return rect.height()


def _narrative(painter: QPainter, text: str, rect: QRectF) -> float:
    """Draw marked-up text with typeset math, shrunk (down to 7 pt) to fit ``rect``; its height."""
    from app.math.render import set_markup

    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setTextWidth(rect.width())
    for points in (11.0, 10.0, 9.0, 8.0, 7.0):
        set_markup(document, text, _font(points), QColor("#1b1f24"), device_pixel_ratio=1.0)
        if document.size().height() <= rect.height():
            break
    painter.save()
    painter.translate(rect.topLeft())
    document.drawContents(painter, QRectF(0, 0, rect.width(), rect.height()))
    painter.restore()
    return min(document.size().height(), rect.height())


def export_with_progress(parent: QWidget, job: ExportJob, title: str) -> bool:
    """Run ``job`` under a progress dialog; False if the learner cancelled it."""
    dialog = QProgressDialog(title, "Cancel", 0, job.total, parent)
    dialog.setWindowTitle("Exporting")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAccessibleName("Export progress")
    steps = iter(job)
    try:
        for done in steps:
            dialog.setMaximum(job.total)
            dialog.setValue(done)
            dialog.setLabelText(f"{title}\nstep {done} of {job.total}")
            QApplication.processEvents()
            if dialog.wasCanceled():
                steps.close()
                return False
    finally:
        dialog.reset()
        dialog.deleteLater()
    return True


SIZES = ("1280x720", "1600x900", "1920x1080", "2560x1440", "3840x2160")


def ask_and_export(parent: QWidget, kind: str, frame: Frame, theme: Theme) -> str | None:
    """Ask where and at what size, export the frame's lesson with its values; a message.

    PNG slides use ``theme``; the PDF handout is printed on white (the light theme).  A live
    lesson exports the steps the learner has computed so far.
    """
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    lesson = frame.lesson
    if kind == "pdf":
        name, _ = QFileDialog.getSaveFileName(
            parent, "Export PDF handout", f"{lesson.id}.pdf", "PDF documents (*.pdf)"
        )
        if name and not name.lower().endswith(".pdf"):
            name += ".pdf"
    else:
        name = QFileDialog.getExistingDirectory(parent, "Export PNG slides into folder")
    if not name:
        return None
    size_text, ok = QInputDialog.getItem(
        parent, "Export size", "Size of each step's picture:", list(SIZES), 2, False
    )
    if not ok:
        return None
    width, height = (int(v) for v in size_text.split("x"))
    plan = ExportPlan(
        lesson,
        frame.values,
        (width, height),
        THEMES["light"] if kind == "pdf" else theme,
        live_steps=max(1, frame.computed),
        imports=frame.imports,
    )
    try:
        job: ExportJob = (
            PdfHandout(plan, Path(name)) if kind == "pdf" else PngSequence(plan, Path(name))
        )
        finished = export_with_progress(parent, job, f"Exporting {lesson.number} {lesson.title}")
    except (OSError, ValueError) as err:
        QMessageBox.warning(parent, "Export failed", str(err))
        return None
    if not finished:
        return "Export cancelled; nothing was written"
    what = "pages" if kind == "pdf" else "PNG files"
    return f"Exported {job.total} {what} to {name}"


def export_view(parent: QWidget, save: Callable[[Path], None]) -> str | None:
    """Ask for a PNG file name and ``save`` the current view there; a message, or None."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    name, _ = QFileDialog.getSaveFileName(
        parent, "Export view as PNG", "deepstep.png", "PNG images (*.png)"
    )
    if not name:
        return None
    try:
        save(Path(name))
    except OSError as err:
        QMessageBox.warning(parent, "Export failed", str(err))
        return None
    return f"Saved {name}"
