"""The image grid panel: many small images (samples, filters, feature maps) with captions.

All images share one colour scale (so they can be compared) and are converted to QImages in
one vectorised lookup; a single canvas widget paints them, which stays fast for 64 images.
The tooltip is worked out again only when the mouse reaches another pixel.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from app.panels.base import PanelView
from app.panels.chart import format_number, levels_for
from app.shell.theme import Theme
from lessons.core.base import ImageGrid, ImageGridData, Panel

__all__ = ["ImageGridView"]


def _to_rgb(images: np.ndarray, lut: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """(n, h, w) values -> (n, h, w, 3) uint8 through a 256-entry colour table."""
    lo, hi = levels
    scaled = (np.nan_to_num(images, nan=lo) - lo) / (hi - lo) * 255.0
    rgb: np.ndarray = lut[np.clip(scaled, 0, 255).astype(np.uint8)]
    return rgb


class _GridCanvas(QWidget):
    """Paints the images in a grid, captions underneath, highlighted ones framed."""

    def __init__(self, view: ImageGridView) -> None:
        super().__init__(view)
        self._view = view
        self.images: list[QImage] = []
        self.captions: tuple[str, ...] = ()
        self.highlight: frozenset[int] = frozenset()
        self.captions_shown = False
        self.hovered: tuple[int, int, int] | None = None  # the pixel the tooltip is about
        self.setMouseTracking(True)

    def frame_width(self) -> float:
        """Width of the accent frame around highlighted images."""
        return max(2.0, self._view.theme.line_width + 1)

    def caption_height(self) -> int:
        """Room under each image for its caption, clear of the highlight frame."""
        metrics = QFontMetrics(self._view.theme.font("small"))
        return metrics.height() + round(self.frame_width())

    def layout_cells(self) -> list[QRectF]:
        """Where each image is drawn (captions go right under it)."""
        n = len(self.images)
        if n == 0:
            return []
        theme = self._view.theme
        cols = max(1, min(self._view.columns, n))
        rows = math.ceil(n / cols)
        gap = 4.0 + 2.0 * theme.font_scale
        margin = self.frame_width() + 1  # room for the highlight frame
        width, height = self.width() - 2 * margin, self.height() - 2 * margin
        cell_w = (width - gap * (cols - 1)) / cols
        cell_h = (height - gap * (rows - 1)) / rows
        h, w = self.images[0].height(), self.images[0].width()
        caption_h = self.caption_height() if any(self.captions) else 0
        if min(cell_w / w, (cell_h - caption_h) / h) * h < 2 * caption_h:
            caption_h = 0  # captions would crush the images: leave them to the tooltip
        self.captions_shown = caption_h > 0
        scale = max(0.1, min(cell_w / w, (cell_h - caption_h) / h))
        img_w, img_h = w * scale, h * scale
        block_w = cols * cell_w + gap * (cols - 1)
        block_h = rows * (img_h + caption_h) + gap * (rows - 1)
        x0 = margin + (width - block_w) / 2
        y0 = margin + max(0.0, (height - block_h) / 2)
        rects = []
        for i in range(n):
            r, c = divmod(i, cols)
            x = x0 + c * (cell_w + gap) + (cell_w - img_w) / 2
            y = y0 + r * (img_h + caption_h + gap)
            rects.append(QRectF(x, y, img_w, img_h))
        return rects

    def paintEvent(self, event: QPaintEvent) -> None:
        theme = self._view.theme
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.background))
        font = theme.font("small")
        painter.setFont(font)
        metrics = QFontMetrics(font)
        frame = QPen(QColor(theme.accent), self.frame_width())
        for i, rect in enumerate(self.layout_cells()):
            painter.drawImage(rect, self.images[i])
            if i in self.highlight:
                painter.setPen(frame)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                pad = frame.widthF() / 2 + 1
                painter.drawRect(rect.adjusted(-pad, -pad, pad, pad))
            if self.captions_shown and i < len(self.captions) and self.captions[i]:
                painter.setPen(QColor(theme.foreground if i in self.highlight else theme.muted))
                text_rect = QRect(
                    round(rect.x() - 4),
                    round(rect.bottom() + frame.widthF() + 1),
                    round(rect.width() + 8),
                    metrics.height(),
                )
                text = metrics.elidedText(
                    self.captions[i], Qt.TextElideMode.ElideRight, text_rect.width()
                )
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, text)
        painter.end()

    def index_at(self, x: float, y: float) -> tuple[int, int, int] | None:
        """(image index, row, col) of the pixel under widget point (x, y), or None."""
        for i, rect in enumerate(self.layout_cells()):
            if rect.contains(x, y):
                image = self.images[i]
                col = int((x - rect.x()) / rect.width() * image.width())
                row = int((y - rect.y()) / rect.height() * image.height())
                return i, min(row, image.height() - 1), min(col, image.width() - 1)
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Show the tooltip of the pixel under the mouse, once per pixel reached."""
        pos = event.position()
        hit = self.index_at(pos.x(), pos.y())
        if hit != self.hovered:
            self.hovered = hit
            text = self._view.hover_text_for(hit)
            if text:
                QToolTip.showText(event.globalPosition().toPoint(), text, self)
            else:
                QToolTip.hideText()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.hovered = None  # coming back to the same pixel shows its tooltip again
        super().leaveEvent(event)


