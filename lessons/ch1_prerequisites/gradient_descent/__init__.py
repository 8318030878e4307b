"""Lesson 1.1: gradient descent."""
