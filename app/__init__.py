"""DeepStep's Qt GUI: the window, the lesson player, panels and the command line."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("deepstep")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
