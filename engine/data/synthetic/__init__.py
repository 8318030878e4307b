"""Seeded synthetic data: point sets, curves, sequences, loss surfaces and a biased hiring set."""
