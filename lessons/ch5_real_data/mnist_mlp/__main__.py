"""`python -m lessons.ch5_real_data.mnist_mlp` prints the lesson's steps and figures."""

from lessons.ch5_real_data.mnist_mlp.lesson import MnistMlp
from lessons.shared.cli import main

raise SystemExit(main(MnistMlp))
