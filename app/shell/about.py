"""The About box text: what DeepStep is, versions, and the data sets' attribution."""

from __future__ import annotations

import html
import platform

import numpy as np
import pyqtgraph
import PySide6

from app import __version__


def attribution_markdown() -> str:
    """assets/ATTRIBUTION.md, or a note that it is missing."""
    try:
        from assets import asset_path

        return asset_path("ATTRIBUTION.md").read_text(encoding="utf-8")
    except (ImportError, OSError) as err:
        return f"(The data attribution file could not be read: {err})"


def about_text() -> str:
    versions = (
        f"DeepStep {__version__} · Python {platform.python_version()} · "
        f"NumPy {np.__version__} · PySide6 {PySide6.__version__} · "
        f"pyqtgraph {pyqtgraph.__version__}"
    )
    return (
        "<h3>DeepStep</h3><p>Deep learning, step by step: every forward pass, gradient and "
        "update computed by DeepStep's own engine and shown number by number.</p>"
        f"<p>{html.escape(versions)}</p><h4>Data sets</h4>"
        f"<pre style='white-space: pre-wrap'>{html.escape(attribution_markdown())}</pre>"
    )
