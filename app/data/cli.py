"""The command line's ``--data``: import a CSV file or an image folder with sensible defaults.

    deepstep --lesson playground --data my.csv [--features a,b] [--label y]
             [--missing drop|fill] [--subset] [--step 30 --screenshot out.png]
    deepstep --data my_images/            (one subfolder of PNG/JPEG images per class)

Defaults: the last column is the label, every other numeric column a feature, features are
standardised, a quarter of the rows are test rows.  The file is read and checked before Qt
starts (:func:`prepare`); a problem becomes one line on stderr and exit code 2, with the flag
that solves it where there is one.  With ``--lesson playground`` the lesson trains on the
imported table ("your data").  :func:`install` hands the set to the window (which remembers
it, like an import from the Data menu) or, for exports, returns the data sets to run with.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from engine.data.user.csvimport import DataImportError, Problem, read_csv, shorten, shown_path
from engine.data.user.images import ImageFolder, build_image_set, scan_image_folder
from engine.data.user.table import MAX_ROWS, UserTable, build_table, default_choices
from lessons.core.userdata import NO_IMPORTS, ImportedSets, UserSet

if TYPE_CHECKING:
    from app.shell.window import MainWindow

__all__ = ["DataArgError", "DataRequest", "add_arguments", "install", "prepare"]

PLAYGROUND = "playground"
USER_DATA = "your data"  # the playground's data choice that trains on the imported table
HINTS = {  # for CSV files
    Problem.MISSING: "add --missing drop or --missing fill",
    Problem.TOO_LARGE: f"add --subset to train on a random {MAX_ROWS:,} rows",
    Problem.NOT_NUMERIC: "choose numeric columns with --features NAME,NAME",
    Problem.UNKNOWN_COLUMN: "check --features and --label",
    Problem.NO_FEATURES: "choose feature columns with --features NAME,NAME",
    Problem.ONE_CLASS: "choose another label column with --label NAME",
    Problem.TOO_MANY_CLASSES: "choose another label column with --label NAME",
    Problem.OUT_OF_RANGE: "choose other columns with --features NAME,NAME and --label NAME",
}


class DataArgError(Exception):
    """A ``--data`` problem: one line for stderr."""


@dataclass(frozen=True)
class DataRequest:
    """What ``--data`` named: a checked table, or a scanned image folder to decode later."""

    entry: UserSet | None = None
    folder: ImageFolder | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--data`` option and the choices that go with it."""
    parser.add_argument(
        "--data",
        metavar="FILE.csv|FOLDER",
        help="import your own data: a CSV file (last column = label) or a folder with one "
        "subfolder of images per class",
    )
    parser.add_argument(
        "--features", metavar="A,B", help="with --data: the feature columns (default: numeric)"
    )
    parser.add_argument("--label", metavar="NAME", help="with --data: the label column")
    parser.add_argument(
        "--missing", choices=("drop", "fill"), help="with --data: drop rows with gaps or fill them"
    )
    parser.add_argument(
        "--subset",
        action="store_true",
        help=f"with --data: train on a random subset of {MAX_ROWS:,} rows of a larger file",
    )


def _fail(err: DataImportError, folder: bool = False) -> DataArgError:
    """The problem as one line; a CSV file's problem with the flag that solves it, if any."""
    hint = None if folder else HINTS.get(err.problem)
    return DataArgError(f"--data: {err}" + (f" ({hint})" if hint else ""))


def _headless(args: argparse.Namespace) -> bool:
    """Does the command line render or export (so no window can say what is wrong)?"""
    outputs = (args.screenshot, args.export_pdf, args.export_png, args.export_data)
    return any(value is not None for value in outputs)


