"""`python -m activations` prints the lesson's steps and figures in a terminal."""

from lessons.ch2_neurons.activations.lesson import ActivationFunctions
from lessons.shared.cli import main

raise SystemExit(main(ActivationFunctions))
