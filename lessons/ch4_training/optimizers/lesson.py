"""Lesson 4.3: optimizers: SGD, Momentum, Nesterov, RMSprop and Adam race on 2-D surfaces.

The engine's five optimizers each step their own two-weight tensor on a surface the learner
picks (bowl, ravine, Rosenbrock, saddle, or a bowl with seeded gradient noise).  The first
updates are shown arrow by arrow with each optimizer's state as the optimizer reports it
(velocity, squared-gradient average, Adam's moments with and without bias correction); then
the finished race, and the same settings on the other surfaces.  The last part explains
momentum by the numbers on a turned ravine with known curvatures: the path split along the
Hessian's eigenvectors, the heavy-ball matrix of each direction, a map of its spectral radius
over (β, η) checked against the engine's runs, and critical damping read off that map.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.optimizers import parts
from lessons.ch4_training.optimizers import race as r
from lessons.ch4_training.optimizers.study import TASK_UPDATES, study
from lessons.core.base import (
    Choice,
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

STEPS = 150  # updates in a race ...
LONGER = {"Rosenbrock": 400}  # ... except on the long curved valley


def _rate(name: str, label: str, default: float) -> Slider:
    return Slider(
        name,
        label,
        1e-4,
        1.0,
        default=default,
        log=True,
        help="How far each update goes (a multiple of the gradient, or for RMSprop "
        "and Adam of the normalised gradient).",
    )


class Optimizers(Lesson):
    """Five optimizers race on 2-D surfaces; momentum explained by its iteration matrix."""

    id = "optimizers"
    chapter = 4
    number = "4.3"
    title = "Optimizers"
    summary = (
        "SGD, Momentum, Nesterov, RMSprop and Adam race from the same start on a bowl, a "
        "ravine, Rosenbrock's valley, a saddle and a noisy bowl. Every update is an arrow with "
        "its numbers and every optimizer's memory (velocity, squared-gradient average, Adam's "
        "moments) is read from the optimizer itself. On a quadratic with known curvature the "
        "lesson splits the path along the eigen-directions, maps the convergence rate over "
        "learning rate and momentum, and finds the critically damped momentum."
    )
    seed = 43
    controls = (
        Choice(
            "surface",
            "Surface",
            options=tuple(r.COURSES),
            default="ravine",
            help="The surface of the race (the later steps show the others too).",
        ),
        _rate("sgd_rate", "SGD: learning rate η", 0.1),
        _rate("momentum_rate", "Momentum: learning rate η", 0.1),
        _rate("nesterov_rate", "Nesterov: learning rate η", 0.1),
        Slider(
            "beta",
            "Momentum, Nesterov: β",
            0.0,
            0.99,
            default=0.9,
            help="How much of the velocity is kept at each update (0: none).",
        ),
        _rate("rmsprop_rate", "RMSprop: learning rate η", 0.05),
        Slider(
            "rho",
            "RMSprop: decay ρ",
            0.0,
            0.999,
            default=0.9,
            help="How slowly the average of squared gradients forgets.",
        ),
        _rate("adam_rate", "Adam: learning rate η", 0.1),
        Slider(
            "beta_1",
            "Adam: β₁",
            0.0,
            0.99,
            default=0.9,
            help="Decay of the running mean of the gradient.",
        ),
        Slider(
            "beta_2",
            "Adam: β₂",
            0.0,
            0.9999,
            default=0.999,
            help="Decay of the running mean of the squared gradient.",
        ),
        Slider(
            "noise",
            "Noisy bowl: gradient noise σ",
            0.0,
            5.0,
            default=1.0,
            help="Size of the seeded noise added to every gradient on the noisy bowl.",
        ),
    )
    panels = (
        Plot(
            "map",
            "Contour map: paths and updates",
            x_label="w₁",
            y_label="w₂",
            aspect_locked=True,
            legend=False,
            stretch=3,
            help="Colour and contour lines: the loss. ● start, ★ minimum; each optimizer in "
            "its own colour, as in the loss plot.",
        ),
        Plot(
            "curves",
            "Loss above the minimum",
            x_label="update t",
            y_label="J − J*",
            log_y=True,
            stretch=2,
            help="Log scale: a straight falling line shrinks by the same factor per update.",
        ),
        Table("numbers", "What each optimizer did", stretch=1),
    )
    layout = (2, 1)
    quiz = (
        NumericQuestion(
            "critical",
            "Momentum with learning rate η = 0.1 on the turned ravine, whose flattest "
            "curvature is λ = 0.1: which β damps that direction critically?",
            answer=0.81,
            tolerance=0.005,
            explanation="β* = (1 − √(ηλ))² = (1 − √0.01)² = 0.9² = 0.81, the minimum of the "
            "map's row at η = 0.1.",
        ),
        MultipleChoice(
            "adam_first",
            "In the ravine the first gradient is g = (−0.45, 6). With η = 0.1, what is Adam's "
            "first update Δw?",
            ("about (0.045, −0.6)", "about (0.1, −0.1)", "about (0.45, −6)"),
            answer=1,
            explanations=(
                "That is −ηg, the step of SGD (and of Momentum, whose velocity starts at 0).",
                "Right: after bias correction the moments are g and g², so the step is η·g/|g|, "
                "η = 0.1 in each coordinate against the gradient's sign.",
                "That would be a rate of 1 without any normalisation.",
            ),
        ),
        MultipleChoice(
            "rosenbrock",
            "With the default rates, why do SGD, Momentum and Nesterov fly off Rosenbrock's "
            "valley while RMSprop and Adam do not?",
            (
                "Rosenbrock has no minimum",
                "The start's steepest curvature is over a thousand, so η = 0.1 is far above "
                "2/λ_max; RMSprop and Adam divide by the gradient's size",
                "RMSprop and Adam use smaller learning rates",
            ),
            answer=1,
            explanations=(
                "Its minimum is at (1, 1), marked with a star.",
                "Right: the step of SGD is η times a gradient of about 200; the adaptive "
                "methods move about η per weight whatever the gradient's size.",
                "Adam's rate is 0.1 like SGD's; what differs is the division by the root of v.",
            ),
        ),
    )
    task = Task(
        "fast_momentum",
        f"Tune Momentum's learning rate and β so that on the turned ravine the engine's run "
        f"gets 1000 times closer to the minimum, and stays there, within {TASK_UPDATES} "
        "updates. The convergence-rate map shows where to look.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        settings = r.Settings(
            rates={key: float(c[f"{key}_rate"]) for key in r.KEYS},
            beta=float(c.beta),
            rho=float(c.rho),
            beta_1=float(c.beta_1),
            beta_2=float(c.beta_2),
        )
        sigma = float(c.noise)
        noise = sigma * rng.standard_normal((max(STEPS, *LONGER.values()), 2))

        def race(course: r.Course) -> r.Race:
            steps = LONGER.get(course.key, STEPS)
            return r.race_all(course, settings, steps, noise[:steps])

        chosen = r.COURSES[str(c.surface)]
        yield from parts.race_steps(race(chosen), sigma)
        for other in r.COURSES.values():
            if other is not chosen:
                yield parts.result_step(race(other), True)
        st = study(settings.rates["sgd"], settings.rates["momentum"], settings.beta)
        yield from parts.quadratic_steps(st)
