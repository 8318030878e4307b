"""`python -m lessons.ch7_recurrent.lstm_gru` prints the lesson's steps and figures."""

from lessons.ch7_recurrent.lstm_gru.lesson import LstmGru
from lessons.shared.cli import main

raise SystemExit(main(LstmGru))
