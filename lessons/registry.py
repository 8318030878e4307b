"""The course: chapters and their lessons in teaching order (an explicit table, no magic).

Each lesson is listed by its id, number, title and the module that defines it; the module is
imported only when the lesson is opened (:meth:`Entry.load`), so the app starts without
importing 35 lessons.  Add a lesson by writing its module and placing an :class:`Entry` in its
chapter here; a test checks that every entry agrees with its class.  The app's navigator, the
CLI (``deepstep --list``) and the tests that step every lesson all read this module.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lessons.core.base import Lesson


@dataclass(frozen=True)
class Entry:
    """A lesson in the table of contents: what the navigator shows, and where the class is."""

    id: str
    number: str
    title: str
    path: str  # "package.module:ClassName"

    def load(self) -> type[Lesson]:
        """The lesson class (its module is imported the first time)."""
        return _load(self.path)


@cache
def _load(path: str) -> type[Lesson]:
    module_name, _, class_name = path.partition(":")
    lesson: type[Lesson] = getattr(importlib.import_module(module_name), class_name)
    return lesson


@dataclass(frozen=True)
class Chapter:
    """A numbered chapter and its lessons in order."""

    number: int
    title: str
    lessons: tuple[Entry, ...]


_CH1 = "lessons.ch1_prerequisites"
_CH2 = "lessons.ch2_neurons"
_CH3 = "lessons.ch3_mlp"
_CH4 = "lessons.ch4_training"
_CH5 = "lessons.ch5_real_data"
_CH6 = "lessons.ch6_convnets"
_CH7 = "lessons.ch7_recurrent"
_CH8 = "lessons.ch8_ethics"

CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        1,
        "The mathematical prerequisites",
        (
            Entry(
                "gradient_descent",
                "1.1",
                "Gradient descent",
                f"{_CH1}.gradient_descent.lesson:GradientDescent",
            ),
            Entry(
                "autodiff",
                "1.2",
                "Reverse-mode autodiff",
                f"{_CH1}.autodiff.lesson:Autodiff",
            ),
            Entry(
                "softmax",
                "1.3",
                "Softmax: scores to probabilities",
                f"{_CH1}.softmax.lesson:Softmax",
            ),
        ),
    ),
    Chapter(
        2,
        "Artificial neurons",
        (
            Entry(
                "mcculloch_pitts",
                "2.1",
                "The 1943 neuron",
                f"{_CH2}.mcculloch_pitts.lesson:McCullochPitts",
            ),
            Entry(
                "perceptron",
                "2.2",
                "The LTU and the perceptron",
                f"{_CH2}.perceptron:Perceptron",
            ),
            Entry(
                "nonlinearity",
                "2.3",
                "Why non-linearity",
                f"{_CH2}.nonlinearity:Nonlinearity",
            ),
            Entry(
                "activations",
                "2.4",
                "Activation functions",
                f"{_CH2}.activations.lesson:ActivationFunctions",
            ),
        ),
    ),
    Chapter(
        3,
        "Multi-layer perceptrons and backpropagation",
        (
            Entry("playground", "3.1", "The playground", f"{_CH3}.playground.lesson:Playground"),
            Entry(
                "backprop",
                "3.2",
                "Backpropagation, every number",
                f"{_CH3}.backprop.lesson:Backprop",
            ),
            Entry("topology", "3.3", "Tuning the topology", f"{_CH3}.topology.lesson:Topology"),
        ),
    ),
    Chapter(
        4,
        "Training in practice",
        (
            Entry(
                "loss_functions",
                "4.1",
                "Loss functions",
                f"{_CH4}.loss_functions.lesson:LossFunctions",
            ),
            Entry(
                "learning_rate",
                "4.2",
                "The learning rate",
                f"{_CH4}.learning_rate.lesson:LearningRate",
            ),
            Entry("optimizers", "4.3", "Optimizers", f"{_CH4}.optimizers.lesson:Optimizers"),
            Entry(
                "minibatches",
                "4.4",
                "Mini-batches and Samuel's loop",
                f"{_CH4}.minibatches.lesson:MiniBatches",
            ),
            Entry(
                "feature_scaling",
                "4.5",
                "Normalise your features",
                f"{_CH4}.feature_scaling.lesson:FeatureScaling",
            ),
            Entry("overfitting", "4.6", "Overfitting", f"{_CH4}.overfitting.lesson:Overfitting"),
            Entry(
                "loss_landscapes",
                "4.7",
                "Loss landscapes",
                f"{_CH4}.loss_landscapes.lesson:LossLandscapes",
            ),
            Entry(
                "memorisation",
                "4.8",
                "Memorisation vs generalisation",
                f"{_CH4}.memorisation.lesson:Memorisation",
            ),
        ),
    ),
    Chapter(
        5,
        "Real data",
        (
            Entry("mnist_mlp", "5.1", "MNIST with an MLP", f"{_CH5}.mnist_mlp.lesson:MnistMlp"),
            Entry(
                "keras_kfold",
                "5.2",
                "A Keras-style model and k-fold",
                f"{_CH5}.keras_kfold.lesson:KerasKFold",
            ),
            Entry("graphs_gpu", "5.3", "Graphs and the GPU", f"{_CH5}.graphs_gpu.lesson:GraphsGpu"),
        ),
    ),
    Chapter(
        6,
        "Convolutional networks",
        (
            Entry(
                "convolution",
                "6.1",
                "Convolution, step by step",
                f"{_CH6}.convolution.lesson:Convolution",
            ),
            Entry(
                "relu_pooling",
                "6.2",
                "ReLU and max pooling",
                f"{_CH6}.relu_pooling.lesson:ReluPooling",
            ),
            Entry("mnist_cnn", "6.3", "A CNN on MNIST", f"{_CH6}.mnist_cnn.lesson:MnistCnn"),
            Entry(
                "architectures",
                "6.4",
                "Architectures",
                f"{_CH6}.architectures.lesson:Architectures",
            ),
        ),
    ),
    Chapter(
        7,
        "Recurrent networks",
        (
            Entry(
                "recurrent_neuron",
                "7.1",
                "The recurrent neuron",
                f"{_CH7}.recurrent_neuron.lesson:RecurrentNeuron",
            ),
            Entry("topologies", "7.2", "Topologies", f"{_CH7}.topologies.lesson:Topologies"),
            Entry("bptt", "7.3", "Backpropagation through time", f"{_CH7}.bptt.lesson:Bptt"),
            Entry("lstm_gru", "7.4", "LSTM and GRU", f"{_CH7}.lstm_gru.lesson:LstmGru"),
            Entry("sequences", "7.5", "Sequences for real", f"{_CH7}.sequences.lesson:Sequences"),
        ),
    ),
    Chapter(
        8,
        "The ethics of deep learning",
        (
            Entry("error_types", "8.1", "Types of errors", f"{_CH8}.error_types.lesson:ErrorTypes"),
            Entry(
                "hidden_biases", "8.2", "Hidden biases", f"{_CH8}.hidden_biases.lesson:HiddenBiases"
            ),
            Entry(
                "human_baseline",
                "8.3",
                "Better than a human?",
                f"{_CH8}.human_baseline.lesson:HumanBaseline",
            ),
            Entry(
                "adversarial",
                "8.4",
                "Unintended applications",
                f"{_CH8}.adversarial.lesson:Adversarial",
            ),
        ),
    ),
)


def entries() -> tuple[Entry, ...]:
    """Every lesson of the course in order, without importing any."""
    return tuple(entry for chapter in CHAPTERS for entry in chapter.lessons)


def entry(lesson_id: str) -> Entry:
    """The entry with this id (or number, e.g. "1.3"); ValueError naming the known ids."""
    for candidate in entries():
        if lesson_id in (candidate.id, candidate.number):
            return candidate
    known = ", ".join(candidate.id for candidate in entries())
    raise ValueError(f"unknown lesson {lesson_id!r}; known lessons: {known}")


def find(lesson_id: str) -> type[Lesson]:
    """The lesson class with this id (or number); ValueError naming the known ids."""
    return entry(lesson_id).load()


def all_lessons() -> tuple[type[Lesson], ...]:
    """Every lesson class of the course in order (imports them all)."""
    return tuple(candidate.load() for candidate in entries())


def chapter_of(lesson_id: str) -> Chapter:
    """The chapter a lesson belongs to."""
    for chapter in CHAPTERS:
        if any(candidate.id == lesson_id for candidate in chapter.lessons):
            return chapter
    raise ValueError(f"lesson {lesson_id!r} is not in the course")
