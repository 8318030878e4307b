"""`python -m engine.bench`: time the engine on the workloads of BENCHMARKS.md and print them.

    python -m engine.bench                      all workloads on the CPU, as a table
    python -m engine.bench --json               the same as JSON, with machine and versions
    python -m engine.bench --only W1,O1 --repeat 5
    python -m engine.bench --device gpu         on CuPy and an NVIDIA GPU (W5 runs only there)
    python -m engine.bench --threads 1          BLAS threads for this run
    python -m engine.bench --smoke              tiny sizes, one repeat (for the test suite)
    python -m engine.bench --compare torch      W1-W4 also in PyTorch, with engine/PyTorch ratios

Each figure is the median of `--repeat` timed runs (3 by default) after one warm-up run. The
same run measures the float32 matrix-product rate (an n x n GEMM, the median of 5), so figures
that BENCHMARKS.md states against the FLOP limit are printed as multiples of it. Workloads that
cannot run here are listed as skipped with the reason. Timings are only as good as the machine
is quiet: the load average at the start and the end is part of the output.

`--compare torch` builds the same W1-W4 in PyTorch (the optional `compare` extra: PyTorch is never
needed otherwise), on the CPU with as many threads as the engine's BLAS, and times each in turn
with the engine's run; the table gains PyTorch's median and the ratio engine / PyTorch.

Exit status: 0 when every chosen workload ran or was skipped, 1 when one failed, 2 for a bad
argument, an unusable device or a comparison that cannot run (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, NoReturn

from engine.bench.machine import blas_threads, cpu_busy, machine_info, set_blas_threads
from engine.bench.overhead import o1, o2
from engine.bench.rival import Rival, RivalUnavailableError
from engine.bench.workloads import (
    FULL,
    SMOKE,
    Context,
    Result,
    UnavailableError,
    gemm_rate,
    w1,
    w2,
    w3,
    w4,
    w5,
)
from engine.core import backend

__all__ = ["TITLES", "WORKLOADS", "main", "run", "table"]

EXIT_FAILED, EXIT_USAGE = 1, 2
COMPARE = ("torch",)
GPU_GEMM = 8192  # a GPU needs a larger product than 2048 to approach its peak rate
TITLES = {
    "W1": "MLP 784-256-128-10, Adam, batch 128, epoch of 10,000",
    "W2": "CNN (LeNet-5 style), Adam, batch 64, epoch of 2,048 28x28",
    "W3": "LSTM 64 units x 50 steps, Adam, batch 32, epoch of 1,024",
    "W4": "loss landscape 51x51, MLP 2-16-16-2, 1,000 points",
    "W5": "MLP 784-4096-4096-10, Adam, batch 1024, epoch of 60,000",
    "O1": "W1 + per-layer summaries (tracer)",
    "O2": "one W1 step, every event recorded",
}

WORKLOADS: dict[str, Callable[[Context], Result]] = {
    "W1": w1,
    "W2": w2,
    "W3": w3,
    "W4": w4,
    "W5": w5,
    "O1": o1,
    "O2": o2,
}


class UsageError(Exception):
    """A bad command-line argument: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m engine.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--only", metavar="IDS", help=f"comma-separated ids of {', '.join(TITLES)}")
    parser.add_argument("--device", choices=backend.DEVICES, default="cpu", help="cpu or gpu")
    parser.add_argument("--repeat", type=_positive, metavar="N", help="timed runs (default 3)")
    parser.add_argument("--threads", type=_positive, metavar="N", help="BLAS threads to use")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument(
        "--compare", choices=COMPARE, help="also run W1-W4 in this framework and print ratios"
    )
    return parser


def _chosen(only: str | None) -> list[str]:
    if only is None:
        return list(TITLES)
    ids = [part.strip().upper() for part in only.split(",") if part.strip()]
    unknown = [i for i in ids if i not in TITLES]
    if unknown or not ids:
        raise UsageError(
            f"unknown workload id {', '.join(map(repr, unknown)) or repr(only)}; "
            f"choose from {', '.join(TITLES)}"
        )
    return [i for i in TITLES if i in ids]


