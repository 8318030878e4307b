"""Code that several lessons use: neuron models, decision planes, the MLP trainer, the CLI."""
