"""Lesson 1.2: reverse-mode automatic differentiation."""
