"""Chapter 1: the mathematical prerequisites (gradient descent, autodiff, softmax)."""
