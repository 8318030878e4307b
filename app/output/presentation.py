"""Presentation mode: project a lesson full screen, sized for the back row, driven by a clicker.

The picture is an :class:`app.output.slide.SlideView` (stage and narrative, body text at least
28 px per 1080 screen lines, thick lines), the same view the exports draw.
:class:`Presentation` puts a :class:`ProjectorWindow` full screen on the chosen screen and,
where a second screen exists, the speaker's :class:`app.output.presenter.PresenterWindow` on the
other.  Keys work like a slide clicker:

    PageDown, Right, Space  next step          PageUp, Left   step back
    Home                    first step         G or digits    go to a step number
    B or .                  black screen       W              white screen
    L                       laser pointer      P              play / pause a live lesson
    Esc, F5                 leave

While the screen is blanked any key but Esc brings the picture back (and does nothing else).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QIntValidator, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.output.slide import REFERENCE_LINES, SlideView
from app.shell.player import Frame, Player
from app.shell.theme import Theme
from lessons.core.base import Lesson

NEXT_KEYS = frozenset({Qt.Key.Key_PageDown, Qt.Key.Key_Right, Qt.Key.Key_Space})
BACK_KEYS = frozenset({Qt.Key.Key_PageUp, Qt.Key.Key_Left})
LEAVE_KEYS = frozenset({Qt.Key.Key_Escape, Qt.Key.Key_F5})
DIGITS = {getattr(Qt.Key, f"Key_{d}"): str(d) for d in range(10)}


class _Screen(Protocol):
    def name(self) -> str: ...


S = TypeVar("S", bound=_Screen)


def choose_screens(
    screens: Sequence[S], window_screen: S | None, preferred: str = ""
) -> tuple[S, S | None]:
    """(projector screen, presenter screen or None) from the screens there are.

    The projector is the screen named ``preferred`` if it exists, else a screen other than
    the window's (the window usually sits on the speaker's laptop), else the window's.  With
    two or more screens the presenter view goes on the window's screen (or another one).
    """
    if not screens:
        raise ValueError("there is no screen to present on")
    named = [s for s in screens if preferred and s.name() == preferred]
    others = [s for s in screens if s is not window_screen]
    projector = named[0] if named else (others[0] if others else screens[0])
    if len(screens) < 2:
        return projector, None
    if window_screen is not None and window_screen is not projector:
        return projector, window_screen
    return projector, next(s for s in screens if s is not projector)


class _Curtain(QWidget):
    """Covers the projection in black or white (B and W keys)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.color: str | None = None
        self.hide()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.color or "#000000"))
        painter.end()


