"""Bring your own data: import CSV files and image folders, remember them, hand them to lessons.

:class:`DataImports` is what the Data menu, drag-and-drop onto the window and the command line
use.  A file is read and checked first, off the GUI thread with a progress dialog and Cancel
(:mod:`app.data.background`); a problem is shown in words (status bar and a message box) and
nothing changes, so the lesson in progress keeps its data.  A CSV file opens the
import dialog (:mod:`app.data.csvdialog`), a folder the image dialog (:mod:`app.data.imagedialog`).
An imported set joins :attr:`DataImports.sets` (an immutable
:class:`lessons.core.userdata.ImportedSets` snapshot that every lesson run is started with), a
table also becomes the playground's "your data", and the file's path and the choices are
remembered in the settings (never the data itself) so the set is read again at the next start; a
file that has vanished by then, or cannot be read for any reason (it became a folder, a pipe, a
device, an unreadable file), is reported and stays listed until the learner forgets it, and a
record the settings hold in a damaged form is skipped with a message: the app always starts.
Remembered image folders (and tables whose reading at the start was cancelled) wait until the
data browser first shows them, and are then read off the GUI thread too
(:meth:`DataImports.read_pending`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from app.data.background import Job
from engine.data.user.csvimport import (
    CsvTable,
    DataImportError,
    ImportCancelledError,
    Progress,
    read_csv,
)
from engine.data.user.images import ImageFolder, UserImages, build_image_set, scan_image_folder
from engine.data.user.table import CsvChoices, UserTable, build_table, default_choices, load_csv
from lessons.core.userdata import NO_IMPORTS, ImportedSets, UserSet

if TYPE_CHECKING:
    from app.shell.window import MainWindow

__all__ = ["CSV_SUFFIXES", "DataImports", "csv_entry", "images_entry"]

log = logging.getLogger(__name__)
T = TypeVar("T")
Decoded = dict[Path, NDArray[np.uint8] | str]

SETTINGS_KEY = "imported_data"
PLAYGROUND_KEY = "playground_data"
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
RESTORE_NOW_BYTES = 2 * 1024 * 1024  # larger remembered tables are read after the start
READING = "it is being read again (a large file): it is ready in a moment"
PLAYGROUND = "playground"
USER_DATA = "your data"


def csv_key(path: Path, choices: CsvChoices) -> str:
    return f"csv:{path}:{choices.label}:{'|'.join(choices.features)}"


def csv_entry(table: UserTable) -> UserSet:
    """The entry for an imported table, titled by file, features and label."""
    choices = table.choices
    title = f"{table.name}: {', '.join(choices.features)} → {choices.label}"
    return UserSet(csv_key(table.path, choices), title, table)


def images_entry(images: UserImages) -> UserSet:
    """The entry for an imported image folder."""
    return UserSet(f"images:{images.path}", f"{images.name} (images)", images)


def _record(entry: UserSet) -> dict[str, Any]:
    """What the settings remember of a set: its kind, path and choices (no data)."""
    if entry.table is not None:
        table = entry.table
        return {"kind": "csv", "path": str(table.path), "choices": table.choices.to_json()}
    if entry.images is not None:
        images = entry.images
        return {
            "kind": "images",
            "path": str(images.path),
            "test_share": images.test_share,
            "seed": images.seed,
        }
    raise ValueError(f"nothing to remember for {entry.key}")


def load_record(
    record: Any, *, images: bool = True, tables: bool = True, progress: Progress | None = None
) -> UserSet:
    """Read a remembered set again; a set that cannot be read is an entry with a problem.

    With ``images=False`` an image folder that is still there is not decoded yet: its entry
    has neither data nor a problem (see :meth:`DataImports.load_pending`).  With
    ``tables=False`` a CSV file larger than ``RESTORE_NOW_BYTES`` is not read yet: its entry's
    problem is ``READING`` (see :meth:`DataImports.restore`).  ``progress`` follows the reading
    of a table or the decoding of the images; cancelling raises ImportCancelledError.
    """
    if not isinstance(record, dict) or not isinstance(record.get("path"), str):
        raise ValueError("not a remembered data set")
    if not record["path"].strip() or "\x00" in record["path"]:
        raise ValueError(f"not a usable path: {record['path']!r}")
    path = Path(record["path"])
    kind = record.get("kind")
    if kind not in ("csv", "images"):
        raise ValueError(f"unknown kind of remembered data set {kind!r}")
    key = load_key(record)
    if not key:
        raise ValueError(f"the remembered choices for {path.name} are not well-formed")
    title = f"{path.name} (images)" if kind == "images" else path.name
    try:
        if not path.exists():
            return UserSet(key, title, None, _vanished(path))
        if kind == "csv":
            choices = CsvChoices.from_json(record.get("choices") or {})
            if not tables and path.is_file() and path.stat().st_size > RESTORE_NOW_BYTES:
                return UserSet(key, title, None, READING)
            return csv_entry(load_csv(path, choices, progress=progress))
        if not images:
            return UserSet(key, title, None)
        from app.data.imagedecode import decode_folder

        share = float(record.get("test_share", 0.25))
        seed = int(record.get("seed", 0))
        folder = scan_image_folder(path, seed=seed)
        decoded = decode_folder(folder, progress)
        built = build_image_set(folder, decoded, test_share=share, seed=seed)
        return images_entry(built)
    except ImportCancelledError:
        raise
    except (DataImportError, ValueError) as err:
        return UserSet(key, title, None, f"it cannot be read again: {err}")
    except Exception as err:  # whatever the file has become, the app still starts
        log.warning("cannot read the remembered %s again", path, exc_info=True)
        return UserSet(key, title, None, f"it cannot be read again ({type(err).__name__}: {err})")


def read_record(record: dict[str, Any]) -> Callable[[Progress], UserSet]:
    """``load_record`` of ``record`` as work for a :class:`Job` (progress, cancel)."""

    def read(progress: Progress) -> UserSet:
        return load_record(record, progress=progress)

    return read


def _vanished(path: Path) -> str:
    return f"the file {path} is no longer there (moved, renamed or deleted)"


class DataImports(QObject):
    """The window's imports: menu commands, drops, the command line and the settings."""

    changed = Signal()  # the imported sets changed (the data browser refreshes)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QDialog | None = None
        self.job: Job[Any] | None = None  # the reading started last (tests wait for it)
        self._pending: dict[str, dict[str, Any]] = {}  # image folders decoded when first shown
        self._reading: set[str] = set()  # pending sets being read now (read_pending)
        self.sets: ImportedSets = NO_IMPORTS  # what lesson runs are started with
        window.setAcceptDrops(True)
        window.installEventFilter(self)  # a CSV file or a folder dropped on the window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Accept dragged local files; import the first one dropped."""
        if not isinstance(event, QDropEvent):  # drag enter and drag move are drop events too
            return False
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if not urls:
            return False
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self.open_path(Path(urls[0].toLocalFile()))
        return True

    # ---- remembering ---------------------------------------------------------------------

    def _records(self) -> list[dict[str, Any]]:
        records = self.window.settings.get_typed(SETTINGS_KEY, list, [])
        return [r for r in records if isinstance(r, dict)]

    def restore(self) -> str | None:
        """Read every remembered table again (image folders when first shown, so a large
        folder does not hold up the start; a table over ``RESTORE_NOW_BYTES`` off the GUI
        thread once the window is up); one message for those that could not be read."""
        entries: list[UserSet] = []
        problems: list[str] = []
        raw = self.window.settings.get_typed(SETTINGS_KEY, list, [])
        damaged = sum(1 for r in raw if not isinstance(r, dict))
        self._pending.clear()
        reading: dict[str, dict[str, Any]] = {}
        for record in self._records():
            try:
                entry = load_record(record, images=False, tables=False)
            except Exception as err:  # a damaged record is skipped; the app still starts
                log.warning("ignoring a remembered data set: %s", err)
                damaged += 1
                continue
            if entry.data is None and not entry.problem:
                self._pending[entry.key] = record
            elif entry.problem == READING:
                reading[entry.key] = record
            elif entry.problem:
                problems.append(f"{entry.title}: {entry.problem}")
            entries.append(entry)
        playground = self.window.settings.get_typed(PLAYGROUND_KEY, str, "")
        self.sets = ImportedSets.of(entries, playground or None)
        self.changed.emit()
        if reading:
            QTimer.singleShot(0, self, lambda: self._read_remembered(reading))
        message = self._unavailable(problems, damaged)
        if message:
            self.window.show_message(message)
            # Once the window is up (after its "Welcome back"), in a box that stays until read.
            QTimer.singleShot(0, lambda: self.fail(message, "Imported data not available"))
        return message or None

    @staticmethod
    def _unavailable(problems: list[str], damaged: int = 0) -> str:
        parts = []
        if problems:
            parts.append(
                "Imported data not available: "
                + "; ".join(problems)
                + ". It stays listed in Data ▸ Browse data sets until you forget it there."
            )
        if damaged:
            parts.append(
                f"{damaged} remembered data set{'s' if damaged > 1 else ''} in the settings "
                "could not be understood and were skipped (import the files again)."
            )
        return " ".join(parts)

    def _read_remembered(self, records: dict[str, dict[str, Any]]) -> Job[list[UserSet]]:
        """Read large remembered tables off the GUI thread (a progress dialog that does not
        block the window); the playground takes its table as soon as it is in.  Cancelled,
        they are read when first shown in the data browser."""
        count = len(records)

        def read(progress: Progress) -> list[UserSet]:
            out = []
            for i, record in enumerate(records.values()):

                def part(done: int, total: int, i: int = i) -> bool:
                    return progress(i * 1000 + round(1000 * done / max(total, 1)), count * 1000)

                out.append(load_record(record, progress=part))
            return out

        def done(entries: list[UserSet]) -> None:
            for entry in entries:
                self.sets = self.sets.with_set(entry)
            self.changed.emit()
            problems = [f"{e.title}: {e.problem}" for e in entries if e.problem]
            if problems:
                self.fail(self._unavailable(problems), "Imported data not available")
            else:
                self.window.show_message(f"Read {', '.join(e.title for e in entries)} again.")
            playground = self.sets.playground
            frame = self.window.player.frame
            lesson = self.window.lesson
            if (
                lesson is not None
                and lesson.id == PLAYGROUND
                and playground in records
                and frame is not None
                and frame.values.get("data") == USER_DATA
            ):
                self.window.player.set_control("data", USER_DATA)  # train on it now

        def cancelled() -> None:
            for key, record in records.items():
                entry = self.sets.find(key)
                if entry is not None:
                    self.sets = self.sets.with_set(UserSet(key, entry.title, None))
                    self._pending[key] = record  # read when the data browser shows it
            self.changed.emit()
            self.window.show_message(
                "Reading the imported data again was cancelled: a set is read when you choose "
                "it in Data ▸ Browse data sets."
            )

        names = ", ".join(Path(str(r.get("path", ""))).name for r in records.values())
        label = f"Reading your imported data again: {names}…"
        job = Job(self.window, label, read, done, self._failed(names), cancelled, modal=False)
        self.job = job
        return job

    def load_pending(self, key: str) -> UserSet | None:
        """Read a remembered set that waits (an image folder, a cancelled table) now, on this
        thread (the command line, tests); its entry.  The window uses :meth:`read_pending`."""
        record = self._pending.pop(key, None)
        if record is not None:
            self.sets = self.sets.with_set(load_record(record))
            self.window.show_message(f"Read the images of {Path(record['path']).name}.")
        return self.sets.find(key)

    def waiting(self, key: str) -> bool:
        """Whether ``key`` is a remembered set not read yet, or being read."""
        return key in self._pending or key in self._reading

    def read_pending(self, key: str, parent: QWidget | None = None) -> Job[UserSet] | None:
        """Read a remembered set that waits off the GUI thread, with progress and Cancel (a
        dialog over ``parent``, by default the window): the data browser shows it this way.

        None if ``key`` does not wait (or is being read already).  Once read, the set replaces
        its entry and ``changed`` is emitted; cancelled, or its dialog closed, it waits again
        (read when next shown).
        """
        record = self._pending.pop(key, None)
        if record is None:
            return None
        self._reading.add(key)
        name = Path(str(record.get("path", ""))).name
        settled = False

        def settle(entry: UserSet | None) -> None:
            nonlocal settled
            if settled:
                return
            settled = True
            self._reading.discard(key)
            if self.sets.find(key) is None:  # forgotten meanwhile
                return
            if entry is None:
                self._pending[key] = record
            else:
                self.sets = self.sets.with_set(entry)
                self.changed.emit()

        def done(entry: UserSet) -> None:
            settle(entry)
            self.window.show_message(f"Read {entry.title}.")

        def cancelled() -> None:
            settle(None)
            self.window.show_message(
                f"Reading {name} was cancelled: it is read when you choose it again."
            )

        def failed(err: BaseException) -> None:
            settle(None)
            self._failed(name)(err)

        label = f"Reading {name}…"
        job = Job(parent or self.window, label, read_record(record), done, failed, cancelled)
        job.destroyed.connect(lambda *_: settle(None))  # its dialog went before the outcome
        self.job = job
        return job

    def _remember(self, entry: UserSet, playground: bool) -> None:
        record = _record(entry)
        records = [r for r in self._records() if load_key(r) != entry.key]
        records.append(record)
        settings = self.window.settings
        settings[SETTINGS_KEY] = records
        if playground:
            settings[PLAYGROUND_KEY] = entry.key
        problem = settings.save()
        if problem:
            self.window.show_message(problem)

    def forget(self, key: str) -> None:
        """Forget a set here and in the settings (the file itself is left alone)."""
        self.sets = self.sets.without(key)
        self._pending.pop(key, None)
        settings = self.window.settings
        settings[SETTINGS_KEY] = [r for r in self._records() if load_key(r) != key]
        if settings.get_typed(PLAYGROUND_KEY, str, "") == key:
            del settings[PLAYGROUND_KEY]
        settings.save()
        self.changed.emit()

    # ---- adopting --------------------------------------------------------------------------

    def adopt(self, entry: UserSet, *, remember: bool = True) -> None:
        """Add an imported set (a table also in the playground) and say so."""
        table = entry.table
        self.sets = self.sets.with_set(entry, playground=table is not None)
        if remember:
            self._remember(entry, playground=table is not None)
        self.changed.emit()
        if table is None:
            self.window.show_message(
                f"Imported {entry.title}: see it in Data ▸ Browse data sets (Ctrl+D). "
                "No lesson of this version trains on images yet."
            )
            return
        where = (
            "the playground trains on it as 'your data'"
            if len(table.feature_names) == 2
            else "the playground needs two features: pick two in the data browser"
        )
        self.window.show_message(
            f"Imported {table.name}: {table.rows:,} rows, {len(table.class_names)} classes; "
            f"{where}."
        )
        lesson = self.window.lesson
        if lesson is not None and lesson.id == PLAYGROUND:
            self.window.player.set_control("data", USER_DATA)

    def use_in_playground(self, key: str, features: Sequence[str] | None = None) -> None:
        """Train the playground on a table, on two of its features if ``features`` says so
        (the file is then read again, off the GUI thread)."""
        entry = self.sets.find(key)
        table = entry.table if entry is not None else None
        if entry is None or table is None:
            self.fail("That imported set is not a table the playground can use.")
            return
        if features is None or tuple(features) == table.feature_names:
            self._train_playground(entry)
            return
        choices = replace(table.choices, features=tuple(features))
        path = table.path

        def read(progress: Progress) -> UserTable:
            return load_csv(path, choices, progress=progress)

        def done(built: UserTable) -> None:
            chosen = csv_entry(built)
            self.sets = self.sets.with_set(chosen)
            self._remember(chosen, playground=True)
            self._train_playground(chosen)

        self._start(f"Reading {path.name}…", read, done, path.name)

    def _train_playground(self, entry: UserSet) -> None:
        self.sets = self.sets.using_in_playground(entry.key)
        self.window.settings[PLAYGROUND_KEY] = entry.key
        self.window.settings.save()
        self.changed.emit()
        self.window.open_lesson(PLAYGROUND, 0, {"data": USER_DATA})

    def fail(self, message: str, title: str = "Cannot import") -> None:
        """Say what went wrong; nothing else changes (the lesson keeps its data)."""
        self.window.show_message(message)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self.window)
        box.setObjectName("importProblem")
        box.open()  # window-modal but not blocking: tests and the player keep running

    # ---- interactive imports ------------------------------------------------------------------

    def ask_csv(self) -> None:
        """Data ▸ Import CSV…: choose a file, then the import dialog."""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Import a CSV file", "", "CSV files (*.csv *.tsv *.txt);;All files (*)"
        )
        if path:
            self.open_csv(Path(path))

    def ask_folder(self) -> None:
        """Data ▸ Import image folder…: one subfolder of PNG/JPEG images per class."""
        path = QFileDialog.getExistingDirectory(self.window, "Import a folder of images")
        if path:
            self.open_folder(Path(path))

    def open_path(self, path: Path) -> None:
        """A dropped file or folder: CSV files and image folders are imported, others refused."""
        if path.is_dir():
            self.open_folder(path)
        elif path.suffix.lower() in CSV_SUFFIXES:
            self.open_csv(path)
        else:
            self.fail(
                f"'{path.name}' is neither a CSV file (.csv, .tsv, .txt) nor a folder of "
                "images, so DeepStep cannot import it."
            )

    def open_csv(self, path: Path, choices: CsvChoices | None = None) -> Job[CsvTable]:
        """Read ``path`` off the GUI thread (progress, Cancel), then open the import dialog
        (non-blocking); problems are shown.  The reading job is returned."""
        from app.data.csvdialog import CsvImportDialog

        def read(progress: Progress) -> CsvTable:
            return read_csv(path, progress=progress)

        def done(table: CsvTable) -> None:
            dialog = CsvImportDialog(table, choices, self.window)
            dialog.accepted.connect(lambda: self._csv_accepted(dialog))
            self.dialog = dialog
            dialog.open()

        return self._start(f"Reading {path.name}…", read, done, path.name)

    def _csv_accepted(self, dialog: Any) -> None:
        if dialog.result_table is not None:
            self.adopt(csv_entry(dialog.result_table))

    def open_folder(self, path: Path) -> Job[tuple[ImageFolder, Decoded]]:
        """Scan and decode an image folder off the GUI thread (progress, Cancel), then open the
        image dialog (non-blocking); problems are shown.  The reading job is returned."""
        from app.data.imagedecode import decode_folder
        from app.data.imagedialog import ImageImportDialog

        def read(progress: Progress) -> tuple[ImageFolder, Decoded]:
            folder = scan_image_folder(path)
            return folder, decode_folder(folder, progress)

        def done(result: tuple[ImageFolder, Decoded]) -> None:
            folder, decoded = result
            dialog = ImageImportDialog(folder, decoded, self.window.theme, self.window)
            dialog.accepted.connect(lambda: self._images_accepted(dialog))
            self.dialog = dialog
            dialog.open()

        return self._start(f"Reading the images of {path.name}…", read, done, path.name)

    def _images_accepted(self, dialog: Any) -> None:
        if dialog.result_images is not None:
            self.adopt(images_entry(dialog.result_images))

    def _start(
        self, label: str, work: Callable[[Progress], T], done: Callable[[T], None], name: str
    ) -> Job[T]:
        """Run ``work`` off the GUI thread; ``done(result)`` on it, or say what went wrong."""
        self.window.show_message(label)

        def cancelled() -> None:
            self.window.show_message(f"Import of {name} cancelled: nothing changed.")

        job = Job(self.window, label, work, done, self._failed(name), cancelled)
        self.job = job
        return job

    def _failed(self, name: str) -> Callable[[BaseException], None]:
        def failed(err: BaseException) -> None:
            if isinstance(err, DataImportError):
                self.fail(str(err))
                return
            log.warning("importing %s failed", name, exc_info=err)
            self.fail(f"Cannot import {name}: {type(err).__name__}: {err}")

        return failed

    def import_csv_now(self, path: Path, choices: CsvChoices | None = None) -> UserSet | None:
        """Import without a dialog (command line, scripts): the defaults or ``choices``."""
        try:
            table = read_csv(path)
            built = build_table(table, choices or default_choices(table))
        except DataImportError as err:
            self.fail(str(err))
            return None
        entry = csv_entry(built)
        self.adopt(entry)
        return entry


def load_key(record: Any) -> str:
    """The key of a remembered record ('' if it is not well-formed)."""
    if not isinstance(record, dict) or not isinstance(record.get("path"), str):
        return ""
    path = Path(record["path"])
    if record.get("kind") == "images":
        return f"images:{path}"
    try:
        return csv_key(path, CsvChoices.from_json(record.get("choices") or {}))
    except (ValueError, TypeError):
        return ""
