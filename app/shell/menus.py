"""The main window's toolbar, menus and keyboard shortcuts, built from the window's slots.

The window owns one :class:`WindowActions` (``window.commands``): it calls the window's public
slots, and the window reads the boxes and actions it needs from it.

Every command is a QAction in a menu (so it is reachable from the keyboard through the menu
bar and announced with its shortcut), the most used ones are also on the toolbar, whose
buttons take keyboard focus like any other control.  :class:`EditorKeys` lets the focused
control keep the keys it needs (Space presses a button, arrows move in a list or slider)
instead of the window's stepping shortcuts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QScreen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QRadioButton,
    QTabBar,
    QTableView,
    QToolBar,
    QWidget,
)

from app.output import export, exportdata
from app.shell.codeview import CodeDialog
from app.shell.descendants import descendants
from app.shell.theme import THEMES

if TYPE_CHECKING:
    from app.shell.window import MainWindow

UI_SCALES = (100, 125, 150, 175, 200)
THEME_LABELS = (("light", "Light"), ("dark", "Dark"), ("contrast", "High contrast"))


def _action(
    window: MainWindow, text: str, slot: Callable[[], object], keys: str | None = None
) -> QAction:
    action = QAction(text, window)
    if keys:
        action.setShortcut(QKeySequence(keys))
    action.triggered.connect(lambda _checked=False: slot())
    return action


class WindowActions:
    """The window's toolbar, menus and stepping shortcuts; they call the window's slots."""

    screen_menu: QMenu
    lesson_menu: QMenu
    theme_actions: dict[str, QAction]
    scale_actions: dict[str, QAction]
    data_action: QAction
    import_csv_action: QAction
    import_folder_action: QAction

    def __init__(self, window: MainWindow) -> None:
        w = self.window = window
        self.presentation_action = _action(w, "Presentation mode", w.toggle_presentation, "F5")
        self.presentation_action.setToolTip("Project the lesson full screen (F5; Esc leaves)")
        self.export_action = _action(
            w, "Export view as PNG…", lambda: _say(w, export.export_view(w, w.export_png)), "Ctrl+E"
        )
        self.export_png_action = _action(
            w, "Export lesson as PNG slides…", lambda: _export(w, "png")
        )
        self.export_pdf_action = _action(
            w, "Export lesson as PDF handout…", lambda: _export(w, "pdf"), "Ctrl+Shift+E"
        )
        self.export_data_action = _action(w, "Export step data (JSON)…", lambda: _export_data(w))
        self.restart_action = _action(w, "Restart lesson", w.player.restart, "Ctrl+R")
        self.code_action = _action(w, "Show as code…", lambda: show_code(w), "Ctrl+Shift+K")
        self.code_action.setToolTip("The model on screen as Keras and PyTorch code")
        self.about_action = _action(w, "About", w.show_about)
        self.overview_action = _action(w, "Course overview…", w.study.show_overview, "Ctrl+O")
        self.continue_action = _action(
            w, "Continue where I left off", w.restore_last_lesson, "Ctrl+L"
        )
        self.reset_action = _action(w, "Reset progress…", w.study.reset)
        self.export_progress_action = _action(w, "Export progress…", w.study.export)
        self.import_progress_action = _action(w, "Import progress…", w.study.import_)
        self.theme_box = QComboBox()
        self.device_box = QComboBox()
        self.toolbar = self._toolbar()
        # Every menu is kept here: a dropped Python wrapper would invalidate its actions'.
        self.menus: dict[str, QObject] = {}
        self._menus()
        self.step_actions = self._shortcuts()

    def _toolbar(self) -> QToolBar:
        w = self.window
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        w.addToolBar(bar)
        theme_label = QLabel(" &Theme ")
        bar.addWidget(theme_label)
        box = self.theme_box
        box.setAccessibleName("Theme")
        for key, label in THEME_LABELS:
            box.addItem(label, key)
        box.currentIndexChanged.connect(lambda i: w.apply_theme(str(box.itemData(i))))
        theme_label.setBuddy(box)
        bar.addWidget(box)
        bar.addSeparator()
        device_label = QLabel(" De&vice ")
        bar.addWidget(device_label)
        device = self.device_box
        device.setAccessibleName("Compute device")
        device.addItem("CPU (NumPy)", "cpu")
        device.addItem("GPU (CuPy)", "gpu")
        device.currentIndexChanged.connect(lambda i: w.set_device(str(device.itemData(i))))
        device_label.setBuddy(device)
        bar.addWidget(device)
        bar.addSeparator()
        for action in (
            self.presentation_action,
            self.export_action,
            self.overview_action,
            self.restart_action,
            self.about_action,
        ):
            bar.addAction(action)
            button = bar.widgetForAction(action)
            if button is not None:  # toolbar buttons take no focus by default: give them Tab
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
                button.setAccessibleName(action.text().rstrip("…"))
        return bar

    def _menus(self) -> None:
        w = self.window
        menu = w.menuBar()
        keep = self.menus
        file_menu = keep["file"] = menu.addMenu("&File")
        for action in (
            self.export_action,
            self.export_png_action,
            self.export_pdf_action,
            self.export_data_action,
        ):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_progress_action)
        file_menu.addAction(self.import_progress_action)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(w.close)

        view = keep["view"] = menu.addMenu("&View")
        view.addAction(self.presentation_action)
        self.screen_menu = view.addMenu("Presentation screen")
        self.screen_menu.aboutToShow.connect(lambda: self._fill_screens())
        self._fill_screens()
        pres_theme = keep["presentation theme"] = view.addMenu("Presentation theme")
        self._choices(
            pres_theme,
            [("", "Same as the window"), *THEME_LABELS],
            w.settings.get_typed("presentation_theme", str, ""),
            lambda name: w.settings.__setitem__("presentation_theme", name),
        )
        view.addSeparator()
        theme_menu = keep["theme"] = view.addMenu("Theme")
        self.theme_actions = self._choices(
            theme_menu, list(THEME_LABELS), w.theme.name, w.apply_theme
        )
        scale_menu = keep["scale"] = view.addMenu("UI scale")
        self.scale_actions = self._choices(
            scale_menu,
            [(str(p), f"{p}%") for p in UI_SCALES],
            str(w.ui_scale),
            lambda value: w.set_ui_scale(int(value)),
        )
        view.addAction(_action(w, "Larger", lambda: _step_scale(w, 1), "Ctrl++"))
        view.addAction(_action(w, "Smaller", lambda: _step_scale(w, -1), "Ctrl+-"))
        view.addAction(_action(w, "Normal size", lambda: w.set_ui_scale(100), "Ctrl+0"))

        lesson_menu = keep["lesson"] = menu.addMenu("&Lesson")
        lesson_menu.addAction(self.restart_action)
        lesson_menu.addAction(self.code_action)
        self.lesson_menu = lesson_menu
        study = keep["study"] = menu.addMenu("&Study")
        for action in (self.overview_action, self.continue_action, self.reset_action):
            study.addAction(action)
        data_menu = keep["data"] = menu.addMenu("&Data")
        self.data_action = data_menu.addAction("Browse data sets…")
        self.data_action.setShortcut(QKeySequence("Ctrl+D"))
        self.data_action.triggered.connect(lambda: w.open_data_browser())
        data_menu.addSeparator()
        self.import_csv_action = _action(w, "Import CSV…", w.imports.ask_csv, "Ctrl+I")
        self.import_folder_action = _action(w, "Import image folder…", w.imports.ask_folder)
        data_menu.addAction(self.import_csv_action)
        data_menu.addAction(self.import_folder_action)
        help_menu = keep["help"] = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _choices(
        self,
        menu: QMenu,
        options: list[tuple[str, str]],
        current: str,
        choose: Callable[[str], object],
    ) -> dict[str, QAction]:
        """Exclusive, checkable actions in ``menu``; ``choose(value)`` when one is picked."""
        group = QActionGroup(menu)
        self.menus[f"{menu.title()} group"] = group
        actions = {}
        for value, label in options:
            action = menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(value == current)
            action.triggered.connect(lambda _c=False, v=value: choose(v))
            group.addAction(action)
            actions[value] = action
        return actions

    def _fill_screens(self) -> None:
        """One entry per connected screen, plus automatic (another screen than the window's)."""
        settings = self.window.settings
        self.screen_menu.clear()
        names = [("", "Automatic")] + [(s.name(), s.name() or "Screen") for s in _screens()]
        current = settings.get_typed("presentation_screen", str, "")
        self._choices(
            self.screen_menu,
            names,
            current,
            lambda name: settings.__setitem__("presentation_screen", name),
        )

    def _shortcuts(self) -> dict[str, QAction]:
        """Right/PageDown next, Left/PageUp back, Space play/pause, Home first step."""
        w = self.window
        step_actions = {}
        for name, label, keys, slot in (
            ("next", "Next step", ("Right", "PgDown"), w.player.next),
            ("back", "Back one step", ("Left", "PgUp"), w.player.back),
            ("play", "Play / pause", ("Space",), w.player.toggle_play),
            ("first", "First step", ("Home",), w.player.first),
        ):
            action = QAction(label, w)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _c=False, s=slot: s())
            self.lesson_menu.addAction(action)
            step_actions[name] = action
        return step_actions


