"""`python -m lessons.ch4_training.loss_landscapes` prints the lesson's steps and figures."""

from lessons.ch4_training.loss_landscapes.lesson import LossLandscapes
from lessons.shared.cli import main

raise SystemExit(main(LossLandscapes))
