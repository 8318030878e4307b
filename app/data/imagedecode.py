"""Decode the learner's PNG/JPEG images with Qt and shrink them to 28 x 28 greyscale arrays.

Qt's ``QImage`` reads the formats; each image becomes 8-bit grey, is scaled (smoothly, keeping
its aspect ratio) to fit 28 x 28, and is centred on a square filled with the mean grey of the
image's border, so a wide photo is not squashed.  A file Qt cannot read gives the reason as a
string instead of an array; the engine (:mod:`engine.data.user.images`) names it and loads the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader

from engine.data.user.images import SIDE, ImageFolder

__all__ = ["decode_folder", "decode_image", "grey_array"]


def grey_array(image: QImage) -> NDArray[np.uint8]:
    """An 8-bit greyscale QImage as a (height, width) uint8 array (a copy)."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=stride * height)
    return buffer.reshape(height, stride)[:, :width].copy()


def decode_image(path: Path, side: int = SIDE) -> NDArray[np.uint8] | str:
    """The image at ``path`` as ``side`` x ``side`` grey values, or why it cannot be read."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)  # honour a JPEG's rotation flag
    image = reader.read()
    if image.isNull():
        reason = reader.errorString() or "not an image Qt can read"
        return reason[0].lower() + reason[1:] if reason else "unreadable"
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


def decode_folder(
    folder: ImageFolder, progress: Callable[[int, int], bool] | None = None
) -> dict[Path, NDArray[np.uint8] | str]:
    """Every file of ``folder`` decoded; ``progress(done, total)`` returning False stops early."""
    files = [f for group in folder.files for f in group]
    out: dict[Path, NDArray[np.uint8] | str] = {}
    for i, file in enumerate(files):
        if progress is not None and i % 50 == 0 and not progress(i, len(files)):
            break
        out[file] = decode_image(file)
    return out
