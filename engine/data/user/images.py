"""A learner's folder of images, one subfolder per class: found, checked and split (no Qt).

:func:`scan_image_folder` lists the PNG and JPEG files of each class subfolder and raises
:class:`~engine.data.user.csvimport.DataImportError` when the folder cannot be a data set (no class
subfolders, one class only, too many classes).  Decoding and resizing to 28 x 28 greyscale is
the app's job (Qt reads the image formats); it hands the small arrays to
:func:`build_image_set`, which turns them into an :class:`~engine.data.types.ImageSet`
with a seeded, stratified split.  An image that could not be read is named in the notes; the
others still load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from engine.data.types import DatasetInfo, ImageSet
from engine.data.user.csvimport import DataImportError, Problem, shorten, shown_path
from engine.data.user.table import MAX_CLASSES, split_stratified

__all__ = [
    "IMAGE_SUFFIXES",
    "MAX_IMAGES",
    "SIDE",
    "ImageFolder",
    "UserImages",
    "build_image_set",
    "scan_image_folder",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
SIDE = 28  # images are resized to SIDE x SIDE greyscale, as MNIST
MAX_IMAGES = 20_000
SHOWN_UNREADABLE = 5  # the notes name at most this many unreadable files
NESTED_LOOK = 2_000  # entries examined when looking for images in nested folders


@dataclass(frozen=True)
class ImageFolder:
    """The image files found under a folder: class names and each class's files."""

    path: Path
    classes: tuple[str, ...]
    files: tuple[tuple[Path, ...], ...]
    notes: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return sum(len(f) for f in self.files)


def _images_in(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


def _subfolders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.is_dir())


def _nested(subfolders: list[Path], top: Path) -> list[str]:
    """Folders one level below ``subfolders`` that hold images, as paths below ``top`` (a
    bounded look: at most ``NESTED_LOOK`` entries are examined)."""
    found: list[str] = []
    budget = NESTED_LOOK
    for sub in subfolders:
        try:
            for child in _subfolders(sub):
                budget -= 1
                if budget < 0:
                    return found
                if any(
                    p.suffix.lower() in IMAGE_SUFFIXES for p in islice(child.iterdir(), NESTED_LOOK)
                ):
                    found.append(child.relative_to(top).as_posix())
        except OSError:
            continue
    return found


