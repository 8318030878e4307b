"""Lesson 4.6's closing check: four questions whose answers the lesson's own runs bear out.

The restored weights' validation loss equals the logged one of the best epoch, the L2 run's
weights are shorter than the plain run's, and the dropout network predicts with every neuron:
the lesson's tests check each of these on the runs.
"""

from __future__ import annotations

from lessons.core.base import MultipleChoice

QUIZ: tuple[MultipleChoice, ...] = (
    MultipleChoice(
        "diverge",
        "The training loss keeps falling while the validation loss has risen for 30 epochs. "
        "What is happening?",
        (
            "The learning rate is too small",
            "The network is learning the noise of its training points: overfitting",
            "The validation points are mislabelled",
        ),
        answer=1,
        explanations=(
            "A too small learning rate slows both losses; it does not make them part.",
            "Right: it fits its own points ever better and new points ever worse.",
            "They come from the same source as the training points.",
        ),
    ),
    MultipleChoice(
        "restore",
        "Which weights does EarlyStopping with restore_best_weights put back?",
        (
            "Those of the epoch with the lowest training loss",
            "Those of the epoch with the lowest validation loss",
            "Those of the epoch with the lowest test loss",
        ),
        answer=1,
        explanations=(
            "The training loss is lowest at the end, where the network overfits most.",
            "Right: in the lesson, the restored weights give exactly the logged validation "
            "loss of that epoch.",
            "The test set must not choose anything, or it no longer measures new data.",
        ),
    ),
    MultipleChoice(
        "shrink",
        "What did the L2 penalty do to the weights in this lesson?",
        (
            "It pulled them towards 0: a narrower histogram and a smaller ‖w‖",
            "It made them all exactly equal",
            "It spread them out: a wider histogram",
        ),
        answer=0,
        explanations=(
            "Right: each gradient gains λ·w, a pull towards 0 that is strongest on large weights.",
            "Only a very strong penalty brings them near one value: 0.",
            "That is what the plain run's weights did while it overfitted.",
        ),
    ),
    MultipleChoice(
        "inference",
        "The network was trained with dropout p = 0.5. What happens when it predicts?",
        (
            "Half of the neurons are switched off at random, as in training",
            "Every neuron is used and nothing is rescaled",
            "The outputs are multiplied by 0.5",
        ),
        answer=1,
        explanations=(
            "Dropout is a training-time device; predictions use the whole network.",
            "Right: the engine already divided the kept values by 1 − p while training.",
            "That would be needed only without the 1/(1 − p) scaling during training.",
        ),
    ),
)
