"""Lesson 7.5: sequences for real: a sunspot forecast, Shakespeare by character, sentiment."""
