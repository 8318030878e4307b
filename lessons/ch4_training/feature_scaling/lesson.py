"""Lesson 4.5: normalise your features: the same model on unscaled and standardised features.

One linear model with two weights, ŷ = w₁x₁ + w₂x₂, is trained by the engine with plain
full-batch gradient descent on two features whose spreads differ (by the scale control), and on
the same features standardised with the training set's mean and standard deviation.  The left
column of the stage shows the unscaled case, the right one the standardised case: the loss over
the two weights (a stretched bowl and a round one), the Hessian's eigenvalues and condition
number, the largest stable rate 2/λ_max (checked by runs 2 % below and above it), descent at
each case's best rate (zig-zag against straight, steps to converge counted), the weights mapped
back to the measured units, and how new data must be scaled.  See
:mod:`lessons.ch4_training.feature_scaling.model` for the experiment.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.feature_scaling import closing, frames
from lessons.ch4_training.feature_scaling import runs as r
from lessons.ch4_training.feature_scaling.stage import CURVES_TITLE, RAW_TITLE, STD_TITLE, Stage
from lessons.core.base import (
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    Values,
)


class FeatureScaling(Lesson):
    """Unscaled features stretch the loss bowl; standardised ones make it round."""

    id = "feature_scaling"
    chapter = 4
    number = "4.5"
    title = "Normalise your features"
    summary = (
        "The same linear model is trained by gradient descent on two features with very "
        "different spreads, and on the same features standardised to mean 0 and variance 1. "
        "The loss over the two weights turns from a stretched bowl into a round one: the "
        "condition number, the largest stable learning rate and the steps to converge are "
        "computed and checked by the runs, and the weights convert back to the same model."
    )
    seed = 45
    controls = (
        Slider(
            "scale",
            "Spread of x₂ (its unit)",
            minimum=1.0,
            maximum=30.0,
            default=10.0,
            log=True,
            help="How many times larger x₂'s numbers are than x₁'s, as if it were recorded "
            "in a smaller unit. The points stay the same.",
        ),
        Slider(
            "rho",
            "Correlation of x₁ and x₂",
            minimum=0.0,
            maximum=0.95,
            default=0.3,
            help="Standardising fixes the spreads, not the correlation between the features.",
        ),
        Slider(
            "rate",
            "Your learning rate η (unscaled)",
            minimum=1e-4,
            maximum=1.0,
            default=0.005,
            log=True,
            help="Gradient descent on the unscaled features with this rate (step 5, the task).",
        ),
    )
    panels = (
        Plot("raw", RAW_TITLE, x_label="w₁", y_label="w₂", aspect_locked=True, legend=False),
        Plot("std", STD_TITLE, x_label="v₁", y_label="v₂", aspect_locked=True, legend=False),
        Plot(
            "curves",
            CURVES_TITLE,
            x_label="step",
            y_label="loss − lowest loss",
            log_y=True,
            stretch=5,
            help="Orange: unscaled features; yellow: standardised. Solid: converging, "
            "dots: a run above the speed limit.",
        ),
        Table("numbers", "The numbers", stretch=6),
    )
    layout = (2, 2)
    quiz = (
        MultipleChoice(
            "pitfall",
            "You standardised the training features with their mean m and standard deviation "
            "s. How do you standardise the validation and test points?",
            (
                "With the same m and s, computed on the training points",
                "With their own mean and standard deviation",
                "With m and s computed on all the data together",
            ),
            answer=0,
            explanations=(
                "Right: the transformation is part of the model; every later input goes "
                "through the same one (step 7).",
                "Then the same input gives another prediction depending on its batch; a batch "
                "with large x₂ is pulled back to the centre and answered wrongly (step 7).",
                "Then the validation and test points leak into training, and their scores "
                "look better than the model deserves.",
            ),
        ),
        NumericQuestion(
            "kappa",
            "For standardised features XᵀX/n = [[1, r], [r, 1]]. With the correlation r = 0.5, "
            "what is the condition number κ = λ_max / λ_min?",
            answer=3.0,
            tolerance=0.01,
            explanation="The eigenvalues are 1 + r and 1 − r, so κ = 1.5 / 0.5 = 3 (the "
            "factor 2 of the Hessian cancels).",
        ),
        MultipleChoice(
            "unit",
            "On the unscaled features, x₂ is recorded in a unit ten times smaller, so its "
            "numbers are ten times larger and dominate. What happens to the largest stable "
            "learning rate 2/λ_max?",
            (
                "It stays the same",
                "It becomes about ten times smaller",
                "It becomes about a hundred times smaller",
            ),
            answer=2,
            explanations=(
                "The Hessian (2/n)XᵀX depends on the features' units.",
                "λ_max grows with the square of x₂'s numbers, not linearly.",
                "Right: H₂₂ = 2·mean(x₂²) grows a hundredfold, and with it λ_max. Try the "
                "spread slider from 3 to 30.",
            ),
        ),
        MultipleChoice(
            "convert",
            "Trained on standardised features, the model has weights v = (v₁, v₂). Which "
            "weights give the same predictions on the measured features (centred, as here)?",
            ("w = v", "wⱼ = vⱼ · sⱼ", "wⱼ = vⱼ / sⱼ"),
            answer=2,
            explanations=(
                "The features were divided by s, so the weights must be too.",
                "That would scale the predictions by s² instead of undoing the division.",
                "Right: vⱼ (xⱼ − mⱼ)/sⱼ = (vⱼ/sⱼ) xⱼ when mⱼ = 0 (step 6).",
            ),
        ),
    )
    task = Task(
        "largest_rate",
        "Find the largest learning rate that still converges on the unscaled features: set "
        "'Your learning rate' to at least 97 % of the limit 2/λ_max, without the loss rising "
        "(step 5 shows the run).",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seed = int(rng.integers(2**31))
        e = r.experiment(float(c.scale), float(c.rho), float(c.rate), seed)
        s = Stage.of(e)
        yield frames.data_step(s)
        yield frames.bowls_step(s)
        yield frames.limit_step(s)
        yield frames.best_step(s)
        yield frames.learner_step(s)
        yield closing.same_model_step(s)
        yield closing.batch_step(s)
        yield closing.summary_step(s)
