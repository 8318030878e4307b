"""`python -m app.bench`: the GUI benchmarks G1 and G2 (see BENCHMARKS.md)."""
