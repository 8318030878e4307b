"""Settings files: atomic saves, corrupt files set aside with a message, bad values ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.state.store import JsonStore, atomic_write_text


def test_save_and_reload(tmp_path: Path) -> None:
    """What is saved comes back."""
    store = JsonStore(tmp_path / "s.json")
    store["theme"] = "dark"
    assert store.save() is None
    again = JsonStore(tmp_path / "s.json")
    assert again["theme"] == "dark" and again.problem is None


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage"])
def test_corrupt_file_is_set_aside_with_a_message(tmp_path: Path, content: bytes) -> None:
    """A corrupt file is renamed aside (kept), reported, and defaults are used."""
    path = tmp_path / "s.json"
    path.write_bytes(content)
    store = JsonStore(path)
    assert store.problem is not None and "moved to" in store.problem
    assert len(store) == 0
    aside = list(tmp_path.glob("s.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    store["a"] = 1
    assert store.save() is None
    assert json.loads(path.read_text()) == {"a": 1}


def test_interrupted_write_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure between writing the temp file and renaming it loses nothing."""
    path = tmp_path / "s.json"
    atomic_write_text(path, '{"old": true}')

    def boom(src: str, dst: str) -> None:
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_text(path, '{"new": true}')
    monkeypatch.undo()
    assert json.loads(path.read_text()) == {"old": True}
    assert not list(tmp_path.glob(".s.json.*.tmp"))


def test_values_of_the_wrong_type_fall_back_to_defaults(tmp_path: Path) -> None:
    """A hand-edited setting of the wrong type is ignored, not trusted."""
    path = tmp_path / "s.json"
    path.write_text('{"theme": 3, "speed": 2}')
    store = JsonStore(path)
    assert store.get_typed("theme", str, "light") == "light"
    assert store.get_typed("speed", float, 1.0) == 2.0


def test_save_failure_is_reported_not_raised(tmp_path: Path) -> None:
    """An unwritable location gives a message."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = JsonStore(blocker / "s.json")
    store["a"] = 1
    message = store.save()
    assert message is not None and "Could not save" in message
