"""`python -m lessons.ch8_ethics.adversarial` prints the steps and figures in a terminal."""

from lessons.ch8_ethics.adversarial.lesson import Adversarial
from lessons.shared.cli import main

raise SystemExit(main(Adversarial))