def prepare(args: argparse.Namespace, lesson: str | None, values: dict[str, str]) -> DataRequest:
    """Read and check ``--data`` (DataArgError); the playground is set to train on it."""
    extras = args.features or args.label or args.missing or args.subset
    trains_on_it = lesson == PLAYGROUND and _headless(args)
    if args.data is None:
        if extras:
            raise DataArgError("--features, --label, --missing and --subset go with --data")
        if trains_on_it and values.get("data") == USER_DATA:
            raise DataArgError(
                f"--set data='{USER_DATA}' needs --data FILE.csv: a screenshot or an export "
                "reads no data imported in the app"
            )
        return DataRequest()
    if not args.data.strip():
        raise DataArgError("--data needs the name of a CSV file or a folder, got ''")
    path = Path(args.data).expanduser()
    try:
        exists, is_folder = path.exists(), path.is_dir()
    except OSError as err:  # e.g. a name longer than the file system allows
        raise DataArgError(f"--data: cannot use {shown_path(path)}: {err.strerror}") from None
    if not exists:
        raise DataArgError(f"--data: {shown_path(path)} does not exist")
    if is_folder:
        if extras:
            raise DataArgError("--features, --label, --missing and --subset are for CSV files")
        if trains_on_it and values.get("data") == USER_DATA:
            raise DataArgError(
                f"--data: the playground trains on a table (a CSV file), not on the images of "
                f"{shorten(path.name)}"
            )
        try:
            return DataRequest(folder=scan_image_folder(path))
        except DataImportError as err:
            raise _fail(err, folder=True) from None
    try:
        table = read_csv(path)
        choices = default_choices(table)
        if args.label:
            table.column(args.label)
            numeric = (c.name for c in table.columns if c.kind == "numeric")
            choices = replace(
                choices, label=args.label, features=tuple(n for n in numeric if n != args.label)
            )
        if args.features:  # as given: a text column or the label is reported, not dropped
            names = tuple(n.strip() for n in args.features.split(",") if n.strip())
            choices = replace(choices, features=names)
        choices = replace(choices, missing=args.missing or "ask", subset=bool(args.subset))
        built = build_table(table, choices)
    except DataImportError as err:
        raise _fail(err) from None
    from app.data.imports import csv_entry

    if lesson == PLAYGROUND:
        values.setdefault("data", USER_DATA)
        if trains_on_it and values["data"] == USER_DATA:
            _check_playground(built)
    return DataRequest(entry=csv_entry(built))


def _check_playground(table: UserTable) -> None:
    """A table the playground cannot put on its plane is refused with the reason and the fix
    (instead of a screenshot or export of the lesson's one explaining step)."""
    from lessons.ch3_mlp.playground.data import MAX_CLASSES

    names = ", ".join(shorten(n, 30) for n in table.feature_names)
    count = len(table.feature_names)
    if count != 2:
        raise DataArgError(
            f"--data: the playground puts two features on its plane; {shorten(table.name)} "
            f"gives {count} ({names}) (choose two with --features NAME,NAME)"
        )
    classes = len(table.class_names)
    if classes > MAX_CLASSES:
        raise DataArgError(
            f"--data: the playground colours up to {MAX_CLASSES} classes; the label "
            f"'{shorten(table.choices.label, 30)}' of {shorten(table.name)} has {classes} "
            "(choose another label column with --label NAME)"
        )


def read_entry(request: DataRequest | None) -> tuple[UserSet | None, str | None]:
    """The imported set a request names (None without ``--data``), and a problem or None.

    Image folders are decoded here, so Qt must be running.
    """
    if request is None or request.entry is not None or request.folder is None:
        return (None if request is None else request.entry), None
    from app.data.imagedecode import decode_folder
    from app.data.imports import images_entry

    folder = request.folder
    try:
        return images_entry(build_image_set(folder, decode_folder(folder))), None
    except DataImportError as err:
        return None, str(_fail(err, folder=True))


def install(request: DataRequest | None, window: MainWindow) -> str | None:
    """Give the set to the window (which remembers it, like the Data menu); a problem or None."""
    entry, problem = read_entry(request)
    if entry is not None:
        window.imports.adopt(entry)
    return problem


def imports_for(request: DataRequest | None) -> tuple[ImportedSets, str | None]:
    """The data sets a run without a window starts with (an export), and a problem or None."""
    entry, problem = read_entry(request)
    if entry is None:
        return NO_IMPORTS, problem
    return NO_IMPORTS.with_set(entry, playground=entry.table is not None), problem
