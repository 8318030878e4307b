"""DeepStep assets."""