class ImageGridView(PanelView):
    """Shows :class:`~lessons.core.base.ImageGridData` for an `ImageGrid` spec."""

    accepts = (ImageGridData,)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, ImageGrid):
            raise ValueError(f"ImageGridView needs an ImageGrid spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        theme.colormap(spec.colormap)  # unknown names fail here, not at the first step
        self.columns = max(1, spec.columns)
        self.canvas = _GridCanvas(self)
        self.canvas.setAccessibleName(spec.title or spec.id)
        self._values = np.zeros((0, 0, 0))
        self._set_content(self.canvas)

    def _show(self, data: ImageGridData) -> None:
        images = np.array(data.images, dtype=np.float64)
        rgb_input = images.ndim == 4 and images.shape[-1] in (3, 4)
        if images.ndim != 3 and not rgb_input:
            raise ValueError(
                f"panel {self.spec.id!r}: an image grid needs (n, h, w) or (n, h, w, 3) "
                f"images, got shape {images.shape}"
            )
        images[~np.isfinite(images)] = np.nan
        if rgb_input:
            top = float(images[np.isfinite(images)].max(initial=0.0))
            lo, hi = levels_for(images, False, data.levels or (0.0, 255.0 if top > 1 else 1.0))
            rgb = np.clip((np.nan_to_num(images[..., :3], nan=lo) - lo) / (hi - lo), 0, 1)
            rgb = (rgb * 255).astype(np.uint8)
        else:
            diverging = self._spec.colormap == "diverging"
            levels = levels_for(images, diverging, data.levels)
            lut = self.theme.colormap(self._spec.colormap).getLookupTable(nPts=256, alpha=False)
            rgb = _to_rgb(images, lut, levels)
        rgb = np.ascontiguousarray(rgb)
        n, h, w = rgb.shape[:3]
        self.canvas.images = [
            QImage(rgb[i].data, w, h, 3 * w, QImage.Format.Format_RGB888).copy() for i in range(n)
        ]
        self.canvas.captions = tuple(data.captions)
        self.canvas.highlight = frozenset(data.highlight)
        self.canvas.hovered = None  # new values: the next move shows them
        self._values = images
        self.canvas.update()

    def hover_text_at(self, x: float, y: float) -> str:
        """What the tooltip says over canvas point (x, y): caption, pixel and value."""
        return self.hover_text_for(self.canvas.index_at(x, y))

    def hover_text_for(self, hit: tuple[int, int, int] | None) -> str:
        """The tooltip for (image index, row, col), or "" for None."""
        if hit is None:
            return ""
        i, row, col = hit
        caption = self.canvas.captions[i] if i < len(self.canvas.captions) else ""
        value: Any = self._values[i, row, col]
        shown = (
            ", ".join(format_number(float(v)) for v in value[:3])
            if np.ndim(value)
            else format_number(float(value))
        )
        head = f"#{i}  {caption}" if caption else f"#{i}"
        return f"{head}\nrow {row}, col {col}: {shown}"

    def _restyle(self) -> None:
        self.canvas.update()

    def _clear(self) -> None:
        self.canvas.images, self.canvas.captions = [], ()
        self.canvas.highlight = frozenset()
        self.canvas.hovered = None
        self._values = np.zeros((0, 0, 0))
        self.canvas.update()

    def _is_empty(self, data: ImageGridData) -> bool:
        return np.shape(data.images)[0] == 0 if np.ndim(data.images) else True
