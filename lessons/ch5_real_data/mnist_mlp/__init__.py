"""Lesson 5.1: MNIST with an MLP: train live, read the weights and mistakes, draw a digit."""
