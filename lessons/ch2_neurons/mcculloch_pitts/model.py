"""The McCulloch-Pitts unit on the engine, and the panels that show it (lesson 2.1).

A wiring gives each input (A, B and a unit that is always on) a signed number of connections:
positive counts excite, negative counts inhibit.  ``evaluate`` computes all four input rows with
one Tensor matrix product and the step activation at the threshold; the panel builders draw the
unit, its firing rule, the live truth table and the table of wirings from those rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.core.tensor import Tensor
from engine.nn.activations import step
from lessons.core.base import Annotation, PlotData, Series, TableData, Values

CONNECTIONS = (
    "none",
    "1 excitatory",
    "2 excitatory",
    "3 excitatory",
    "1 inhibitory",
    "2 inhibitory",
)
CUSTOM = "your wiring (the controls above)"
INPUT_ROWS = ((0, 0), (0, 1), (1, 0), (1, 1))  # (A, B) in truth-table order
NAND = (1, 1, 1, 0)
NAMES: dict[tuple[int, ...], str] = {
    (0, 0, 0, 1): "A AND B",
    (0, 1, 1, 1): "A OR B",
    (1, 1, 1, 0): "NAND",
    (1, 0, 0, 0): "NOR",
    (0, 1, 1, 0): "XOR",
    (1, 0, 0, 1): "XNOR",
    (0, 0, 1, 1): "A",
    (0, 1, 0, 1): "B",
    (1, 1, 0, 0): "NOT A",
    (1, 0, 1, 0): "NOT B",
    (0, 0, 1, 0): "A AND NOT B",
    (0, 1, 0, 0): "B AND NOT A",
    (0, 0, 0, 0): "never fires",
    (1, 1, 1, 1): "always fires",
    (1, 1, 0, 1): "NOT A OR B",
    (1, 0, 1, 1): "A OR NOT B",
}


@dataclass(frozen=True)
class Wiring:
    """Signed connection counts from A, B and the always-on unit (negative = inhibitory)."""

    name: str
    a: int
    b: int
    on: int
    threshold: int
    short: str = ""  # name in the wirings table

    @property
    def weights(self) -> np.ndarray:
        return np.array([self.a, self.b, self.on], dtype=np.float64)


PRESETS = {
    "lecture: A OR B": Wiring("lecture: A OR B", 2, 2, 0, 2, "lecture"),
    "A AND B": Wiring("A AND B", 1, 1, 0, 2, "AND"),
    "A OR B": Wiring("A OR B", 1, 1, 0, 1, "OR"),
    "NOT A": Wiring("NOT A", -1, 0, 1, 1, "NOT A"),
    "A AND NOT B": Wiring("A AND NOT B", 2, -1, 0, 2, "A∧¬B"),
}


def parse_connections(text: str) -> int:
    """'2 excitatory' -> 2, '1 inhibitory' -> -1, 'none' -> 0."""
    if text == "none":
        return 0
    count, kind = text.split()
    return int(count) * (1 if kind == "excitatory" else -1)


def custom_of(c: Values) -> Wiring:
    """The learner's own wiring, from the connection and threshold controls."""
    return Wiring(
        "your wiring",
        parse_connections(c.conn_a),
        parse_connections(c.conn_b),
        parse_connections(c.conn_on),
        int(c.threshold),
        "yours",
    )


def wiring_of(c: Values) -> Wiring:
    """The preset the learner chose, or their own wiring."""
    return PRESETS[c.wiring] if c.wiring in PRESETS else custom_of(c)


@dataclass(frozen=True)
class Row:
    """One input row as the engine computed it."""

    a: int
    b: int
    excite: int
    inhibit: int
    net: int
    fires: int


def evaluate(wiring: Wiring) -> list[Row]:
    """All four input rows: counts by one Tensor matmul, firing by the step activation."""
    x = np.array([(a, b, 1) for a, b in INPUT_ROWS], dtype=np.float64)
    w = wiring.weights
    excite = (Tensor(x, dtype="float64") @ Tensor(np.maximum(w, 0), dtype="float64")).numpy()
    inhibit = (Tensor(x, dtype="float64") @ Tensor(np.maximum(-w, 0), dtype="float64")).numpy()
    net = Tensor(x, dtype="float64") @ Tensor(w, dtype="float64")
    fires = step(net - float(wiring.threshold)).numpy()
    return [
        Row(a, b, int(e), int(i), int(n), int(f))
        for (a, b), e, i, n, f in zip(INPUT_ROWS, excite, inhibit, net.numpy(), fires, strict=True)
    ]


