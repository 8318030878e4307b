"""Decode the learner's PNG/JPEG images with Qt and shrink them to 28 x 28 greyscale arrays.

Qt's ``QImage`` reads the formats; each image becomes 8-bit grey, is scaled (smoothly, keeping
its aspect ratio) to fit 28 x 28, and is centred on a square filled with the mean grey of the
image's border, so a wide photo is not squashed.  A file Qt cannot read gives the reason as a
string instead of an array; the engine (:mod:`engine.data.user.images`) names it and loads the rest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImage, QImageReader

from engine.data.user.csvimport import (
    DataImportError,
    ImportCancelledError,
    Progress,
    read_capped,
    shorten,
    shown_path,
)
from engine.data.user.images import SIDE, ImageFolder

__all__ = ["MAX_IMAGE_BYTES", "MAX_PIXELS", "decode_folder", "decode_image", "grey_array"]

MAX_IMAGE_BYTES = 64 * 1024 * 1024  # a larger file is not read (named as unreadable)
MAX_PIXELS = 50_000_000  # a larger picture is not decoded (a photo has about 12 million)


def grey_array(image: QImage) -> NDArray[np.uint8]:
    """An 8-bit greyscale QImage as a (height, width) uint8 array (a copy)."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()


def decode_image(path: Path, side: int = SIDE) -> NDArray[np.uint8] | str:
    """The image at ``path`` as ``side`` x ``side`` grey values, or why it cannot be read.

    The file is read here (a regular file of at most ``MAX_IMAGE_BYTES``), so a file that
    cannot be opened says why (e.g. permission denied) instead of Qt's "file not found".
    """
    try:
        raw = read_capped(path, MAX_IMAGE_BYTES, what="an image", remedy="Save it smaller.")
    except DataImportError as err:
        return _reason(err, path)
    if not raw:
        return "the file is empty"
    data = QByteArray(bytes(raw))
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)  # honour a JPEG's rotation flag
    size = reader.size()
    if size.isValid() and size.width() * size.height() > MAX_PIXELS:
        buffer.close()
        return f"too large to decode ({size.width():,} x {size.height():,} pixels)"
    image = reader.read()
    buffer.close()
    if image.isNull():
        reason = reader.errorString() or "not an image Qt can read"
        if reader.error() == QImageReader.ImageReaderError.UnsupportedFormatError:
            reason = "not a PNG or JPEG image"
        return reason[0].lower() + reason[1:]
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    small = grey.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    pixels = grey_array(small)
    full = grey_array(grey)
    border = np.concatenate([full[0], full[-1], full[:, 0], full[:, -1]])
    canvas = np.full((side, side), round(float(border.mean())), dtype=np.uint8)
    h, w = pixels.shape
    top, left = (side - h) // 2, (side - w) // 2
    canvas[top : top + h, left : left + w] = pixels
    return canvas


def _reason(err: DataImportError, path: Path) -> str:
    """A reading problem without the file's name (the notes name the file already)."""
    text = str(err).replace(f"Cannot read '{shown_path(path)}': ", "").rstrip(".")
    return text.replace(f"'{shorten(path.name)}' is ", "it is ")


def decode_folder(
    folder: ImageFolder, progress: Progress | None = None
) -> dict[Path, NDArray[np.uint8] | str]:
    """Every file of ``folder`` decoded; ``progress(done, total)`` returning False cancels
    (:class:`~engine.data.user.csvimport.ImportCancelledError`)."""
    files = [f for group in folder.files for f in group]
    out: dict[Path, NDArray[np.uint8] | str] = {}
    for i, file in enumerate(files):
        if progress is not None and i % 10 == 0 and not progress(i, len(files)):
            raise ImportCancelledError(f"decoding the images of {folder.path.name} was cancelled")
        out[file] = decode_image(file)
    return out
