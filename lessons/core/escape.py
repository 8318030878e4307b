"""Escapes plain text (names, file contents, error messages) for the lesson markup.

Lesson markup is HTML-like text with ``$...$`` math, so text shown as it is needs HTML's
``&``, ``<`` and ``>`` as entities and every ``$`` as ``\\$`` (a literal dollar, not math).
Quotes are left alone: this text goes between tags, never into an attribute.  Qt rich text
outside the lesson markup (dialog labels) needs only :func:`html.escape`.
"""

from __future__ import annotations

import html

__all__ = ["escape_markup"]


def escape_markup(text: str) -> str:
    """``text`` shown literally in lesson markup: ``a < $5 & b`` -> ``a &lt; \\$5 &amp; b``."""
    return html.escape(text, quote=False).replace("$", "\\$")
