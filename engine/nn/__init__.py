"""Neural-network building blocks: activations, layers, losses, optimizers, conv, pooling, RNNs."""
