"""Small JSON files in the user's folders, written atomically and never lost to corruption.

:class:`JsonStore` backs the settings (window size, theme, last lesson) and the study progress.
Writes go to a temporary file that is fsynced and then renamed over the old file, so a crash
mid-save leaves the previous version intact; the temporary file such a crash leaves behind
(``.name.<pid>.<random>.tmp``) is removed the next time a store of that file opens.  A file that
cannot be read or parsed is renamed aside (``name.corrupt-YYYYmmdd-HHMMSS``) and reported
through :attr:`JsonStore.problem`; it is never silently overwritten.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "deepstep"


def config_dir() -> Path:
    """Where settings live: ``$DEEPSTEP_CONFIG_DIR`` or the platform's user config folder."""
    override = os.environ.get("DEEPSTEP_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """Where study progress lives: ``$DEEPSTEP_DATA_DIR`` or the user data folder."""
    override = os.environ.get("DEEPSTEP_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


LEFTOVER_AGE_S = 600  # a temp file this old is left over even if its writer's pid is in use


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via temp file + fsync + rename (old content kept on failure)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via temp file + fsync + rename (old content kept on failure).

    The temporary file is named ``.<name>.<pid>.<random>.tmp`` in the same folder, so a later
    process can tell a leftover of a crashed save from a save under way (see
    :func:`remove_leftovers`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable where the platform allows it
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` may still be running (and so still be writing its file)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # no harmless probe there (signal 0 is CTRL_C_EVENT): by age
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, as another user's process
        return True
    return True


def remove_leftovers(path: Path) -> list[Path]:
    """Delete the temporary files that interrupted saves of ``path`` left; those deleted.

    A temp file is a leftover when the process that wrote it is gone, or (where that cannot be
    told, or the pid is in use again) when it is older than LEFTOVER_AGE_S.  A save under way
    in another process is left alone.  Problems are logged, never raised.
    """
    removed: list[Path] = []
    prefix = f".{path.name}."
    try:
        candidates = [
            p
            for p in path.parent.iterdir()
            if p.name.startswith(prefix) and p.name.endswith(".tmp")
        ]
    except OSError:
        return removed
    now = time.time()
    for candidate in candidates:
        middle = candidate.name[len(prefix) :].split(".", 1)[0]
        try:
            if not candidate.is_file() or candidate.is_symlink():
                continue
            old = now - candidate.stat().st_mtime > LEFTOVER_AGE_S
            if not old and middle.isdigit() and _alive(int(middle)):
                continue
            if not old and not middle.isdigit() and now - candidate.stat().st_mtime < 60:
                continue  # an older version's name, without a pid: wait a minute
            candidate.unlink()
        except OSError as err:
            log.warning("could not remove the leftover %s: %s", candidate, err)
            continue
        removed.append(candidate)
    if removed:
        log.info("removed %d leftover temporary file(s) of %s", len(removed), path.name)
    return removed


class JsonStore(MutableMapping[str, Any]):
    """A dict persisted as one JSON object; ``save()`` writes it atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problem: str | None = None
        self._data: dict[str, Any] = {}
        remove_leftovers(path)
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            raw = self.path.read_text(encoding="utf-8")
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("the file does not hold a JSON object")
        except (OSError, UnicodeDecodeError, ValueError) as err:
            self.set_aside(str(err))
            return
        self._data = data

    def set_aside(self, reason: str) -> str:
        """Move the file aside (it is kept, never overwritten), start empty, return the message.

        Used when the file cannot be read, and by owners of a store whose content turns out to
        be unusable (e.g. the progress file holds the wrong kinds of values).
        """
        name = self.path.name
        aside = self.path.with_name(f"{name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        try:
            os.replace(self.path, aside)
            where = f"it was moved to {aside}"
        except OSError as move_err:
            where = f"it could not be moved aside ({move_err}); it will not be overwritten"
            self.path = self.path.with_name(name + ".new")
        self._data = {}
        self.problem = f"Could not read {name} ({reason}); {where}. Using defaults."
        log.warning(self.problem)
        return self.problem

    def save(self) -> str | None:
        """Write the file; return an error message instead of raising if the disk refuses."""
        try:
            atomic_write_text(self.path, json.dumps(self._data, indent=2, sort_keys=True))
        except (OSError, TypeError, ValueError) as err:
            message = f"Could not save {self.path}: {err}"
            log.warning(message)
            return message
        return None

    def get_typed(self, key: str, kind: type, default: Any) -> Any:
        """The value under ``key`` if it has type ``kind``, else ``default`` (bad edits survive)."""
        value = self._data.get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        return value if isinstance(value, kind) else default

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def settings_store() -> JsonStore:
    """The app's settings file."""
    return JsonStore(config_dir() / "settings.json")
