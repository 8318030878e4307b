"""Themes: readable contrast, colour-blind-safe palettes, centred diverging scales, focus rings."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtGui import QColor, QFont, QImage, QPalette
from PySide6.QtWidgets import QApplication, QCheckBox, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.shell.theme import THEMES, Theme, apply_to_application, contrast_ratio

ALL = list(THEMES.values())


@pytest.fixture
def restore_app(qapp: QApplication) -> Iterator[QApplication]:
    """Put the application's palette, font, style sheet and style back after the test."""
    palette, font, sheet = QPalette(qapp.palette()), QFont(qapp.font()), qapp.styleSheet()
    style = qapp.style().name()
    yield qapp
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)
    qapp.setStyle(style)


def test_the_three_themes_are_light_dark_and_high_contrast() -> None:
    """THEMES holds exactly light, dark and contrast, each under its own name."""
    assert set(THEMES) == {"light", "dark", "contrast"}
    assert all(theme.name == name for name, theme in THEMES.items())
    assert not THEMES["light"].dark and THEMES["dark"].dark


@pytest.mark.parametrize("theme", ALL, ids=lambda t: t.name)
def test_text_colours_are_readable_on_their_backgrounds(theme: Theme) -> None:
    """Body text reaches WCAG AAA (7:1); muted, accent and highlight text reach AA (4.5:1)."""
    assert contrast_ratio(theme.foreground, theme.background) >= 7
    assert contrast_ratio(theme.foreground, theme.window) >= 7
    assert contrast_ratio(theme.muted, theme.background) >= 4.5
    assert contrast_ratio(theme.accent_text, theme.accent) >= 4.5
    assert contrast_ratio(theme.highlight_text, theme.highlight) >= 4.5


@pytest.mark.parametrize("theme", ALL, ids=lambda t: t.name)
def test_palette_has_eight_distinct_colours_visible_on_the_background(theme: Theme) -> None:
    """Eight different series colours, each standing out from the plot background (3:1)."""
    assert len(theme.palette) == 8 and len(set(theme.palette)) == 8
    for color in theme.palette:
        assert contrast_ratio(color, theme.background) >= 2.0, color
    assert theme.color(8) == theme.palette[0]


@pytest.mark.parametrize("theme", ALL, ids=lambda t: t.name)
def test_highlight_accent_differs_from_the_first_series_colour(theme: Theme) -> None:
    """A highlighted bar (accent) cannot be confused with the others (palette[0])."""
    a, b = QColor(theme.accent), QColor(theme.palette[0])
    assert abs(a.hue() - b.hue()) > 60


@pytest.mark.parametrize("theme", ALL, ids=lambda t: t.name)
def test_diverging_scale_is_neutral_at_zero_and_opposite_at_the_ends(theme: Theme) -> None:
    """The middle of the diverging map is white (light) or near the background (dark)."""
    cmap = theme.colormap("diverging")
    low, mid, high = cmap.map(np.array([0.0, 0.5, 1.0]), mode="qcolor")
    assert mid.name() == QColor(theme.diverging[len(theme.diverging) // 2]).name()
    if theme.dark:
        assert contrast_ratio(mid.name(), theme.background) < 1.3
    else:
        assert mid.lightnessF() > 0.95
    assert low.hue() != high.hue()
    assert abs(low.hue() - 210) < 30 and abs(high.hue() - 30) < 20  # blue .. orange


def test_colormap_names_are_checked() -> None:
    """Sequential, gray and diverging maps exist; an unknown name is a ValueError."""
    theme = THEMES["light"]
    assert theme.colormap("viridis").map(0.0, mode="qcolor").name() == "#440154"
    assert theme.colormap("gray").map(1.0, mode="qcolor").name() == "#ffffff"
    with pytest.raises(ValueError, match="jet"):
        theme.colormap("jet")


def test_scaled_multiplies_fonts_and_lines_and_leaves_the_original() -> None:
    """scaled(1.8) gives presentation sizes; the base theme keeps 15 px body text."""
    base = THEMES["light"]
    big = base.scaled(1.8)
    assert base.px("body") == 15 and base.font_scale == 1.0
    assert big.px("body") == 27 and big.line_width == pytest.approx(base.line_width * 1.8)
    assert big.name == base.name and big.palette == base.palette
    with pytest.raises(ValueError):
        base.scaled(0)


def test_theme_validates_its_palette_and_diverging_stops() -> None:
    """A theme with a short palette or an even number of diverging stops is refused."""
    light = THEMES["light"]
    with pytest.raises(ValueError, match="8 colours"):
        Theme(**{**light.__dict__, "palette": light.palette[:5]})
    with pytest.raises(ValueError, match="odd"):
        Theme(**{**light.__dict__, "diverging": light.diverging[:4]})


@pytest.mark.parametrize("name", ["light", "dark", "contrast"])
def test_apply_to_application_sets_palette_font_and_style_sheet(
    restore_app: QApplication, name: str
) -> None:
    """The application palette, base font size and style sheet follow the theme."""
    theme = THEMES[name].scaled(1.6)
    apply_to_application(restore_app, theme)
    palette = restore_app.palette()
    assert palette.color(QPalette.ColorRole.Window).name() == theme.window
    assert palette.color(QPalette.ColorRole.Text).name() == theme.foreground
    assert palette.color(QPalette.ColorRole.Highlight).name() == theme.accent
    assert restore_app.font().pixelSize() == theme.px("body") == 24
    assert ":focus" in restore_app.styleSheet() and theme.accent in restore_app.styleSheet()


def _accent_pixels(image: QImage, accent: str) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height())
    return int(np.count_nonzero(pixels == QColor(accent).rgb()))


@pytest.mark.parametrize("name", ["light", "contrast"])
def test_keyboard_focus_draws_a_visible_ring_in_the_accent_colour(
    restore_app: QApplication, qtbot: QtBot, name: str
) -> None:
    """A focused button or check box shows an accent ring; the unfocused one shows none."""
    theme = THEMES[name]
    apply_to_application(restore_app, theme)
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    button, check, other = QPushButton("Next"), QCheckBox("Show gradients"), QPushButton("Back")
    for control in (button, check, other):
        layout.addWidget(control)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    for control in (button, check):
        other.setFocus()
        qtbot.waitUntil(other.hasFocus)
        before = _accent_pixels(control.grab().toImage(), theme.accent)
        control.setFocus()
        qtbot.waitUntil(control.hasFocus)
        after = _accent_pixels(control.grab().toImage(), theme.accent)
        assert before == 0 and after > 2 * (control.width() + control.height())