def truth(wiring: Wiring) -> tuple[int, ...]:
    """C for (A, B) = 00, 01, 10, 11."""
    return tuple(r.fires for r in evaluate(wiring))


def name_of(wiring: Wiring) -> str:
    return NAMES[truth(wiring)]


def gray_walk(a: int, b: int) -> list[tuple[int, int]]:
    """The four input rows from (a, b), flipping one input per move: B, A, B."""
    return [(a, b), (a, 1 - b), (1 - a, 1 - b), (1 - a, b)]


# ---- panels -----------------------------------------------------------------------------------

UNIT = (3.4, 1.0)
INPUTS = {"A": 2.0, "B": 1.0, "1": 0.0}  # y of each input unit (all at x = 0)
# The course's colours for a sign (as in the network diagrams of chapter 3 and the shaded
# decision regions): orange = positive (excites, on, fires), blue = negative (inhibits).
POSITIVE, NEGATIVE = 1, 0  # palette indices
LINKS = {  # (excitatory, active) -> legend name, line style, colour, width, end symbol
    (True, True): ("excitatory: solid, arrow", "line", POSITIVE, 4.0, "t2"),
    (False, True): ("inhibitory: dashed, dot", "dash", NEGATIVE, 4.0, "o"),
    (True, False): ("_excitatory, idle", "line", POSITIVE, 1.2, "t2"),
    (False, False): ("_inhibitory, idle", "dash", NEGATIVE, 1.2, "o"),
}


def _dots(
    name: str, xs: list[float], ys: list[float], color: int, size: float, symbol: str = "o"
) -> Series:
    return Series(
        name, np.array(xs), np.array(ys), style="scatter", color=color, size=size, symbol=symbol
    )


def _links(wiring: Wiring, values: dict[str, int]) -> list[Series]:
    """One line per connection, grouped by kind and activity; NaN breaks between lines."""
    counts = {"A": wiring.a, "B": wiring.b, "1": wiring.on}
    groups: dict[tuple[bool, bool], list[tuple[float, float, float, float]]] = {}
    for key, y0 in INPUTS.items():
        k = abs(counts[key])
        for j in range(k):
            off = (j - (k - 1) / 2) * 0.14
            y1 = UNIT[1] + 0.25 * (y0 - UNIT[1]) + off * 0.5
            groups.setdefault((counts[key] > 0, bool(values[key])), []).append(
                (0.3, y0 + off, UNIT[0] - 0.42, y1)
            )
    series = []
    for kind, (name, style, color, width, symbol) in LINKS.items():
        segs = groups.get(kind, [])
        if not segs:
            continue
        xs = [v for x0, _, x1, _ in segs for v in (x0, x1, np.nan)]
        ys = [v for _, y0, _, y1 in segs for v in (y0, y1, np.nan)]
        series.append(
            Series(name, np.array(xs), np.array(ys), style=style, color=color, width=width)
        )
        ends = ([x1 for _, _, x1, _ in segs], [y1 for _, _, _, y1 in segs])
        series.append(_dots("_" + name + " end", *ends, color, 9 if kind[1] else 6, symbol))
    return series


