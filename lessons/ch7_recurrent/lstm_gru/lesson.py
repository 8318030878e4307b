"""Lesson 7.4: LSTM and GRU: gates per time step, cell state vs hidden state, a long-range task.

A live lesson.  Step 1 poses the task (answer the first symbol of a sequence of random
distractors, :mod:`.model`); each of the next steps trains a SimpleRNN, an LSTM and a GRU one
epoch side by side (solid training, dashed validation accuracy; colours from
``lessons.shared.colors``) while the chosen cell's gate map and states change beside its
equations in symbols.  Then four steps that each show something new: the verdict (computed from
the final validation accuracies; the epoch each cell solved the task, marked and tabled), the
memory unit's gates (its row boxed in the map, its gates as curves), its cell state vs hidden
state (with the gate that links them boxed), and one time step's equations with the engine's
numbers (its column boxed); a quiz and a try-it task close it.

Every gate value, state and probability shown comes from the engine's ``RNNStep`` events for one
validation sequence.  The gap restarts training; the cell shown, the sample and the time step
are view controls: the newest step is redrawn for them at once (``redraw``), without training.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from lessons.ch7_recurrent.lstm_gru import model as m
from lessons.ch7_recurrent.lstm_gru import texts, views
from lessons.core.base import (
    Choice,
    Effect,
    Image,
    Lesson,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Text,
    Values,
)

View = Callable[[Values], Step]
MAX_GAP = 50


class LstmGru(Lesson):
    """SimpleRNN, LSTM and GRU on a remember-the-first task; gates, states and equations."""

    id = "lstm_gru"
    chapter = 7
    number = "7.4"
    title = "LSTM and GRU"
    summary = (
        "Gated cells keep what a plain RNN forgets. A SimpleRNN, an LSTM and a GRU train side by "
        "side on a long-range task: answer the first symbol of a sequence of random distractors. "
        "Heat maps show every gate (forget, input, output; update, reset) at every step, a plot "
        "sets the LSTM's cell state beside its hidden state, and one step's equations carry the "
        "engine's numbers."
    )
    live = True
    seed = 74
    controls = (
        Slider(
            "gap",
            "Sequence length (the gap)",
            5,
            MAX_GAP,
            default=30,
            step=5,
            integer=True,
            help="Steps between the first symbol and the answer (restarts training).",
        ),
        Choice(
            "cell",
            "Cell shown",
            options=("LSTM", "GRU"),
            default="LSTM",
            effect=Effect.VIEW,
            help="Whose gates, states and equations the panels show.",
        ),
        Slider(
            "sample",
            "Validation sequence",
            1,
            m.VAL,
            default=1,
            integer=True,
            effect=Effect.VIEW,
            help="Which of the validation sequences runs through the cells.",
        ),
        Slider(
            "time",
            "Time step shown",
            1,
            MAX_GAP,
            default=1,
            integer=True,
            effect=Effect.VIEW,
            help="The step the equations show (at most the sequence length).",
        ),
    )
    panels = (
        Image(
            "gates",
            "Gates (hover a cell)",
            colormap="viridis",
            x_label="step t",
            y_label="gate and unit",
            stretch=3,
            help="One row per gate and unit, one column per time step; 0 dark, 1 bright.",
        ),
        Text("equations", "One step, every number", stretch=3),
        Plot(
            "states",
            "States over time",
            x_label="step t",
            y_label="state",
            stretch=2,
            help="The unit that best tells A from B at the end (line c, dots h); yellow: the "
            "SimpleRNN's best unit.",
        ),
        Plot(
            "curves",
            "Accuracy (solid train, dashed val.)",
            x_label="epoch",
            y_label="accuracy",
            stretch=2,
            help="Solid: training, dashed: validation; lines at chance (50%) and the 95% bar.",
        ),
        Table("results", "Results", stretch=3),
    )
    layout = (2, 3)
    quiz = texts.QUIZ
    task = Task(
        "short_gap",
        "Shorten the gap until the SimpleRNN solves the task too (at least 95% validation "
        "accuracy after training).",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        race = m.Race(int(c.gap))

        def show(view: View) -> Step:
            return self.show(c, view)

        def frame(
            cv: Values, focus: str
        ) -> tuple[dict[str, PanelData], dict[str, str], dict[str, float]]:
            """The panels for the chosen cell, sequence and step with the current weights,
            drawn for what the step is about: ``focus`` is "train" (the gate map, the cell's
            equations in symbols, the states, the curves), "verdict" (curves with the solving
            epochs, the detailed results; both stay from here on), "gates" (the memory unit's
            gate row boxed, its gates over time), "states" (c vs h, the gate that links them
            boxed), "equations" or "check" (one step's numbers, its column boxed, its line on
            the states plot)."""
            cell = str(cv.cell)
            index = min(int(cv.sample), m.VAL) - 1
            x = race.val.x[index]
            t = min(int(cv.time), race.gap)
            model = race.cells[cell].model
            plain_model = race.cells["SimpleRNN"].model
            tr = m.inspect(model, cell, x)
            plain = m.inspect(plain_model, "SimpleRNN", x)
            unit = m.memory_unit(model, race.val.x, race.val.y)
            pu = m.memory_unit(plain_model, race.val.x, race.val.y)
            answer = m.SYMBOLS[int(race.val.y[index])]
            guess = m.SYMBOLS[int(np.argmax(tr.probs))]
            u = unit + 1
            seq = f"sequence {index + 1}"
            when = "untrained" if race.epochs == 0 else f"epoch {race.epochs}"
            panels: dict[str, PanelData] = {
                "gates": views.gate_image(tr),
                "equations": views.cell_equations(cell),
                "states": views.states_plot(tr, plain, unit, pu),
                "curves": views.curves_plot(race),
                "results": views.results_table(race),
            }
            titles = {
                "gates": f"{cell} gates, {when}, {seq} (hover a cell)",
                "equations": f"The {cell} cell: what each gate does",
                "states": f"Unit {u} states, {when}",
                "curves": "Accuracy (solid train, dashed val.)",
                "results": f"Results, {when}",
            }
            if focus != "train":  # from the verdict on: when each cell solved the task
                panels["curves"] = views.curves_plot(race, mark_solved=True)
                panels["results"] = views.results_table(race, detail=True)
                titles["curves"] = f"Accuracy; ◆ val. first ≥ {100 * m.SOLVED:.0f}%"
                titles["results"] = f"Verdict after {race.epochs} epochs (val. decides)"
            if focus == "gates":
                main = views.GATE_ROWS[cell][0]
                letter = views.GATE_LETTERS[main]
                row = views.gate_row(cell, main, unit)
                panels["gates"] = views.gate_image(tr, row=row)
                panels["states"] = views.gate_lines(tr, unit)
                titles["gates"] = f"{cell} gates, {seq}: boxed row {letter}{u}, the memory unit"
                titles["states"] = f"Unit {u}'s gates over time"
            elif focus == "states":
                gate = "output" if cell == "LSTM" else "update"
                letter = views.GATE_LETTERS[gate]
                panels["gates"] = views.gate_image(tr, row=views.gate_row(cell, gate, unit))
                titles["gates"] = f"{cell} gates: boxed {letter}{u}, " + (
                    "how much of tanh(c) shows in h" if cell == "LSTM" else "how much h keeps"
                )
                titles["states"] = (
                    f"Unit {u}: c (line) vs h (dots)" if cell == "LSTM" else f"Unit {u}: h (dots)"
                )
            elif focus in ("equations", "check"):
                panels["gates"] = views.gate_image(tr, t)
                panels["equations"] = views.equations(model, tr, unit, t)
                panels["states"] = views.states_plot(tr, plain, unit, pu, t)
                titles["gates"] = f"{cell} gates, {seq}: boxed column, step t = {t}"
                titles["equations"] = (
                    f"Step t = {t}, unit {u} ({cell} answers {guess}; truth {answer})"
                )
                titles["states"] = f"Unit {u} states; line at t = {t}"
            if focus == "check":
                titles["results"] = f"Try it: SimpleRNN at gap {race.gap}"
            figures = {
                "epoch": float(race.epochs),
                "unit": float(unit),
                "time": float(t),
                f"{cell}_p_answer": float(tr.probs[int(race.val.y[index])]),
                **{f"{n}_val_acc": co.final for n, co in race.cells.items()},
                **{f"{n}_train_acc": co.train_acc[-1] for n, co in race.cells.items()},
            }
            return panels, titles, figures

        def step(
            title: str,
            text: Callable[[Values], str],
            notes: str = "",
            task: TaskResult | None = None,
            last: bool = False,
            focus: str = "train",
        ) -> View:
            def view(cv: Values) -> Step:
                panels, titles, figures = frame(cv, focus)
                return Step(
                    title,
                    text(cv),
                    panels,
                    task=task,
                    figures=figures,
                    notes=notes,
                    titles=titles,
                    last=last,
                )

            return view

        def sample_symbols(cv: Values) -> list[str]:
            return views.symbols_of(race.val.x[min(int(cv.sample), m.VAL) - 1])

        yield show(
            step(
                "Remember the first symbol",
                lambda cv: texts.intro(
                    race.gap,
                    sample_symbols(cv),
                    m.SYMBOLS[int(race.val.y[min(int(cv.sample), m.VAL) - 1])],
                ),
                texts.INTRO_NOTES,
            )
        )
        while race.epochs < m.EPOCHS:
            race.epoch()
            yield show(
                step(f"Training side by side: epoch {race.epochs}", _fixed(texts.epoch_text(race)))
            )
        yield show(
            step(
                "Verdict",
                lambda cv: texts.verdict_text(race),
                texts.VERDICT_NOTES,
                focus="verdict",
            )
        )

        def trace_of(cv: Values) -> tuple[str, m.CellTrace, m.CellTrace, int, int]:
            cell = str(cv.cell)
            x = race.val.x[min(int(cv.sample), m.VAL) - 1]
            model, plain_model = race.cells[cell].model, race.cells["SimpleRNN"].model
            return (
                cell,
                m.inspect(model, cell, x),
                m.inspect(plain_model, "SimpleRNN", x),
                m.memory_unit(model, race.val.x, race.val.y),
                m.memory_unit(plain_model, race.val.x, race.val.y),
            )

        def gates(cv: Values) -> str:
            cell, tr, _, unit, _ = trace_of(cv)
            return texts.gates_text(cell, tr, unit)

        def states(cv: Values) -> str:
            cell, tr, plain, unit, pu = trace_of(cv)
            return texts.states_text(cell, tr, plain, unit, pu)

        def equations(cv: Values) -> str:
            t = min(int(cv.time), race.gap)
            return texts.equations_text(str(cv.cell), t, race.gap, int(cv.time) > race.gap)

        yield show(step("Gates at every step", gates, texts.GATES_NOTES, focus="gates"))
        yield show(step("Cell state vs hidden state", states, texts.STATES_NOTES, focus="states"))
        yield show(
            step(
                "One time step, every number",
                equations,
                texts.EQUATIONS_NOTES,
                focus="equations",
            )
        )
        done = race.cells["SimpleRNN"].final >= m.SOLVED

        task = TaskResult(done, texts.task_message(done, race))
        yield show(
            step(
                "Check",
                lambda cv: texts.check_text(race),
                task=task,
                last=True,
                focus="check",
            )
        )


def _fixed(text: str) -> Callable[[Values], str]:
    """A narrative that does not depend on the view controls."""
    return lambda cv: text