def _listed(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(shorten(n, 40) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def scan_image_folder(path: Path | str, *, seed: int = 0) -> ImageFolder:
    """The class subfolders of ``path`` and their PNG/JPEG files (DataImportError if unfit).

    Only the subfolders directly inside ``path`` are classes; images one level deeper are
    named in the problem (choose that folder instead) or in the notes (ignored).
    """
    path = Path(path)
    name = shorten(path.name or str(path))
    try:
        is_folder = path.is_dir()
    except OSError as err:
        raise DataImportError(
            Problem.UNREADABLE, f"Cannot open '{shown_path(path)}': {err.strerror or err}."
        ) from None
    if not is_folder:
        raise DataImportError(
            Problem.UNREADABLE, f"'{shown_path(path)}' is not a folder (or cannot be opened)."
        )
    try:
        subfolders = _subfolders(path)
        loose = _images_in(path)
    except OSError as err:
        raise DataImportError(
            Problem.UNREADABLE, f"Cannot read the folder '{name}': {err.strerror or err}."
        ) from None
    classes: list[tuple[str, list[Path]]] = []
    closed: list[str] = []
    for sub in subfolders:
        try:
            classes.append((sub.name, _images_in(sub)))
        except OSError as err:
            closed.append(f"{sub.name} ({(err.strerror or str(err)).lower()})")
    notes = []
    if closed:
        notes.append(f"Could not open {len(closed)} subfolder(s): {_listed(closed)}.")
    with_images = [(n, files) for n, files in classes if files]
    nested = _nested(subfolders, path)
    if not with_images:
        if nested:
            parents = sorted({n.split("/")[0] for n in nested})
            raise DataImportError(
                Problem.NO_IMAGES,
                f"'{name}' has no images in its subfolders, but one level deeper it has: "
                f"{_listed(nested)}. Choose the folder {_listed([repr(p) for p in parents])} "
                "instead: its subfolders, one per class, hold the images directly.",
            )
        where = (
            f"its {len(loose)} images lie directly in it"
            if loose
            else "it holds no PNG or JPEG images"
        )
        raise DataImportError(
            Problem.NO_IMAGES,
            f"'{name}' has no class subfolders with images ({where}). Put the images of "
            "each class in a subfolder named after the class, e.g. cats/ and dogs/."
            + (f" {notes[0]}" if notes else ""),
        )
    classes = with_images
    if len(classes) < 2:
        raise DataImportError(
            Problem.ONE_CLASS,
            f"'{name}' has images in one subfolder only ('{shorten(classes[0][0])}'): a "
            "classifier needs at least two classes, one subfolder each."
            + (f" Images in nested folders ({_listed(nested)}) are not read." if nested else "")
            + (f" {notes[0]}" if notes else ""),
            count=1,
        )
    if len(classes) > MAX_CLASSES:
        raise DataImportError(
            Problem.TOO_MANY_CLASSES,
            f"'{name}' has {len(classes)} class subfolders; DeepStep classifies into 2 to "
            f"{MAX_CLASSES} classes.",
            count=len(classes),
        )
    if loose:
        notes.append(f"Ignored {len(loose)} images lying outside the class subfolders.")
    if nested:
        notes.append(f"Ignored the images in nested folders: {_listed(nested)}.")
    total = sum(len(files) for _, files in classes)
    if total > MAX_IMAGES:
        rng = np.random.default_rng([seed, 13])
        keep = set(rng.choice(total, MAX_IMAGES, replace=False).tolist())
        flat = iter(range(total))
        classes = [(name, [f for f in files if next(flat) in keep]) for name, files in classes]
        notes.append(f"A random subset of {MAX_IMAGES:,} of the {total:,} images (seeded).")
    return ImageFolder(
        path,
        tuple(name for name, _ in classes),
        tuple(tuple(files) for _, files in classes),
        tuple(notes),
    )


@dataclass(frozen=True, eq=False)  # holds arrays
class UserImages:
    """An imported image folder: the image set, what was done, and the unreadable files."""

    path: Path
    images: ImageSet
    notes: tuple[str, ...]
    unreadable: tuple[str, ...]
    test_share: float = 0.25
    seed: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def describe(self) -> str:
        return "\n".join((self.images.describe().split("\n")[0], *self.notes))


def build_image_set(
    folder: ImageFolder,
    decoded: Mapping[Path, NDArray[np.uint8] | str],
    *,
    test_share: float = 0.25,
    seed: int = 0,
) -> UserImages:
    """An ImageSet from the decoded ``SIDE`` x ``SIDE`` images (a str is why one failed)."""
    images: list[NDArray[np.uint8]] = []
    labels: list[int] = []
    unreadable: list[str] = []
    for label, files in enumerate(folder.files):
        for file in files:
            got = decoded.get(file, "not decoded")
            if isinstance(got, str):
                unreadable.append(f"{file.parent.name}/{file.name} ({got})")
            elif np.shape(got) != (SIDE, SIDE):
                unreadable.append(f"{file.parent.name}/{file.name} (wrong size {np.shape(got)})")
            else:
                images.append(np.asarray(got, dtype=np.uint8))
                labels.append(label)
    y = np.asarray(labels, dtype=np.int64)
    present = np.unique(y)
    if len(present) < 2:
        raise DataImportError(
            Problem.ONE_CLASS,
            f"Only {len(images)} images of '{folder.path.name}' could be read, "
            f"{'all of one class' if images else 'none at all'}: a classifier needs images of "
            "at least two classes." + (f" Unreadable: {_named(unreadable)}" if unreadable else ""),
            count=len(present),
        )
    notes = list(folder.notes)
    if unreadable:
        n = len(unreadable)
        notes.append(f"Could not read {n} image{'s' if n > 1 else ''}: {_named(unreadable)}")
    x = np.stack(images).astype(np.float32)[:, None] / np.float32(255.0)
    train, test = split_stratified(y, test_share, seed)
    notes.append(f"Resized to {SIDE} x {SIDE} greyscale, values 0 (black) to 1 (white).")
    info = DatasetInfo(
        id=f"user:{folder.path}",
        title=f"{folder.path.name} (imported images)",
        kind="images",
        filename=str(folder.path),
        rebuild="",
        source=str(folder.path),
        authors="You (imported folder, read in place, not copied)",
        licence="Your own data",
        changes="; ".join(notes),
    )
    image_set = ImageSet(x[train], y[train], x[test], y[test], folder.classes, info)
    return UserImages(folder.path, image_set, tuple(notes), tuple(unreadable), test_share, seed)


def _named(files: list[str]) -> str:
    shown = ", ".join(files[:SHOWN_UNREADABLE])
    more = len(files) - SHOWN_UNREADABLE
    return shown + (f" and {more} more" if more > 0 else "") + "."
