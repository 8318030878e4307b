"""What the app remembers: progress and settings, stored atomically as JSON."""
