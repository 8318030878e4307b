"""`python -m lessons.ch4_training.loss_functions` prints the lesson's steps and figures."""

from lessons.ch4_training.loss_functions.lesson import LossFunctions
from lessons.shared.cli import main

raise SystemExit(main(LossFunctions))
