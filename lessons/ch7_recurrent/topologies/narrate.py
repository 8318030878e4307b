"""Lesson 7.2's computed sentences: every number and verdict is read off the trained models."""

from __future__ import annotations

import numpy as np

from lessons.ch7_recurrent.topologies import tasks
from lessons.ch7_recurrent.topologies.frames import columns
from lessons.ch7_recurrent.topologies.tasks import TOLERANCE, Trace, Trained
from lessons.markup.numbers import plain, tex


def pct(share: float) -> str:
    """A share as a percentage for prose."""
    return f"{100 * share:.1f}%"


def score_text(run: Trained) -> str:
    """The test-set score, e.g. 'mean error 0.04' or '97.0% right'."""
    if run.setup.classify:
        return f"{pct(run.score)} right"
    return f"mean error {plain(run.score, 2)}"


def baseline_text(run: Trained) -> str:
    if run.setup.classify:
        return f"{pct(run.baseline)} right"
    return f"mean error {plain(run.baseline, 2)}"


def comparison(run: Trained) -> str:
    """How the model compares with its baseline, as computed from the two scores."""
    if run.setup.classify:
        gap = run.score - run.baseline
        word = "above" if gap > 0 else "below"
        return f"{plain(100 * abs(gap), 3)} percentage points {word} the baseline"
    if run.score <= 0:
        return "no error at all"
    ratio = run.baseline / run.score
    return (
        f"{plain(ratio, 2)} times smaller error than the baseline"
        if ratio >= 1
        else (f"{plain(1 / ratio, 2)} times larger error than the baseline")
    )


def beats(run: Trained) -> bool:
    """Whether the model scores better than its baseline on the test set."""
    return run.score > run.baseline if run.setup.classify else run.score < run.baseline


def results_sentence(run: Trained) -> str:
    """One sentence on the test set for the last animation step and the intro."""
    if run.topology == "encoder-decoder":
        base = f"On {tasks.TEST} test sequences it gets {pct(run.score)} of the digits right"
    elif run.setup.classify:
        base = f"On {tasks.TEST} test sequences it gets {pct(run.score)} right"
    else:
        base = f"On {tasks.TEST} test sequences its mean error is {plain(run.score, 2)}"
    if run.topology == "encoder-decoder":
        base += f" and reverses {pct(run.whole)} of the sequences without a mistake"
    elif not run.setup.classify:
        base += f" ({pct(run.hits)} of the outputs within {plain(TOLERANCE)})"
    return base + f": {comparison(run)} ({baseline_text(run)})."


TASKS = {
    "sequence-to-sequence": (
        "Input: {t} numbers $x_1 \\ldots x_{{{t}}}$ between −0.9 and 0.9. Output at every "
        "step: the running sum $s_t = x_1 + \\ldots + x_t$. The layer returns all its states "
        "and one Dense layer reads each: one output per input."
    ),
    "sequence-to-vector": (
        "Input: {t} numbers between −0.9 and 0.9. Output, once, after the last step: is "
        "$\\sum_t x_t > 0$? Only the last state is read, through a Dense layer and $\\sigma$: "
        "the answer is P(yes)."
    ),
    "vector-to-sequence": (
        "Input: one number, a frequency $\\omega$ between {lo} and {hi}. Output: the {t} values "
        "$\\sin(\\omega \\cdot 1) \\ldots \\sin(\\omega \\cdot {t})$. The engine feeds "
        "$\\omega$ at every step; the state tells each step how far it is."
    ),
    "encoder-decoder": (
        "Input: {t} digits. Output: the same digits in reverse order. The encoder reads all "
        "{t}; its final state is the decoder's initial state, and the decoder writes {t} "
        "digits, the likeliest of 10 at each step."
    ),
}


def layers(run: Trained) -> str:
    """The recurrent layers in words: 'A SimpleRNN of 8 units' or the encoder-decoder's two."""
    if run.topology == "encoder-decoder":
        return f"Two SimpleRNNs of {run.setup.units} units (encoder, decoder)"
    return f"A SimpleRNN of {run.setup.units} units"


def intro(run: Trained) -> str:
    """The intro step's text: the task, the model, its test score against its baseline."""
    task = TASKS[run.topology].format(t=run.length, lo=tasks.OMEGA[0], hi=tasks.OMEGA[1])
    model = f" {layers(run)} learned it; the table says how. "
    return task + model + results_sentence(run)


