"""`python -m lessons.ch8_ethics.human_baseline` prints the lesson's steps and figures."""

from lessons.ch8_ethics.human_baseline.lesson import HumanBaseline
from lessons.shared.cli import main

raise SystemExit(main(HumanBaseline))
