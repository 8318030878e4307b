"""The controls of lesson 5.1: what restarts the run, what applies from the next epoch, and
the view controls (the chosen cell, the chosen image, the drawing) that redraw the step shown.
"""

from __future__ import annotations

from lessons.ch5_real_data.mnist_mlp import views
from lessons.core.base import Effect, Slider, Vector
from lessons.core.controls import Drawing

CONTROLS = (
    Slider(
        "hidden",
        "Hidden neurons",
        8,
        128,
        default=32,
        integer=True,
        help="Neurons in the hidden layer (restarts training).",
    ),
    Slider(
        "epochs",
        "Epochs",
        1,
        30,
        default=10,
        integer=True,
        help="Passes over the training digits (restarts training).",
    ),
    Slider(
        "rate",
        "Learning rate η",
        0.0001,
        1.0,
        default=0.002,
        log=True,
        effect=Effect.LIVE,
        help="Adam's step size; applies from the next epoch.",
    ),
    Slider(
        "batch",
        "Batch size",
        16,
        512,
        default=128,
        integer=True,
        effect=Effect.LIVE,
        help="Digits per update; applies from the next epoch.",
    ),
    Vector(
        "cell",
        "Confusion cell (predicted, true)",
        default=(-1.0, -1.0),
        minimum=-1.0,
        maximum=10.0,
        labels=("predicted", "true"),
        min_length=2,
        max_length=2,
        effect=Effect.VIEW,
        help="Set by a click on the confusion matrix; −1 means the commonest mistake.",
    ),
    Slider(
        "image",
        "Image in the gallery",
        1,
        views.GALLERY,
        default=1,
        integer=True,
        effect=Effect.VIEW,
        help="Whose softmax the bars show (shown at once).",
    ),
    Drawing(
        "drawing",
        "the drawing",
        effect=Effect.VIEW,
        help="Drawn on the pad; classified at once once training is done.",
    ),
)
