"""Lesson 4.8: memorisation vs generalisation (the same network on true and shuffled labels)."""
