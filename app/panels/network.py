"""The network-diagram panel: neurons as heat maps, weighted edges, hover values, editable topology.

Each neuron is drawn as a small map of its output over the input plane (see
:mod:`app.panels.network_canvas`), each edge coloured by the sign of its weight and sized by its
magnitude.  Hovering shows a weight's value and last gradient (or a neuron's bias); clicking a
neuron shows its map large over the diagram until the next click.  When the spec names the
topology controls and the step's data is ``editable``, +/- buttons above the diagram emit
``picked(control, value)`` to add or remove hidden layers and neurons per layer.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.panels.base import PanelView
from app.panels.network_canvas import Hit, NetworkCanvas
from app.shell.theme import Theme
from lessons.core.base import Network, NetworkData, Panel

__all__ = ["NetworkView"]


class _Stepper(QWidget):
    """A minus button, the current number, a plus button and what the number counts."""

    def __init__(self, label: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.caption = QLabel(label)
        self.minus = QToolButton()
        self.minus.setText("−")
        self.minus.setAccessibleName(f"Remove {what}")
        self.minus.setToolTip(f"Remove {what} (restarts training)")
        self.value = QLabel("–")
        self.value.setMinimumWidth(18)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.plus = QToolButton()
        self.plus.setText("+")
        self.plus.setAccessibleName(f"Add {what}")
        self.plus.setToolTip(f"Add {what} (restarts training)")
        for widget in (self.minus, self.value, self.plus, self.caption):
            widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            layout.addWidget(widget)

    def show_value(self, value: int | None, low: int, high: int, enabled: bool) -> None:
        self.value.setText("–" if value is None else str(value))
        self.minus.setEnabled(enabled and value is not None and value > low)
        self.plus.setEnabled(enabled and value is not None and value < high)


class NetworkView(PanelView):
    """Shows :class:`~lessons.core.base.NetworkData` for a :class:`~lessons.core.base.Network` spec.

    Signal ``picked(control_name, value)``: a +/- button asks for a new topology.
    """

    accepts = (NetworkData,)
    picked = Signal(str, object)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Network):
            raise ValueError(f"NetworkView needs a Network spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        host = QWidget()
        column = QVBoxLayout(host)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.header = QWidget()
        row = QHBoxLayout(self.header)
        row.setContentsMargins(0, 0, 0, 0)
        self.layers_stepper = _Stepper("layers", "a hidden layer")
        self.neurons_stepper = _Stepper("neurons each", "a neuron from every hidden layer")
        self.neurons_stepper.plus.setAccessibleName("Add a neuron to every hidden layer")
        self.neurons_stepper.plus.setToolTip("Add a neuron to every hidden layer (restarts)")
        row.addWidget(self.layers_stepper)
        row.addStretch(1)
        row.addWidget(self.neurons_stepper)
        self.header.setVisible(False)
        self.canvas = NetworkCanvas(theme)
        self.canvas.setAccessibleName(spec.title or spec.id)
        column.addWidget(self.header)
        column.addWidget(self.canvas, 1)
        self.layers_stepper.minus.clicked.connect(lambda: self._step_layers(-1))
        self.layers_stepper.plus.clicked.connect(lambda: self._step_layers(+1))
        self.neurons_stepper.minus.clicked.connect(lambda: self._step_neurons(-1))
        self.neurons_stepper.plus.clicked.connect(lambda: self._step_neurons(+1))
        self._set_content(host)
        self._restyle()

    # ---- topology buttons -----------------------------------------------------------------------

    def hidden_layers(self) -> int | None:
        """Hidden layers in the data shown (None before data)."""
        data = self.canvas.data
        return None if data is None else max(0, len(data.layers) - 2)

    def neurons_per_layer(self) -> int | None:
        """Neurons of the first hidden layer (None without hidden layers)."""
        data = self.canvas.data
        return data.layers[1].size if data is not None and len(data.layers) > 2 else None

    def _step_layers(self, delta: int) -> None:
        layers = self.hidden_layers()
        low, high = self._spec.layer_range
        if self._spec.layers_control and layers is not None and low <= layers + delta <= high:
            self.picked.emit(self._spec.layers_control, layers + delta)

    def _step_neurons(self, delta: int) -> None:
        neurons = self.neurons_per_layer()
        low, high = self._spec.neuron_range
        if self._spec.neurons_control and neurons is not None and low <= neurons + delta <= high:
            self.picked.emit(self._spec.neurons_control, neurons + delta)

    def _show_header(self, data: NetworkData) -> None:
        spec = self._spec
        editable = data.editable and bool(spec.layers_control or spec.neurons_control)
        self.header.setVisible(editable)
        if not editable:
            return
        self.layers_stepper.setVisible(bool(spec.layers_control))
        self.neurons_stepper.setVisible(bool(spec.neurons_control))
        self.layers_stepper.show_value(self.hidden_layers(), *spec.layer_range, True)
        self.neurons_stepper.show_value(self.neurons_per_layer(), *spec.neuron_range, True)

    # ---- PanelView hooks ------------------------------------------------------------------------

    def _show(self, data: NetworkData) -> None:
        self.canvas.set_data(data)
        self._show_header(data)
        self.set_caption(data.caption)

    def _restyle(self) -> None:
        font = self.theme.font("small")
        for stepper in (self.layers_stepper, self.neurons_stepper):
            for widget in (stepper.caption, stepper.value, stepper.minus, stepper.plus):
                widget.setFont(font)
        self.canvas.restyle(self.theme)

    def _clear(self) -> None:
        self.canvas.set_data(None)
        self.canvas.set_enlarged(None)
        self.header.setVisible(False)

    def _is_empty(self, data: NetworkData) -> bool:
        return not data.layers

    def _hide_hover(self) -> None:
        self.canvas.clear_hover()

    # ---- for tests and exports ------------------------------------------------------------------

    def smallest_text_px(self) -> float:
        """The pixel size of the smallest text the diagram draws now (neuron boxes, titles)."""
        box = self.canvas.box_font.pixelSize()
        small = self.theme.px("small")
        return float(min(box, small) if box > 0 else small)

    def hover_text(self) -> str:
        """The hover read-out shown now ("" when none)."""
        return self.canvas.hover_text()

    def enlarged(self) -> tuple[int, int] | None:
        """The (layer, neuron) whose map is shown large, or None."""
        return self.canvas.enlarged

    def neuron_rect(self, layer: int, neuron: int) -> QRectF:
        """Where a neuron is drawn, in canvas coordinates."""
        return QRectF(self.canvas.rects[layer][neuron])

    def edge_point(self, layer: int, source: int, target: int) -> QPointF:
        """A point on the edge from ``source`` (layer - 1) to ``target``, in canvas coordinates."""
        return self.canvas.edge_line(Hit(layer, target, source)).pointAt(0.35)
