"""Chapter 4: training in practice (losses, learning rate, optimizers, mini-batches, scaling,
overfitting, loss landscapes, memorisation)."""
