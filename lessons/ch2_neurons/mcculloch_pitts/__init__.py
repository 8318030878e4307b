"""Lesson 2.1: the McCulloch-Pitts neuron."""
