"""The benchmark workloads of BENCHMARKS.md (W1-W5, O1, O2), each timed on the engine.

Every workload builds its model and random data from a fixed seed (float32), runs once to warm
up, then `repeat` timed runs, and reports the median. Where BENCHMARKS.md asks for it the figure
is a multiple of the FLOP limit: the workload's floating-point operations divided by the
float32 matrix-product rate measured in the same run (`gemm_rate`). A dense layer with `a`
inputs and `b` units costs, per sample, 2ab FLOP forward and 4ab backward (input and weight
gradients), so an MLP epoch costs `6 * samples * sum(a * b)`:

    W1: 6 * 10,000 * (784*256 + 256*128 + 128*10)     = 14.1 GFLOP per epoch
    W5: 6 * 60,000 * (784*4096 + 4096*4096 + 4096*10) = 7.21 TFLOP per epoch

The instrumentation overheads O1 and O2 are in `engine.bench.overhead`. A workload whose layers
do not exist yet (W2 before Conv2D, W3 before LSTM) or that needs another device (W5: GPU only)
raises `UnavailableError` with the reason; the caller lists it as skipped, it is never faked.
"""

from __future__ import annotations

import importlib
import itertools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from engine.analysis.landscape import loss_grid
from engine.bench.machine import blas_threads
from engine.bench.rival import Rival
from engine.models.sequential import Sequential
from engine.nn.layers import Dense, Flatten, Input, Layer
from engine.nn.optimizers import Adam

__all__ = [
    "FULL",
    "SMOKE",
    "Context",
    "Result",
    "Sizes",
    "UnavailableError",
    "classification_data",
    "epoch_runner",
    "finish",
    "gemm_rate",
    "mlp_flops",
    "sequence_data",
    "w1",
    "w1_model",
    "w2",
    "w3",
    "w4",
    "w5",
]

SEED = 0
SETTLE_S = 0.2  # with a rival: each library's idle threads stop spinning before the other runs


class UnavailableError(Exception):
    """The workload cannot run here (a layer not written yet, or another device needed)."""


@dataclass(frozen=True)
class Sizes:
    """Problem sizes: BENCHMARKS.md's (`FULL`), or tiny ones for the test suite (`SMOKE`)."""

    gemm: int
    w1_samples: int
    w2_samples: int
    w3_samples: int
    w3_steps: int
    w4_points: int
    w4_resolution: int
    w5_samples: int
    w5_hidden: int
    o2_steps: int


FULL = Sizes(2048, 10_000, 2048, 1024, 50, 1000, 51, 60_000, 4096, 20)
SMOKE = Sizes(256, 256, 128, 64, 10, 100, 11, 2048, 256, 2)


