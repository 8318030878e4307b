"""Lesson 4.7: loss landscapes."""
