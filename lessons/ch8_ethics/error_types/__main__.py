"""`python -m lessons.ch8_ethics.error_types` prints the lesson's steps and figures."""

from lessons.ch8_ethics.error_types.lesson import ErrorTypes
from lessons.shared.cli import main

raise SystemExit(main(ErrorTypes))
