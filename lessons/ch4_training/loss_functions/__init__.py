"""Lesson 4.1: loss functions (MSE, MAE, binary and categorical cross-entropy) per example."""
