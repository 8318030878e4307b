"""Lesson 7.3: backpropagation through time."""
