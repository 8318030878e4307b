"""Chapter 2: artificial neurons (McCulloch-Pitts, perceptron, non-linearity, activations)."""
