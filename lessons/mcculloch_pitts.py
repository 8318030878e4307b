"""Lesson 2.1: the 1943 McCulloch-Pitts neuron: binary inputs, counted connections, a threshold.

The unit counts its active excitatory connections, subtracts its active inhibitory ones and
fires when the count reaches the threshold.  The engine computes every row: the inputs (A, B and
an always-on unit) times the signed connection counts with one Tensor matrix product, then the
step activation at the threshold.  The learner toggles A and B, picks a preset wiring (AND, OR,
NOT, the lecture's C = A OR B) or wires the unit by hand, and builds NAND as the task.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.activations import step
from engine.tensor import Tensor
from lessons.base import (
    Annotation,
    Choice,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    PanelData,
    Plot,
    PlotData,
    Series,
    Slider,
    Step,
    Table,
    TableData,
    Task,
    TaskResult,
    Toggle,
    Values,
)

CONNECTIONS = (
    "none",
    "1 excitatory",
    "2 excitatory",
    "3 excitatory",
    "1 inhibitory",
    "2 inhibitory",
)
CUSTOM = "Custom (the controls below)"
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
LINKS = {  # (excitatory, active) -> legend name, line style, colour, width, end symbol
    (True, True): ("excitatory: solid, arrow", "line", 0, 4.0, "t2"),
    (False, True): ("inhibitory: dashed, dot", "dash", 3, 4.0, "o"),
    (True, False): ("_excitatory, idle", "line", 0, 1.2, "t2"),
    (False, False): ("_inhibitory, idle", "dash", 3, 1.2, "o"),
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
            y + 0.22,
            (f"{k} = {values[k]}" if k != "1" else "1 (always on)")
            + (f"  ×{abs(counts[k])}" if counts[k] else ""),
            color=0 if counts[k] >= 0 else 3,
            anchor=(0.3, 1.0),
        )
        for k, y in INPUTS.items()
    ]
    notes += [
        Annotation(-0.9, 3.3, "excites", anchor=(0.0, 0.5)),
        Annotation(1.6, 3.3, "inhibits", anchor=(0.0, 0.5)),
        Annotation(UNIT[0], UNIT[1] + 0.55, f"C   θ = {wiring.threshold}", anchor=(0.5, 1.0)),
        Annotation(
            UNIT[0],
            UNIT[1] - 0.45,
            f"{row.excite} − {row.inhibit} = {row.net} {compare} {wiring.threshold}",
            color=tone,
            anchor=(0.5, 0.0),
        ),
        Annotation(
            UNIT[0],
            UNIT[1] - 0.9,
            "FIRES (1)" if fired else "silent (0)",
            color=tone,
            anchor=(0.5, 0.0),
        ),
    ]
    return PlotData(tuple(series), tuple(notes), x_range=(-1.6, 5.0), y_range=(-1.0, 3.6))


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
    return PlotData(
        (
            Series("C = H(E − I − θ)", xs, ys, color=0, width=3),
            Series(
                "this input row", np.array([float(net)]), np.array([y]), style="marker", color=1
            ),
        ),
        (
            Annotation(float(net), y, f"  count {net}", color=1, anchor=(0.0, -0.2 if y else 1.2)),
            Annotation(
                float(wiring.threshold), 1.45, f" θ = {wiring.threshold}", anchor=(0.0, 0.5)
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


def _says(w: Wiring) -> str:
    parts = []
    for label, n in (("A", w.a), ("B", w.b), ("the always-on unit", w.on)):
        if n:
            kind = "excitatory" if n > 0 else "inhibitory"
            parts.append(f"{label} {abs(n)} {kind}")
    links = ", ".join(parts) if parts else "no connections at all"
    return f"{links}; threshold $\\theta = {w.threshold}$"


def _row_text(w: Wiring, r: Row) -> str:
    verdict = "\\ge" if r.fires else "<"
    return f"$E - I = {r.excite} - {r.inhibit} = {r.net} {verdict} \\theta = {w.threshold}$, " + (
        "so C <b>fires</b>." if r.fires else "so C stays <b>silent</b>."
    )


def check_nand(w: Wiring) -> TaskResult:
    """Done when the wiring's truth table is NAND's."""
    got = truth(w)
    if got == NAND:
        return TaskResult(
            True, f"{w.name} computes NAND: C is silent only when A and B are both on."
        )
    return TaskResult(
        False, f"{w.name} computes {NAMES[got]} ({''.join(map(str, got))}), not NAND (1110)."
    )


class McCullochPitts(Lesson):
    """The 1943 neuron: binary inputs, excitatory and inhibitory connections, a threshold."""

    id = "mcculloch_pitts"
    chapter = 2
    number = "2.1"
    title = "The 1943 neuron"
    summary = (
        "McCulloch and Pitts' neuron counts its active connections and fires when the count "
        "reaches a threshold. Wiring it differently gives AND, OR and NOT; toggle the inputs "
        "and watch the truth table fill in, then wire NAND yourself."
    )
    controls = (
        Toggle("a", "Input A active", default=True),
        Toggle("b", "Input B active", default=False),
        Choice(
            "wiring",
            "Wiring",
            options=(*PRESETS, CUSTOM),
            default="lecture: A OR B",
            help="A preset, or Custom to use the connection controls below.",
        ),
        Choice("conn_a", "Custom: connections from A", options=CONNECTIONS, default="1 excitatory"),
        Choice("conn_b", "Custom: connections from B", options=CONNECTIONS, default="1 excitatory"),
        Choice("conn_on", "Custom: from the always-on unit", options=CONNECTIONS, default="none"),
        Slider(
            "threshold",
            "Custom: threshold θ",
            minimum=0,
            maximum=4,
            default=2,
            step=1,
            integer=True,
        ),
    )
    panels = (
        Plot("unit", "The neuron", legend=False),
        Plot("rule", "The firing rule", x_label="count E − I", y_label="C", legend=False),
        Table("truth", "Truth table of this wiring"),
        Table("wirings", "Wirings and what they compute"),
    )
    quiz = (
        MultipleChoice(
            "veto",
            "θ = 2; A has two excitatory connections, B one inhibitory. A and B are both "
            "active. Does C fire?",
            ("Yes", "No"),
            answer=1,
            explanations=(
                "The count is 2 − 1 = 1, below 2.",
                "Right: 2 − 1 = 1 < 2. This wiring computes A AND NOT B.",
            ),
        ),
        NumericQuestion(
            "and_threshold",
            "A and B each have one excitatory connection. Which threshold makes C = A AND B?",
            answer=2,
            tolerance=0,
            explanation="Only both inputs together reach a count of 2; θ = 1 would give OR.",
        ),
    )
    task = Task(
        "nand",
        "Build NAND: choose Custom wiring and set the connections and θ so that C is silent "
        "only when A and B are both active.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        wiring = wiring_of(c)
        mine = custom_of(c)
        a, b = int(c.a), int(c.b)
        rows = {(r.a, r.b): r for r in evaluate(wiring)}
        catalogue = [*PRESETS.values(), mine]
        walk = gray_walk(a, b)
        first = rows[(a, b)]

        def frame(
            inputs: tuple[int, int],
            seen: list[tuple[int, int]],
            reveal: set[str],
            shown: Wiring = wiring,
        ) -> dict[str, PanelData]:
            r = next(x for x in evaluate(shown) if (x.a, x.b) == inputs)
            return {
                "unit": diagram(shown, *inputs),
                "rule": rule_plot(shown, r.net),
                "truth": live_table(shown, seen, inputs),
                "wirings": overview(catalogue, reveal, shown.name),
            }

        yield Step(
            "The 1943 neuron",
            "In 1943 Warren McCulloch and Walter Pitts proposed the first artificial neuron. Its "
            "inputs are all or nothing: a unit is active (1) or silent (0). Each input reaches "
            "the neuron through one or more connections that either <b>excite</b> it or "
            "<b>inhibit</b> it, and the neuron fires when enough excitation arrives. Here "
            f"neuron C listens to A, B and a unit that is always on; the wiring is "
            f"<b>{wiring.name}</b>: {_says(wiring)}. Toggle A and B in the controls.",
            frame((a, b), [(a, b)], set()),
            figures={"fires": first.fires},
        )

        yield Step(
            "Count, compare, fire",
            "The neuron counts the connections that are active right now: $E$ excitatory ones "
            "minus $I$ inhibitory ones. It fires when the count reaches the threshold: "
            "$$C = \\begin{cases} 1 & \\text{if } E - I \\ge \\theta \\\\ 0 & "
            "\\text{otherwise} \\end{cases}$$ "
            f"With A = {a} and B = {b}: {_row_text(wiring, first)} The engine computes the count "
            "as one matrix product of the inputs $(A, B, 1)$ with the signed connection counts "
            f"$({wiring.a}, {wiring.b}, {wiring.on})$, then applies the step function at "
            "$\\theta$ (see the firing rule).",
            frame((a, b), [(a, b)], set()),
        )

        flips = ("B", "A", "B")
        for k in range(1, 4):
            inputs = walk[k]
            r = rows[inputs]
            yield Step(
                f"Flip {flips[k - 1]}: A = {inputs[0]}, B = {inputs[1]}",
                f"Now {flips[k - 1]} flips, so A = {inputs[0]} and B = {inputs[1]}. "
                f"{_row_text(wiring, r)} The row is written into the truth table"
                + (
                    " - all four input rows are seen now."
                    if k == 3
                    else "; the rows not seen yet still show a question mark."
                ),
                frame(inputs, walk[: k + 1], set()),
                figures={"fires": r.fires},
            )

        got = truth(wiring)
        firing = [f"{x}{y}" for (x, y), f in zip(INPUT_ROWS, got, strict=True) if f]
        yield Step(
            "The whole truth table",
            f"With every row filled in, C fires for the input rows "
            f"{', '.join(firing) if firing else 'none at all'}: the wiring <b>{wiring.name}</b> "
            f"computes <b>{NAMES[got]}</b>. A single threshold unit is a logic gate, and which "
            "gate it is depends only on the connection counts and the threshold. The wirings "
            "table lists the signed counts from A, B and the always-on unit, then θ, then C "
            "for the rows 00, 01, 10, 11 as four digits.",
            frame((a, b), list(INPUT_ROWS), {wiring.name}),
            figures={"truth": float(int("".join(map(str, got)), 2))},
        )

        gate_and = PRESETS["A AND B"]
        yield Step(
            "AND and OR differ only in θ",
            "Give A and B one excitatory connection each. With $\\theta = 2$ the neuron "
            "needs both inputs, so it computes AND: with only A on, "
            f"{_row_text(gate_and, evaluate(gate_and)[2])} Lower the threshold to "
            "$\\theta = 1$ and one active input is enough: the same wiring computes OR.",
            frame((1, 0), list(INPUT_ROWS), {wiring.name, "A AND B", "A OR B"}, gate_and),
        )

        seed = PRESETS["lecture: A OR B"]
        yield Step(
            "The lecture's network: C = A OR B",
            "The lecture draws A and B with <b>two</b> connections each into C, and a "
            "threshold of 2. Then a single active input already brings two active "
            f"connections: with only B on, {_row_text(seed, evaluate(seed)[1])} So C = A OR B. "
            "It is the same function as OR with single connections and $\\theta = 1$: many "
            "wirings compute the same gate.",
            frame((0, 1), list(INPUT_ROWS), {wiring.name, "A AND B", "A OR B", seed.name}, seed),
        )

        gate_not = PRESETS["NOT A"]
        reveal = {*PRESETS, wiring.name}
        yield Step(
            "Inhibition gives NOT",
            "An inhibitory connection (dashed, ending in a dot) subtracts from the count. To "
            "build NOT A, let the always-on unit excite C once and A inhibit it once, with "
            "$\\theta = 1$: with A on, "
            f"{_row_text(gate_not, evaluate(gate_not)[2])} With A off the count is 1 and C "
            "fires. The preset A AND NOT B works the same way. (In the 1943 paper one active "
            "inhibitory input vetoed firing outright; for these gates the result is the same.)",
            frame((1, 0), list(INPUT_ROWS), reveal, gate_not),
        )

        result = check_nand(wiring)
        hint = (
            "Choose <b>Custom</b> under Wiring first; the presets cannot be changed. "
            if wiring.name != mine.name
            else ""
        )
        yield Step(
            "Your turn: build NAND",
            "NAND fires unless A and B are <b>both</b> on. It matters: every logic circuit can "
            "be built from NAND gates alone, so networks of these neurons can compute any "
            f"logical function. {hint}Now: {result.message} "
            + (
                "Well done."
                if result.done
                else "Hint: NAND is NOT (A AND B); start from the always-on unit and let A and B "
                "inhibit."
            ),
            frame((a, b), list(INPUT_ROWS), {*PRESETS, wiring.name, mine.name}),
            task=result,
            figures={"nand": float(result.done)},
        )

        yield Step(
            "Summary",
            "<ul><li>The 1943 neuron has binary inputs and output, connections that excite or "
            "inhibit, and a threshold.</li><li>It fires when active excitatory minus active "
            "inhibitory connections reach the threshold.</li><li>Different wirings make AND, "
            "OR, NOT and NAND; many wirings give the same gate.</li><li>Nothing is learned "
            "yet: a person sets the wiring. The perceptron (next lesson) learns its own "
            "weights.</li></ul>",
            frame((a, b), list(INPUT_ROWS), {*PRESETS, wiring.name, mine.name}),
            task=result,
        )


if __name__ == "__main__":
    from lessons.cli import main

    raise SystemExit(main(McCullochPitts))
