"""Exports: a PDF page and a PNG per step, at the chosen size; cancel leaves nothing behind."""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QProgressDialog
from pytestqt.qtbot import QtBot

from app.main import main
from app.output import export
from app.output.export import ExportPlan, PdfHandout, PngSequence
from app.shell.window import MainWindow
from app.state.store import JsonStore
from lessons.core.base import BarData, Bars, Lesson, Step, Values
from lessons.registry import find


def distinct_colours(image: QImage, stride: int = 7) -> int:
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), stride)
            for y in range(0, image.height(), stride)
        }
    )


def pdf_structure(path: Path) -> tuple[int, int]:
    """(pages, image objects) counted in the PDF's object dictionaries."""
    raw = path.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", raw))
    images = len(re.findall(rb"/Subtype\s*/Image", raw))
    return pages, images


@pytest.fixture(autouse=True)
def _delete_closed_widgets(qapp: QApplication) -> Iterator[None]:
    """Delete what this test closed, so later tests (style sheets) don't re-polish it."""
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


def test_pdf_handout_has_one_page_per_step_each_with_its_picture(
    qapp: QApplication, tmp_path: Path
) -> None:
    """11 steps of softmax give 11 pages, and every page holds an image (the step's panels)."""
    out = tmp_path / "softmax.pdf"
    plan = ExportPlan(find("softmax"), size=(1280, 720))
    assert PdfHandout(plan, out).run_all() == 11
    pages, images = pdf_structure(out)
    assert pages == 11 and images >= 11
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render_with_content(qapp: QApplication, tmp_path: Path) -> None:
    """Rendered with pdftoppm, the first and last pages show pictures and text, not blank."""
    out = tmp_path / "autodiff.pdf"
    PdfHandout(ExportPlan(find("autodiff"), size=(1280, 720)), out).run_all()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 19
    for png in (pngs[0], pngs[-1]):
        image = QImage(str(png))
        assert distinct_colours(image, 3) > 40, png.name


def test_png_sequence_writes_one_file_per_step_at_the_chosen_size(
    qapp: QApplication, tmp_path: Path
) -> None:
    """One PNG per step, named in order, each exactly the requested size and not blank."""
    plan = ExportPlan(find("softmax"), size=(1024, 576))
    written = PngSequence(plan, tmp_path / "slides").run_all()
    files = sorted((tmp_path / "slides").glob("*.png"))
    assert written == 11 and [f.name for f in files][:2] == ["softmax-01.png", "softmax-02.png"]
    assert len(files) == 11
    for path in (files[0], files[-1]):
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1024, 576)
        assert distinct_colours(image) > 20


def test_a_cancelled_export_leaves_nothing_behind(qapp: QApplication, tmp_path: Path) -> None:
    """Stopping after two steps removes the PNGs written and the partial PDF."""
    plan = ExportPlan(find("softmax"), size=(800, 450))
    pngs = iter(PngSequence(plan, tmp_path / "png"))
    assert [next(pngs), next(pngs)] == [1, 2]
    assert len(list((tmp_path / "png").glob("*.png"))) == 2
    pngs.close()  # type: ignore[attr-defined]
    assert not list((tmp_path / "png").glob("*.png"))
    pdf = iter(PdfHandout(plan, tmp_path / "h.pdf"))
    next(pdf)
    pdf.close()  # type: ignore[attr-defined]
    assert not list(tmp_path.glob("*.pdf")) and not list(tmp_path.glob(".*.part"))


def test_cli_exports_a_pdf_and_a_png_folder(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--export-pdf and --export-png write the files and say so."""
    pdf, folder = tmp_path / "h.pdf", tmp_path / "new-folder"
    code = main(
        [
            "--lesson",
            "1.3",
            "--export-pdf",
            str(pdf),
            "--export-png",
            str(folder),
            "--size",
            "800x450",
        ]
    )
    assert code == 0
    assert pdf_structure(pdf)[0] == 11 and len(list(folder.glob("*.png"))) == 11
    assert "11 pages" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lesson", "softmax", "--export-pdf", "{tmp}/missing/h.pdf"], "does not exist"),
        (["--lesson", "softmax", "--export-pdf", "{tmp}/h.txt"], "must name a .pdf"),
        (["--lesson", "softmax", "--export-png", "{tmp}/file.txt"], "is a file"),
        (["--lesson", "softmax", "--export-png", "{tmp}/no/such/dir"], "does not exist"),
        (["--export-pdf", "{tmp}/h.pdf"], "need --lesson"),
        (["--lesson", "softmax", "--step", "2", "--export-pdf", "{tmp}/h.pdf"], "no --step"),
    ],
)
def test_bad_export_paths_give_one_line_and_exit_code_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad export argument: exit code 2 and one clear line on stderr."""
    (tmp_path / "file.txt").write_text("x")
    assert main([a.replace("{tmp}", str(tmp_path)) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("deepstep: error: ") and message in err[0]
    assert not list(tmp_path.glob("*.pdf"))


def test_menu_export_shows_progress_and_can_be_cancelled(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File > Export PDF asks where and at what size; Cancel in the progress dialog stops it."""
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(window)
    window.open_lesson("softmax", 3)
    target = tmp_path / "handout.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("1280x720", True))
    window.commands.export_pdf_action.trigger()
    assert pdf_structure(target)[0] == 11
    assert "Exported 11 pages" in window.statusBar().currentMessage()
    target.unlink()
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    window.commands.export_pdf_action.trigger()
    assert not target.exists() and "cancelled" in window.statusBar().currentMessage()


class _Noted(Lesson):
    """Two steps, the second with speaker notes."""

    id, chapter, number, title = "noted", 0, "0.5", "Noted"
    panels = (Bars("loss", "Loss"),)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        yield Step("One", "Narrative one.", {"loss": BarData(np.array([1.0]), ("a",))})
        yield Step("Two", "Narrative two.", notes="Notes for the speaker.")


def test_pdf_handout_prints_speaker_notes_under_the_narrative(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step with notes gets them drawn after its narrative; a step without has none."""
    drawn: list[str] = []
    real = export._narrative

    def spy(painter: QPainter, text: str, rect: QRectF) -> float:
        drawn.append(text)
        return real(painter, text, rect)

    monkeypatch.setattr(export, "_narrative", spy)
    out = tmp_path / "noted.pdf"
    assert PdfHandout(ExportPlan(_Noted, size=(1280, 720)), out).run_all() == 2
    assert drawn == ["Narrative one.", "Narrative two.", "Notes for the speaker."]
    assert pdf_structure(out)[0] == 2
