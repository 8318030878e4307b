"""Tests for `python -m engine.bench --compare torch`: ratios beside the engine's figures,
a one-line error without PyTorch, and (where PyTorch is installed) a smoke run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator

import pytest

from engine.bench import cli as bench
from engine.bench.rival import Rival
from engine.bench.workloads import Sizes
from engine.core import backend


@pytest.fixture(autouse=True)
def _keep_backend() -> Iterator[None]:
    previous = backend.current().name
    yield
    backend.use(previous)


def test_compare_torch_without_pytorch_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No PyTorch: one line saying so and how to install it, exit status 2, nothing run."""
    monkeypatch.setitem(sys.modules, "torch", None)
    code = bench.main(["--smoke", "--only", "W4", "--compare", "torch"])
    out, err = capsys.readouterr()
    assert code == bench.EXIT_USAGE and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "PyTorch is not importable" in err and "deepstep[compare]" in err


def test_compare_runs_on_the_cpu_only(capsys: pytest.CaptureFixture[str]) -> None:
    """--compare with --device gpu is a usage error, whatever is installed."""
    code = bench.main(["--smoke", "--device", "gpu", "--compare", "torch"])
    _, err = capsys.readouterr()
    assert code == bench.EXIT_USAGE and "CPU only" in err


def _stub(calls: list[str]) -> Rival:
    def make(workload: str) -> Callable[[Sizes], Callable[[], object]]:
        return lambda sizes: lambda: calls.append(workload)

    return Rival("stub", "1.0", 1, {"W1": make("W1"), "W4": make("W4")}, {"W1": 0.8})


def test_a_rival_is_timed_in_turn_and_its_ratio_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each workload the rival has runs warm-up + repeat times; the row gets its median and the
    ratio engine / rival; workloads it lacks get none; the table shows both columns."""
    calls: list[str] = []
    report = bench.run(["W1", "W4", "O1"], repeat=2, smoke=True, rival=_stub(calls))
    assert calls == ["W1"] * 3 + ["W4"] * 3
    assert report["compare"] == {"name": "stub", "version": "1.0", "threads": 1}
    rows = {row["id"]: row for row in report["workloads"]}
    figures = rows["W1"]["details"]["stub"]
    assert set(figures) == {"median_s", "runs_s", "ratio", "target", "met"}
    assert len(figures["runs_s"]) == 2 and figures["ratio"] > 0
    assert figures["target"] is None  # smoke sizes: not judged
    assert "stub" not in rows["O1"]["details"]
    text = bench.table(report)
    assert "compared with: stub 1.0 with 1 threads" in text
    header = next(line for line in text.splitlines() if line.startswith("id "))
    assert header.split()[-4:] == ["stub", "ratio", "ratio", "target"]
    json.dumps(report)  # still JSON


@pytest.mark.slow
def test_compare_torch_smoke_run(capsys: pytest.CaptureFixture[str]) -> None:
    """With PyTorch installed, W1-W4 run in both and every row has a positive ratio."""
    pytest.importorskip("torch")
    code = bench.main(["--smoke", "--json", "--only", "W1,W2,W3,W4", "--compare", "torch"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["compare"]["name"] == "torch"
    for row in report["workloads"]:
        if row["status"] == "ok":
            assert row["details"]["torch"]["ratio"] > 0, row
