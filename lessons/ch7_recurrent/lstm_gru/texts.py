"""Narratives, speaker notes and the quiz of lesson 7.4; every verdict is read off the run."""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.lstm_gru import model as m
from lessons.core.base import MultipleChoice


def pct(v: float) -> str:
    """A percentage with one decimal ('nan' stays readable)."""
    return f"{100 * v:.1f}%" if np.isfinite(v) else "NaN"


def intro(gap: int, symbols: list[str], answer: str) -> str:
    """Step 1: the task."""
    shown = " ".join(symbols[:12]) + (" …" if len(symbols) > 12 else "")
    return (
        f"Each sequence has {gap} symbols from {{A, B, c, d}}; the first one (flagged by a start "
        f"channel) is A or B, the rest are random distractors. After the last symbol the network "
        f"must answer the <b>first</b> one. The sequence shown: {shown} → answer {answer}. "
        f"A SimpleRNN, an LSTM and a GRU with {m.UNITS} units each start from random weights "
        f"(chance: 50%). Press Play to train them side by side."
    )


INTRO_NOTES = (
    "The long-range task: the information needed for the answer arrives at step 1 and is asked "
    "for only after the last step, so it has to survive every distractor in between. All three "
    "networks read the same one-hot sequences (five channels: start, A, B, c, d), train with "
    f"Adam (learning rate {m.RATE}) on the same {m.TRAIN} training sequences in batches of "
    f"{m.BATCH}, and are scored on {m.VAL} validation sequences they never train on. Each cell "
    "feeds its last hidden state to a Dense layer with two outputs (A or B). Keras starts the "
    "LSTM's forget-gate bias at 1; we start the GRU's update-gate bias at 1 as well, so both "
    "gated cells begin by keeping about 73% of their state per step (Keras's GRU default is 0)."
)


def epoch_text(race: m.Race) -> str:
    """A training step: who has solved the task so far."""
    parts = []
    for name, c in race.cells.items():
        solved = [e for e, a in enumerate(c.val_acc) if a >= m.SOLVED]
        state = f"solved since epoch {solved[0]}" if solved else "not yet"
        parts.append(f"{name} {pct(c.final)} ({state})")
    return (
        f"Epoch {race.epochs} of {m.EPOCHS}: validation accuracy " + "; ".join(parts) + ". "
        "Solid lines: training, dashed: validation. A gated cell often sits at 50% for a while, "
        "then jumps: once its gates learn to keep the first symbol, the answer is easy."
    )


def verdict_text(race: m.Race) -> str:
    """The race's result, from the final validation accuracies."""
    solved = [n for n, c in race.cells.items() if c.final >= m.SOLVED]
    failed = [n for n, c in race.cells.items() if c.final < m.SOLVED]
    accs = ", ".join(f"{n} {pct(c.final)}" for n, c in race.cells.items())
    plain = race.cells["SimpleRNN"]
    text = f"After {race.epochs} epochs at a gap of {race.gap} steps: {accs} (validation). "
    if solved:
        text += f"Solved (≥ {pct(m.SOLVED)}): {', '.join(solved)}. "
    if failed:
        text += f"Not solved: {', '.join(failed)}. "
    if "SimpleRNN" in failed and {"LSTM", "GRU"} <= set(solved):
        text += (
            f"The SimpleRNN fits its training sequences to {pct(plain.train_acc[-1])} but stays "
            "near chance on new ones: it memorises distractors instead of carrying the first "
            "symbol through them."
        )
    elif "SimpleRNN" in solved:
        text += "At this gap the plain RNN manages too: the dependency is short enough. "
    gated = [n for n in failed if n != "SimpleRNN"]
    if gated:
        text += (
            f"{' and '.join(gated)} did not get there within {race.epochs} epochs: the longer "
            "the gap, the longer a gated cell sits at chance before its gates learn to hold "
            "the first symbol."
        )
    return text.strip()