def _say(w: MainWindow, message: str | None) -> None:
    if message:
        w.show_message(message)


def _export(w: MainWindow, kind: str) -> None:
    """Export the lesson on screen, with its control values, as PNG slides or a PDF."""
    frame = w.player.frame
    if frame is not None:
        _say(w, export.ask_and_export(w, kind, frame, THEMES[w.theme.name]))


def _export_data(w: MainWindow) -> None:
    """Write the numbers of the step on screen (every panel, the narrative) as JSON."""
    frame = w.player.frame
    if frame is not None:
        _say(w, exportdata.ask_and_export(w, frame))


def show_code(w: MainWindow) -> CodeDialog | None:
    """Open "Show as code" for the step on screen (a status message where it has no model)."""
    frame = w.player.frame
    if frame is None or frame.step.code is None:
        w.show_message("This step shows no model to write as code.")
        return None
    dialog = CodeDialog(w, frame.lesson.title, frame.step.code)
    w.code_dialog = dialog  # kept while open: a dropped wrapper would close it
    dialog.show()
    return dialog


def _screens() -> list[QScreen]:
    return list(QGuiApplication.screens())


def _step_scale(w: MainWindow, direction: int) -> None:
    nearest = min(range(len(UI_SCALES)), key=lambda i: abs(UI_SCALES[i] - w.ui_scale))
    index = max(0, min(len(UI_SCALES) - 1, nearest + direction))
    w.set_ui_scale(UI_SCALES[index])


