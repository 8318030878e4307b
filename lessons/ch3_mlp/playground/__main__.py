"""`python -m lessons.ch3_mlp.playground` prints the lesson's steps and figures in a terminal."""

from lessons.ch3_mlp.playground.lesson import Playground
from lessons.shared.cli import main

raise SystemExit(main(Playground))
