"""Bring your own data in the app: import dialogs, the data browser, the command line's --data."""
