"""`python -m lessons.ch6_convnets.architectures` prints the lesson's steps and figures."""

from lessons.ch6_convnets.architectures.lesson import Architectures
from lessons.shared.cli import main

raise SystemExit(main(Architectures))
