"""`python -m gradient_descent` prints the lesson's steps and figures in a terminal."""

from lessons.ch1_prerequisites.gradient_descent.lesson import GradientDescent
from lessons.shared.cli import main

raise SystemExit(main(GradientDescent))
