"""Saved training states of live lessons, so a long run continues where it was after a restart.

One file per lesson, ``<lesson id>.npz`` in the ``checkpoints`` folder next to the progress file:
the lesson's arrays as ``a0``, ``a1``, ... and everything else as JSON in ``meta`` (the arrays'
places marked ``{"__array__": i}``). Nothing is pickled: files are read with
``allow_pickle=False``. Written atomically (temp file, fsync, rename) like the other stores;
leftovers of an interrupted save are removed when the store opens. A file that cannot be used
is reported, removed (it is a cache: the lesson can always start again) and never loaded.

No Qt here: the window calls it, tests drive it directly.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from app.state.store import atomic_write_bytes, remove_leftovers
from lessons.core.runner import Checkpoint

log = logging.getLogger(__name__)

FORMAT = "deepstep-checkpoint"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024  # far more than any lesson's state; a bigger file is not ours
_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_TEMP = re.compile(r"^\.(.+\.npz)\..*\.tmp$")  # what atomic_write_bytes writes first


class CheckpointError(ValueError):
    """A state that cannot be saved, or a file that cannot be used."""


class CheckpointStore:
    """The saved checkpoints of live lessons, one file per lesson, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        for path in self._interrupted():
            remove_leftovers(path)

    def _interrupted(self) -> set[Path]:
        """The files whose saves left temporary files in the folder."""
        try:
            names = [p.name for p in self.folder.iterdir()] if self.folder.is_dir() else []
        except OSError:
            return set()
        return {self.folder / m.group(1) for name in names if (m := _TEMP.match(name))}

    def path(self, lesson_id: str) -> Path:
        if not _SAFE_ID.match(lesson_id) or lesson_id.startswith("."):
            raise CheckpointError(f"not a lesson id: {lesson_id!r}")
        return self.folder / f"{lesson_id}.npz"

    def save(self, checkpoint: Checkpoint) -> str | None:
        """Write the lesson's checkpoint (replacing its older one); a message if that failed."""
        try:
            data = encode(checkpoint)
            atomic_write_bytes(self.path(checkpoint.lesson), data)
        except (OSError, CheckpointError) as err:
            message = f"Could not save the training state of {checkpoint.lesson}: {err}"
            log.warning(message)
            return message
        return None

    def load(self, lesson_id: str) -> tuple[Checkpoint | None, str | None]:
        """The lesson's saved checkpoint, or None; and a message if a file could not be used."""
        try:
            path = self.path(lesson_id)
        except CheckpointError:
            return None, None
        if not path.exists():
            return None, None
        try:
            if not path.is_file():
                raise CheckpointError("it is not a file")
            if path.stat().st_size > MAX_BYTES:
                raise CheckpointError(f"it is larger than {MAX_BYTES // 2**20} MB")
            checkpoint = decode(path.read_bytes())
            if checkpoint.lesson != lesson_id:
                raise CheckpointError(f"it belongs to lesson {checkpoint.lesson!r}")
        except (OSError, CheckpointError) as err:
            message = (
                f"Could not continue {lesson_id} from its saved training state ({err}); "
                "it starts again."
            )
            log.warning(message)
            self.remove(lesson_id)
            return None, message
        return checkpoint, None

    def remove(self, lesson_id: str) -> None:
        try:
            self.path(lesson_id).unlink(missing_ok=True)
        except (OSError, CheckpointError) as err:
            log.warning("could not remove the checkpoint of %s: %s", lesson_id, err)


# ---- the file format ---------------------------------------------------------------------------


def encode(checkpoint: Checkpoint) -> bytes:
    """The .npz bytes of a checkpoint (CheckpointError for a state that is not arrays + JSON)."""
    arrays: list[np.ndarray] = []
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "lesson": checkpoint.lesson,
        "step": int(checkpoint.step),
        "seed": int(checkpoint.seed),
        "values": _plain(dict(checkpoint.values), arrays, "values"),
        "state": _plain(checkpoint.state, arrays, "state"),
    }
    try:
        text = json.dumps(meta, allow_nan=True)
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"the state cannot be written as JSON: {err}") from None
    buffer = io.BytesIO()
    named: dict[str, Any] = {f"a{i}": a for i, a in enumerate(arrays)}
    named["meta"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    np.savez_compressed(buffer, **named)
    return buffer.getvalue()


def decode(data: bytes) -> Checkpoint:
    """A checkpoint from .npz bytes (CheckpointError if they are not one)."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            files = set(archive.files)
            if "meta" not in files:
                raise CheckpointError("it has no description")
            meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise CheckpointError("it is not a DeepStep checkpoint")
            if meta.get("version") != VERSION:
                raise CheckpointError(f"it has version {meta.get('version')!r}, not {VERSION}")
            arrays = {name: archive[name] for name in files if name != "meta"}
    except CheckpointError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        raise CheckpointError(f"it cannot be read: {err}") from None
    lesson, values = meta.get("lesson"), meta.get("values")
    if not isinstance(lesson, str) or not isinstance(values, dict):
        raise CheckpointError("its description is incomplete")
    step, seed = _whole(meta.get("step")), _whole(meta.get("seed"))
    state = _restore(meta.get("state"), arrays)
    if not isinstance(state, dict):
        raise CheckpointError("its state is not a mapping")
    return Checkpoint(lesson, step, seed, _restore(values, arrays), state)


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CheckpointError("its step or seed is not a whole number")
    return value


def _plain(value: Any, arrays: list[np.ndarray], where: str) -> Any:
    """JSON-able ``value`` with its arrays moved to ``arrays`` (replaced by placeholders)."""
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            raise CheckpointError(f"{where} holds an array of Python objects")
        arrays.append(np.ascontiguousarray(value))
        return {"__array__": len(arrays) - 1}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v, arrays, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str) or key == "__array__":
                raise CheckpointError(f"{where} has the key {key!r}")
            out[key] = _plain(v, arrays, f"{where}.{key}")
        return out
    raise CheckpointError(f"{where} holds a {type(value).__name__}")


def _restore(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(value, list):
        return [_restore(v, arrays) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__array__"}:
            index = value["__array__"]
            array = arrays.get(f"a{index}") if isinstance(index, int) else None
            if array is None:
                raise CheckpointError("an array is missing")
            return array
        return {k: _restore(v, arrays) for k, v in value.items()}
    return value