@dataclass
class Result:
    """One workload's outcome; `figure` is in `figure_unit` (seconds, x limit, or a ratio)."""

    id: str
    title: str
    status: str = "ok"  # "ok", "skipped" or "error"
    reason: str | None = None
    median_s: float | None = None
    runs_s: list[float] = field(default_factory=list)
    figure: float | None = None
    figure_unit: str = "s"
    target: str = ""
    met: bool | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What every workload needs: the array module, sizes, repeats and the measured GEMM rate."""

    xp: ModuleType
    device: str
    sizes: Sizes
    repeat: int
    sync: Callable[[], None]
    gemm_flops_per_s: float = 0.0
    smoke: bool = False
    rival: Rival | None = None  # --compare: the same workloads in another framework

    def time(self, *functions: Callable[[], object], settle_s: float = 0.0) -> list[list[float]]:
        """Warm each function up once, then run them in turn `repeat` times: seconds per run.
        `settle_s` is a pause before each run, untimed, for another library's threads to stop
        spinning after the previous run."""
        for function in functions:
            function()
        self.sync()
        runs: list[list[float]] = [[] for _ in functions]
        for _ in range(self.repeat):
            for function, seconds in zip(functions, runs, strict=True):
                time.sleep(settle_s)
                start = time.perf_counter()
                function()
                self.sync()
                seconds.append(time.perf_counter() - start)
        return runs

    def time_against(self, result: Result, function: Callable[[], object]) -> list[float]:
        """`function`'s seconds per run; with a rival that has `result.id`, its version of the
        workload runs in turn with `function` and its figures go into `result.details`."""
        make = None if self.rival is None else self.rival.workloads.get(result.id)
        if self.rival is None or make is None:
            (runs,) = self.time(function)
            return runs
        runs, rival_runs = self.time(function, make(self.sizes), settle_s=SETTLE_S)
        ratio = statistics.median(runs) / statistics.median(rival_runs)
        target = None if self.smoke else self.rival.targets.get(result.id)
        result.details[self.rival.name] = {
            "median_s": statistics.median(rival_runs),
            "runs_s": rival_runs,
            "ratio": ratio,
            "target": target,
            "met": None if target is None else ratio <= target,
        }
        return runs

    def device_array(self, a: np.ndarray) -> Any:
        """`a` on the compute device (NumPy arrays stay as they are)."""
        return self.xp.asarray(a)


def gemm_rate(ctx: Context, n: int, runs: int = 5) -> tuple[float, list[float]]:
    """Median float32 FLOP/s of an n x n matrix product (and the seconds of each run)."""
    rng = np.random.default_rng(SEED)
    a = ctx.device_array(rng.standard_normal((n, n), dtype=np.float32))
    b = ctx.device_array(rng.standard_normal((n, n), dtype=np.float32))
    out = ctx.xp.empty((n, n), dtype=np.float32)
    saved, ctx.repeat = ctx.repeat, runs
    try:
        (seconds,) = ctx.time(lambda: ctx.xp.matmul(a, b, out=out))
    finally:
        ctx.repeat = saved
    return 2.0 * n**3 / statistics.median(seconds), seconds


def mlp_flops(widths: Sequence[int], samples: int) -> float:
    """FLOP of one training epoch of a dense MLP: 6 * samples * sum(a * b) over its layers."""
    return 6.0 * samples * sum(a * b for a, b in itertools.pairwise(widths))


def finish(result: Result, runs: list[float], figure: float, target: str, met: bool) -> Result:
    result.runs_s = runs
    result.median_s = statistics.median(runs)
    result.figure = figure
    result.target = target
    return _judge(result, met)


def _judge(result: Result, met: bool) -> Result:
    result.met = None if not result.target else bool(met)
    return result


def classification_data(shape: tuple[int, ...], classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded float32 inputs of `shape` and integer labels below `classes` (host arrays)."""
    rng = np.random.default_rng(SEED)
    return rng.standard_normal(shape, dtype=np.float32), rng.integers(0, classes, shape[0])


