"""`python -m lessons.ch4_training.memorisation` prints the lesson's steps and figures."""

from lessons.ch4_training.memorisation.lesson import Memorisation
from lessons.shared.cli import main

raise SystemExit(main(Memorisation))
