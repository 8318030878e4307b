"""A corpus of bad image files and folder layouts, generated small: each unreadable image is
named with the real reason (the others still load), each unfit folder says what to change.

The images are made with Qt or written byte by byte: an empty file, text named .png, a PNG cut
short, a PNG whose header claims 60,000 x 60,000 pixels, a JPEG named .png (read: the content
decides), a device behind an image's name, a file that cannot be opened, a file too large;
folders with images one level too deep, in one class only, or loose.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from app.data import imagedecode
from app.data.imagedecode import decode_folder, decode_image
from engine.data.user.csvimport import DataImportError, Problem
from engine.data.user.images import build_image_set, scan_image_folder


def _image(
    path: Path, width: int = 30, height: int = 30, grey: int = 120, fmt: str = "PNG"
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(grey, grey, grey))
    assert image.save(str(path), fmt)
    return path


def _png_bytes(qapp: QApplication, tmp_path: Path) -> bytes:
    return _image(tmp_path / "source" / "ok.png").read_bytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _bomb() -> bytes:
    """A tiny PNG whose header claims 60,000 x 60,000 grey pixels (3.6 GB decoded)."""
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 1000))
        + _chunk(b"IEND", b"")
    )


BAD_BYTES = {
    "empty": (lambda png: b"", "the file is empty"),
    "text": (lambda png: b"hello, not an image", "not a PNG or JPEG image"),
    "cut-short": (lambda png: png[:60], "unable to read image data"),
    "bomb": (lambda png: _bomb(), "too large to decode (60,000 x 60,000 pixels)"),
}


@pytest.mark.parametrize("case", list(BAD_BYTES), ids=list(BAD_BYTES))
def test_each_bad_image_gives_its_reason(qapp: QApplication, tmp_path: Path, case: str) -> None:
    """decode_image returns a short, lower-case reason, never raises, never decodes a bomb."""
    make, words = BAD_BYTES[case]
    path = tmp_path / f"{case}.png"
    path.write_bytes(make(_png_bytes(qapp, tmp_path)))
    reason = decode_image(path)
    assert isinstance(reason, str) and words in reason, reason


def test_a_jpeg_named_png_is_read_by_its_content(qapp: QApplication, tmp_path: Path) -> None:
    """The suffix only selects the file; the bytes decide the format."""
    jpeg = _image(tmp_path / "photo.jpg", 50, 40, 200, "JPEG")
    misnamed = tmp_path / "photo.png"
    misnamed.write_bytes(jpeg.read_bytes())
    pixels = decode_image(misnamed)
    assert isinstance(pixels, np.ndarray) and pixels.shape == (28, 28)


def test_an_unopenable_image_is_not_file_not_found(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Qt said 'file not found' for a file it could not open; the real reason is given."""
    path = _image(tmp_path / "locked.png")
    if sys.platform != "win32" and os.geteuid() != 0:  # root opens anything
        path.chmod(0)
        assert decode_image(path) == "permission denied"
        path.chmod(0o644)
    real_open = os.open

    def refuse(file: object, flags: int, *args: object) -> int:
        if Path(str(file)) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    reason = decode_image(path)
    assert reason == "permission denied" and "not found" not in str(reason)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_behind_an_image_name_is_not_read(qapp: QApplication, tmp_path: Path) -> None:
    """A link to /dev/zero is neither listed as an image nor read if asked for directly."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "zero.png").symlink_to("/dev/zero")
    _image(tmp_path / "a" / "ok.png")
    _image(tmp_path / "b" / "ok.png")
    folder = scan_image_folder(tmp_path)
    assert [p.name for p in folder.files[0]] == ["ok.png"]
    reason = decode_image(tmp_path / "a" / "zero.png")
    assert isinstance(reason, str) and "is a device" in reason


def test_a_vanished_or_too_large_image_is_named_and_the_rest_load(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted between scan and decode; over the size cap: named in the notes, others load."""
    for cls in ("a", "b"):
        for i in range(4):
            _image(tmp_path / "set" / cls / f"{i}.png", grey=40 * i)
    folder = scan_image_folder(tmp_path / "set")
    (tmp_path / "set" / "a" / "0.png").unlink()
    monkeypatch.setattr(imagedecode, "MAX_IMAGE_BYTES", 2000)
    (tmp_path / "set" / "b" / "3.png").write_bytes(os.urandom(5000))
    decoded = decode_folder(folder)
    assert decoded[tmp_path / "set" / "a" / "0.png"] == "no such file or directory"
    assert "DeepStep reads images up to" in str(decoded[tmp_path / "set" / "b" / "3.png"])
    built = build_image_set(folder, decoded)
    assert len(built.unreadable) == 2 and "a/0.png (no such file or directory)" in built.notes[-2]


@pytest.mark.parametrize(
    ("layout", "problem", "words"),
    [
        (["train/cats/1.png", "train/dogs/1.png"], Problem.NO_IMAGES, "one level deeper"),
        (["cats/1.png", "cats/2.png"], Problem.ONE_CLASS, "one subfolder only"),
        (["cats/1.png", "dogs/2019/1.png"], Problem.ONE_CLASS, "dogs/2019"),
        (["1.png", "2.png"], Problem.NO_IMAGES, "lie directly in it"),
        (["cats/notes.txt"], Problem.NO_IMAGES, "no PNG or JPEG"),
    ],
    ids=["nested", "one-class", "one-class-and-nested", "loose", "no-images"],
)
def test_each_unfit_folder_says_what_to_change(
    qapp: QApplication, tmp_path: Path, layout: list[str], problem: Problem, words: str
) -> None:
    """Nested folders are reported with the folder to choose; no advice about CSV columns."""
    for name in layout:
        if name.endswith(".png"):
            _image(tmp_path / "set" / name)
        else:
            (tmp_path / "set" / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / "set" / name).write_text("x")
    with pytest.raises(DataImportError) as caught:
        scan_image_folder(tmp_path / "set")
    assert caught.value.problem is problem and words in str(caught.value), str(caught.value)
    assert "column" not in str(caught.value)
    if layout[0].startswith("train/"):
        assert "train/cats, train/dogs" in str(caught.value) and "folder 'train' instead" in str(
            caught.value
        )


def test_images_in_nested_folders_next_to_classes_are_noted(
    qapp: QApplication, tmp_path: Path
) -> None:
    """Class folders with images, and images one level deeper too: the deeper ones are named."""
    for name in ("cats/1.png", "dogs/1.png", "dogs/puppies/1.png"):
        _image(tmp_path / "set" / name)
    folder = scan_image_folder(tmp_path / "set")
    assert folder.classes == ("cats", "dogs") and folder.count == 2
    assert any("nested folders: dogs/puppies" in note for note in folder.notes)