VERDICT_NOTES = (
    "Why the plain cell fails: its state is rewritten through tanh(x W + h U + b) at every step, "
    "so what it read at step 1 reaches the end only through a product of many Jacobians, and the "
    "gradient that should teach it to keep the first symbol fades on the way back (lesson 7.3). "
    "The LSTM adds a cell state updated by addition, c_t = f c_{t-1} + i c~_t: with the forget "
    "gate near 1 and the input gate near 0, c passes through a step unchanged, and so does its "
    "gradient. The GRU gets the same effect with one gate: h_t = z h_{t-1} + (1 - z) h~_t. "
    "The lecture notes call the GRU a simplified LSTM cell that performs about as well."
)


def gates_text(cell: str, tr: m.CellTrace, unit: int) -> str:
    """The gates step: what the memory unit's gates do, read from the trace."""
    j = unit
    if cell == "LSTM":
        f, i = tr.gates["forget"][1:, j], tr.gates["input"][1:, j]
        return (
            f"The LSTM's gates for the sequence shown, one row per gate and unit, one column per "
            f"step. Unit {j + 1} is the one whose final $c$ differs most between A and B "
            f"sequences: its forget-gate row is boxed, and the plot below draws its forget and "
            f"input gates over time. After step 1 its forget gate averages "
            f"{f.mean():.2f} ({f.min():.2f} to {f.max():.2f}) and its input gate "
            f"{i.mean():.2f} ({i.min():.2f} to {i.max():.2f}); at step 1 the input gate is "
            f"{tr.gates['input'][0, j]:.2f}. The output gate sets how much of $\\tanh(c_t)$ "
            "shows in $h_t$."
        )
    z, r = tr.gates["update"][:, j], tr.gates["reset"][:, j]
    keeps = "mostly keeps" if z[1:].mean() > 0.8 else "mixes"
    return (
        f"The GRU's update and reset gates, one row per gate and unit. Unit {j + 1} is the one "
        f"whose final $h$ differs most between A and B sequences: its update-gate row is boxed, "
        f"and the plot below draws both its gates over time. Its update gate $z$ is "
        f"{z[0]:.2f} at step 1 and averages {z[1:].mean():.2f} afterwards "
        f"({z[1:].min():.2f} to {z[1:].max():.2f}), so $h_t = z\\,h_{{t-1}} + (1-z)\\,"
        f"\\tilde h_t$ {keeps} the old state and the candidate. Its reset gate averages "
        f"{r.mean():.2f}."
    )


GATES_NOTES = (
    "Sigmoid gates lie between 0 and 1 and multiply: 1 lets a value through, 0 blocks it. "
    "LSTM: the forget gate f scales the old cell state, the input gate i scales the new "
    "candidate, the output gate o scales what the cell shows as h_t. GRU: the update gate z "
    "mixes the old state with the candidate, the reset gate r decides how much of the old state "
    "the candidate is computed from. Switch 'Cell shown' to compare; pick another sample to see "
    "a sequence that starts with the other symbol. Units other than the memory unit are free "
    "to do anything; the read-out layer ignores most of them."
)


def states_text(cell: str, tr: m.CellTrace, plain: m.CellTrace, unit: int, pu: int) -> str:
    """Cell state vs hidden state, with the numbers at the first and last step."""
    j = unit
    sr = (
        f"The SimpleRNN's best unit (yellow): {plain.h[1, pu]:+.2f} after step 1, "
        f"{plain.h[-1, pu]:+.2f} at the end."
    )
    if cell == "LSTM" and tr.c is not None:
        c_max, h_max = float(np.abs(tr.c[:, j]).max()), float(np.abs(tr.h[:, j]).max())
        squash = (
            f"$c$ is never squashed: it reaches |c| = {c_max:.2f}, while $h$ stays within "
            f"±{h_max:.2f}. "
            if c_max > 1
            else f"Here |c| stays at most {c_max:.2f} and |h| at most {h_max:.2f}. "
        )
        return (
            f"The LSTM keeps two states. Its cell state $c$ (line) of unit {j + 1} is "
            f"{tr.c[1, j]:+.2f} after step 1 and {tr.c[-1, j]:+.2f} at the end: long-term memory, "
            f"changed only through $f$ and $i$. The hidden state $h = o\\,\\tanh(c)$ (dots; $o$ "
            f"is the row boxed in the gate map) is "
            f"what the cell shows; it ends at {tr.h[-1, j]:+.2f}. " + squash + sr
        )
    return (
        f"The GRU has one state: $h$ of unit {j + 1} (dots) is {tr.h[1, j]:+.2f} after step 1 "
        f"and {tr.h[-1, j]:+.2f} at the end; a GRU merges the LSTM's cell and hidden state. "
        f"Its update gate (the row boxed in the gate map) decides how much of $h$ each step "
        "keeps. " + sr
    )


