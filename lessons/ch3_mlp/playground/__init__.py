"""Lesson 3.1: the playground."""
