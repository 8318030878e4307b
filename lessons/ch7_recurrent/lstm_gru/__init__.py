"""Lesson 7.4: LSTM and GRU: gates, cell state and a long-range task a plain RNN fails."""
