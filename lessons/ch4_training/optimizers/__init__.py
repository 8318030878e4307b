"""Lesson 4.3: optimizers."""
