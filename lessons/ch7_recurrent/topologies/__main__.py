"""`python -m lessons.ch7_recurrent.topologies` prints the lesson's steps and figures."""

from lessons.ch7_recurrent.topologies.lesson import Topologies
from lessons.shared.cli import main

raise SystemExit(main(Topologies))
