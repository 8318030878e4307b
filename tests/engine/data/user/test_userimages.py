"""An image folder (one subfolder per class): found, checked and split without Qt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data.user.csvimport import DataImportError, Problem
from engine.data.user.images import SIDE, build_image_set, scan_image_folder


def _touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"x")


def test_class_subfolders_and_their_images_are_found(tmp_path: Path) -> None:
    """PNG and JPEG files (any case) per subfolder; other files and hidden ones are skipped."""
    _touch(tmp_path / "cats", "a.png", "b.JPG", "c.jpeg", "notes.txt", ".hidden.png")
    _touch(tmp_path / "dogs", "d.png")
    _touch(tmp_path / "empty")
    folder = scan_image_folder(tmp_path)
    assert folder.classes == ("cats", "dogs") and folder.count == 4
    assert [p.name for p in folder.files[0]] == ["a.png", "b.JPG", "c.jpeg"]


@pytest.mark.parametrize(
    ("layout", "problem", "words"),
    [
        ({".": ("a.png", "b.png")}, Problem.NO_IMAGES, "lie directly in it"),
        ({"cats": ("a.txt",)}, Problem.NO_IMAGES, "no PNG or JPEG"),
        ({"cats": ("a.png", "b.png")}, Problem.ONE_CLASS, "one subfolder only"),
    ],
    ids=["loose-images", "no-images", "one-class"],
)
def test_folders_that_cannot_be_a_data_set_say_why(
    tmp_path: Path, layout: dict[str, tuple[str, ...]], problem: Problem, words: str
) -> None:
    """Each unfit layout raises DataImportError with advice, never anything else."""
    for sub, names in layout.items():
        _touch(tmp_path / sub, *names)
    with pytest.raises(DataImportError) as caught:
        scan_image_folder(tmp_path)
    assert caught.value.problem is problem and words in str(caught.value)


def test_a_file_is_not_a_folder(tmp_path: Path) -> None:
    """Pointing at a file reports it."""
    _touch(tmp_path, "a.png")
    with pytest.raises(DataImportError) as caught:
        scan_image_folder(tmp_path / "a.png")
    assert caught.value.problem is Problem.UNREADABLE


def test_decoded_images_become_a_split_image_set_and_unreadable_ones_are_named(
    tmp_path: Path,
) -> None:
    """Grey 28x28 arrays scale to [0, 1] NCHW; a failed file is named, the rest load."""
    for cls in ("dark", "light"):
        _touch(tmp_path / cls, *(f"{i}.png" for i in range(8)))
    folder = scan_image_folder(tmp_path)
    decoded: dict[Path, np.ndarray | str] = {
        f: np.full((SIDE, SIDE), 255 * c, np.uint8)
        for c, files in enumerate(folder.files)
        for f in files
    }
    decoded[folder.files[1][3]] = "unsupported image format"
    built = build_image_set(folder, decoded, test_share=0.25, seed=0)
    images = built.images
    assert images.x_train.shape[1:] == (1, SIDE, SIDE) and images.x_train.dtype == np.float32
    assert len(images.x_train) + len(images.x_test) == 15
    assert images.class_names == ("dark", "light")
    assert np.all(images.x_train[images.y_train == 1] == 1.0)
    assert np.all(images.x_train[images.y_train == 0] == 0.0)
    assert built.unreadable == ("light/3.png (unsupported image format)",)
    assert "Could not read 1 image: light/3.png" in built.describe()


def test_when_only_one_class_can_be_read_the_import_fails_with_the_names(tmp_path: Path) -> None:
    """Every image of one class unreadable: one class left, refused, files named."""
    for cls in ("a", "b"):
        _touch(tmp_path / cls, "1.png", "2.png")
    folder = scan_image_folder(tmp_path)
    decoded: dict[Path, np.ndarray | str] = {f: "broken" for f in folder.files[1]}
    decoded.update({f: np.zeros((SIDE, SIDE), np.uint8) for f in folder.files[0]})
    with pytest.raises(DataImportError) as caught:
        build_image_set(folder, decoded)
    assert caught.value.problem is Problem.ONE_CLASS and "b/1.png (broken)" in str(caught.value)
