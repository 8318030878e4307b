"""The lesson framework: Lesson, steps, controls, panels, the headless runner and user data."""
