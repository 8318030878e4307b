"""What leaves the window: presentation mode, the presenter view, PNG/PDF export, renders."""
