"""Tests for `python -m engine.bench`: smoke mode runs and reports every field; bad input exits 2.

No test here asserts a time: benchmarks are not tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.bench import cli as bench
from engine.bench.workloads import FULL, mlp_flops
from engine.core import backend

ROOT = Path(__file__).resolve().parents[3]
RESULT_FIELDS = {
    "id",
    "title",
    "status",
    "reason",
    "median_s",
    "runs_s",
    "figure",
    "figure_unit",
    "target",
    "met",
    "details",
}
MACHINE_FIELDS = {
    "date",
    "platform",
    "cpu_model",
    "cores",
    "load_average",
    "cpu_busy_pct",
    "python",
    "numpy",
    "cupy",
    "blas",
    "threads",
    "device",
}


@pytest.fixture(autouse=True)
def _keep_backend() -> Iterator[None]:
    """The bench chooses a device; put the previous one back."""
    previous = backend.current().name
    yield
    backend.use(previous)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = bench.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def smoke_report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run_main(capsys, "--smoke", "--json", *args)
    assert code == 0, err
    report: dict[str, Any] = json.loads(out)
    return report


def test_smoke_json_has_every_field_for_every_workload(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--smoke --json: machine, settings, GEMM rate and one complete row per workload."""
    report = smoke_report(capsys)
    assert report["benchmark"] == "deepstep engine" and report["schema"] == 1
    assert set(report["machine"]) >= MACHINE_FIELDS
    assert report["machine"]["device"]["name"] == "cpu"
    assert {"blas", "blas_source", "env"} <= set(report["machine"]["threads"])
    assert report["settings"] == {"repeat": 1, "warmup": 1, "smoke": True, "seed": 0}
    assert report["gemm"]["flops_per_s"] > 0 and len(report["gemm"]["runs_s"]) == 5
    assert "load_average_end" in report and "cpu_busy_pct_end" in report
    rows = {row["id"]: row for row in report["workloads"]}
    assert list(rows) == list(bench.TITLES)
    for row in rows.values():
        assert set(row) == RESULT_FIELDS
        assert row["status"] in ("ok", "skipped"), row
        if row["status"] == "ok":
            assert len(row["runs_s"]) == 1 and row["median_s"] > 0 and row["figure"] > 0
            assert row["met"] is None  # smoke sizes: the targets are not judged
        else:
            assert row["reason"]
    assert rows["W1"]["status"] == "ok" and rows["W1"]["figure_unit"] == "x FLOP limit"
    assert rows["W1"]["details"]["flops"] == mlp_flops((784, 256, 128, 10), 256)
    assert rows["W4"]["status"] == "ok"
    assert rows["O1"]["details"]["events_seen"] > 0
    details = rows["O2"]["details"]
    assert details["events_per_step"] > 0 and details["peak_mib"] > 0


def test_w5_is_skipped_on_the_cpu_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    """W5 is GPU only: on the CPU it is listed as skipped, saying so."""
    (row,) = smoke_report(capsys, "--only", "w5")["workloads"]
    assert row["status"] == "skipped" and "GPU only" in row["reason"]
    assert row["median_s"] is None and row["figure"] is None


def test_a_missing_layer_module_skips_its_workload_with_the_reason(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """W2 needs engine.nn.conv: when it cannot be imported, W2 is skipped and names it."""
    monkeypatch.setitem(sys.modules, "engine.nn.conv", None)
    report = smoke_report(capsys, "--only", "W2,W4")
    w2, w4 = report["workloads"]
    assert w2["status"] == "skipped" and "engine.nn.conv" in w2["reason"]
    assert w4["status"] == "ok"
    code, out, _ = run_main(capsys, "--smoke", "--only", "W2")
    assert code == 0 and "skipped: engine.nn.conv does not import" in out


def test_a_failing_workload_is_reported_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine error is shown in the workload's row; the others still run; status 1."""

    def broken(ctx: object) -> object:
        raise RuntimeError("shape mismatch in layer dense")

    monkeypatch.setitem(bench.WORKLOADS, "W4", broken)
    code, out, _ = run_main(capsys, "--smoke", "--json", "--only", "W4,W5")
    rows = json.loads(out)["workloads"]
    assert code == bench.EXIT_FAILED
    assert rows[0]["status"] == "error" and "shape mismatch" in rows[0]["reason"]
    assert rows[1]["status"] == "skipped"


def test_table_lists_every_workload(capsys: pytest.CaptureFixture[str]) -> None:
    """The text output names the machine, the GEMM rate and a row per chosen workload."""
    code, out, _ = run_main(capsys, "--smoke", "--only", "W1,W5,O2")
    assert code == 0
    assert "float32 GEMM" in out and "load average" in out and "BLAS" in out
    for workload_id in ("W1", "W5", "O2"):
        assert any(line.startswith(f"{workload_id} ") for line in out.splitlines())
    assert "W3 " not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "W9"], "unknown workload id 'W9'"),
        (["--only", ","], "unknown workload id"),
        (["--repeat", "0"], "--repeat"),
        (["--repeat", "three"], "--repeat"),
        (["--threads", "0"], "--threads"),
        (["--device", "tpu"], "--device"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Unknown ids and bad numbers: one line on stderr, exit status 2, nothing on stdout."""
    code, out, err = run_main(capsys, "--smoke", *args)
    assert code == bench.EXIT_USAGE and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_an_unusable_gpu_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """--device gpu without CuPy or a GPU: the DeviceError's message, exit status 2."""
    if "gpu" in backend.available_devices():
        pytest.skip("a GPU is usable here")
    code, out, err = run_main(capsys, "--smoke", "--device", "gpu")
    assert code == bench.EXIT_USAGE and out == ""
    assert len(err.strip().splitlines()) == 1 and "GPU requested" in err


@pytest.mark.slow
def test_the_module_runs_as_a_command_with_a_thread_count() -> None:
    """`python -m engine.bench --threads 1` sets and reports the BLAS threads."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine.bench",
            "--smoke",
            "--json",
            "--only",
            "W4",
            "--threads",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    threads = json.loads(done.stdout)["machine"]["threads"]
    assert threads["blas"] == 1 or threads["blas_source"] == "unknown"


def test_flop_counts_match_benchmarks_md() -> None:
    """W1 is 14.1 GFLOP per epoch; W5 is 7.21 TFLOP (6 FLOP per multiply-add and sample)."""
    w1 = mlp_flops((784, 256, 128, 10), FULL.w1_samples)
    w5 = mlp_flops((784, FULL.w5_hidden, FULL.w5_hidden, 10), FULL.w5_samples)
    assert (round(w1 / 1e9, 1), round(w5 / 1e12, 2)) == (14.1, 7.21)
