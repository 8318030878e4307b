"""`python -m mcculloch_pitts` prints the lesson's steps and figures in a terminal."""

from lessons.ch2_neurons.mcculloch_pitts.lesson import McCullochPitts
from lessons.shared.cli import main

raise SystemExit(main(McCullochPitts))
