"""`python -m lessons.ch4_training.feature_scaling` prints the lesson's steps and figures."""

from lessons.ch4_training.feature_scaling.lesson import FeatureScaling
from lessons.shared.cli import main

raise SystemExit(main(FeatureScaling))
