"""`python -m lessons.ch7_recurrent.recurrent_neuron` prints the lesson's steps and figures."""

from lessons.ch7_recurrent.recurrent_neuron.lesson import RecurrentNeuron
from lessons.shared.cli import main

raise SystemExit(main(RecurrentNeuron))
