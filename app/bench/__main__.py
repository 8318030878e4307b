"""`python -m app.bench` runs the benchmarks of app.bench.cli."""

from app.bench.cli import main

raise SystemExit(main())
