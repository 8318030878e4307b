"""`python -m lessons.ch3_mlp.topology` prints the lesson's steps and figures in a terminal."""

from lessons.ch3_mlp.topology.lesson import Topology
from lessons.shared.cli import main

raise SystemExit(main(Topology))