class EditorKeys(QObject):
    """Let the focused control keep the keys it needs instead of the stepping shortcuts.

    Text and number boxes, sliders and combo boxes keep arrows, Space, Home and Page keys;
    buttons, check boxes and radio buttons keep Space (it presses them); tables keep their
    navigation keys; tab bars keep Left and Right.  The lesson tree keeps Up, Down and Enter
    only, so Right still steps the lesson just chosen.
    """

    STEP_KEYS = frozenset(
        {
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Space,
            Qt.Key.Key_Home,
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
        }
    )
    EDITORS = (QLineEdit, QAbstractSpinBox, QAbstractSlider, QComboBox, QTableView)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        key = event.key()  # type: ignore[attr-defined]
        keep = (
            (isinstance(watched, self.EDITORS) and key in self.STEP_KEYS)
            or (isinstance(watched, QAbstractButton) and key == Qt.Key.Key_Space)
            or (isinstance(watched, QTabBar) and key in (Qt.Key.Key_Left, Qt.Key.Key_Right))
        )
        if keep:
            event.accept()
            return True
        return False


def tab_order(w: MainWindow) -> list[QWidget]:
    """Toolbar, lessons, stage, step bar, narrative, then the open tab: controls or quiz."""

    def inside(group: QWidget) -> list[QWidget]:
        return [
            widget
            for widget in descendants(group, QWidget)
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.focusProxy() is None
        ]

    return [
        *inside(w.commands.toolbar),
        *inside(w.navigator),
        *inside(w.stage),
        *inside(w.stepbar),
        *inside(w.narrative),
        w.tabs.tabBar(),
        *w.controls.focus_order(),
        *inside(w.quiz),
    ]


def _takes_tab(widget: QWidget, window: QWidget) -> bool:
    if not (widget.isVisibleTo(window) and widget.isEnabled()):
        return False
    if isinstance(widget, QRadioButton) and widget.autoExclusive():
        group = widget.group()
        buttons = group.buttons() if group is not None else [widget]
        checked = [b for b in buttons if b.isChecked()]
        return widget is (checked[0] if checked else buttons[0])  # arrows move in a group
    return True


def move_focus(w: MainWindow, forward: bool) -> bool:
    """Give focus to the next (or previous) control in :func:`tab_order`; False if none.

    Tables leave with Tab (arrows move between their cells), so no control traps the focus.
    """
    for view in descendants(w.stage, QTableView):
        view.setTabKeyNavigation(False)
    order = [widget for widget in tab_order(w) if _takes_tab(widget, w)]
    if not order:
        return False
    focus = QApplication.focusWidget() or w
    here = next(
        (i for i, widget in enumerate(order) if focus is widget or widget.isAncestorOf(focus)),
        -1 if forward else 0,
    )
    target = order[(here + (1 if forward else -1)) % len(order)]
    target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
    return True