class _Laser(QWidget):
    """A bright dot with a halo where the mouse is: a laser pointer for the projected screen."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.point: QPoint | None = None
        self.radius = 10.0

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.point is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        centre, r = QPointF(self.point), self.radius
        for scale, alpha in ((2.6, 50), (1.8, 90)):
            painter.setBrush(QColor(255, 40, 40, alpha))
            painter.drawEllipse(centre, r * scale, r * scale)
        painter.setBrush(QColor("#ffffff"))
        painter.drawEllipse(centre, r * 1.15, r * 1.15)
        painter.setBrush(QColor("#ff1a1a"))
        painter.drawEllipse(centre, r, r)
        painter.end()


class ProjectorWindow(QWidget):
    """The projected screen: a SlideView with the curtain, laser and go-to box on top."""

    def __init__(self, theme: Theme, height: int = REFERENCE_LINES) -> None:
        super().__init__()
        self.setWindowTitle("DeepStep presentation")
        self.setObjectName("projector")
        self.slide = SlideView(theme, height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slide)
        self.laser = _Laser(self)
        self.curtain = _Curtain(self)
        self.goto_box = QLineEdit(self)
        self.goto_box.setObjectName("gotoStep")
        self.goto_box.setAccessibleName("Go to step number")
        self.goto_box.setValidator(QIntValidator(1, 1_000_000, self.goto_box))
        self.goto_box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.goto_box.hide()
        self.hint = QLabel(self)
        self.hint.setObjectName("presentationHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.hide()
        # one timer, restarted by each hint: a later hint gets its full time, and nothing
        # outlives the presentation
        self._hint_timer = QTimer(self)
        self._hint_timer.setSingleShot(True)
        self._hint_timer.timeout.connect(self.hint.hide)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.apply_theme(theme, height)

    def apply_theme(self, theme: Theme, height: int | None = None) -> None:
        self.slide.apply_theme(theme, height)
        big = self.slide.stage_theme
        self.laser.radius = max(6.0, 6.0 * big.font_scale)
        style = (
            f"color: {theme.foreground}; background: {theme.background}; "
            f"border: 3px solid {theme.accent}; border-radius: 8px; padding: 8px;"
        )
        for widget in (self.goto_box, self.hint):
            widget.setFont(big.font("title"))
            widget.setStyleSheet(style)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        for overlay in (self.laser, self.curtain):
            overlay.setGeometry(self.rect())
        self._place(self.goto_box, 0.5)
        self._place(self.hint, 0.92)

    def _place(self, widget: QWidget, y: float) -> None:
        widget.adjustSize()
        width = min(self.width() - 40, max(widget.sizeHint().width() + 40, self.width() // 3))
        widget.resize(width, widget.sizeHint().height())
        widget.move((self.width() - width) // 2, round(self.height() * y - widget.height() / 2))

    def show_hint(self, text: str, ms: int = 4000) -> None:
        self.hint.setText(text)
        self._place(self.hint, 0.92)
        self.hint.show()
        self.hint.raise_()
        self._hint_timer.start(ms)

    def blank(self, color: str | None) -> None:
        """Cover the screen in ``color`` ("#000000", "#ffffff"), or uncover it (None)."""
        self.curtain.color = color
        self.curtain.setVisible(color is not None)
        self.curtain.raise_()
        self.curtain.update()

    def open_goto(self, text: str = "") -> None:
        self.goto_box.setPlaceholderText("Step number, then Enter")
        self.goto_box.setText(text)
        self._place(self.goto_box, 0.5)
        self.goto_box.show()
        self.goto_box.raise_()
        self.goto_box.setFocus()

    def close_goto(self) -> None:
        self.goto_box.hide()
        self.setFocus()


class Presentation(QObject):
    """Runs presentation mode: windows on their screens, clicker keys, blanking, laser."""

    left = Signal()

    def __init__(
        self,
        player: Player,
        theme: Theme,
        *,
        screen_name: str = "",
        window_screen: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.player = player
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            raise RuntimeError("presentation mode needs a QApplication")
        screens = app.screens()
        projector_screen, presenter_screen = choose_screens(screens, window_screen, screen_name)
        height = projector_screen.geometry().height()
        self.projector = ProjectorWindow(theme, height)
        self.presenter: QWidget | None = None
        self._windows: list[QWidget] = [self.projector]
        if presenter_screen is not None:
            from app.output.presenter import PresenterWindow

            self.presenter = PresenterWindow(theme)
            self._windows.append(self.presenter)
            self._place(self.presenter, presenter_screen)
        self._place(self.projector, projector_screen)
        self._lesson: type[Lesson] | None = None
        self._frame: Frame | None = None
        self.laser_on = True
        self._cursor = QTimer(self)
        self._cursor.setInterval(16)
        self._cursor.timeout.connect(self._follow_mouse)
        self._cursor.start()
        self.set_laser(True)
        self.projector.goto_box.returnPressed.connect(self._goto_entered)
        player.frame_ready.connect(self.show_frame)
        app.installEventFilter(self)
        self.active = True

    @staticmethod
    def _place(window: QWidget, screen: Any) -> None:
        window.setScreen(screen)
        window.setGeometry(screen.geometry())
        window.showFullScreen()

    def start(self) -> None:
        """Show the current frame and say how to leave."""
        if self.player.frame is not None:
            self.show_frame(self.player.frame)
        self.projector.activateWindow()
        self.projector.setFocus()
        self.projector.show_hint("Esc leaves  ·  B black  ·  W white  ·  G go to step")

    @property
    def blanked(self) -> str | None:
        return self.projector.curtain.color

    def show_frame(self, frame: Frame) -> None:
        if frame.lesson is not self._lesson:
            self._lesson = frame.lesson
            self.projector.slide.set_lesson(frame.lesson)
            if self.presenter is not None:
                self.presenter.set_lesson(frame.lesson)  # type: ignore[attr-defined]
        self._frame = frame
        self.projector.slide.show_frame(frame)
        QTimer.singleShot(0, self._fit_stage)
        if self.presenter is not None:
            self.presenter.show_frame(frame)  # type: ignore[attr-defined]

    def _fit_stage(self) -> None:
        """Once laid out: if a panel is cut off, shrink the panels and look again."""
        slide = self.projector.slide
        if self.active and slide.clipped() and slide.shrink():
            QTimer.singleShot(0, self._fit_stage)

    # ---- keys ------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active or event.type() != QEvent.Type.KeyPress:
            return False
        if not isinstance(watched, QWidget) or watched.window() not in self._windows:
            return False
        if not isinstance(event, QKeyEvent):
            return False
        if self.projector.goto_box.isVisible():
            if event.key() == Qt.Key.Key_Escape:
                self.projector.close_goto()
                return True
            return False
        return self.key(Qt.Key(event.key()))

    def key(self, key: Qt.Key) -> bool:
        """Act on one clicker key; True if it meant something here."""
        if key in LEAVE_KEYS:
            self.stop()
        elif self.blanked is not None:
            self.projector.blank(None)  # any other key brings the picture back
        elif key in NEXT_KEYS:
            self.player.next()
        elif key in BACK_KEYS:
            self.player.back()
        elif key == Qt.Key.Key_Home:
            self.player.first()
        elif key in (Qt.Key.Key_B, Qt.Key.Key_Period):
            self.projector.blank("#000000")
        elif key == Qt.Key.Key_W:
            self.projector.blank("#ffffff")
        elif key == Qt.Key.Key_G:
            self.projector.open_goto()
        elif key in DIGITS:
            self.projector.open_goto(DIGITS[key])
        elif key == Qt.Key.Key_L:
            self.set_laser(not self.laser_on)
        elif key == Qt.Key.Key_P:
            self.player.toggle_play()
        else:
            return False
        return True

    def _goto_entered(self) -> None:
        text = self.projector.goto_box.text()
        self.projector.close_goto()
        length = self._frame.length if self._frame is not None else None
        if not text.isdigit() or int(text) < 1 or (length is not None and int(text) > length):
            known = f"steps 1 to {length}" if length else "steps count from 1"
            self.projector.show_hint(f"There is no step {text or '?'}; {known}")
            return
        self.player.goto(int(text) - 1)

    # ---- laser -----------------------------------------------------------------------------

    def set_laser(self, on: bool) -> None:
        self.laser_on = on
        shape = Qt.CursorShape.BlankCursor if on else Qt.CursorShape.ArrowCursor
        self.projector.setCursor(shape)
        if not on:
            self.projector.laser.point = None
            self.projector.laser.update()

    def _follow_mouse(self) -> None:
        laser = self.projector.laser
        if not self.laser_on:
            return
        point = self.projector.mapFromGlobal(QCursor.pos())
        inside = self.projector.rect().contains(point) and self.projector.isVisible()
        new = point if inside and self.blanked is None else None  # a blank screen stays blank
        if new != laser.point:
            laser.point = new
            laser.raise_()
            laser.update()

    # ---- leaving ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Close the presentation windows and tell the main window (once)."""
        if not self.active:
            return
        self.active = False
        self._cursor.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.player.frame_ready.disconnect(self.show_frame)
        for window in self._windows:
            window.close()
            window.deleteLater()
        self.left.emit()