def _sync(device: backend.Backend) -> Callable[[], None]:
    """Wait for the device to finish queued work (CuPy runs asynchronously; NumPy does not)."""
    if device.name == "gpu":
        runtime = device.xp.cuda.runtime
        return lambda: runtime.deviceSynchronize()
    return lambda: None


def load_rival(name: str) -> Rival:
    """The framework `name` (one of COMPARE) with its workloads, using as many threads as the
    engine's BLAS; raises `RivalUnavailableError` if it cannot be imported."""
    from engine.bench import torch_workloads  # imports nothing of PyTorch until load()

    return torch_workloads.load(blas_threads()[0])


def run(
    ids: Sequence[str],
    device: str = "cpu",
    repeat: int = 3,
    smoke: bool = False,
    rival: Rival | None = None,
) -> dict[str, Any]:
    """Run the workloads `ids` on `device` (and in `rival`, if given) and return the report
    (what --json prints); the engine's device is restored afterwards. Raises
    `backend.DeviceError` if `device` cannot be used."""
    previous = backend.current().name
    backend.use(device)
    try:
        return _run(ids, backend.current(), repeat, smoke, rival)
    finally:
        backend.use(previous)


def _run(
    ids: Sequence[str], chosen: backend.Backend, repeat: int, smoke: bool, rival: Rival | None
) -> dict[str, Any]:
    sizes = SMOKE if smoke else FULL
    ctx = Context(chosen.xp, chosen.name, sizes, repeat, _sync(chosen), smoke=smoke, rival=rival)
    report: dict[str, Any] = {"benchmark": "deepstep engine", "schema": 1}
    report["machine"] = machine_info(chosen, busy_seconds=0.0 if smoke else 1.0)
    if rival is not None:
        report["compare"] = {"name": rival.name, "version": rival.version, "threads": rival.threads}
    n = GPU_GEMM if chosen.name == "gpu" and not smoke else sizes.gemm
    rate, seconds = gemm_rate(ctx, n)
    ctx.gemm_flops_per_s = rate
    report["settings"] = {"repeat": repeat, "warmup": 1, "smoke": smoke, "seed": 0}
    report["gemm"] = {"n": n, "dtype": "float32", "flops_per_s": rate, "runs_s": seconds}
    results = []
    for workload_id in ids:
        try:
            result = WORKLOADS[workload_id](ctx)
        except UnavailableError as why:
            result = Result(workload_id, TITLES[workload_id], "skipped", str(why))
        except Exception as err:  # report an engine failure and go on with the other workloads
            result = Result(
                workload_id, TITLES[workload_id], "error", f"{type(err).__name__}: {err}"
            )
        results.append(asdict(result))
    report["workloads"] = results
    report["load_average_end"] = (
        [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None
    )
    report["cpu_busy_pct_end"] = None if smoke else cpu_busy(1.0)
    return report


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.2f} ms" if value < 0.01 else f"{value:.3f} s"


def _figure(row: dict[str, Any]) -> str:
    figure, unit = row["figure"], row["figure_unit"]
    if figure is None:
        return "-"
    return _seconds(figure) if unit == "s" else f"{figure:.3f}{unit}"


def _notes(row: dict[str, Any]) -> str | None:
    d = row["details"]
    if "limit_s" in d:
        return f"{d['flops'] / 1e9:.1f} GFLOP per epoch; FLOP limit {_seconds(d['limit_s'])}"
    if "plain_median_s" in d:
        return (
            f"plain W1 in the same runs: {_seconds(d['plain_median_s'])}; {d['summarises']} "
            f"for {d['summarised_per_epoch']:.1f} of {d['steps_per_epoch']:.0f} steps per epoch "
            f"(the first step to begin {d['frame_interval_s'] * 1000:.1f} ms after the last one "
            f"taken, and each epoch's last); for every step: {d['every_step_ratio']:.3f}x W1"
        )
    if "peak_mib" in d:
        return (
            f"plain step {_seconds(d['plain_step_s'])}; {d['events_per_step']} events per step; "
            f"host peak {d['peak_mib']:.1f} MiB recorded vs {d['plain_peak_mib']:.1f} MiB "
            f"plain; payloads {d['payload_mib']:.1f} MiB"
        )
    return None


