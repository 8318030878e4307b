"""Chapter 3: multi-layer perceptrons and backpropagation (playground, backprop, topology)."""
