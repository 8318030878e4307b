"""`python -m autodiff` prints the lesson's steps and figures in a terminal."""

from lessons.ch1_prerequisites.autodiff.lesson import Autodiff
from lessons.shared.cli import main

raise SystemExit(main(Autodiff))
