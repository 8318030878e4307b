"""Lesson 2.1: the 1943 McCulloch-Pitts neuron: binary inputs, counted connections, a threshold.

The unit counts its active excitatory connections, subtracts its active inhibitory ones and
fires when the count reaches the threshold.  The engine computes every row: the inputs (A, B and
an always-on unit) times the signed connection counts with one Tensor matrix product, then the
step activation at the threshold.  The learner toggles A and B, picks a preset wiring (AND, OR,
NOT, the lecture's C = A OR B) or wires the unit by hand, and builds NAND as the task.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch2_neurons.mcculloch_pitts.model import (
    CONNECTIONS,
    CUSTOM,
    INPUT_ROWS,
    NAMES,
    NAND,
    PRESETS,
    Row,
    Wiring,
    custom_of,
    diagram,
    evaluate,
    gray_walk,
    live_table,
    overview,
    rule_plot,
    truth,
    wiring_of,
)
from lessons.core.base import (
    Choice,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Toggle,
    Values,
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
            True, f"“{w.name}” computes NAND: C is silent only when A and B are both on."
        )
    return TaskResult(
        False, f"“{w.name}” computes {NAMES[got]} ({''.join(map(str, got))}), not NAND (1110)."
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
    # The NAND task (step 10) is built with "your wiring": its three connection controls come
    # first, so that they are in view in the controls pane at 1280x720 (θ, the fourth, is at
    # the fold; NAND can be wired at its default θ = 2).  The preset wiring that the first
    # steps walk through and the input toggles follow.
    controls = (
        Choice(
            "conn_on",
            "Your wiring: from the always-on unit",
            options=CONNECTIONS,
            default="none",
            help="Your own wiring: the one the NAND task checks.",
        ),
        Choice("conn_a", "Your wiring: from A", options=CONNECTIONS, default="1 excitatory"),
        Choice("conn_b", "Your wiring: from B", options=CONNECTIONS, default="1 excitatory"),
        Slider(
            "threshold",
            "Your wiring: threshold θ",
            minimum=0,
            maximum=4,
            default=2,
            step=1,
            integer=True,
        ),
        Choice(
            "wiring",
            "Wiring to walk through",
            options=(*PRESETS, CUSTOM),
            default="lecture: A OR B",
            help="A preset, or your wiring (the controls above).",
        ),
        Toggle("a", "Input A active", default=True),
        Toggle("b", "Input B active", default=False),
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
        "Build NAND: set your wiring (the first controls: the connections and θ) so that C is "
        "silent only when A and B are both active.",
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
            "inputs are active (1) or silent (0), and each reaches it through connections that "
            "<b>excite</b> or <b>inhibit</b> it. Neuron C listens to A, B and an always-on "
            f"unit; the wiring is <b>{wiring.name}</b>: {_says(wiring)}. Colours keep one "
            "meaning in the whole course: <b>orange</b> is positive or on, <b>blue</b> "
            "negative or off (pale blue: a silent input).",
            frame((a, b), [(a, b)], set()),
            figures={"fires": first.fires},
            notes="Each input reaches the neuron through one or more connections, and the "
            "neuron fires when enough excitation arrives. Orange marks an exciting connection, "
            "an active input and a firing neuron; blue an inhibiting connection, pale blue a "
            "silent input or a silent neuron. The learner toggles A and B with the last two "
            "controls; the first four wire the neuron by hand (the task at the end).",
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
                f"Now {flips[k - 1]} flips, so A = {inputs[0]} and B = {inputs[1]}"
                + (" (the controls keep your starting inputs). " if k == 1 else ". ")
                + f"{_row_text(wiring, r)} The row is written into the truth table"
                + (
                    ": all four input rows are seen now."
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

        result = check_nand(mine)
        yield Step(
            "Your turn: build NAND",
            "NAND fires unless A and B are <b>both</b> on. It matters: every logic circuit can "
            "be built from NAND gates alone, so networks of these neurons can compute any "
            "logical function. Wire it with the first controls, <b>your wiring</b> (shown "
            f"here). Now: {result.message} "
            + (
                "Well done."
                if result.done
                else "Hint: NAND is NOT (A AND B); let A and B inhibit, and let the always-on "
                "unit excite C so strongly that one inhibition alone cannot silence it."
            ),
            frame((a, b), list(INPUT_ROWS), {*PRESETS, wiring.name, mine.name}, mine),
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
