"""Bring your own data in the app: CSV dialog, image folders, the window, drops and restarts."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.data.browser import DataBrowser, FeaturePairDialog
from app.data.csvdialog import CsvImportDialog
from app.data.imagedecode import decode_image
from app.data.imagedialog import ImageImportDialog
from app.data.imports import DataImports
from app.shell.window import MainWindow
from app.state.progress import ProgressStore
from app.state.store import JsonStore
from engine.data.user.csvimport import read_csv
from engine.data.user.images import scan_image_folder


def _csv(tmp_path: Path, name: str = "points.csv", features: int = 2, gaps: int = 0) -> Path:
    """Three well-separated classes; optional gaps in the first feature and a text column."""
    rng = np.random.default_rng(2)
    names = [f"f{j}" for j in range(features)]
    lines = [",".join([*names, "shade", "kind"])]
    for i in range(90):
        c = i % 3
        values = [f"{v:.3f}" for v in rng.normal(4.0 * c, 0.6, features)]
        if i < gaps:
            values[0] = ""
        lines.append(",".join([*values, "dark" if i % 2 else "light", f"k{c}"]))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _window(qtbot: QtBot, settings: Path, data: Path | None = None) -> MainWindow:
    window = MainWindow(
        JsonStore(settings),
        threaded=False,
        progress=ProgressStore((data or settings.parent) / "progress.json"),
    )
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window


def _finish(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the file read off the GUI thread has been handed over."""
    job = window.imports.job
    assert job is not None
    qtbot.waitUntil(lambda: job.finished, timeout=20_000)


def _close_boxes(window: MainWindow) -> list[str]:
    boxes = window.findChildren(QMessageBox)
    texts = [box.text() for box in boxes if box.isVisible()]
    for box in boxes:
        box.close()
    return texts


# ---- decoding images --------------------------------------------------------------------


def _png(path: Path, width: int, height: int, grey: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(grey, grey, grey))
    assert image.save(str(path))


def _image_folder(root: Path) -> Path:
    for cls, grey in (("dark", 30), ("light", 220)):
        for i in range(6):
            _png(root / cls / f"{i}.png", 40 + 10 * i, 40, grey)
        _png(root / cls / "photo.jpg", 64, 32, grey)
    (root / "light" / "broken.png").write_bytes(b"not a png at all")
    return root


def test_images_are_decoded_to_28_by_28_grey_and_padded(qapp: QApplication, tmp_path: Path) -> None:
    """A wide image keeps its aspect ratio: scaled to 28 wide, padded with its border grey."""
    _png(tmp_path / "wide.png", 100, 50, 200)
    pixels = decode_image(tmp_path / "wide.png")
    assert isinstance(pixels, np.ndarray) and pixels.shape == (28, 28) and pixels.dtype == np.uint8
    assert np.all(np.abs(pixels.astype(int) - 200) <= 1)
    (tmp_path / "bad.png").write_bytes(b"garbage")
    reason = decode_image(tmp_path / "bad.png")
    assert isinstance(reason, str) and reason


