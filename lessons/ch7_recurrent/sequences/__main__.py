"""`python -m lessons.ch7_recurrent.sequences` prints the steps and figures in a terminal."""

from lessons.ch7_recurrent.sequences.lesson import Sequences
from lessons.shared.cli import main

raise SystemExit(main(Sequences))
