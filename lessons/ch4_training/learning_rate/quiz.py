"""Lesson 4.2's check: a try-it task the lesson verifies, and three quiz questions.

The answers agree with the lesson's own runs at its default controls and seed; the tests in
tests/lessons/ch4_training/test_learning_rate.py recompute those runs and check each claim.
"""

from __future__ import annotations

from lessons.ch4_training.learning_rate.texts import TASK_EPOCHS, TASK_LOSS
from lessons.core.base import MultipleChoice, NumericQuestion, Question, Task

BEST_RATE = 0.16  # the sweep's rate with the lowest final validation loss (default run)

TASK = Task(
    "good_rate",
    f"Choose your learning rate so that, with {TASK_EPOCHS} epochs, your run's final "
    f"validation loss ends below {TASK_LOSS}.",
)

QUIZ: tuple[Question, ...] = (
    MultipleChoice(
        "too_small",
        "In the sweep, the smallest rates end with almost the untrained network's loss. Why?",
        (
            "Their loss became ∞ and training stopped",
            "Each update moves the weights so little that the whole budget covers only a "
            "short way down the slope",
            "They overshoot the bottom of the valley at every step",
        ),
        answer=1,
        explanations=(
            "No: only the largest rates diverged; the small ones ran all their epochs.",
            "Right: the step is η times the gradient; with a tiny η, 40 epochs are a short "
            "walk, and the loss curves are still falling at the end.",
            "That is what a rate that is too big does.",
        ),
    ),
    NumericQuestion(
        "best_rate",
        "Read the sweep: at which learning rate was the final validation loss lowest?",
        answer=BEST_RATE,
        tolerance=0.01,
        explanation=f"η = {BEST_RATE}: its final loss is the lowest of the fifteen (see the "
        "regions table and the plot).",
    ),
    MultipleChoice(
        "tenth",
        "The range test's three suggestions were trained for 40 epochs like the sweep. Which "
        "one landed in the sweep's good region?",
        ("The lowest point itself", "The steepest descent", "A tenth of the lowest point"),
        answer=2,
        explanations=(
            "No: the lowest point sits just before the blow-up; trained for 40 epochs it "
            "ended too big.",
            "No: here the loss fell fastest just before the lowest point, so the steepest "
            "descent was nearly as large, and too big as well.",
            "Right: the range test meets each rate for a single mini-batch; a tenth of its "
            "lowest point leaves the margin a long training run needs.",
        ),
    ),
)
