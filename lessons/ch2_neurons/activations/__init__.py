"""Lesson 2.4: activation functions."""
