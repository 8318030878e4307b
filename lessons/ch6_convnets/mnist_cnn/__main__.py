"""`python -m lessons.ch6_convnets.mnist_cnn` prints the steps and figures in a terminal."""

from lessons.ch6_convnets.mnist_cnn.lesson import MnistCnn
from lessons.shared.cli import main

raise SystemExit(main(MnistCnn))
