"""`python -m lessons.ch6_convnets.relu_pooling` prints the lesson's steps and figures."""

from lessons.ch6_convnets.relu_pooling.lesson import ReluPooling
from lessons.shared.cli import main

raise SystemExit(main(ReluPooling))
