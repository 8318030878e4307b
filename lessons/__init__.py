"""DeepStep lessons."""
