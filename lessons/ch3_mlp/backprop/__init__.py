"""Lesson 3.2: backpropagation with every number."""
