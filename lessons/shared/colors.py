"""The course's colour meanings (indices into the app's 8-colour, colour-blind-safe palette).

One meaning per colour course-wide: chapter 1 drew plain gradient descent orange (1) and
descent with momentum green (2); chapter 4 keeps those and gives each other optimizer its own
colour; yellow is the comparison a lesson sets beside its main run.  Line style, not colour,
says training (solid) or validation/test (dashed); reference lines are dotted.
"""

from __future__ import annotations

SGD = 1  # orange: plain (stochastic) gradient descent, as in lesson 1.1
MOMENTUM = 2  # bluish green: momentum, as in lesson 1.1
NESTEROV = 5  # sky blue
RMSPROP = 4  # reddish purple
ADAM = 3  # vermillion
MODEL = 0  # blue: the model's prediction / fitted curve
DATA = 6  # black: data points and targets
COMPARISON = 7  # yellow: what a lesson holds its main run against: full-batch GD (4.4), the
#                 same net on shuffled labels (4.8), theory's rate (4.3), your own rate (4.2)

OPTIMIZER_COLORS: dict[str, int] = {
    "sgd": SGD,
    "momentum": MOMENTUM,
    "nesterov": NESTEROV,
    "rmsprop": RMSPROP,
    "adam": ADAM,
}

# Chapter 7 compares cell types (no optimizer is compared there, so sky blue is free):
# the gated cells are the models, the plain cell is what they are held against.
LSTM = MODEL  # blue
GRU = NESTEROV  # sky blue
SIMPLE_RNN = COMPARISON  # yellow
BASELINE = COMPARISON  # yellow: a naive forecast or rule a model must beat (7.5, 8.3)

# Chapter 8 compares groups of people; two colours that carry no other meaning there.
GROUP_A = MOMENTUM  # bluish green
GROUP_B = RMSPROP  # reddish purple

CELL_COLORS: dict[str, int] = {"SimpleRNN": SIMPLE_RNN, "LSTM": LSTM, "GRU": GRU}
