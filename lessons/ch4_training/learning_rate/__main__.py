"""`python -m lessons.ch4_training.learning_rate` prints the lesson's steps and figures in a
terminal."""

from lessons.ch4_training.learning_rate.lesson import LearningRate
from lessons.shared.cli import main

raise SystemExit(main(LearningRate))
