"""Lesson 8.4: unintended applications (adversarial examples on 5.1's MNIST model, dual use)."""
