"""Chapter 5: real data (MNIST with an MLP, a Keras-style model with k-fold, graphs and the GPU)."""
