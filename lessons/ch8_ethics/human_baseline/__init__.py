"""Lesson 8.3: is it really better than a human? An accuracy with its interval, a human figure
and what it was measured on, you against the model on the same digits, a data shift, wording."""
