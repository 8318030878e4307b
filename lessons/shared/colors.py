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
