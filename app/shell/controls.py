"""Widgets for a lesson's declared controls: sliders, choices, toggles, vectors, buttons.

:class:`ControlsPanel` builds one editor per control spec and emits ``changed(name, value)``
when the learner edits one.  Values coming back from the lesson run are shown with signals
blocked, so showing a value never sends it back (no feedback loops).  A value the lesson
refuses is reported next to its control; the lesson keeps its previous value.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from lessons.core.base import Button, Choice, Control, Slider, Toggle, Vector
from lessons.core.controls import Drawing

SLIDER_TICKS = 1000
VECTOR_COLUMNS = 3


class _Editor(QWidget):
    """One control's editor; subclasses implement show_value and emit edited."""

    edited = Signal(object)

    def __init__(self, spec: Control) -> None:
        super().__init__()
        self.spec = spec
        self.setAccessibleName(spec.label)
        if spec.help:
            self.setToolTip(spec.help)
            self.setAccessibleDescription(spec.help)

    def show_value(self, value: Any) -> None:
        raise NotImplementedError

    def focusables(self) -> list[QWidget]:
        """The editor's keyboard-operable widgets in Tab order."""
        return [_focus_target(self)]


class _SliderEditor(_Editor):
    def __init__(self, spec: Slider) -> None:
        super().__init__(spec)
        self.slider_spec = spec
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_TICKS)
        self.slider.setAccessibleName(spec.label)
        self.slider.setPageStep(SLIDER_TICKS // 20)
        self.spin = QDoubleSpinBox()
        self.spin.setAccessibleName(f"{spec.label} value")
        self.spin.setRange(spec.minimum, spec.maximum)
        decimals = 0 if spec.integer else _decimals(spec)
        self.spin.setDecimals(decimals)
        self.spin.setSingleStep(
            spec.step or (1.0 if spec.integer else _nice_step(spec.minimum, spec.maximum))
        )
        self.spin.setKeyboardTracking(False)
        if spec.unit:
            self.spin.setSuffix(f" {spec.unit}")
        layout.addWidget(self.slider, 3)
        layout.addWidget(self.spin, 1)
        self.slider.valueChanged.connect(self._from_slider)
        self.spin.valueChanged.connect(self._from_spin)

    def _to_ticks(self, value: float) -> int:
        s = self.slider_spec
        if s.log:
            frac = math.log(value / s.minimum) / math.log(s.maximum / s.minimum)
        else:
            frac = (value - s.minimum) / (s.maximum - s.minimum)
        return round(min(1.0, max(0.0, frac)) * SLIDER_TICKS)

    def _from_ticks(self, ticks: int) -> float:
        s = self.slider_spec
        frac = ticks / SLIDER_TICKS
        if s.log:
            value = s.minimum * (s.maximum / s.minimum) ** frac
        else:
            value = s.minimum + frac * (s.maximum - s.minimum)
        if s.integer:
            return float(round(value))
        return (
            float(f"{value:.{max(2, self.spin.decimals())}g}")
            if s.log
            else round(value, self.spin.decimals())
        )

    def _from_slider(self, ticks: int) -> None:
        value = self._from_ticks(ticks)
        with QSignalBlocker(self.spin):
            self.spin.setValue(value)
        if not self.slider.isSliderDown():
            self.edited.emit(value)

    def _from_spin(self, value: float) -> None:
        with QSignalBlocker(self.slider):
            self.slider.setValue(self._to_ticks(value))
        self.edited.emit(value)

    def focusables(self) -> list[QWidget]:
        return [self.slider, self.spin]

    def connect_release(self) -> None:
        self.slider.sliderReleased.connect(
            lambda: self.edited.emit(self._from_ticks(self.slider.value()))
        )

    def show_value(self, value: Any) -> None:
        with QSignalBlocker(self.slider), QSignalBlocker(self.spin):
            self.spin.setValue(float(value))
            self.slider.setValue(self._to_ticks(float(value)))


class _ChoiceEditor(_Editor):
    def __init__(self, spec: Choice) -> None:
        super().__init__(spec)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setAccessibleName(spec.label)
        self.combo.addItems(list(spec.options))
        layout.addWidget(self.combo)
        self.combo.currentTextChanged.connect(self.edited.emit)

    def show_value(self, value: Any) -> None:
        with QSignalBlocker(self.combo):
            self.combo.setCurrentText(str(value))


class _ToggleEditor(_Editor):
    def __init__(self, spec: Toggle) -> None:
        super().__init__(spec)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.box = QCheckBox(spec.label)
        self.box.setAccessibleName(spec.label)
        layout.addWidget(self.box)
        self.box.toggled.connect(self.edited.emit)

    def show_value(self, value: Any) -> None:
        with QSignalBlocker(self.box):
            self.box.setChecked(bool(value))


class _VectorEditor(_Editor):
    """A row of number boxes with buttons to add and remove an entry."""

    def __init__(self, spec: Vector) -> None:
        super().__init__(spec)
        self.vector_spec = spec
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        grid_host = QWidget()
        self.grid = QGridLayout(grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        outer.addWidget(grid_host, 1)
        self.spins: list[QDoubleSpinBox] = []
        self.less = QToolButton()
        self.less.setText("−")
        self.less.setAccessibleName(f"{spec.label}: remove the last entry")
        self.less.setToolTip("Remove the last entry")
        self.more = QToolButton()
        self.more.setText("+")
        self.more.setAccessibleName(f"{spec.label}: add an entry")
        self.more.setToolTip("Add an entry")
        self.less.clicked.connect(lambda: self._resize(len(self.spins) - 1))
        self.more.clicked.connect(lambda: self._resize(len(self.spins) + 1))
        buttons = QHBoxLayout()
        buttons.addWidget(self.less)
        buttons.addWidget(self.more)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        fixed = spec.min_length == spec.max_length
        self.less.setVisible(not fixed)  # a fixed-length vector has nothing to add or remove
        self.more.setVisible(not fixed)

    def _spin(self, index: int) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(self.vector_spec.minimum, self.vector_spec.maximum)
        whole = self.vector_spec.integer
        spin.setDecimals(0 if whole else 2)
        spin.setMinimumWidth(76)
        spin.setSingleStep(1.0 if whole else 0.1)
        spin.setKeyboardTracking(False)
        labels = self.vector_spec.labels
        name = labels[index] if index < len(labels) else f"entry {index + 1}"
        if index < len(labels):
            spin.setPrefix(f"{name} = ")  # which entry is which, e.g. "x₁ = 0.80"
        spin.setAccessibleName(f"{self.vector_spec.label} {name}")
        spin.valueChanged.connect(lambda _v: self.edited.emit(self.current()))
        return spin

    def current(self) -> tuple[float, ...]:
        return tuple(spin.value() for spin in self.spins)

    def focusables(self) -> list[QWidget]:
        return [*self.spins, *(b for b in (self.less, self.more) if not b.isHidden())]

    def _resize(self, n: int) -> None:
        s = self.vector_spec
        n = max(s.min_length, min(s.max_length, n))
        values = list(self.current())
        values = values[:n] + [0.0] * (n - len(values))
        self.edited.emit(tuple(values))

    def show_value(self, value: Any) -> None:
        values = [float(v) for v in value]
        while len(self.spins) < len(values):
            spin = self._spin(len(self.spins))
            row, column = divmod(len(self.spins), VECTOR_COLUMNS)
            self.grid.addWidget(spin, row, column)
            self.spins.append(spin)
        while len(self.spins) > len(values):
            spin = self.spins.pop()
            self.grid.removeWidget(spin)
            spin.deleteLater()
        for spin, number in zip(self.spins, values, strict=True):
            with QSignalBlocker(spin):
                spin.setValue(number)
        self.less.setEnabled(len(values) > self.vector_spec.min_length)
        self.more.setEnabled(len(values) < self.vector_spec.max_length)


class _ButtonEditor(_Editor):
    def __init__(self, spec: Button) -> None:
        super().__init__(spec)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton(spec.label)
        self.button.setAccessibleName(spec.label)
        layout.addWidget(self.button)
        self.count = 0
        self.button.clicked.connect(self._press)

    def _press(self) -> None:
        self.edited.emit(self.count + 1)

    def show_value(self, value: Any) -> None:
        self.count = int(value)


class _DrawingEditor(_Editor):
    """A drawing is made on its canvas panel; here only a button that clears it (Vector-like
    attributes ``spins``/``less``/``more`` stay empty and hidden for code that edits vectors)."""

    def __init__(self, spec: Drawing) -> None:
        super().__init__(spec)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.button = QPushButton(f"Clear: {spec.label}")
        self.button.setAccessibleName(f"Clear {spec.label}")
        self.button.clicked.connect(lambda: self.edited.emit(()))
        layout.addWidget(self.button)
        self.spins: list[QDoubleSpinBox] = []
        self.less, self.more = QToolButton(), QToolButton()
        self.less.hide()
        self.more.hide()

    def show_value(self, value: Any) -> None:
        self.button.setEnabled(bool(len(value)))


def make_editor(spec: Control) -> _Editor:
    """The editor widget for one control spec."""
    if isinstance(spec, Drawing):
        return _DrawingEditor(spec)
    if isinstance(spec, Slider):
        editor: _Editor = _SliderEditor(spec)
        editor.connect_release()  # type: ignore[attr-defined]
        return editor
    if isinstance(spec, Choice):
        return _ChoiceEditor(spec)
    if isinstance(spec, Toggle):
        return _ToggleEditor(spec)
    if isinstance(spec, Vector):
        return _VectorEditor(spec)
    if isinstance(spec, Button):
        return _ButtonEditor(spec)
    raise ValueError(f"no editor for control type {type(spec).__name__}")


class ControlsPanel(QWidget):
    """All controls of the current lesson, in a form; ``changed`` carries (name, value)."""

    changed = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Lesson controls")
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(8, 8, 8, 8)
        self._form_host = QWidget()
        self._outer.addWidget(self._form_host)
        self._outer.addStretch(1)
        self.editors: dict[str, _Editor] = {}
        self.errors: dict[str, QLabel] = {}
        self._form: QFormLayout | None = None
        # What each editor was last told to show: a playing lesson sends the same values with
        # every frame, and setting an unchanged value still repaints the box and its window.
        self._shown: dict[str, Any] = {}

    def set_controls(self, controls: tuple[Control, ...]) -> None:
        """Build the editors for a new lesson."""
        self._form_host.deleteLater()
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self._outer.insertWidget(0, self._form_host)
        self.editors.clear()
        self.errors.clear()
        self._shown.clear()
        if not controls:
            self._form.addRow(QLabel("This lesson has no controls."))
        for spec in controls:
            editor = make_editor(spec)
            editor.edited.connect(lambda value, name=spec.name: self._edited(name, value))
            error = QLabel()
            error.setObjectName("controlError")
            error.setWordWrap(True)
            error.hide()
            column = QWidget()
            col_layout = QVBoxLayout(column)
            col_layout.setContentsMargins(0, 0, 0, 0)
            col_layout.setSpacing(2)
            col_layout.addWidget(editor)
            col_layout.addWidget(error)
            label = "" if isinstance(spec, Toggle | Button) else spec.label
            if label:
                caption = QLabel(label)
                caption.setBuddy(_focus_target(editor))
                caption.setToolTip(spec.help)
                self._form.addRow(caption, column)
            else:
                self._form.addRow(column)
            self.editors[spec.name] = editor
            self.errors[spec.name] = error

    def _edited(self, name: str, value: Any) -> None:
        self.errors[name].hide()
        self._shown.pop(name, None)  # the editor shows what was typed: show the run's again
        self.changed.emit(name, value)

    def show_values(self, values: dict[str, Any]) -> None:
        """Show the run's values without emitting anything (unchanged ones are skipped)."""
        for name, value in values.items():
            editor = self.editors.get(name)
            if editor is None or _same(self._shown.get(name, _UNSET), value):
                continue
            editor.show_value(value)
            self._shown[name] = value

    def focus_order(self) -> list[QWidget]:
        """Every editor's widgets, top to bottom as the form shows them (for Tab)."""
        return [widget for editor in self.editors.values() for widget in editor.focusables()]

    def show_error(self, name: str | None, message: str) -> None:
        label = self.errors.get(name or "")
        if label is not None:
            label.setText(message)
            label.show()


_UNSET = object()


def _same(shown: Any, value: Any) -> bool:
    """Whether ``value`` is what an editor already shows (plain values and tuples of them)."""
    if shown is _UNSET or type(shown) is not type(value):
        return False
    try:
        return bool(shown == value)
    except (TypeError, ValueError):  # e.g. arrays: no single truth value
        return False


def _focus_target(editor: _Editor) -> QWidget:
    for attr in ("slider", "combo", "box", "button"):
        widget = getattr(editor, attr, None)
        if isinstance(widget, QWidget):
            return widget
    return editor


def _decimals(spec: Slider) -> int:
    """Enough decimals to show the range and its smallest positive end."""
    decimals = 3 - math.floor(math.log10(spec.maximum - spec.minimum))
    if spec.minimum > 0:
        decimals = max(decimals, 1 - math.floor(math.log10(spec.minimum)))
    return max(1, min(6, decimals))


def _nice_step(low: float, high: float) -> float:
    step = (high - low) / 100
    return float(10 ** math.floor(math.log10(step)))