def diagram(wiring: Wiring, a: int, b: int) -> PlotData:
    """The unit, its inputs and connections (solid arrow = excitatory, dashed dot = inhibitory)."""
    row = next(r for r in evaluate(wiring) if (r.a, r.b) == (a, b))
    values = {"A": a, "B": b, "1": 1}
    counts = {"A": wiring.a, "B": wiring.b, "1": wiring.on}
    on = [k for k in INPUTS if values[k]]
    off = [k for k in INPUTS if not values[k]]
    series = _links(wiring, values)
    if on:
        series.append(_dots("active input (1)", [0.0] * len(on), [INPUTS[k] for k in on], 1, 22))
    if off:
        series.append(_dots("silent input (0)", [0.0] * len(off), [INPUTS[k] for k in off], 5, 14))
    fired = bool(row.fires)
    look = (1, 44.0, "h") if fired else (5, 34.0, "o")
    series.append(_dots("_C", [UNIT[0]], [UNIT[1]], *look))
    tone = 1 if fired else 6
    compare = "≥" if fired else "<"
    series += _key()
    notes = [
        Annotation(
            0.0,
            y + (0.22 if k != "1" else -0.22),
            (f"{k} = {values[k]}" if k != "1" else "1 (always on)")
            + (f"  ×{abs(counts[k])}" if counts[k] else ""),
            color=POSITIVE if counts[k] >= 0 else NEGATIVE,
            anchor=(0.3, 1.0 if k != "1" else 0.0),
        )
        for k, y in INPUTS.items()
    ]
    notes += [
        Annotation(-0.9, 3.3, "excites", color=POSITIVE, anchor=(0.0, 0.5)),
        Annotation(1.6, 3.3, "inhibits", color=NEGATIVE, anchor=(0.0, 0.5)),
        Annotation(
            UNIT[0], UNIT[1] + 0.55, f"C   θ = {wiring.threshold}", color=6, anchor=(0.5, 1.0)
        ),
        Annotation(
            UNIT[0],
            UNIT[1] - 0.75,
            f"{row.excite} − {row.inhibit} = {row.net} {compare} {wiring.threshold}",
            color=tone,
            anchor=(0.5, 0.0),
        ),
        Annotation(
            UNIT[0],
            UNIT[1] - 1.2,
            "FIRES (1)" if fired else "silent (0)",
            color=tone,
            anchor=(0.5, 0.0),
        ),
    ]
    return PlotData(
        tuple(series), tuple(notes), x_range=(-1.6, 5.0), y_range=(-1.0, 3.6), axes=False
    )


def _key() -> list[Series]:
    """A small in-plot key: a solid arrow excites, a dashed line ending in a dot inhibits."""
    out = []
    for x0, (name, style, color, _, symbol) in (
        (-1.4, LINKS[True, True]),
        (1.1, LINKS[False, True]),
    ):
        line = Series(
            "_key " + name,
            np.array([x0, x0 + 0.45]),
            np.array([3.3, 3.3]),
            style=style,
            color=color,
            width=3.0,
        )
        out += [line, _dots("_key end " + name, [x0 + 0.45], [3.3], color, 9, symbol)]
    return out


def rule_plot(wiring: Wiring, net: int) -> PlotData:
    """The firing rule as a step of the count, with this row's count marked."""
    xs = np.linspace(-4.0, 7.0, 1101)
    ys = step(Tensor(xs - wiring.threshold, dtype="float64")).numpy()
    y = 1.0 if net >= wiring.threshold else 0.0
    tone = POSITIVE if y else 5  # orange: fires; pale blue: silent (as in the diagram)
    return PlotData(
        (
            Series("C = H(E − I − θ)", xs, ys, color=6, width=3),
            Series(
                "this input row", np.array([float(net)]), np.array([y]), style="marker", color=tone
            ),
        ),
        (
            Annotation(
                float(net), y, f"  count {net}", color=tone, anchor=(0.0, -0.2 if y else 1.2)
            ),
            Annotation(
                float(wiring.threshold),
                1.45,
                f" θ = {wiring.threshold}",
                color=6,
                anchor=(0.0, 0.5),
            ),
        ),
        vlines=(float(wiring.threshold),),
        x_range=(-4.0, 7.0),
        y_range=(-0.3, 1.6),
    )


def live_table(wiring: Wiring, seen: list[tuple[int, int]], now: tuple[int, int]) -> TableData:
    """The truth table: rows seen so far filled in, the current input row highlighted."""
    rows: list[tuple[object, ...]] = []
    for r in evaluate(wiring):
        done = (r.a, r.b) in seen
        cells = (r.excite, r.inhibit, r.net, r.fires) if done else ("·", "·", "·", "?")
        rows.append((r.a, r.b, cells[2], cells[3]))
    cols = ("A", "B", "E − I", "C")
    return TableData(cols, tuple(rows), highlight_rows=(INPUT_ROWS.index(now),))


def _signed(n: int) -> str:
    return "0" if n == 0 else f"{n:+d}".replace("-", "−")


def overview(wirings: list[Wiring], reveal: set[str], highlight: str) -> TableData:
    """Each wiring's signed connection counts and θ; its truth table once ``reveal``ed."""
    rows = []
    for w in wirings:
        shown = w.name in reveal
        table = "".join(map(str, truth(w))) if shown else "····"
        links = " ".join(map(_signed, (w.a, w.b, w.on))) + f"  {w.threshold}"
        rows.append((w.short or w.name, links, table))
    names = [w.name for w in wirings]
    return TableData(
        ("wiring", "A B 1 θ", "C"),
        tuple(rows),
        highlight_rows=(names.index(highlight),) if highlight in names else (),
    )
