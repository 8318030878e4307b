"""`python -m lessons.ch8_ethics.hidden_biases` prints the steps and figures."""

from lessons.ch8_ethics.hidden_biases.lesson import HiddenBiases
from lessons.shared.cli import main

raise SystemExit(main(HiddenBiases))