STATES_NOTES = (
    "The lecture notes describe the LSTM as keeping separate short-term and long-term states: "
    "h_t is the short-term one, seen by the next layer and by the gates at the next step; c_t "
    "is the long-term one, updated only by the gated sum. Dots mark the value after each step; "
    "step 0 is the zero initial state. In the next step a vertical line marks the step the "
    "equations show."
)


def equations_text(cell: str, t: int, gap: int, clipped: bool) -> str:
    """The one-step equations step."""
    where = f" (the slider asked for a later step; the sequence has {gap})" if clipped else ""
    return (
        f"One step of the {cell}, every number from the engine: step t = {t}{where}, for the "
        "memory unit, with $x_t$ the one-hot input and $h_{t-1}$ the state before. The "
        "pre-activations come from the layer's weights $W$, $U$, $b$. Move 'Time step' to walk "
        "along the sequence; the outlined column in the heat map and the vertical line follow."
    )


EQUATIONS_NOTES = (
    "Weight layout as in Keras: the kernel W is (features, gates x units), with LSTM blocks in "
    "the order input, forget, candidate, output, and GRU blocks update, reset, candidate. The "
    "GRU here is Keras's reset_after form: the reset gate multiplies h_{t-1} U_h + b'_h, the "
    "recurrent part of the candidate, after the product. Sigma is the logistic function."
)


def check_text(race: m.Race) -> str:
    """The closing step."""
    plain = race.cells["SimpleRNN"].final
    return (
        f"Try it: shorten the gap until the SimpleRNN solves the task too (≥ {pct(m.SOLVED)} "
        f"validation accuracy); now it reaches {pct(plain)} at gap {race.gap}. Then lengthen "
        "it and watch where the gated cells need more epochs. Then answer the quiz in the "
        "Check tab."
    )


def task_message(done: bool, race: m.Race) -> str:
    """Feedback on the try-it task."""
    plain = race.cells["SimpleRNN"].final
    if done:
        return f"Done: at gap {race.gap} the SimpleRNN reaches {pct(plain)}."
    return f"Not yet: at gap {race.gap} the SimpleRNN reaches {pct(plain)}."


QUIZ = (
    MultipleChoice(
        "forget",
        "The LSTM's forget gate of a unit is 0.98 at every step. What happens to its cell state "
        "$c$ when the input gate is near 0?",
        (
            "It is reset to 0 at every step",
            "It is kept almost unchanged from step to step",
            "It copies the current input",
        ),
        answer=1,
        explanations=(
            "That would need f near 0.",
            "Right: c_t = f c_{t-1} + i c~_t ≈ 0.98 c_{t-1}: the memory survives many steps.",
            "With i near 0 the new input hardly enters c.",
        ),
    ),
    MultipleChoice(
        "update",
        "In the GRU, $h_t = z\\,h_{t-1} + (1-z)\\,\\tilde h_t$. Which update gate value lets $h$ "
        "carry the first symbol to the end?",
        ("z near 0", "z near 0.5", "z near 1"),
        answer=2,
        explanations=(
            "Then h_t is replaced by the candidate at every step: the memory is lost.",
            "Half of the memory leaks away at every step: after 20 steps 0.5^20 ≈ 1e-6 is left.",
            "Right: z ≈ 1 keeps the old state, like an LSTM forget gate near 1.",
        ),
    ),
    MultipleChoice(
        "which",
        "At the default gap of 30 steps, which cell did not solve the task (validation)?",
        ("SimpleRNN", "LSTM", "GRU"),
        answer=0,
        explanations=(
            "Right: the results table shows it near 50%, chance, on the validation sequences.",
            "The LSTM reaches 100% validation accuracy in the results table.",
            "The GRU reaches 100% validation accuracy in the results table.",
        ),
    ),
)
