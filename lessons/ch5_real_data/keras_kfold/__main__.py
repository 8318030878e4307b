"""`python -m lessons.ch5_real_data.keras_kfold` prints the lesson's steps and figures."""

from lessons.ch5_real_data.keras_kfold.lesson import KerasKFold
from lessons.shared.cli import main

raise SystemExit(main(KerasKFold))
