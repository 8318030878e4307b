"""`python -m app.soak`: long use of the real window, every lesson in turn (see app.soak.cli)."""
