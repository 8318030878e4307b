"""Property-based fuzz of the command line (hypothesis, bounded to a few seconds).

Command lines are drawn from every option with values both sensible and hostile: empty
strings, names over 255 bytes, paths to folders, devices, pipes and missing places, bad CSV
files, numbers out of range, stray tokens and abbreviations.  Whatever the line, ``deepstep``
must exit 0 or 2; exit 2 is exactly one line on stderr and never a traceback; and the window is
opened only when no output (screenshot, export) was asked for, however it was spelled.  The
rendering itself is replaced by stubs (it is tested elsewhere): this checks parsing and
validation, which must never hang, raise or read more than a bounded file.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.main as app_main
from app.main import build_parser, main
from app.output import exportdata, headless

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
LONG = "n" * 300
OUTPUTS = ("screenshot", "export_pdf", "export_png", "export_data")


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with good and bad inputs and places to write to."""
    root = tmp_path_factory.mktemp("cli-fuzz")
    rng = np.random.default_rng(5)
    rows = "".join(
        f"{a:.3f},{b:.3f},c{i % 2}\n" for i, (a, b) in enumerate(rng.normal(size=(60, 2)))
    )
    (root / "good.csv").write_text("a,b,y\n" + rows)
    (root / "three.csv").write_text("a,b,c,y\n" + rows.replace(",c", ",0.5,c"))
    (root / "huge.csv").write_text("a,b,y\n" + rows + "1e400,1,c0\n")
    (root / "empty.csv").write_text("")
    (root / "pipes.csv").write_text("a|b\n1|2\n")
    (root / "folder.png").mkdir()
    (root / "images" / "only").mkdir(parents=True)
    (root / "images" / "only" / "a.png").write_bytes(b"not really")
    if sys.platform != "win32":
        os.mkfifo(root / "pipe.csv")
    yield root


def _paths(root: Path, suffix: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            "",
            " ",
            str(root / f"out{suffix}"),
            str(root / "missing" / f"out{suffix}"),
            str(root / f"{LONG}{suffix}"),
            str(root / LONG / f"out{suffix}"),
            str(root / "folder.png"),
            str(root / "out.txt"),
            str(root),
            "/dev/null",
            "/",
            f"~/{LONG}{suffix}",
        ]
    ) | st.text(max_size=20)


def _data(root: Path) -> st.SearchStrategy[str]:
    names = ["good.csv", "three.csv", "huge.csv", "empty.csv", "pipes.csv", "pipe.csv"]
    return st.sampled_from(
        [
            *(str(root / n) for n in names),
            str(root / "images"),
            str(root / "nope.csv"),
            str(root / f"{LONG}.csv"),
            "/dev/zero",
            "",
            str(root),
        ]
    ) | st.text(max_size=12)


def _options(root: Path) -> st.SearchStrategy[list[str]]:
    words = st.text(max_size=12)
    option = st.one_of(
        st.tuples(
            st.just("--lesson"), st.sampled_from(["softmax", "playground", "1.3", "9.9", ""])
        ),
        st.tuples(
            st.just("--step"),
            st.one_of(st.integers(-3, 10**20).map(str), st.sampled_from(["", "1e3", "x"])),
        ),
        st.tuples(st.just("--screenshot"), _paths(root, ".png")),
        st.tuples(st.just("--scr"), _paths(root, ".png")),  # an abbreviation argparse accepts
        st.tuples(st.just("--export-pdf"), _paths(root, ".pdf")),
        st.tuples(st.just("--export-png"), _paths(root, "")),
        st.tuples(st.just("--export-data"), _paths(root, ".json")),
        st.tuples(
            st.just("--size"),
            st.sampled_from(["1280x720", "0x0", "99999x99999", "axb", "", "640×400"]) | words,
        ),
        st.tuples(st.just("--theme"), st.sampled_from(["dark", "light", "neon", ""])),
        st.tuples(st.just("--device"), st.sampled_from(["cpu", "gpu", "tpu"])),
        st.tuples(
            st.just("--set"),
            st.sampled_from(["temperature=2", "temperature=1e400", "data=your data", "=", "x"])
            | words,
        ),
        st.tuples(st.just("--data"), _data(root)),
        st.tuples(st.just("--features"), st.sampled_from(["a,b", "a", "y", "", ",,"]) | words),
        st.tuples(st.just("--label"), st.sampled_from(["y", "a", "zzz", ""])),
        st.tuples(st.just("--missing"), st.sampled_from(["drop", "fill", "keep"])),
        st.sampled_from(
            [("--subset",), ("--presentation",), ("--list",), ("--json",), ("--bogus",)]
        ),
        words.map(lambda w: (w,)),
    )
    return st.lists(option, max_size=6).map(lambda parts: [t for part in parts for t in part])


class Calls:
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    def stub(self, name: str) -> Any:
        def record(request: Any) -> int:
            self.seen.append((name, request))
            return 0

        return record


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    recorder = Calls()
    monkeypatch.setattr(app_main, "run_window", recorder.stub("window"))
    for name in ("screenshot", "presentation_screenshot", "export"):
        monkeypatch.setattr(headless, name, recorder.stub(name))
    monkeypatch.setattr(exportdata, "export_step", recorder.stub("export_data"))
    from app.shell import devices

    monkeypatch.setattr(devices, "switch", lambda name: None if name == "cpu" else "no GPU here")
    return recorder


@pytest.mark.skipif(sys.platform == "win32", reason="uses a named pipe")
def test_any_command_line_exits_0_or_2_with_one_line(place: Path, calls: Calls) -> None:
    """Exit 0 or 2; 2 is one 'deepstep: error:' line; the window only without outputs."""

    @FUZZ
    @given(argv=_options(place))
    def check(argv: list[str]) -> None:
        calls.seen.clear()
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(argv)
        lines = err.getvalue().splitlines()
        assert code in (0, 2), (argv, code, lines)
        if code == 2:
            assert len(lines) == 1 and lines[0].startswith("deepstep: error: "), (argv, lines)
            assert len(lines[0]) < 1200, argv
            assert not calls.seen
            return
        assert "Traceback" not in err.getvalue()
        if not calls.seen:  # --list
            return
        ((name, request),) = calls.seen
        args = build_parser().parse_args(argv)
        asked = {o for o in OUTPUTS if getattr(args, o) is not None}
        assert (name == "window") == (not asked), (argv, name)
        for output in (request.screenshot, request.export_pdf, request.export_data):
            assert output is None or (str(output).strip() and output.parent.is_dir()), argv

    check()
