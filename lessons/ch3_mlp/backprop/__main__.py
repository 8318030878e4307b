"""`python -m lessons.ch3_mlp.backprop` prints the lesson's steps and figures in a terminal."""

from lessons.ch3_mlp.backprop.lesson import Backprop
from lessons.shared.cli import main

raise SystemExit(main(Backprop))
