"""The window and what it composes: navigator, stage, narrative, step bar, player, menus, theme."""
