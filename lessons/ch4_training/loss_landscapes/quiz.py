"""Lesson 4.7's closing questions: what the slices can and cannot show."""

from __future__ import annotations

from lessons.core.base import MultipleChoice, Question

QUIZ: tuple[Question, ...] = (
    MultipleChoice(
        "filters",
        "Why are the random directions rescaled filter by filter before two networks' "
        "minima are compared?",
        (
            "So that the pictures have nicer colours",
            "The same step in weight space changes a network with small weights far more than "
            "one with large weights; scaled to each filter's own length, a distance means the "
            "same for both",
            "Because random directions would otherwise change the biases",
        ),
        answer=1,
        explanations=(
            "The colours do not depend on it; the distances do.",
            "Right: without it, the network with larger weights looks flatter for no real reason.",
            "The biases are left alone either way; that is not why the filters are scaled.",
        ),
    ),
    MultipleChoice(
        "random_plane",
        "The plane of two random directions kept only a tiny share of the training path. Why?",
        (
            "The training path was too short to show",
            "With hundreds of weights, two random directions are almost at right angles to "
            "any given direction, so almost nothing of the path lies in their plane",
            "The least-squares projection throws the path away on purpose",
        ),
        answer=1,
        explanations=(
            "The path moved the weights a long way; its projection is what is short.",
            "Right: a random plane catches on average about 2/P of a direction in P dimensions. "
            "The plane of the path's principal directions keeps almost all of it.",
            "The projection keeps as much of the path as any point of the plane can.",
        ),
    ),
    MultipleChoice(
        "depth",
        "A large-batch network's minimum comes out sharper, with a larger gap, than a "
        "small-batch one's. What should be checked before blaming the batch size?",
        (
            "Nothing: a sharper minimum always comes from the large batch",
            "Whether both went equally deep: compare the minima at the same training loss, "
            "stopping the large-batch run where it first gets as deep as the small-batch run",
            "It uses the test points to pick the better network",
        ),
        answer=1,
        explanations=(
            "The large-batch run also went much deeper on the training points; that alone can "
            "sharpen a minimum.",
            "Right: at equal depth the comparison isolates the batch size. Read the last "
            "step's verdict for what this run shows.",
            "Test points only report a result; they never choose anything.",
        ),
    ),
)
