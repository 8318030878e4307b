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
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from engine.data.types import DatasetInfo, ImageSet
from engine.data.user.csvimport import DataImportError, Problem
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
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )


def scan_image_folder(path: Path | str, *, seed: int = 0) -> ImageFolder:
    """The class subfolders of ``path`` and their PNG/JPEG files (DataImportError if unfit)."""
    path = Path(path)
    if not path.is_dir():
        raise DataImportError(
            Problem.UNREADABLE, f"'{path}' is not a folder (or cannot be opened)."
        )
    try:
        subfolders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        classes = [(p.name, _images_in(p)) for p in subfolders]
        loose = _images_in(path)
    except OSError as err:
        raise DataImportError(
            Problem.UNREADABLE, f"Cannot read the folder '{path}': {err.strerror or err}."
        ) from None
    classes = [(name, files) for name, files in classes if files]
    if not classes:
        where = (
            f"its {len(loose)} images lie directly in it"
            if loose
            else "it holds no PNG or JPEG images"
        )
        raise DataImportError(
            Problem.NO_IMAGES,
            f"'{path.name}' has no class subfolders with images ({where}). Put the images of "
            "each class in a subfolder named after the class, e.g. cats/ and dogs/.",
        )
    if len(classes) < 2:
        raise DataImportError(
            Problem.ONE_CLASS,
            f"'{path.name}' has images in one subfolder only ('{classes[0][0]}'): a classifier "
            "needs at least two classes, one subfolder each.",
            count=1,
        )
    if len(classes) > MAX_CLASSES:
        raise DataImportError(
            Problem.TOO_MANY_CLASSES,
            f"'{path.name}' has {len(classes)} class subfolders; DeepStep classifies into 2 to "
            f"{MAX_CLASSES} classes.",
            count=len(classes),
        )
    notes = []
    if loose:
        notes.append(f"Ignored {len(loose)} images lying outside the class subfolders.")
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