def sequence_data(samples: int, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """W3's seeded float32 sequences (samples, steps, 1) and targets (samples, 1)."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((samples, steps, 1), dtype=np.float32)
    return x, rng.standard_normal((samples, 1), dtype=np.float32)


def _classification(ctx: Context, shape: tuple[int, ...], classes: int) -> tuple[Any, Any]:
    x, y = classification_data(shape, classes)
    return ctx.device_array(x), ctx.device_array(y)


def _mlp(widths: Sequence[int], activation: str, output: str | None = None) -> Sequential:
    layers: list[Layer] = [Input((widths[0],))]
    layers += [Dense(w, activation=activation) for w in widths[1:-1]]
    layers.append(Dense(widths[-1], activation=output))
    return Sequential(layers, seed=SEED)


def _compiled(model: Sequential, loss: str) -> Sequential:
    model.compile(optimizer=Adam(1e-3), loss=loss)
    return model


def epoch_runner(model: Sequential, x: Any, y: Any, batch: int) -> Callable[[], object]:
    return lambda: model.fit(x, y, batch_size=batch, epochs=1)


def _flop_limited(
    ctx: Context, result: Result, runs: list[float], flops: float, x: float
) -> Result:
    limit = flops / ctx.gemm_flops_per_s
    result.details.update(
        flops=flops, limit_s=limit, x_limit=statistics.median(runs) / limit, limit_target=x
    )
    result.figure_unit = "x FLOP limit"
    target = "" if ctx.smoke else f"<= {x:g}x FLOP limit"
    ratio = statistics.median(runs) / limit
    return finish(result, runs, ratio, target, ratio <= x)


W1_WIDTHS = (784, 256, 128, 10)


def w1_model(ctx: Context) -> tuple[Sequential, Any, Any]:
    x, y = _classification(ctx, (ctx.sizes.w1_samples, W1_WIDTHS[0]), W1_WIDTHS[-1])
    model = _compiled(_mlp(W1_WIDTHS, "relu", "softmax"), "sparse_categorical_crossentropy")
    return model, x, y


def w1(ctx: Context) -> Result:
    """MLP 784-256-128-10 (ReLU, softmax cross-entropy, Adam), batch 128, one epoch."""
    result = Result("W1", f"MLP 784-256-128-10, epoch of {ctx.sizes.w1_samples:,}")
    model, x, y = w1_model(ctx)
    runs = ctx.time_against(result, epoch_runner(model, x, y, 128))
    result.details["pytorch_cpu_reference_s"] = 0.27
    flops = mlp_flops(W1_WIDTHS, ctx.sizes.w1_samples)
    return _flop_limited(ctx, result, runs, flops, 3.0)


def _require(module: str, *names: str) -> list[Any]:
    """The named classes of an engine module, or UnavailableError saying what is missing."""
    try:
        found = importlib.import_module(module)
    except Exception as err:  # a module being written may fail to import in any way
        raise UnavailableError(f"{module} does not import: {type(err).__name__}: {err}") from err
    missing = [name for name in names if not hasattr(found, name)]
    if missing:
        raise UnavailableError(f"{module} has no {', '.join(missing)} yet")
    return [getattr(found, name) for name in names]


def _seconds_target(ctx: Context, result: Result, runs: list[float], limit: float) -> Result:
    median = statistics.median(runs)
    target = "" if ctx.smoke else f"<= {limit:g} s"
    return finish(result, runs, median, target, median <= limit)


def w2(ctx: Context) -> Result:
    """LeNet-style CNN on 28x28 images, Adam, batch 64, one epoch."""
    (conv2d,) = _require("engine.nn.conv", "Conv2D")
    (max_pool,) = _require("engine.nn.pooling", "MaxPooling2D")
    n = ctx.sizes.w2_samples
    result = Result("W2", f"CNN (LeNet-5 style), epoch of {n:,} 28x28")
    x, y = _classification(ctx, (n, 1, 28, 28), 10)
    layers = [
        Input((1, 28, 28)),
        conv2d(6, 5, padding=2, activation="relu"),
        max_pool(2),
        conv2d(16, 5, activation="relu"),
        max_pool(2),
        Flatten(),
        Dense(120, activation="relu"),
        Dense(84, activation="relu"),
        Dense(10, activation="softmax"),
    ]
    model = _compiled(Sequential(layers, seed=SEED), "sparse_categorical_crossentropy")
    runs = ctx.time_against(result, epoch_runner(model, x, y, 64))
    result.details["pytorch_cpu_reference_s"] = 0.34
    return _seconds_target(ctx, result, runs, 1.5 * 0.34)


def w3(ctx: Context) -> Result:
    """LSTM(1->64) over 50 steps, last state -> Dense(1), MSE, Adam, batch 32, one epoch."""
    (lstm,) = _require("engine.nn.recurrent", "LSTM")
    n, steps = ctx.sizes.w3_samples, ctx.sizes.w3_steps
    result = Result("W3", f"LSTM 64 units x {steps} steps, epoch of {n:,}")
    x, y = (ctx.device_array(a) for a in sequence_data(n, steps))
    model = _compiled(Sequential([Input((steps, 1)), lstm(64), Dense(1)], seed=SEED), "mse")
    runs = ctx.time_against(result, epoch_runner(model, x, y, 32))
    result.details["pytorch_cpu_reference_s"] = 0.16
    return _seconds_target(ctx, result, runs, 1.5 * 0.16)


def w4(ctx: Context) -> Result:
    """Loss landscape of an MLP 2-16-16-2 (tanh) on 1,000 points over a 51x51 grid."""
    points, res = ctx.sizes.w4_points, ctx.sizes.w4_resolution
    result = Result("W4", f"loss landscape {res}x{res}, MLP 2-16-16-2, {points:,} points")
    x, y = _classification(ctx, (points, 2), 2)
    model = _compiled(_mlp((2, 16, 16, 2), "tanh", "softmax"), "sparse_categorical_crossentropy")
    # as many worker threads as the BLAS has (`--threads`): the grid's chunks split between them
    workers = blas_threads()[0] or 1
    result.details["workers"] = workers
    runs = ctx.time_against(
        result, lambda: loss_grid(model, x, y, resolution=res, seed=SEED, workers=workers)
    )
    return _seconds_target(ctx, result, runs, 0.15)


def w5(ctx: Context) -> Result:
    """GPU only: MLP 784-4096-4096-10, batch 1024, Adam, one epoch of 60,000 samples."""
    if ctx.device != "gpu":
        raise UnavailableError("GPU only: run with --device gpu (needs CuPy and an NVIDIA GPU)")
    n, hidden = ctx.sizes.w5_samples, ctx.sizes.w5_hidden
    widths = (784, hidden, hidden, 10)
    result = Result("W5", f"MLP 784-{hidden}-{hidden}-10, epoch of {n:,}")
    x, y = _classification(ctx, (n, 784), 10)
    model = _compiled(_mlp(widths, "relu", "softmax"), "sparse_categorical_crossentropy")
    (runs,) = ctx.time(epoch_runner(model, x, y, 1024))
    result.details["flops_formula"] = f"6 * {n} * (784*{hidden} + {hidden}*{hidden} + {hidden}*10)"
    return _flop_limited(ctx, result, runs, mlp_flops(widths, n), 1.4)
