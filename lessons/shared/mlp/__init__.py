"""A small multi-layer perceptron on 2-D points, and its views (playground and topology)."""
