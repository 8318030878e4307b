"""Chapter 8: the ethics of deep learning (types of errors, hidden biases, better than a human?,
unintended applications)."""
