"""deepstep --data: a good file trains in the playground; a bad one is one line and exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from app.data import cli as cli_data
from app.main import main
from lessons.core.userdata import ImportedSets


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[ImportedSets]:
    """The data sets each window had after the command line gave it --data."""
    seen: list[ImportedSets] = []
    real = cli_data.install

    def install(request: Any, window: Any) -> str | None:
        problem = real(request, window)
        seen.append(window.imports.sets)
        return problem

    monkeypatch.setattr(cli_data, "install", install)
    return seen


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err  # one line, no traceback
    assert err[0].startswith("deepstep: error: --")
    return err[0]


def _csv(tmp_path: Path, gaps: int = 0) -> Path:
    rng = np.random.default_rng(1)
    lines = ["a,b,c,label"]
    for i in range(60):
        a = "" if i < gaps else f"{rng.normal(3 * (i % 3), 0.5):.3f}"
        lines.append(f"{a},{rng.normal(i % 3, 0.3):.3f},{rng.normal():.3f},class{i % 3}")
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_data_trains_the_playground_on_the_file(
    qapp: object, tmp_path: Path, installed: list[ImportedSets]
) -> None:
    """--data with --features: the playground's step 4 is epoch 3 on the file's 3 classes."""
    out = tmp_path / "shot.png"
    args = ["--lesson", "playground", "--data", str(_csv(tmp_path)), "--features", "a,b"]
    assert main([*args, "--step", "4", "--screenshot", str(out), "--size", "1280x720"]) == 0
    image = QImage(str(out))
    assert not image.isNull() and image.width() == 1280
    entry = installed[-1].for_playground()
    assert entry is not None and entry.table is not None
    assert entry.table.feature_names == ("a", "b") and len(entry.table.class_names) == 3


@pytest.mark.parametrize(
    ("content", "extra", "words"),
    [
        ("", [], "is empty"),
        ("a|b\n1|2\n", [], "vertical bars"),
        (None, ["--features", "a,label"], "'label' is the label"),
        (None, ["--label", "c"], "different values"),
        ("gaps", [], "--missing drop or --missing fill"),
    ],
    ids=["empty", "delimiter", "label-as-feature", "measurement-label", "missing"],
)
def test_bad_data_gives_one_line_and_exit_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    extra: list[str],
    words: str,
) -> None:
    """Each problem is reported before Qt starts, with the flag that fixes it where one does."""
    if content is None:
        path = _csv(tmp_path)
    elif content == "gaps":
        path = _csv(tmp_path, gaps=3)
    else:
        path = tmp_path / "bad.csv"
        path.write_text(content)
    shot = str(tmp_path / "x.png")
    code = main(["--lesson", "playground", "--data", str(path), *extra, "--screenshot", shot])
    assert code == 2
    assert words in _error_line(capsys)
    assert not (tmp_path / "x.png").exists()


def test_missing_values_can_be_dropped_from_the_command_line(
    qapp: object, tmp_path: Path, installed: list[ImportedSets]
) -> None:
    """--missing drop removes the rows with gaps and the lesson runs."""
    out = tmp_path / "shot.png"
    path = _csv(tmp_path, gaps=3)
    args = ["--lesson", "playground", "--data", str(path), "--features", "a,b"]
    assert main([*args, "--missing", "drop", "--screenshot", str(out)]) == 0
    entry = installed[-1].for_playground()
    assert entry is not None and entry.table is not None and entry.table.rows == 57


def test_data_options_need_data_and_a_file_that_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--features alone, or a path that is not there, are usage errors."""
    assert main(["--lesson", "playground", "--features", "a,b"]) == 2
    assert "go with --data" in _error_line(capsys)
    assert main(["--lesson", "playground", "--data", str(tmp_path / "nope.csv")]) == 2
    assert "does not exist" in _error_line(capsys)


def test_an_image_folder_from_the_command_line(
    qapp: object, tmp_path: Path, installed: list[ImportedSets]
) -> None:
    """--data FOLDER decodes the images once Qt runs; the window gets them."""
    for cls, grey in (("a", 20), ("b", 230)):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(5):
            image = QImage(30, 30, QImage.Format.Format_RGB32)
            image.fill(QColor(grey, grey, grey))
            assert image.save(str(tmp_path / "imgs" / cls / f"{i}.png"))
    out = tmp_path / "shot.png"
    assert (
        main(["--lesson", "softmax", "--data", str(tmp_path / "imgs"), "--screenshot", str(out)])
        == 0
    )
    images = [s.images for s in installed[-1].sets if s.images is not None]
    assert len(images) == 1 and images[0].images.class_names == ("a", "b")
