"""Lesson 5.3: a graph of operations is built first and run later; why matrix products suit GPUs."""
