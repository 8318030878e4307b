"""DeepStep engine."""
