"""Saved training states and leftovers of interrupted saves.

A live lesson's checkpoint survives the file round trip exactly (no pickles), a file that
cannot be used is reported and removed, and the temporary files of a save that was killed are
cleaned up the next time the store opens (a save under way in another process is left alone).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from app.state.checkpoints import CheckpointStore, decode, encode
from app.state.progress import ProgressStore
from app.state.store import LEFTOVER_AGE_S, JsonStore, remove_leftovers
from lessons.core.runner import Checkpoint, LessonRun
from lessons.markup.exportdata import step_data
from lessons.registry import find

ROOT = Path(__file__).resolve().parents[3]


def _playground_checkpoint() -> tuple[LessonRun, Checkpoint]:
    run = LessonRun(find("playground"), {"layers": 1, "neurons": 3}, strict=True)
    run.goto(4)
    assert run.checkpoint is not None
    return run, run.checkpoint


def test_a_playground_checkpoint_survives_the_file_and_continues_exactly(tmp_path: Path) -> None:
    original, checkpoint = _playground_checkpoint()
    store = CheckpointStore(tmp_path / "checkpoints")
    assert store.save(checkpoint) is None
    again, problem = CheckpointStore(tmp_path / "checkpoints").load("playground")
    assert problem is None and again is not None
    assert (again.lesson, again.step, again.seed) == ("playground", 4, checkpoint.seed)
    resumed = LessonRun(find("playground"), {"layers": 1, "neurons": 3}, resume=again)
    assert resumed.position == 4
    for _ in range(2):
        assert json.dumps(step_data(resumed), default=str) == json.dumps(
            step_data(original), default=str
        )
        original.next()
        resumed.next()


def test_states_round_trip_arrays_and_json_values_only() -> None:
    state = {
        "w": [np.arange(6, dtype=np.float32).reshape(2, 3), None],
        "n": 3,
        "x": float("nan"),
        "nested": {"rng": {"state": 2**100, "inc": 7}, "name": "ok"},
    }
    back = decode(encode(Checkpoint("playground", 2, 3, {"rate": 0.5, "v": (1, 2)}, state)))
    assert back.state["w"][0].dtype == np.float32
    assert np.array_equal(back.state["w"][0], state["w"][0]) and back.state["w"][1] is None
    assert back.state["nested"] == state["nested"] and np.isnan(back.state["x"])
    assert back.values == {"rate": 0.5, "v": [1, 2]}
    with pytest.raises(ValueError, match="Python objects"):
        encode(Checkpoint("p", 1, 0, {}, {"bad": np.array([object()])}))
    with pytest.raises(ValueError, match="holds a set"):
        encode(Checkpoint("p", 1, 0, {}, {"bad": {1, 2}}))


def _pickled_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array([{"format": "deepstep-checkpoint"}], dtype=object))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", b"PK\x03\x04broken zip", _pickled_npz()],
    ids=["empty", "garbage", "broken-zip", "pickle"],
)
def test_a_checkpoint_file_that_cannot_be_used_is_reported_and_removed(
    tmp_path: Path, content: bytes
) -> None:
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (folder / "playground.npz").write_bytes(content)
    checkpoint, problem = CheckpointStore(folder).load("playground")
    assert checkpoint is None and problem is not None and "starts again" in problem
    assert not (folder / "playground.npz").exists()


def test_a_checkpoint_of_another_lesson_or_format_is_refused(tmp_path: Path) -> None:
    _, checkpoint = _playground_checkpoint()
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    (folder / "topology.npz").write_bytes(encode(checkpoint))
    assert CheckpointStore(folder).load("topology")[0] is None
    other = io.BytesIO()
    meta = json.dumps({"format": "something-else", "version": 1}).encode()
    np.savez(other, meta=np.frombuffer(meta, dtype=np.uint8))
    (folder / "playground.npz").write_bytes(other.getvalue())
    checkpoint_back, problem = CheckpointStore(folder).load("playground")
    assert checkpoint_back is None and problem is not None and "not a DeepStep" in problem
    assert CheckpointStore(folder).load("../settings")[0] is None


def _leftover(folder: Path, name: str, pid: int, age: float = 0.0) -> Path:
    path = folder / f".{name}.{pid}.abc123.tmp"
    path.write_text("half a file")
    if age:
        when = time.time() - age
        os.utime(path, (when, when))
    return path


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="Windows goes by age only")
def test_leftovers_of_dead_writers_are_removed_and_saves_under_way_kept(tmp_path: Path) -> None:
    dead = _leftover(tmp_path, "progress.json", _dead_pid())
    mine = _leftover(tmp_path, "progress.json", os.getpid())  # a save under way here
    stale = _leftover(tmp_path, "progress.json", os.getppid(), age=LEFTOVER_AGE_S + 60)
    other = _leftover(tmp_path, "settings.json", _dead_pid())
    removed = remove_leftovers(tmp_path / "progress.json")
    assert sorted(removed) == sorted([dead, stale])
    assert mine.exists() and other.exists()
    JsonStore(tmp_path / "settings.json")  # a store opening cleans up after its own file
    assert not other.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows goes by age only")
def test_checkpoint_leftovers_are_removed_when_the_store_opens(tmp_path: Path) -> None:
    folder = tmp_path / "checkpoints"
    folder.mkdir()
    dead = _leftover(folder, "playground.npz", _dead_pid())
    CheckpointStore(folder)
    assert not dead.exists()


@pytest.mark.slow
def test_a_save_killed_midway_loses_nothing_and_its_leftover_goes_at_the_next_start(
    tmp_path: Path,
) -> None:
    """kill -9 between writing the temp file and renaming it: the old file is whole, and the
    next start removes the temp file."""
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.visit("softmax", 3)
    store.save()
    code = (
        "import os, signal, sys; from pathlib import Path\n"
        "from app.state.progress import ProgressStore\n"
        "s = ProgressStore(Path(sys.argv[1])); s.visit('softmax', 9)\n"
        "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "s.save()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, timeout=60, check=False
    )
    assert done.returncode == -9
    assert list(tmp_path.glob(".progress.json.*.tmp"))  # what the killed save left
    again = ProgressStore(path)
    assert again.problem is None and again.last_step("softmax") == 3
    assert not list(tmp_path.glob(".progress.json.*.tmp"))