def _versus(figures: dict[str, Any] | None) -> tuple[str, str, str]:
    """The rival's median, the ratio engine / rival, and its target (met or not)."""
    if figures is None:
        return "-", "-", "-"
    target = figures["target"]
    judged = "-" if target is None else f"<= {target:g}x: " + ("yes" if figures["met"] else "NO")
    return _seconds(figures["median_s"]), f"{figures['ratio']:.2f}x", judged


def table(report: dict[str, Any]) -> str:
    """The report as the plain-text table `python -m engine.bench` prints."""
    m, gemm, settings = report["machine"], report["gemm"], report["settings"]
    threads = m["threads"]["blas"] or "unknown"
    blas = m["blas"]
    load = " ".join(f"{v:.2f}" for v in m["load_average"] or ())
    load_end = " ".join(f"{v:.2f}" for v in report.get("load_average_end") or ())
    busy = [m.get("cpu_busy_pct"), report.get("cpu_busy_pct_end")]
    busy_text = " / ".join("?" if b is None else f"{b:.0f}%" for b in busy)
    lines = [
        f"DeepStep engine benchmarks, {m['date']}",
        f"machine: {m['cpu_model']}, {m['cores']['usable']} cores, {m['platform']}",
        f"load average (1, 5, 15 min): {load or '?'} at start, {load_end or '?'} at end; "
        f"CPU busy with other work just before / after: {busy_text}",
        f"software: Python {m['python']}, NumPy {m['numpy']}, CuPy {m['cupy'] or '-'}, "
        f"BLAS {blas.get('name', '?')} {blas.get('version', '')} with {threads} threads",
        f"device: {m['device']['description']}",
        f"float32 GEMM {gemm['n']}x{gemm['n']}: {gemm['flops_per_s'] / 1e9:.1f} GFLOP/s "
        f"(median of {len(gemm['runs_s'])})",
        f"each figure: median of {settings['repeat']} timed runs after a warm-up"
        + (" (smoke sizes: targets not judged)" if settings["smoke"] else ""),
        "",
    ]
    rival = report.get("compare")
    if rival is not None:
        lines.insert(
            -2,
            f"compared with: {rival['name']} {rival['version']} with {rival['threads']} threads "
            "(run in turn with the engine; ratio = engine / " + rival["name"] + ")",
        )
    header: tuple[str, ...] = ("id", "workload", "median", "figure", "target", "met")
    if rival is not None:
        header = (*header, rival["name"], "ratio", "ratio target")
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    for row in report["workloads"]:
        if row["status"] != "ok":
            rows.append((row["id"], row["title"], f"{row['status']}: {row['reason']}"))
            continue
        met = {True: "yes", False: "NO", None: "-"}[row["met"]]
        median = _seconds(row["median_s"]) + ("/step" if row["id"] == "O2" else "")
        row_cells: tuple[str, ...] = (row["id"], row["title"], median, _figure(row))
        row_cells += (row["target"] or "-", met)
        if rival is not None:
            row_cells += _versus(row["details"].get(rival["name"]))
        rows.append(row_cells)
        note = _notes(row)
        if note:
            notes.append(f"{row['id']}: {note}")
    columns = len(header) - 1
    widths = [max(len(r[i]) for r in [header, *rows] if len(r) > i + 1) for i in range(columns)]
    for r in [header, *rows]:  # pad every cell but a row's last
        padded = [c.ljust(w) for c, w in zip(r[:-1], widths, strict=False)]
        lines.append("  ".join([*padded, r[-1]]))
    return "\n".join([*lines, "", *notes])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m engine.bench`."""
    try:
        args = _parser().parse_args(argv)
        ids = _chosen(args.only)
        if args.threads is not None:
            try:
                set_blas_threads(args.threads)
            except ValueError as err:
                raise UsageError(f"--threads: {err}") from None
        repeat = args.repeat or (1 if args.smoke else 3)
        rival = None
        if args.compare is not None:
            if args.device != "cpu":
                raise UsageError(f"--compare {args.compare} runs on the CPU only")
            rival = load_rival(args.compare)
        report = run(ids, args.device, repeat, args.smoke, rival)
    except (UsageError, backend.DeviceError, RivalUnavailableError) as err:
        print(f"engine.bench: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    print(json.dumps(report, indent=2) if args.json else table(report))
    failed = any(row["status"] == "error" for row in report["workloads"])
    return EXIT_FAILED if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
