"""Lesson 7.1: the recurrent neuron.

A neuron whose output comes back as an input at the next time step: drawn folded (with its
loop) and unrolled into a chain through time; h_t = tanh(w x_t + u h_{t-1} + b) worked out with
its numbers at the first step, when a pulse arrives, the step after it and the end; the
neuron as a memory cell (a single pulse echoing in the state, fading, held or saturated as the
recurrent weight decides, the verdict computed from the numbers); a layer of three recurrent
neurons with its state vector and matrices W, U.  Every h_t shown is the output of the
engine's ``SimpleRNN`` layer, read from its ``RNNStep`` events.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch7_recurrent.recurrent_neuron import model as m
from lessons.ch7_recurrent.recurrent_neuron import tables as tb
from lessons.ch7_recurrent.recurrent_neuron import texts as tx
from lessons.ch7_recurrent.recurrent_neuron import views as v
from lessons.core.base import (
    Choice,
    Lesson,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    TaskResult,
    Values,
)

SINGLE = "single pulse"
CALC, WEIGHTS = "calc", "weights"
TITLES, _titles, _f, _p = tx.TITLES, tx.titles, tx.fmt, tx.factor


class RecurrentNeuron(Lesson):
    """A neuron with a loop: unrolled through time, h_t step by step, memory, a layer of them."""

    id = "recurrent_neuron"
    chapter = 7
    number = "7.1"
    title = "The recurrent neuron"
    summary = (
        "A recurrent neuron feeds its output back in at the next time step, so its state hₜ "
        "depends on the whole sequence so far. Unroll the loop through time, compute hₜ step "
        "by step, watch a single pulse echo and fade (or stick) in the state, and meet a layer "
        "of recurrent neurons with its matrices W and U."
    )
    controls = (
        Choice(
            "sequence",
            "Input sequence",
            options=m.SEQUENCES,
            default=SINGLE,
            help="What x₁..x₁₀ the neuron reads (the memory steps always use one pulse).",
        ),
        Slider(
            "pulse",
            "Pulse (or start) time",
            1,
            m.STEPS - 2,
            default=2,
            integer=True,
            step=1,
            help="The time step of the pulse; where the held input starts.",
        ),
        Slider("w", "Input weight w", -3.0, 3.0, default=1.0, step=0.05),
        Slider(
            "u",
            "Recurrent weight u",
            -3.0,
            3.0,
            default=0.8,
            step=0.05,
            help="How strongly hₜ₋₁ feeds hₜ: the memory.",
        ),
    )
    panels = (
        Plot("diagram", TITLES["diagram"], legend=False, stretch=3),
        Plot("timeline", TITLES["timeline"], x_label="time step t", y_label="value", stretch=3),
        Table(CALC, TITLES[CALC], stretch=4),
        Table(WEIGHTS, TITLES[WEIGHTS], stretch=3),
    )
    layout = (1, 3)
    quiz = tx.QUIZ
    task = tx.TASK

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        kind, p = str(c.sequence), int(c.pulse)
        w, u = float(c.w), float(c.u)
        run = m.neuron(kind, p, w, u)
        e = m.echo(p, w, u)
        good = e.verdict == "persists"
        task = TaskResult(
            good,
            f"Done: u = {u:g} keeps {e.kept:.0%} of the pulse, |h| stays below {m.SATURATED}."
            if good
            else f"Not yet: with u = {u:g} the pulse {e.verdict} ({e.why}).",
        )
        T = run.steps
        weights = tb.weights_table(run)

        def at(t: int) -> dict[str, PanelData]:
            return {
                "diagram": v.diagram(run, t, w, u),
                "timeline": v.timeline(run, t),
                CALC: tb.step_table(run, t),
                WEIGHTS: weights,
            }

        def h(t: int) -> float:
            return float(run.h[t - 1, 0])

        def formula(t: int) -> str:
            i = t - 1
            wx = f"{_p(w, 2)} \\cdot {_p(float(run.x[i, 0]), 2)}"
            uh = f"{_p(u, 2)} \\cdot {_p(float(run.h_prev[i, 0]))}"
            return (
                f"$z_{{{t}}} = {wx} + {uh}$ $= {_f(float(run.z[i, 0]))}$, so "
                f"$h_{{{t}}} = \\tanh(z_{{{t}}}) = {_f(h(t))}$"
            )

        seq_words = {
            "single pulse": f"a single pulse: 1 at step {p}, 0 everywhere else",
            "two pulses": f"two pulses, at steps {p} and {min(p + m.GAP, T)}",
            "held input": f"an input that switches on at step {p} and stays at 1",
            "sine wave": "a sine wave with a period of 6 steps",
        }[kind]

        # 1. The folded neuron.
        yield Step(
            "A neuron with a loop",
            "Until now every input was handled on its own. A <b>recurrent neuron</b> reads a "
            "sequence $x_1, x_2, \\dots$ one time step at a time, and its output $h_t$ also "
            "comes back as an input at the next step (the loop, top left): "
            "$$h_t = \\tanh(w\\,x_t + u\\,h_{t-1} + b)$$ "
            f"$w$ weighs the new input, $u$ the neuron's own last output. The input here is "
            f"{seq_words} (right and below).",
            {
                "diagram": v.diagram(run, 0, w, u),
                "timeline": v.timeline(run, 0),
                CALC: tb.symbols_table(run),
                WEIGHTS: weights,
            },
            titles=_titles(calc="What the symbols mean"),
            task=task,
            notes=tx.NOTES_LOOP + " " + tx.NOTES_SEQUENCE,
        )

        # 2. Unrolled.
        yield Step(
            "Unrolled through time",
            "Draw one copy of the neuron per time step and the loop becomes a chain: the arrow "
            "that closed the loop now carries $h_t$ to the next copy. The copies are the "
            f"same neuron, so every arrow carries the same weights, $w = {_f(w, 2)}$ up and "
            f"$u = {_f(u, 2)}$ across. A sequence of any length needs no new weights: "
            f"here {T} steps use 3 parameters.",
            {
                "diagram": v.diagram(run, 0, w, u, lit_all=True),
                "timeline": v.timeline(run, 0),
                CALC: tb.symbols_table(run),
                WEIGHTS: weights,
            },
            titles=_titles(calc="What the symbols mean"),
            task=task,
            notes=tx.NOTES_UNROLL,
        )

        # 3-5. Step through the sequence at the moments that show something new.
        nonzero = np.nonzero(run.x[:, 0])[0]
        tp = int(nonzero[0]) + 1 if nonzero.size else 1
        before = (
            "Before the first input the state is $h_0 = 0$"
            if tp == 1
            else f"The state starts at $h_0 = 0$ and stays 0 while the input is 0 (b = 0), so "
            f"$h_{{{tp - 1}}} = 0$"
        )
        what = "the first input" if tp == 1 else "the input arrives"
        yield Step(
            f"Step {tp}: {what}",
            f"{before}. At step {tp} the input is $x_{{{tp}}} = "
            f"{_f(float(run.x[tp - 1, 0]), 2)}$: {formula(tp)}. Only the two vermillion arrows "
            "take part in this step. The table writes out the terms, their sum "
            f"$z_{{{tp}}}$ and tanh of it, beside the engine's SimpleRNN output."
            + (
                " With $w = 0$ the input is multiplied by 0: nothing enters the state."
                if w == 0
                else ""
            ),
            at(tp),
            titles=_titles(calc=f"Time step {tp}"),
            task=task,
            notes=tx.NOTES_STEP,
            figures={"t": tp, "h": h(tp)},
        )
        ta = min(tp + 1, T)
        xa = float(run.x[ta - 1, 0])
        if xa == 0.0 and h(ta) != 0.0:
            lead = (
                f"Now the input is $x_{{{ta}}} = 0$, yet $h_{{{ta}}}$ is not 0: the neuron still "
                f"carries step {tp}'s input in its state."
            )
        else:
            lead = (
                f"The state $h_{{{ta - 1}}} = {_f(h(ta - 1))}$ enters step {ta} beside the new "
                f"input $x_{{{ta}}} = {_f(xa, 2)}$."
            )
        pu = float(run.hu[ta - 1, 0])
        past = (
            f"The term $u \\cdot h_{{{ta - 1}}} = {_f(pu)}$ is the past speaking."
            if pu != 0.0
            else f"Here the past adds nothing: $u \\cdot h_{{{ta - 1}}} = 0$."
        )
        yield Step(
            f"Step {ta}: the state carries the past"
            if pu != 0.0
            else f"Step {ta}: nothing carried",
            f"{lead} {formula(ta)}. " + past,
            at(ta),
            titles=_titles(calc=f"Time step {ta}"),
            task=task,
            notes=tx.NOTES_CARRY,
            figures={"t": ta, "h": h(ta)},
        )
        peak = int(np.argmax(np.abs(run.h[:, 0]))) + 1
        yield Step(
            f"Watch hₜ to step {T}",
            f"The same rule runs to the end: {formula(T)}. The plot (bottom left) draws every "
            f"$h_t$; the largest is $h_{{{peak}}} = {_f(h(peak))}$. Change the "
            "sequence, w or u and step through again: each $h_t$ mixes the new input with "
            "everything before it.",
            at(T),
            titles=_titles(calc=f"Time step {T}"),
            task=task,
            notes=tx.NOTES_WATCH,
            figures={"t": T, "h": h(T), "peak_t": peak},
        )

        # 7. A memory cell: the echo of one pulse.
        pulse_run = m.neuron(SINGLE, p, w, u)
        echo_panels: dict[str, PanelData] = {  # the pulse's echo: steps 6 and the check
            "diagram": v.diagram(pulse_run, None, w, u, sized=True),
            "timeline": v.timeline(pulse_run, None),
            CALC: tb.echo_table(e, p),
            WEIGHTS: weights,
        }
        echo_titles = _titles(calc=f"The echo of the pulse at step {p}")
        k = len(e.after) - 1
        hl = m.half_life(e)
        half = (
            f"It halves within {hl} step{'s' if hl != 1 else ''}."
            if hl is not None
            else "It never drops to half within the sequence."
        )
        yield Step(
            f"A memory cell: the pulse {e.verdict}",
            f"Feed a single pulse at step {p} ($x = 1$ there, 0 elsewhere). Every later input "
            "is 0, so whatever $h_t$ holds afterwards is <b>memory</b>: the neuron is the "
            f"simplest memory cell. With $u = {_f(u, 2)}$ the echo {e.verdict}: {e.why}. "
            f"{half} In the chain above each dot's size follows $|h_t|$; the table (bottom "
            "middle) lists $h$ and the share of the start that is left.",
            echo_panels,
            titles=echo_titles,
            task=task,
            notes=tx.NOTES_MEMORY,
            figures={"kept": e.kept, "h_end": float(e.after[-1]), "steps_after": k},
        )

        # 8. Fade, hold or saturate.
        h_star = m.fixed_point(u)
        stuck = (
            f" For $|u| > 1$ the state settles where $h = \\tanh(|u|\\,h)$, at ±{_f(h_star)}."
            if h_star > 0
            else ""
        )
        yield Step(
            "Fade, hold or saturate",
            "The recurrent weight decides how long the echo lasts. Above, the same pulse runs "
            "through neurons with several values of $u$; the table (bottom middle) gives each "
            "verdict, read off its numbers. Small $|u|$ forgets within a few steps. For "
            "$|u| > 1$ the loop alone would blow up like $u^k$ (column no tanh), but tanh "
            f"squashes it and the state sticks near a fixed value.{stuck} "
            f"Yours ($u = {_f(u, 2)}$): "
            f"{e.verdict}.",
            {
                "diagram": v.sweep_plot(p, w, u, (0.5, 1.0, 3.0, -1.5), T),
                "timeline": v.timeline(pulse_run, None),
                CALC: tb.sweep_table(p, w, u),
                WEIGHTS: tb.echo_table(e, p),
            },
            titles=_titles(
                diagram=f"One pulse at step {p}, several recurrent weights u",
                calc="Memory for each u",
                weights="Your echo, step by step",
            ),
            task=task,
            notes=tx.NOTES_SWEEP,
            figures={"h_star": h_star, "kept": e.kept},
        )

        # 9. A layer of recurrent neurons.
        lay = m.layer(kind, p, w, u, self.seed)
        tl = min(tp + 1, T)
        xl = v.num(float(lay.x[tl - 1, 0]), 2)
        hp, hu = lay.h_prev[tl - 1], lay.hu[tl - 1]
        flipped = [j for j in range(m.UNITS) if hp[j] * hu[j] < 0]
        if flipped:
            j = flipped[0]
            mix = (
                f" Unit {j + 1} held {v.num(float(hp[j]))} at step {tl - 1}, yet its entry of "
                f"$h_{{{tl - 1}}} U$ is {v.num(float(hu[j]))}: each unit hears all the others."
            )
        else:
            mix = " Each unit's new value mixes all the old ones through U."
        yield Step(
            "A layer of recurrent neurons",
            f"Put {m.UNITS} recurrent neurons side by side and the state becomes a vector "
            f"$h_t$ of {m.UNITS} numbers: $$h_t = \\tanh(x_t W + h_{{t-1}} U + b)$$ "
            f"$W$ (1 × {m.UNITS}) spreads the input over the units, $U$ ({m.UNITS} × "
            f"{m.UNITS}) feeds each unit the whole previous state, so the units share their "
            f"memories. The table (bottom middle) works out step {tl}, one column per unit; "
            f"{lay.params} parameters in all.{mix}",
            {
                "diagram": v.diagram(lay, tl, w, u),
                "timeline": v.timeline(lay, None, unit_names=True),
                CALC: tb.layer_table(lay, tl),
                WEIGHTS: tb.weights_table(lay),
            },
            titles=_titles(
                diagram="The layer unrolled: each h is now a vector",
                timeline=f"The {m.UNITS} units' states over time",
                calc=f"Time step {tl} of the layer ({v.sub('x', tl)} = {xl})",
                weights=f"W, U and b of SimpleRNN({m.UNITS})",
            ),
            task=task,
            notes=tx.NOTES_LAYER,
            figures={f"h{j + 1}": float(lay.h[tl - 1, j]) for j in range(m.UNITS)},
        )

        # 10. Check.
        yield Step(
            "Check: make it remember",
            "Task: choose a recurrent weight $u$ so that the single pulse is still held at the "
            f"last step (at least half of it) without sticking near ±1. Now: the pulse "
            f"{e.verdict} ({e.why})" + (": well done." if good else ".") + " Then answer the quiz.",
            echo_panels,
            titles=echo_titles,
            task=task,
            notes=tx.NOTES_CHECK,
            figures={"kept": e.kept, "h_end": float(e.after[-1])},
        )
