"""Lesson 3.3: tuning the topology."""
