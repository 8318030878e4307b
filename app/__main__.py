"""``python -m app`` starts DeepStep, like the ``deepstep`` command."""

from app.main import main

raise SystemExit(main())
