"""Lesson 4.1: loss functions, one example at a time, and the empirical loss as their mean.

A cubic fitted by the engine to noisy points shows each residual as a segment and each squared
error as a bar; their mean is the MSE the engine reports.  MAE beside it, then one outlier
(size and place are controls): the MSE fit is dragged towards it, usually far more than the
MAE fit, and the engine's gradients show why.  Then probabilities: binary cross-entropy on a
logistic model (one example, ★, placed by the learner), −log p with every example on it, why
confident mistakes cost most, and categorical cross-entropy on three classes.  Every loss value
comes from :mod:`engine.nn.losses`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.loss_functions import classes as cl
from lessons.ch4_training.loss_functions import model as m
from lessons.ch4_training.loss_functions.class_steps import classification_steps, summary
from lessons.ch4_training.loss_functions.regression_steps import regression_steps
from lessons.core.base import (
    Bars,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Slider,
    Step,
    Table,
    Values,
)

FIT_TITLE = "Points, the MSE fit (blue), residuals"


class LossFunctions(Lesson):
    """MSE and MAE per example, one outlier, cross-entropy on probabilities, the mean."""

    id = "loss_functions"
    chapter = 4
    number = "4.1"
    title = "Loss functions"
    summary = (
        "A loss gives every example a number, and the empirical loss is their mean. See each "
        "residual of a fitted curve and its squared error, compare MAE, add an outlier that "
        "drags the MSE fit but hardly the MAE fit, and put every example of a classifier on "
        "the curve −log p: confident mistakes cost the most."
    )
    seed = 1162
    controls = (
        Slider(
            "noise",
            "Noise of the points",
            0.0,
            0.6,
            default=0.3,
            step=0.05,
            help="Standard deviation of the noise added to the true curve.",
        ),
        Slider(
            "outlier",
            "Outlier size",
            -4.0,
            4.0,
            default=2.5,
            step=0.1,
            help="How far the extra point ★ lies above (+) or below (−) the true curve.",
        ),
        Slider(
            "outlier_x",
            "Outlier x",
            -1.0,
            1.0,
            default=-0.3,
            step=0.05,
            help="Where along x the outlier ★ sits.",
        ),
        Slider(
            "star",
            "Position of ★ (class 1)",
            -2.0,
            2.0,
            default=-1.5,
            step=0.1,
            help="Where the class-1 example ★ sits in the classification steps.",
        ),
    )
    panels = (
        Plot("fit", FIT_TITLE, x_label="x", y_label="y", legend=False, stretch=3),
        Plot("curve", "Loss of one example", legend=False, stretch=2),
        Bars("per", "Loss of each example, and their mean", value_format="{:.2f}", stretch=4),
        Table("numbers", "The numbers", stretch=2),
    )
    layout = (2, 2)
    quiz = (
        NumericQuestion(
            "mse",
            "Three examples have residuals 1, −2 and 3. What is their mean squared error? "
            "(two decimals)",
            answer=14.0 / 3.0,
            tolerance=0.006,
            explanation="(1² + (−2)² + 3²) / 3 = (1 + 4 + 9) / 3 = 14 / 3 ≈ 4.67.",
        ),
        NumericQuestion(
            "mean",
            "A batch of four examples has per-example losses 0.1, 0.2, 0.3 and 1.4. What loss "
            "does the engine report for the batch?",
            answer=0.5,
            tolerance=0.001,
            explanation="The empirical loss is the mean: (0.1 + 0.2 + 0.3 + 1.4) / 4 = 0.5.",
        ),
        MultipleChoice(
            "outlier",
            "One point lies far from all the others. Which fit does it drag further?",
            ("The MSE fit", "The MAE fit", "Both the same"),
            answer=0,
            explanations=(
                "Right: its squared error dominates the mean, and its pull 2r/n grows with "
                "its distance; in the lesson the MSE curve moved many times as far.",
                "MAE's pull is ±1/n for every example, however far: the outlier is one vote.",
                "Compare the two shifts in the lesson's outlier steps: they differ a lot.",
            ),
        ),
        MultipleChoice(
            "confident",
            "Which prediction has the largest cross-entropy loss?",
            (
                "True class given p = 0.45",
                "True class given p = 0.02",
                "True class given p = 0.98",
            ),
            answer=1,
            explanations=(
                "−log 0.45 ≈ 0.80: a hesitant mistake costs little.",
                "Right: −log 0.02 ≈ 3.9, a confident mistake costs the most.",
                "−log 0.98 ≈ 0.02: a confident right answer costs almost nothing.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seeds = [int(s) for s in rng.integers(2**31, size=4)]
        r = m.regression(float(c.noise), float(c.outlier), float(c.outlier_x), *seeds[:2])
        yield from regression_steps(r)
        two = cl.binary(float(c.star), seeds[2], seeds[1])
        many = cl.categorical(seeds[3], seeds[1])
        yield from classification_steps(two, many)
        yield summary(r, two, many)
