"""Lesson 4.1's probability steps: two classes, binary and categorical cross-entropy, summary.

The steps come from computed runs (:mod:`lessons.ch4_training.loss_functions.classes`); the
text from :mod:`lessons.ch4_training.loss_functions.class_texts`, the pictures from
:mod:`lessons.ch4_training.loss_functions.class_views`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.loss_functions import class_texts as ct
from lessons.ch4_training.loss_functions import class_views as cv
from lessons.ch4_training.loss_functions import classes as cl
from lessons.ch4_training.loss_functions import model as m
from lessons.ch4_training.loss_functions import views as v
from lessons.ch4_training.loss_functions.regression_steps import SHORT
from lessons.core.base import Step, TableData
from lessons.markup.numbers import plain

CE_TITLE = "Cross-entropy of each example; J = their mean"


def classification_steps(two: cl.Classes, many: cl.Classes) -> Iterator[Step]:
    w = float(np.asarray(two.weights[0]).reshape(-1)[0])
    b = float(np.asarray(two.weights[1]).reshape(-1)[0])
    wrong = ct.mistakes(two)
    yield Step(
        "Probabilities: two classes",
        ct.probabilities(two),
        {
            "fit": cv.binary_plot(two),
            "curve": cv.p_line(two.p_true),
            "per": v.loss_bars(two.p_true, two.names, "p < 0.5: a mistake", "p true", False),
            "numbers": TableData(
                ("logistic model", "value"),
                (
                    ("weight w", w),
                    ("bias b", b),
                    ("p = 0.5 at x", -b / w if w != 0 else float("nan")),
                    ("mistakes", len(wrong)),
                ),
                number_format=SHORT,
            ),
        },
        figures={"w": w, "b": b, "mistakes": float(len(wrong))},
        notes=ct.PROBABILITIES_NOTES,
        titles={
            "fit": "Two classes: p(class 1) (blue)",
            "curve": "Probability of the true class",
            "per": "Probability p of each example's true class",
        },
    )
    yield Step(
        "Binary cross-entropy",
        ct.binary_ce(two),
        {
            "curve": cv.log_curve(two.p_true, two.per, names=two.names),
            "per": v.loss_bars(
                two.per, two.names, f"J = {plain(float(two.per.mean()))} = BCE", "loss"
            ),
            "numbers": v.mean_table(two.per, two.reported, "BCE"),
        },
        figures={"bce_mean": float(two.per.mean()), "bce_reported": two.reported},
        notes=ct.BINARY_CE_NOTES,
        titles={"curve": "Loss of one example: −log p", "per": CE_TITLE},
    )
    text, (worst, hesitant, best) = ct.confident(two)
    sq = two.squared if two.squared is not None else (1.0 - two.p_true) ** 2
    yield Step(
        "Confident mistakes cost the most",
        text,
        {
            "curve": cv.log_curve(two.p_true, two.per, squared=sq, names=two.names),
            "numbers": TableData(
                ("", "p", "−log p", "(1−p)²"),
                tuple(
                    (two.names[i], float(two.p_true[i]), float(two.per[i]), float(sq[i]))
                    for i in (worst, hesitant, best)
                ),
                highlight_rows=(0,),
                number_format="{:.2g}",
            ),
        },
        figures={
            "worst_loss": float(two.per[worst]),
            "hesitant_loss": float(two.per[hesitant]),
            "best_loss": float(two.per[best]),
        },
        notes=ct.CONFIDENT_NOTES,
        titles={"curve": "−log p vs (1 − p)²"},
    )
    if two.as_categorical is None:
        raise ValueError("the two-class run needs its categorical losses")
    yield Step(
        "Three classes: categorical cross-entropy",
        ct.categorical_ce(many, two),
        {
            "fit": cv.categorical_plot(many),
            "curve": cv.log_curve(many.p_true, many.per, star=False, names=many.names),
            "per": v.loss_bars(
                many.per, many.names, f"J = {plain(float(many.per.mean()))} = CCE", "loss"
            ),
            "numbers": TableData(
                ("", "CCE"),
                (
                    *v.mean_table(many.per, many.reported, "CCE").rows,
                    ("2-class check", float(np.max(np.abs(two.as_categorical - two.per)))),
                ),
                highlight_rows=(2, 3),
                number_format=SHORT,
            ),
        },
        figures={"cce_mean": float(many.per.mean()), "cce_reported": many.reported},
        notes=ct.CATEGORICAL_NOTES,
        titles={
            "fit": "Three classes: softmax probabilities",
            "curve": "Loss of one example: −log p",
            "per": CE_TITLE,
        },
    )


def summary(r: m.Regression, two: cl.Classes, many: cl.Classes) -> Step:
    return Step(
        "Which loss for which output",
        ct.SUMMARY,
        {
            "curve": cv.all_losses(),
            "numbers": TableData(
                ("loss", "output", "J here"),
                (
                    ("MSE", "number", r.mse.reported),
                    ("MAE", "number", r.mae.reported),
                    ("BCE", "2 classes", two.reported),
                    ("CCE", "k classes", many.reported),
                ),
                number_format=SHORT,
            ),
        },
        notes=ct.SUMMARY_NOTES,
        titles={"curve": "Loss by size of the miss"},
    )
