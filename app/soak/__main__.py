"""`python -m app.soak` runs the soak of app.soak.cli."""

from app.soak.cli import main

raise SystemExit(main())
