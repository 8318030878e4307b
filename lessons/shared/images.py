"""Moving a digit image: rotate about its centre and shift, as augmentation (6.3) and data
shift (8.3) do it."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["shift_rotate"]


def shift_rotate(image: np.ndarray, dy: int, dx: int, degrees: float) -> np.ndarray:
    """``image`` (28, 28) rotated by ``degrees`` about its centre (bilinear), then shifted by
    (dy, dx) pixels; what moves out is lost and what comes in is black.  Same shape.  A stack
    (..., 28, 28) is moved image by image the same way, in one pass."""
    h, w = image.shape[-2:]
    theta = math.radians(degrees)
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    rows, cols = np.mgrid[0:h, 0:w].astype(np.float64)
    ry, rx = rows - dy - cy, cols - dx - cx  # undo the shift, then the rotation
    sy = math.cos(theta) * ry - math.sin(theta) * rx + cy
    sx = math.sin(theta) * ry + math.cos(theta) * rx + cx
    y0, x0 = np.floor(sy).astype(int), np.floor(sx).astype(int)
    fy, fx = sy - y0, sx - x0
    padded = np.pad(image.astype(np.float64), [(0, 0)] * (image.ndim - 2) + [(1, 1), (1, 1)])

    def at(yy: np.ndarray, xx: np.ndarray) -> np.ndarray:
        inside = (yy >= -1) & (yy <= h) & (xx >= -1) & (xx <= w)
        vals = padded[..., np.clip(yy + 1, 0, h + 1), np.clip(xx + 1, 0, w + 1)]
        return np.where(inside, vals, 0.0)

    out = (
        at(y0, x0) * (1 - fy) * (1 - fx)
        + at(y0, x0 + 1) * (1 - fy) * fx
        + at(y0 + 1, x0) * fy * (1 - fx)
        + at(y0 + 1, x0 + 1) * fy * fx
    )
    result: np.ndarray = out.astype(image.dtype)
    return result
