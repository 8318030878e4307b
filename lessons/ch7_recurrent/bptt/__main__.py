"""`python -m lessons.ch7_recurrent.bptt` prints the lesson's steps and figures in a terminal."""

from lessons.ch7_recurrent.bptt.lesson import Bptt
from lessons.shared.cli import main

raise SystemExit(main(Bptt))
