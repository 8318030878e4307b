"""`python -m lessons.ch1_prerequisites.softmax` prints the lesson's steps and figures."""

from lessons.ch1_prerequisites.softmax.lesson import Softmax
from lessons.shared.cli import main

raise SystemExit(main(Softmax))
