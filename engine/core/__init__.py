"""The engine's core: the array backend, Tensor with its autodiff, and the events it emits."""
