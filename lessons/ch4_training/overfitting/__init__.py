"""Lesson 4.6: overfitting, and three cures: early stopping, an L2 penalty and dropout."""
