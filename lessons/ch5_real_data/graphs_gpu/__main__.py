"""`python -m lessons.ch5_real_data.graphs_gpu` prints the lesson's steps in a terminal."""

from lessons.ch5_real_data.graphs_gpu.lesson import GraphsGpu
from lessons.shared.cli import main

raise SystemExit(main(GraphsGpu))
