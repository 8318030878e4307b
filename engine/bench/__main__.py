"""`python -m engine.bench` runs the benchmarks of engine.bench.cli."""

from engine.bench.cli import main

raise SystemExit(main())
