"""escape_markup: plain text shown literally in the lesson markup."""

from __future__ import annotations

from lessons.core.escape import escape_markup
from lessons.markup.mathtext import split_markup


def test_html_specials_become_entities_and_dollars_literal() -> None:
    """&, < and > become entities (& first, so none is escaped twice); $ becomes \\$."""
    assert escape_markup("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert escape_markup("&lt;") == "&amp;lt;"
    assert escape_markup("costs $5 or $x$") == "costs \\$5 or \\$x\\$"


def test_quotes_backslashes_and_plain_text_are_left_alone() -> None:
    """Only the markup's specials change: quotes, backslashes and letters pass through."""
    text = "'shade' holds \"text\" in C:\\data ünïcode"
    assert escape_markup(text) == text
    assert escape_markup("") == ""


def test_escaped_dollars_are_prose_not_math() -> None:
    """The markup reads an escaped text back as one piece of prose with its dollars."""
    text = "price $5, total $x$ in C:\\"
    assert split_markup(escape_markup(text)) == [text]