def recurrence(inp: str, t: int) -> str:
    """The SimpleRNN update at 1-based time step t, e.g. '$h_2 = \\tanh(x_2 W + h_1 U + b)$'."""
    formula = f"$h_{{{t}}} = \\tanh({inp} W + h_{{{t - 1}}} U + b)$"
    return formula if t > 1 else f"{formula}, starting from the zero state $h_0 = 0$"


def step(run: Trained, sample: int, tr: Trace, k: int) -> str:
    """What happens at column k of the unrolled network (time step t = k + 1; the decoder's
    steps 1..T follow the encoder's), and, at the last one, how the test set went."""
    topo, t_len = run.topology, run.length
    t = k + 1  # time steps are numbered from 1; h_0 = 0 is the initial state
    x_in, y_true, y_hat = run.inputs[sample], run.targets[sample], tr.shown
    inp = "\\omega" if topo == "vector-to-sequence" else f"x_{{{t}}}"
    recur = recurrence(inp, t)
    if topo == "sequence-to-sequence":
        err = abs(float(y_hat[k] - y_true[k]))
        text = (
            f"$x_{{{t}}} = {tex(x_in[k], 2)}$ enters and {recur}. An output leaves at once: "
            f"$\\hat y_{{{t}}} = {tex(y_hat[k], 3)}$ for the running sum $s_{{{t}}} = "
            f"{tex(y_true[k], 3)}$ (off by {plain(err, 2)})."
        )
    elif topo == "sequence-to-vector":
        text = f"$x_{{{t}}} = {tex(x_in[k], 2)}$ enters and {recur}."
        if k < t_len - 1:
            text += " No output leaves yet: the state must carry the sum so far."
        else:
            right = (y_hat > 0.5) == (y_true > 0.5)
            answer = "yes" if y_true > 0.5 else "no"
            text += (
                f" Only now is the state read: P(yes) = {plain(float(y_hat), 3)}, so it answers "
                f"{'yes' if y_hat > 0.5 else 'no'}. The sum is "
                f"{plain(float(np.sum(x_in)), 2)}, so the right answer is {answer}: the model is "
                f"{'right' if right else 'wrong'}."
            )
    elif topo == "vector-to-sequence":
        err = abs(float(y_hat[k] - y_true[k]))
        text = (
            f"$\\omega = {tex(float(x_in), 2)}$ enters{' again' if k else ''} and {recur}. "
            f"$\\hat y_{{{t}}} = {tex(y_hat[k], 3)}$ against "
            f"$\\sin({tex(float(x_in), 2)} \\cdot {t}) = {tex(y_true[k], 3)}$ (off by "
            f"{plain(err, 2)})."
        )
    elif k < t_len:
        text = (
            f"The encoder reads $x_{{{t}}}$ = digit {int(x_in[k])} (one-hot) and {recur}. "
            "Nothing leaves: everything must fit into the state."
        )
    else:
        j = k - t_len  # the decoder's step j + 1 writes the digit read at encoder step T - j
        start = (
            f"The decoder starts from the encoder's final state $h_{{{t_len}}}$, "
            if j == 0
            else "The decoder goes on from its previous state, "
        )
        right = int(y_hat[j]) == int(y_true[j])
        read = t_len - j
        ago = (t_len + j + 1) - read  # now is time step T + j + 1 of the whole run
        when = f"{ago} step{'s' if ago > 1 else ''} ago"
        text = (
            f"{start}fed the context $c$ (the encoder's last output) as input. The target is "
            f"the digit read at encoder step {read}, {when}: {int(y_true[j])}. "
            f"It writes {int(y_hat[j])}: {'right' if right else 'wrong'}."
        )
    if k == columns(run) - 1:
        text += " " + results_sentence(run)
    return text


def title(run: Trained, k: int) -> str:
    """The step title for column k: time steps and decoder steps are numbered from 1."""
    from lessons.ch7_recurrent.topologies.texts import SHORT

    name = SHORT[run.topology]
    if run.topology == "encoder-decoder":
        part = f"encoder, t = {k + 1}" if k < run.length else f"decoder, step {k - run.length + 1}"
        return f"{name}: {part}"
    return f"{name}: t = {k + 1}"
