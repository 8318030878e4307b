"""Read a learner's file safely: regular files only, at most a given number of bytes, decoded.

A folder, a named pipe, a device or a socket is refused before it is opened (``/dev/zero`` or a
FIFO would otherwise fill memory or hang); a file is read in blocks and refused as soon as it
passes the limit, whatever size it reports; :func:`decode` turns CSV bytes into text (UTF-8,
else Latin-1) and refuses spreadsheets and UTF-16.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from engine.data.user.problems import (
    DataImportError,
    ImportCancelledError,
    Problem,
    Progress,
    shorten,
)

__all__ = ["MAX_BYTES", "decode", "read_capped", "shown_path"]

MAX_BYTES = 64 * 1024 * 1024  # no more is read, whatever size the file reports
_READ_BLOCK = 1 << 20


# -------------------------------------------------------------------------------- reading

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def shown_path(path: Path, limit: int = 120) -> str:
    """The path for a message, its start cut when it is very long."""
    text = str(path)
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def read_capped(
    path: Path,
    limit: int,
    *,
    what: str = "a CSV file",
    remedy: str = "Save a smaller sample of its rows.",
    progress: Progress | None = None,
) -> bytearray:
    """The bytes of the regular file ``path``, at most ``limit`` of them (DataImportError).

    A folder, a named pipe, a device or a socket is refused before it is opened; a file longer
    than ``limit`` bytes is refused as TOO_LARGE whatever size it reports.  ``progress(bytes
    read, size)`` returning False cancels (:class:`ImportCancelledError`).
    """
    name = shorten(path.name)
    try:
        _check_regular(path.stat().st_mode, name, what)  # before opening: no side effects
        flags = os.O_RDONLY
        for extra in ("O_NONBLOCK", "O_NOCTTY", "O_BINARY"):
            flags |= getattr(os, extra, 0)
        fd = os.open(path, flags)
    except OSError as err:
        raise DataImportError(
            Problem.UNREADABLE, f"Cannot read '{shown_path(path)}': {_reason(err)}."
        ) from None
    with open(fd, "rb", buffering=0, closefd=True) as file:
        try:
            info = os.fstat(fd)
            _check_regular(info.st_mode, name, what)  # replaced since the check
            if info.st_size > limit:
                raise _too_large(name, info.st_size, limit, what, remedy)
            data = bytearray()
            while True:
                block = file.read(min(_READ_BLOCK, limit + 1 - len(data)))
                if not block:
                    return data
                data += block
                if len(data) > limit:  # the file grew, or reported no size (/proc, a mount)
                    raise _too_large(name, len(data), limit, what, remedy, more=True)
                if progress is not None and not progress(len(data), max(info.st_size, 1)):
                    raise ImportCancelledError(f"reading {path.name} was cancelled")
        except OSError as err:
            raise DataImportError(
                Problem.UNREADABLE, f"Cannot read '{shown_path(path)}': {_reason(err)}."
            ) from None


def _check_regular(mode: int, name: str, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise DataImportError(Problem.UNREADABLE, f"'{name}' is a folder, not {what}.")
    kind = next((kind for test, kind in _KINDS if test(mode)), "not a regular file")
    raise DataImportError(
        Problem.UNREADABLE,
        f"'{name}' is {kind}, not {what}: DeepStep reads only files stored on a disk.",
    )


def _reason(err: OSError) -> str:
    reason = err.strerror or type(err).__name__
    return reason[0].lower() + reason[1:] if reason else "unknown error"


def _too_large(
    name: str, size: int, limit: int, what: str, remedy: str, more: bool = False
) -> DataImportError:
    return DataImportError(
        Problem.TOO_LARGE,
        f"'{name}' is {'more than ' if more else ''}{size / 2**20:,.0f} MB; DeepStep reads "
        f"{what.split(' ', 1)[-1]}s up to {limit // 2**20} MB. {remedy}",
        count=size,
    )


# ------------------------------------------------------------------------------- decoding


def decode(raw: bytes | bytearray, name: str) -> tuple[str, str]:
    """The text of a file and the encoding that read it; ENCODING problem for non-text."""
    if raw.startswith(b"PK\x03\x04"):
        raise DataImportError(
            Problem.ENCODING,
            f"'{name}' is a zip archive (perhaps an Excel .xlsx workbook), not CSV text. "
            "Open it in a spreadsheet and save it as 'CSV (comma-separated)'.",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise DataImportError(
            Problem.ENCODING,
            f"'{name}' is not UTF-8 or Latin-1 text: it holds zero bytes, so it is UTF-16 text "
            "or not a text file at all. Save it again as 'CSV UTF-8'.",
        )
    try:
        text = raw.decode("utf-8-sig")
        encoding = "UTF-8 with byte-order mark" if raw.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        encoding = "Latin-1 (the file is not valid UTF-8)"
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > 0.01 * min(len(text), 4096):
            raise DataImportError(
                Problem.ENCODING,
                f"'{name}' is neither UTF-8 nor Latin-1 text (it is full of control bytes): "
                "is it a CSV file at all? Save it again as 'CSV UTF-8'.",
            ) from None
    return text, encoding
