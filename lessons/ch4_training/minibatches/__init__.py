"""Lesson 4.4: mini-batches and Samuel's loop."""
