"""`python -m engine.bench`: the engine's benchmarks (see BENCHMARKS.md)."""
