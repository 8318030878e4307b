"""Lesson 1.3: softmax turns class scores into probabilities."""
