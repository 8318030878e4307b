"""`python -m lessons.ch6_convnets.convolution` prints the lesson's steps and figures."""

from lessons.ch6_convnets.convolution.lesson import Convolution
from lessons.shared.cli import main

raise SystemExit(main(Convolution))
