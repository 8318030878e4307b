"""Lesson 4.5: normalise your features (standardising makes the loss bowl round)."""
