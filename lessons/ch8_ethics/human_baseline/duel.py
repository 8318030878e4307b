"""Lesson 8.3's step 3: you against the model on the same nine test digits.

The learner types a reading for each digit (a whole-number Vector control); nothing about the
model or the truth is shown until all nine are in.  Then both are scored on the same digits,
each with a Wilson interval, and McNemar's exact test asks whether the disagreements lean one
way.
"""

from __future__ import annotations

import numpy as np

from lessons.ch8_ethics.human_baseline import model as m
from lessons.ch8_ethics.human_baseline import texts as tx
from lessons.ch8_ethics.human_baseline import views as vw
from lessons.core.base import Step, TaskResult, Values
from lessons.shared import colors
from lessons.shared.mnist import digits

UNANSWERED = -1


def answers(c: Values) -> np.ndarray:
    """The learner's nine readings as whole digits (UNANSWERED where none)."""
    return np.array([round(float(v)) for v in c.answers], dtype=int)


def task(c: Values, model: m.Model) -> TaskResult:
    """The try-it: done once all nine digits are read; the two scores."""
    given = answers(c)
    if np.any(given == UNANSWERED):
        left = int(np.sum(given == UNANSWERED))
        return TaskResult(False, f"{left} of {m.PANEL} digits still to read (step 3).")
    rows = m.panel_digits(int(c.digit_set))
    you = int(np.sum(given == digits().y_test[rows]))
    mine = int(np.sum(model.probs[rows].argmax(axis=1) == digits().y_test[rows]))
    return TaskResult(True, f"Done: you {you} of 9, the model {mine} of 9 on the same digits.")


def duel(c: Values, model: m.Model) -> Step:
    """Step 3: the nine digits to read, and once all are read, you against the model."""
    data = digits()
    rows = m.panel_digits(int(c.digit_set))
    truth = data.y_test[rows]
    guess = model.probs[rows].argmax(axis=1)
    given = answers(c)
    result = task(c, model)
    titles = {
        "digits": f"Digit set {int(c.digit_set)}: read them",
        "plot": "You and the model, same digits",
    }
    images = vw.grid(data.x_test[rows], [str(i + 1) for i in range(m.PANEL)])
    if np.any(given == UNANSWERED):
        shown = ["–" if a == UNANSWERED else str(int(a)) for a in given]
        table = vw.duel_table(shown, ["?"] * m.PANEL, ["?"] * m.PANEL, ())
        return Step(
            "You against the model",
            tx.ASK,
            {
                "digits": images,
                "table": table,
                "plot": vw.readers([("people (USPS)", m.HUMAN.accuracy, None, colors.BASELINE)]),
            },
            figures={"answered": float(np.sum(given != UNANSWERED))},
            notes=tx.DUEL_NOTES,
            titles={**titles, "table": "Digit by digit"},
            task=result,
        )
    you_right, model_right = given == truth, guess == truth
    b, c_, p = m.mcnemar(you_right, model_right)
    you, mine = int(you_right.sum()), int(model_right.sum())
    lo_y, hi_y = m.wilson(you, m.PANEL)
    lo_m, hi_m = m.wilson(mine, m.PANEL)
    table = vw.duel_table(
        [str(int(v)) for v in given],
        [str(int(v)) for v in guess],
        [str(int(v)) for v in truth],
        [i for i in range(m.PANEL) if you_right[i] != model_right[i]],
    )
    plot = vw.readers(
        [
            ("you", you / m.PANEL, (lo_y, hi_y), vw.PERSON),
            ("model", mine / m.PANEL, (lo_m, hi_m), colors.MODEL),
            ("people (USPS)", m.HUMAN.accuracy, None, colors.BASELINE),
        ]
    )
    return Step(
        "You against the model",
        tx.duel_text(you, mine, b, c_, p, lo_y, hi_y, lo_m, hi_m),
        {"digits": images, "table": table, "plot": plot},
        figures={
            "answered": float(m.PANEL),
            "you": float(you),
            "model": float(mine),
            "only_you": float(b),
            "only_model": float(c_),
            "p": p,
        },
        notes=tx.DUEL_NOTES,
        titles={
            **titles,
            "table": "Digit by digit (shaded: only one of you is right)",
        },
        task=result,
    )
