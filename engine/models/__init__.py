"""Models: the Sequential model, saving weights, named CNN architectures, sequence models."""
