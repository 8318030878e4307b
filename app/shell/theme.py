"""Colour themes (light, dark, high contrast) and how they are applied to Qt and pyqtgraph.

A :class:`Theme` is a frozen bundle of colours (hex strings), a colour-blind-safe palette for
series, a sequential and a diverging colour scale, and a font scale plus line width for
presentation mode.  Panels read it directly; :func:`apply_to_application` turns it into a
``QPalette`` and a small style sheet (with visible keyboard focus rings on every control).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

__all__ = [
    "THEMES",
    "FontRole",
    "Theme",
    "apply_to_application",
    "contrast_ratio",
    "stylesheet",
]

FontRole = Literal["body", "title", "label", "tick", "caption", "small"]

# Pixel sizes at font_scale 1.0: readable from the back of a lecture room at 1280x720.
_FONT_PX: dict[str, int] = {
    "body": 15,
    "title": 16,
    "label": 14,
    "tick": 13,
    "caption": 14,
    "small": 13,
}

# Viridis (perceptually uniform, colour-blind safe), sampled at nine stops.
_VIRIDIS = (
    "#440154",
    "#472d7b",
    "#3b528b",
    "#2c728e",
    "#21918c",
    "#28ae80",
    "#5ec962",
    "#addc30",
    "#fde725",
)
_GRAY = ("#000000", "#ffffff")


@dataclass(frozen=True)
class Theme:
    """Everything a view needs to draw itself: colours, palette, colour scales, sizes.

    ``palette`` holds eight colour-blind-safe series colours, used as ``palette[i % 8]``.
    ``sequential`` and ``diverging`` are colour stops from low to high; the diverging scale
    has an odd number of stops and its middle stop is zero (white on light themes, near the
    background on dark ones).  ``font_scale`` multiplies every font size; ``line_width`` is
    the width of plotted lines in pixels.
    """

    name: str
    dark: bool
    window: str  # behind the panels (stage, side bars)
    background: str  # panel and plot background
    foreground: str  # text, axes
    muted: str  # secondary text: captions, tick marks, disabled controls
    accent: str  # focus rings, selection, highlighted bars and boxes
    accent_text: str  # text drawn on the accent colour
    grid: str  # grid lines, panel borders
    highlight: str  # background of highlighted table rows and cells
    highlight_text: str  # text on the highlight background
    palette: tuple[str, ...]
    sequential: tuple[str, ...] = _VIRIDIS
    diverging: tuple[str, ...] = ()
    font_scale: float = 1.0
    line_width: float = 2.0

    def __post_init__(self) -> None:
        if len(self.palette) != 8:
            raise ValueError(f"theme {self.name!r}: palette needs 8 colours")
        if len(self.diverging) < 3 or len(self.diverging) % 2 == 0:
            raise ValueError(f"theme {self.name!r}: diverging scale needs an odd number of stops")
        if not self.font_scale > 0 or not self.line_width > 0:
            raise ValueError(f"theme {self.name!r}: font_scale and line_width must be positive")

    def scaled(self, factor: float) -> Theme:
        """The same theme with fonts and line widths multiplied by ``factor`` (presentation)."""
        if not factor > 0:
            raise ValueError(f"scale factor must be positive, got {factor!r}")
        return replace(
            self, font_scale=self.font_scale * factor, line_width=self.line_width * factor
        )

    def px(self, role: FontRole = "body") -> int:
        """Font size in pixels for a text role, after scaling."""
        return max(8, round(_FONT_PX[role] * self.font_scale))

    def font(self, role: FontRole = "body", bold: bool = False) -> QFont:
        """A QFont of the application family sized for ``role``."""
        font = QFont(QApplication.font()) if QApplication.instance() else QFont()
        font.setPixelSize(self.px(role))
        font.setWeight(QFont.Weight.DemiBold if bold else QFont.Weight.Normal)
        return font

    def color(self, index: int) -> str:
        """Series colour ``index`` (wraps around the 8-colour palette)."""
        return self.palette[index % len(self.palette)]

    def colormap(self, name: str) -> pg.ColorMap:
        """A pyqtgraph colour map: "viridis"/"sequential", "gray" or "diverging"."""
        stops = {
            "viridis": self.sequential,
            "sequential": self.sequential,
            "gray": _GRAY,
            "grey": _GRAY,
            "diverging": self.diverging,
        }.get(name)
        if stops is None:
            raise ValueError(f"unknown colour map {name!r} (viridis, gray or diverging)")
        return _colormap(stops)


@lru_cache(maxsize=32)
def _colormap(stops: tuple[str, ...]) -> pg.ColorMap:
    positions = np.linspace(0.0, 1.0, len(stops))
    return pg.ColorMap(positions, [QColor(s) for s in stops])


LIGHT = Theme(
    name="light",
    dark=False,
    window="#e9ecf0",
    background="#ffffff",
    foreground="#1b1f24",
    muted="#555d69",
    accent="#c15400",
    accent_text="#ffffff",
    grid="#d5dae0",
    highlight="#ffe2bf",
    highlight_text="#1b1f24",
    # Okabe-Ito; yellow last and darkened a little so it stays visible on white.
    palette=(
        "#0072b2",
        "#e69f00",
        "#009e73",
        "#d55e00",
        "#cc79a7",
        "#56b4e9",
        "#000000",
        "#c9b400",
    ),
    diverging=(
        "#1f4e96",
        "#4a87c5",
        "#a5c8e8",
        "#f7f7f7",
        "#f8c48c",
        "#e8833a",
        "#a84c00",
    ),
)

DARK = Theme(
    name="dark",
    dark=True,
    window="#15171a",
    background="#1f2226",
    foreground="#e8eaed",
    muted="#a3a9b1",
    accent="#f0a820",
    accent_text="#15171a",
    grid="#363b42",
    highlight="#5a4214",
    highlight_text="#fff4e0",
    # Okabe-Ito brightened where the original is too dark on a dark background.
    palette=(
        "#56b4e9",
        "#e69f00",
        "#2bc48f",
        "#ff7a33",
        "#e08fc0",
        "#a8d8f8",
        "#e8eaed",
        "#f0e442",
    ),
    diverging=(
        "#a5ccf0",
        "#3e86cf",
        "#1d4a7e",
        "#202327",
        "#7a3e0a",
        "#d9761e",
        "#f8c48c",
    ),
)

CONTRAST = Theme(
    name="contrast",
    dark=True,
    window="#000000",
    background="#000000",
    foreground="#ffffff",
    muted="#e6e6e6",
    accent="#ffd600",
    accent_text="#000000",
    grid="#6b6b6b",
    highlight="#ffd600",
    highlight_text="#000000",
    palette=(
        "#33b5ff",
        "#ff9f1a",
        "#00e0a0",
        "#ff5a5a",
        "#ff7fe0",
        "#b0e2ff",
        "#ffffff",
        "#f5ee3f",
    ),
    diverging=(
        "#b3dcff",
        "#1e90ff",
        "#003a80",
        "#000000",
        "#8a3c00",
        "#ff8c00",
        "#ffd08a",
    ),
    line_width=3.0,
)

THEMES: dict[str, Theme] = {t.name: t for t in (LIGHT, DARK, CONTRAST)}


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio between two colours (1.0 .. 21.0)."""

    def luminance(hex_color: str) -> float:
        c = QColor(hex_color)
        channels = [c.redF(), c.greenF(), c.blueF()]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def build_palette(
    roles: Mapping[QPalette.ColorRole, QColor | str],
    base: QPalette | None = None,
    group: QPalette.ColorGroup | None = None,
) -> QPalette:
    """A copy of ``base`` (or a default palette) with each role's colour set, in every colour
    group or only in ``group``: the one place the app builds palettes from theme colours."""
    pal = QPalette(base) if base is not None else QPalette()
    for role, color in roles.items():
        if group is None:
            pal.setColor(role, QColor(color))
        else:
            pal.setColor(group, role, QColor(color))
    return pal


