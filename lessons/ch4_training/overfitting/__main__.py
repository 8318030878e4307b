"""`python -m lessons.ch4_training.overfitting` prints the lesson's steps and figures."""

from lessons.ch4_training.overfitting.lesson import Overfitting
from lessons.shared.cli import main

raise SystemExit(main(Overfitting))