def test_the_image_dialog_shows_what_the_model_sees_and_names_the_bad_file(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Grid of 28x28 images per class, counts, the unreadable file named; Import works."""
    from app.data.imagedecode import decode_folder
    from app.shell.theme import THEMES

    folder = scan_image_folder(_image_folder(tmp_path / "shapes"))
    decoded = decode_folder(folder)
    dialog = ImageImportDialog(folder, decoded, THEMES["light"])
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.summary.text()
    assert "light/broken.png" in text and "2 classes" in text
    assert dialog.result_images is not None
    images = dialog.result_images.images
    assert len(images.x_train) + len(images.x_test) == 14  # 7 + 6: broken.png left out, +1 jpg
    views = [dialog.views_layout.itemAt(i).widget() for i in range(dialog.views_layout.count())]
    assert len(views) == 2 and all(v.has_content() for v in views)  # type: ignore[union-attr]


# ---- the CSV dialog -----------------------------------------------------------------------


def test_the_csv_dialog_previews_types_and_blocks_import_until_problems_are_solved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Gaps: Import disabled with the count; 'drop' solves it; a text feature is refused."""
    table = read_csv(_csv(tmp_path, gaps=4))
    dialog = CsvImportDialog(table)
    qtbot.addWidget(dialog)
    dialog.show()
    header = dialog.preview.horizontalHeaderItem(0)
    assert header is not None and "numeric, 4 missing" in header.text()
    assert "text, 2 values" in dialog.preview.horizontalHeaderItem(2).text()  # type: ignore[union-attr]
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and "4 values are missing, in 4 rows" in dialog.status.text()
    dialog.missing.setCurrentIndex(dialog.missing.findData("drop"))
    assert ok.isEnabled() and dialog.result_table is not None
    assert dialog.result_table.rows == 86 and "playground (3.1) can train" in dialog.status.text()
    dialog.set_feature("shade", True)
    assert not ok.isEnabled() and "'shade' holds text" in dialog.status.text()
    dialog.set_feature("shade", False)
    dialog.label_box.setCurrentIndex(dialog.label_box.findData("f1"))  # f1 becomes the label
    assert "f1" not in dialog.choices().features
    assert "different values" in dialog.problem  # a measurement is not a class


# ---- the window -------------------------------------------------------------------------


def test_a_remembered_image_folder_is_decoded_off_the_gui_thread_and_can_be_cancelled(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Shown in the data browser, a remembered folder is decoded by a worker with a progress
    dialog; Cancel leaves it waiting (nothing lost), and showing it again reads it."""
    settings = tmp_path / "s.json"
    folder = _image_folder(tmp_path / "shapes")
    record = {"kind": "images", "path": str(folder), "test_share": 0.25, "seed": 0}
    settings.write_text(json.dumps({"imported_data": [record]}))
    window = _window(qtbot, settings)
    (entry,) = window.imports.sets.sets
    assert entry.data is None and window.imports.waiting(entry.key)
    browser = DataBrowser(window.theme, window, entry.key, window.imports)
    qtbot.addWidget(browser)
    job = window.imports.job
    assert job is not None and job.dialog.labelText() == "Reading shapes…"
    job.cancel()
    qtbot.waitUntil(lambda: job.finished, timeout=30_000)
    assert job.was_cancelled and window.imports.waiting(entry.key)
    assert window.imports.sets.sets[0].data is None
    assert "cancelled" in window.statusBar().currentMessage()
    browser.show_imported(entry.key)
    again = window.imports.job
    assert again is not None and again is not job
    qtbot.waitUntil(lambda: again.finished, timeout=30_000)
    (read,) = window.imports.sets.sets
    assert read.images is not None and not window.imports.waiting(entry.key)
    assert browser.views and "Could not read 1 image" in browser.summary.text()


def test_closing_the_data_browser_while_it_reads_leaves_the_set_waiting(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The browser (and the reading's dialog) gone before the images are in: nothing is lost,
    the set is read when next shown."""
    settings = tmp_path / "s.json"
    record = {"kind": "images", "path": str(_image_folder(tmp_path / "shapes"))}
    settings.write_text(json.dumps({"imported_data": [record]}))
    window = _window(qtbot, settings)
    (entry,) = window.imports.sets.sets
    browser = DataBrowser(window.theme, window, entry.key, window.imports)
    job = window.imports.job
    assert job is not None and window.imports.waiting(entry.key)  # being read
    browser.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert window.imports.waiting(entry.key) and window.imports.sets.sets[0].data is None
    assert window.imports.load_pending(entry.key).images is not None  # type: ignore[union-attr]


def test_your_data_without_an_import_is_one_step_that_says_how_to_import(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The playground on "your data" with nothing imported: one message step, its length
    known ("Step 1 / 1"), and Play does not wait for more."""
    window = _window(qtbot, tmp_path / "s.json")
    window.open_lesson("playground", 0, {"data": "your data"})
    frame = window.player.frame
    assert frame is not None and frame.step.title == "No data imported yet"
    assert frame.length == 1 and frame.at_end
    assert window.stepbar.counter.text() == "Step 1 / 1"


def test_an_import_switches_the_playground_to_your_data(qtbot: QtBot, tmp_path: Path) -> None:
    """Imported while the playground runs: it restarts on the file's points and classes."""
    window = _window(qtbot, tmp_path / "s.json")
    window.open_lesson("playground", 2)
    entry = window.imports.import_csv_now(_csv(tmp_path))
    assert entry is not None and entry.table is not None
    frame = window.player.frame
    assert frame is not None and frame.values["data"] == "your data"
    assert frame.step.figures["classes"] == 3
    assert "Imported points.csv: 90 rows, 3 classes" in window.statusBar().currentMessage()
    window.player.next()
    assert window.stage.views["boundary"].has_content()


def test_a_failed_import_keeps_the_lesson_and_its_data(qtbot: QtBot, tmp_path: Path) -> None:
    """A broken file: a message, and the running lesson stays on its data and step."""
    window = _window(qtbot, tmp_path / "s.json")
    window.open_lesson("playground", 3, {"data": "XOR"})
    before = window.player.frame
    assert before is not None
    broken = tmp_path / "broken.csv"
    broken.write_text("a|b|c\n1|2|3\n")
    window.imports.open_path(broken)
    _finish(qtbot, window)
    texts = _close_boxes(window)
    assert any("vertical bars" in t for t in texts)
    assert window.imports.import_csv_now(tmp_path / "empty.csv") is None
    assert "Cannot read" in window.statusBar().currentMessage()
    frame = window.player.frame
    assert frame is before and frame.values["data"] == "XOR" and frame.position == 3
    assert window.imports.sets.sets == ()
    window.imports.open_path(tmp_path / "sheet.xlsx")
    assert "neither a CSV file" in window.statusBar().currentMessage()
    _close_boxes(window)


def test_dropping_a_csv_file_opens_the_import_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    """A drop of a local .csv file on the window opens the dialog; Import adopts the set."""
    window = _window(qtbot, tmp_path / "s.json")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_csv(tmp_path)))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert window.imports.eventFilter(window, drop)
    _finish(qtbot, window)
    dialog = window.imports.dialog
    assert isinstance(dialog, CsvImportDialog) and dialog.isVisible()
    dialog.accept()
    assert [s.title for s in window.imports.sets.sets] == ["points.csv: f0, f1 → kind"]


def test_an_imported_set_survives_a_restart_and_a_vanished_file_is_reported(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Path and choices go to the settings (not the data); the next window reads the file again."""
    settings = tmp_path / "s.json"
    csv = _csv(tmp_path, features=3)
    first = _window(qtbot, settings)
    first.imports.import_csv_now(csv)
    first.imports.open_folder(_image_folder(tmp_path / "shapes"))
    _finish(qtbot, first)
    folder = first.imports.dialog
    assert isinstance(folder, ImageImportDialog)
    folder.accept()
    first.close()
    saved = json.loads(settings.read_text())
    assert [r["kind"] for r in saved["imported_data"]] == ["csv", "images"]
    assert saved["imported_data"][0]["path"] == str(csv)
    assert saved["imported_data"][0]["choices"]["features"] == ["f0", "f1", "f2"]
    assert not list(tmp_path.glob("**/*.npz"))  # nothing copied

    second = _window(qtbot, settings)
    titles = [s.title for s in second.imports.sets.sets]
    assert titles == ["points.csv: f0, f1, f2 → kind", "shapes (images)"]
    assert (
        second.imports.sets.sets[0].table is not None
        and second.imports.sets.sets[0].table.rows == 90
    )
    assert second.imports.sets.sets[1].images is None  # the folder is decoded when first shown
    browser = DataBrowser(second.theme, second, None, second.imports)
    qtbot.addWidget(browser)
    browser.show()
    assert browser.current_id() == "mnist" and browser.views  # the first set, not the heading
    items = [browser.listing.item(i).text() for i in range(browser.listing.count())]
    assert "Your imported data" in items
    browser.listing.setCurrentRow(items.index(titles[1]))  # decoded off the GUI thread
    assert second.imports.sets.sets[1].images is None and "Reading it" in browser.summary.text()
    job = second.imports.job
    assert job is not None
    qtbot.waitUntil(lambda: job.finished, timeout=30_000)
    assert second.imports.sets.sets[1].images is not None and "Could not read 1 image" in (
        browser.summary.text()
    )
    browser.listing.setCurrentRow(items.index(titles[0]))
    assert browser.views and all(v.has_content() for v in browser.views)
    assert browser.use_button.isVisible() and browser.forget_button.isVisible()
    second.close()

    csv.unlink()
    third = _window(qtbot, settings)
    message = third.statusBar().currentMessage()
    assert "points.csv" in message and "no longer there" in message
    qtbot.waitUntil(lambda: any("no longer there" in t for t in _close_boxes(third)))
    missing, folder_entry = third.imports.sets.sets
    assert missing.data is None and folder_entry.data is None  # images: decoded when shown
    assert third.imports.load_pending(folder_entry.key).images is not None  # type: ignore[union-attr]
    third.open_lesson("playground", 0, {"data": "your data"})
    assert third.player.frame is not None and "no longer there" in third.player.frame.step.text
    third.imports.forget(missing.key)
    assert [s.title for s in third.imports.sets.sets] == ["shapes (images)"]
    assert len(json.loads(settings.read_text())["imported_data"]) == 1


def test_the_browser_picks_two_of_three_features_for_the_playground(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """'Use in the playground…' on a 3-feature table asks for two, then trains on them."""
    window = _window(qtbot, tmp_path / "s.json")
    entry = window.imports.import_csv_now(_csv(tmp_path, features=3))
    assert entry is not None
    window.open_data_browser()
    browser = next(b for b in window.findChildren(DataBrowser) if b.isVisible())
    rows = [browser.listing.item(i).data(Qt.ItemDataRole.UserRole) for i in range(browser.count())]
    browser.listing.setCurrentRow(rows.index(entry.key))
    browser.use_button.click()
    pick = next(d for d in browser.findChildren(FeaturePairDialog) if d.isVisible())
    pick.second.setCurrentIndex(2)
    assert pick.pair() == ("f0", "f2")
    pick.accept()
    _finish(qtbot, window)
    frame = window.player.frame
    assert frame is not None and frame.lesson.id == "playground"
    assert frame.values["data"] == "your data" and frame.step.title == "Before training"
    assert "<b>f2</b>" in frame.step.text
    assert isinstance(window.imports, DataImports)
    browser.close()


def test_a_file_too_large_offers_a_seeded_subset_in_the_dialog(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Over 20,000 rows: the limit is stated and ticking the subset box makes it importable."""
    from engine.data.user.table import MAX_ROWS

    rows = "".join(f"{i % 97},{i % 13},{i % 2}\n" for i in range(MAX_ROWS + 10))
    path = tmp_path / "big.csv"
    path.write_text("a,b,y\n" + rows)
    dialog = CsvImportDialog(read_csv(path))
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert dialog.subset.isVisible() and not ok.isEnabled()
    assert "more than the 20,000" in dialog.status.text()
    dialog.subset.setChecked(True)
    assert ok.isEnabled() and dialog.result_table is not None
    assert dialog.result_table.rows == MAX_ROWS