def _qpalette(theme: Theme) -> QPalette:
    role = QPalette.ColorRole
    colors = {
        role.Window: theme.window,
        role.WindowText: theme.foreground,
        role.Base: theme.background,
        role.AlternateBase: theme.window,
        role.Text: theme.foreground,
        role.Button: theme.background,
        role.ButtonText: theme.foreground,
        role.BrightText: theme.accent,
        role.Highlight: theme.accent,
        role.HighlightedText: theme.accent_text,
        role.ToolTipBase: theme.background,
        role.ToolTipText: theme.foreground,
        role.PlaceholderText: theme.muted,
        role.Link: theme.palette[0],
        role.LinkVisited: theme.palette[4],
        role.Light: theme.background,
        role.Midlight: theme.grid,
        role.Mid: theme.grid,
        role.Dark: theme.muted,
        role.Shadow: theme.window,
    }
    disabled = {r: theme.muted for r in (role.WindowText, role.Text, role.ButtonText)}
    return build_palette(disabled, build_palette(colors), QPalette.ColorGroup.Disabled)


_ICON_SVG = {
    "down": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 6">'
    '<path d="M0 0H10L5 6Z" fill="{fg}"/></svg>',
    "up": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 6">'
    '<path d="M0 6H10L5 0Z" fill="{fg}"/></svg>',
    "check": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<path d="M3.5 8.5L6.5 11.5L12.5 4.5" fill="none" stroke="{on}" stroke-width="2.5" '
    'stroke-linecap="round" stroke-linejoin="round"/></svg>',
    "dot": '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<circle cx="8" cy="8" r="3.5" fill="{on}"/></svg>',
}
_icon_dir: Path | None = None


