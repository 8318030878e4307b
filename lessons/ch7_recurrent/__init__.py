"""Chapter 7: recurrent networks (the recurrent neuron, topologies, backpropagation through time,
LSTM and GRU, sequences for real)."""
