"""`python -m lessons.ch4_training.minibatches` prints the lesson's steps and figures."""

from lessons.ch4_training.minibatches.lesson import MiniBatches
from lessons.shared.cli import main

raise SystemExit(main(MiniBatches))
