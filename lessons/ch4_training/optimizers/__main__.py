"""`python -m lessons.ch4_training.optimizers` prints the lesson's steps and figures."""

from lessons.ch4_training.optimizers.lesson import Optimizers
from lessons.shared.cli import main

raise SystemExit(main(Optimizers))
