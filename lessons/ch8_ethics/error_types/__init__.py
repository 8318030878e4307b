"""Lesson 8.1: types of errors (false positives, false negatives, thresholds and costs)."""
