"""Lesson 4.2: the learning rate."""
