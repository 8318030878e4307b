"""Chapter 6: convolutional networks (convolution, ReLU and pooling, a CNN on MNIST,
architectures)."""
