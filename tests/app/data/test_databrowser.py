"""The data browser shows every shipped data set with content, and a missing file's remedy."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.data.browser import DataBrowser
from app.shell.theme import THEMES
from engine.data.datasets import DATASETS


@pytest.mark.parametrize("entry", [e for e in DATASETS if not e.info.optional], ids=lambda e: e.id)
def test_every_shipped_data_set_is_shown(qtbot: QtBot, entry: object) -> None:
    """Samples/rows/series appear in panels with content, and the licence is named."""
    browser = DataBrowser(THEMES["light"], dataset_id=entry.id)  # type: ignore[attr-defined]
    qtbot.addWidget(browser)
    browser.show()
    assert browser.views and all(view.has_content() for view in browser.views)
    assert "Licence" in browser.summary.text()


def test_missing_file_shows_how_to_rebuild_it(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the assets folder empty, the browser explains instead of raising."""
    monkeypatch.setenv("DEEPSTEP_ASSETS_DIR", str(tmp_path))
    browser = DataBrowser(THEMES["dark"], dataset_id="vote")
    qtbot.addWidget(browser)
    assert "not available" in browser.summary.text()
    assert "build_vote.py" in browser.summary.text()
