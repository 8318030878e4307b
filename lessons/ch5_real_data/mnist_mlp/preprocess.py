"""A digit drawn with the mouse, made to look like an MNIST digit (pure NumPy).

The canvas sends strokes: points (x, y) in [0, 1] (y down), one flat tuple
``x0, y0, x1, y1, ...`` in which a point with a negative coordinate lifts the pen.  They are
drawn as a thick anti-aliased pen line on a fine grid; then, as NIST's digits were made into
MNIST, the ink's bounding box is scaled (area-averaged) so its longer side is 20 pixels, put in
a 28x28 field and shifted so that the centre of mass of the ink lies at the field's centre.
"""

from __future__ import annotations

import itertools

import numpy as np

RASTER = 112  # fine grid the pen draws on
PEN = 0.04  # pen radius as a share of the canvas side
BOX = 20  # MNIST: the digit's longer side, in pixels
FIELD = 28  # MNIST: the image side


def strokes_of(flat: tuple[float, ...]) -> list[np.ndarray]:
    """The strokes in a flat tuple: arrays of (x, y) points, clipped to [0, 1]."""
    values = np.asarray(flat, dtype=np.float64)[: len(flat) // 2 * 2].reshape(-1, 2)
    strokes: list[np.ndarray] = []
    current: list[np.ndarray] = []
    for point in values:
        if point.min() < 0 or not np.isfinite(point).all():
            if current:
                strokes.append(np.array(current))
            current = []
        else:
            current.append(np.clip(point, 0.0, 1.0))
    if current:
        strokes.append(np.array(current))
    return strokes


def rasterise(flat: tuple[float, ...], size: int = RASTER, pen: float = PEN) -> np.ndarray:
    """The strokes drawn with a round pen on a ``size`` x ``size`` grid (ink 1, paper 0)."""
    image = np.zeros((size, size))
    radius = pen * size
    centres = np.arange(size) + 0.5
    for stroke in strokes_of(flat):
        pts = stroke * size
        segments = list(itertools.pairwise(pts)) if len(pts) > 1 else [(pts[0], pts[0])]
        for a, b in segments:
            lo = np.floor(np.minimum(a, b) - radius - 1).astype(int).clip(0, size)
            hi = np.ceil(np.maximum(a, b) + radius + 1).astype(int).clip(0, size)
            xs, ys = np.meshgrid(centres[lo[0] : hi[0]], centres[lo[1] : hi[1]])
            d = b - a
            length2 = float(d @ d)
            t = 0.0 if length2 == 0 else ((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / length2
            t = np.clip(t, 0.0, 1.0)
            dist = np.hypot(xs - a[0] - t * d[0], ys - a[1] - t * d[1])
            ink = np.clip(radius - dist + 0.5, 0.0, 1.0)
            window = image[lo[1] : hi[1], lo[0] : hi[0]]
            np.maximum(window, ink, out=window)
    return image


def _area(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights that average n_in pixels into n_out by their overlaps."""
    edges = np.linspace(0.0, n_in, n_out + 1)
    left, right = edges[:-1, None], edges[1:, None]
    j = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(right, j + 1) - np.maximum(left, j), 0.0, None)
    weights: np.ndarray = overlap / overlap.sum(axis=1, keepdims=True)
    return weights


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) centre of mass of the ink, in pixel-centre coordinates (0 .. n-1)."""
    total = float(image.sum())
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def shift(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """``image`` moved by whole pixels (down dy, right dx), paper filling the gap."""
    out = np.zeros_like(image)
    h, w = image.shape
    src = image[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]] = src
    return out


def to_mnist(image: np.ndarray) -> np.ndarray:
    """A drawn image (ink 1) as a 28x28 MNIST-like digit; all zeros if nothing is drawn."""
    rows = np.flatnonzero(image.max(axis=1) > 0)
    cols = np.flatnonzero(image.max(axis=0) > 0)
    field = np.zeros((FIELD, FIELD))
    if len(rows) == 0:
        return field
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = _area(h, nh) @ crop @ _area(w, nw).T
    top, left = (FIELD - nh) // 2, (FIELD - nw) // 2
    field[top : top + nh, left : left + nw] = small
    r, c = centre_of_mass(field)
    middle = (FIELD - 1) / 2
    moved: np.ndarray = np.clip(shift(field, round(middle - r), round(middle - c)), 0.0, 1.0)
    return moved


def digit_of(flat: tuple[float, ...]) -> np.ndarray:
    """The strokes as the network's 28x28 input (zeros for an empty drawing)."""
    return to_mnist(rasterise(flat))
