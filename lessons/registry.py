"""The course: chapters and their lessons in teaching order (an explicit tuple, no magic).

Add a lesson by importing its class here and placing it in its chapter.  The app's navigator,
the CLI (``deepstep --list``) and the tests that step every lesson all read this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.ch1_prerequisites.autodiff.lesson import Autodiff
from lessons.ch1_prerequisites.gradient_descent.lesson import GradientDescent
from lessons.ch1_prerequisites.softmax import Softmax
from lessons.ch2_neurons.activations.lesson import ActivationFunctions
from lessons.ch2_neurons.mcculloch_pitts.lesson import McCullochPitts
from lessons.ch2_neurons.nonlinearity import Nonlinearity
from lessons.ch2_neurons.perceptron import Perceptron
from lessons.ch3_mlp.backprop.lesson import Backprop
from lessons.ch3_mlp.playground.lesson import Playground
from lessons.ch3_mlp.topology.lesson import Topology
from lessons.core.base import Lesson


@dataclass(frozen=True)
class Chapter:
    """A numbered chapter and its lessons in order."""

    number: int
    title: str
    lessons: tuple[type[Lesson], ...]


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(1, "The mathematical prerequisites", (GradientDescent, Autodiff, Softmax)),
    Chapter(
        2,
        "Artificial neurons",
        (McCullochPitts, Perceptron, Nonlinearity, ActivationFunctions),
    ),
    Chapter(3, "Multi-layer perceptrons and backpropagation", (Playground, Backprop, Topology)),
)


def all_lessons() -> tuple[type[Lesson], ...]:
    """Every lesson of the course in order."""
    return tuple(lesson for chapter in CHAPTERS for lesson in chapter.lessons)


def find(lesson_id: str) -> type[Lesson]:
    """The lesson with this id (or number, e.g. "1.3"); ValueError naming the known ids."""
    for lesson in all_lessons():
        if lesson_id in (lesson.id, lesson.number):
            return lesson
    known = ", ".join(lesson.id for lesson in all_lessons())
    raise ValueError(f"unknown lesson {lesson_id!r}; known lessons: {known}")


def chapter_of(lesson: type[Lesson]) -> Chapter:
    for chapter in CHAPTERS:
        if lesson in chapter.lessons:
            return chapter
    raise ValueError(f"lesson {lesson.id!r} is not in the course")
