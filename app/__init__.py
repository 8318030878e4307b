"""DeepStep app."""