def _icons(theme: Theme) -> dict[str, str]:
    """Paths of the style sheet's SVG icons in the theme's colours (written on first use).

    They live in a private temporary folder removed when the program exits.
    """
    global _icon_dir
    if _icon_dir is None:
        _icon_dir = Path(tempfile.mkdtemp(prefix="deepstep-icons-"))
        atexit.register(shutil.rmtree, _icon_dir, True)
    paths = {}
    for name, svg in _ICON_SVG.items():
        text = svg.format(fg=theme.foreground, on=theme.accent_text)
        path = _icon_dir / f"{name}-{theme.foreground[1:]}-{theme.accent_text[1:]}.svg"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
        paths[name] = path.as_posix()
    return paths


def stylesheet(theme: Theme) -> str:
    """The application style sheet: borders, tooltips and a visible focus ring on controls.

    Fusion derives outlines from the window colour, which vanish on pure black, so check
    boxes, radio buttons, sliders and arrows are drawn here from the theme's colours (the
    arrow and tick icons are small SVG files written once per colour to a temporary folder).
    """
    t = theme
    ring = max(2, round(2 * t.font_scale))
    pad_v, pad_h = round(4 * t.font_scale), round(12 * t.font_scale)
    box = round(16 * t.font_scale)
    groove, handle = max(4, round(6 * t.font_scale)), round(18 * t.font_scale)
    arrow = max(4, round(5 * t.font_scale))
    icons = _icons(t)
    return f"""
QToolTip {{ color: {t.foreground}; background-color: {t.background};
    border: 1px solid {t.muted}; padding: 4px; }}
QPushButton, QToolButton {{ color: {t.foreground}; background-color: {t.background};
    border: {ring}px solid {t.grid}; border-radius: 5px; padding: {pad_v}px {pad_h}px; }}
QPushButton:hover, QToolButton:hover {{ border-color: {t.muted}; }}
QPushButton:pressed, QToolButton:pressed, QPushButton:checked, QToolButton:checked {{
    background-color: {t.grid}; }}
QPushButton:disabled, QToolButton:disabled {{ color: {t.muted}; }}
QLineEdit, QAbstractSpinBox, QComboBox {{ color: {t.foreground};
    background-color: {t.background}; border: {ring}px solid {t.grid}; border-radius: 4px;
    padding: 1px 3px; }}
QComboBox::drop-down, QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{
    border: none; background: transparent; width: {round(14 * t.font_scale)}px; }}
QComboBox::down-arrow, QAbstractSpinBox::down-arrow {{ image: url({icons["down"]});
    width: {arrow * 2}px; height: {arrow}px; }}
QAbstractSpinBox::up-arrow {{ image: url({icons["up"]}); width: {arrow * 2}px;
    height: {arrow}px; }}
QCheckBox, QRadioButton, QSlider {{ border: {ring}px solid transparent; border-radius: 4px;
    padding: 2px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: {box}px; height: {box}px;
    border: 2px solid {t.muted}; background-color: {t.background}; border-radius: 3px; }}
QRadioButton::indicator {{ border-radius: {box // 2 + 2}px; }}
QCheckBox::indicator:checked, QRadioButton::indicator:checked {{
    background-color: {t.accent}; border-color: {t.accent}; }}
QCheckBox::indicator:checked {{ image: url({icons["check"]}); }}
QRadioButton::indicator:checked {{ image: url({icons["dot"]}); }}
QSlider::groove:horizontal {{ height: {groove}px; background: {t.grid};
    border-radius: {groove // 2}px; }}
QSlider::groove:vertical {{ width: {groove}px; background: {t.grid};
    border-radius: {groove // 2}px; }}
QSlider::sub-page:horizontal, QSlider::add-page:vertical {{ background: {t.accent};
    border-radius: {groove // 2}px; }}
QSlider::handle:horizontal, QSlider::handle:vertical {{ background: {t.foreground};
    border: 2px solid {t.background}; width: {handle}px; height: {handle}px;
    border-radius: {handle // 2 + 2}px; }}
QSlider::handle:horizontal {{ margin: -{(handle - groove) // 2 + 2}px 0; }}
QSlider::handle:vertical {{ margin: 0 -{(handle - groove) // 2 + 2}px; }}
QAbstractItemView, QTextEdit, QPlainTextEdit {{ border: {ring}px solid transparent; }}
QPushButton:focus, QToolButton:focus, QLineEdit:focus, QAbstractSpinBox:focus,
QComboBox:focus, QCheckBox:focus, QRadioButton:focus, QSlider:focus,
QAbstractItemView:focus, QTextEdit:focus, QPlainTextEdit:focus {{
    border: {ring}px solid {t.accent}; }}
QTabBar::tab:focus {{ border: {ring}px solid {t.accent}; border-radius: 3px; }}
"""


def apply_to_application(app: QApplication, theme: Theme) -> None:
    """Give the whole application the theme's palette, base font and style sheet.

    Uses the Fusion style, which follows the palette on every platform (the native
    styles ignore parts of it, which breaks the dark and high-contrast themes).
    """
    app.setStyle("Fusion")
    app.setPalette(_qpalette(theme))
    font = QFont(app.font())
    font.setPixelSize(theme.px("body"))
    app.setFont(font)
    app.setStyleSheet(stylesheet(theme))
