"""The instrumentation overheads of BENCHMARKS.md: O1 (per-layer summaries) and O2 (a step
with every event recorded), each against the same model without instrumentation.

The plain and the instrumented run alternate (plain, instrumented, plain, ...) after one warm-up
of each, so that a change in machine load hits both alike; the figure is the ratio of their
medians. O2 also reports the host memory a recorded step peaks at (tracemalloc, which sees
NumPy's allocations), next to a plain step's.
"""

from __future__ import annotations

import statistics
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.bench.workloads import Context, Result, epoch_runner, finish, w1_model
from engine.core.events import ForwardPass, Gradient, OptimizerStep, Tracer, use_tracer
from engine.models.sequential import Sequential

__all__ = ["LayerSummaries", "o1", "o2"]

MIB = 1 << 20


class LayerSummaries:
    """What a GUI keeps per layer while training: activation mean and spread, gradient norms,
    update sizes. Subscribed to ForwardPass, Gradient and OptimizerStep for O1."""

    def __init__(self) -> None:
        self.values: dict[str, tuple[float, ...]] = {}
        self.events = 0
        self._diff: dict[str, np.ndarray] = {}  # one scratch buffer per parameter

    def attach(self, tracer: Tracer) -> list[Callable[[], None]]:
        """Subscribe to the three per-layer kinds; returns the unsubscribe functions."""
        return [
            tracer.subscribe(ForwardPass, self.forward),
            tracer.subscribe(Gradient, self.gradient),
            tracer.subscribe(OptimizerStep, self.step),
        ]

    def forward(self, event: ForwardPass) -> None:
        """Mean and standard deviation of the layer's output, from two BLAS-speed sums."""
        self.events += 1
        flat = event.output.reshape(-1)
        mean = float(flat.sum()) / flat.size
        mean_square = float(flat @ flat) / flat.size
        self.values[event.layer] = (mean, max(mean_square - mean * mean, 0.0) ** 0.5)

    def gradient(self, event: Gradient) -> None:
        self.events += 1
        flat = event.value.reshape(-1)
        self.values[f"grad {event.name}"] = (float(flat @ flat) ** 0.5,)

    def step(self, event: OptimizerStep) -> None:
        """The largest change of one weight, computed in a reused buffer."""
        self.events += 1
        diff = self._diff.get(event.param)
        if diff is None or diff.shape != event.after.shape:
            diff = self._diff[event.param] = np.empty_like(event.after)
        np.subtract(event.after, event.before, out=diff)
        self.values[f"step {event.param}"] = (max(float(diff.max()), -float(diff.min())),)


def o1(ctx: Context) -> Result:
    """W1 with a tracer subscribed to per-layer summaries, as a ratio to plain W1."""
    result = Result("O1", "W1 + per-layer summaries (tracer)")
    model, x, y = w1_model(ctx)
    tracer, summaries = Tracer(), LayerSummaries()
    unsubscribe = summaries.attach(tracer)
    epoch = epoch_runner(model, x, y, 128)

    def traced() -> None:
        with use_tracer(tracer):
            epoch()

    try:
        plain_runs, traced_runs = ctx.time(epoch, traced)
    finally:
        for done in unsubscribe:
            done()
    ratio = statistics.median(traced_runs) / statistics.median(plain_runs)
    result.details.update(
        plain_median_s=statistics.median(plain_runs),
        plain_runs_s=plain_runs,
        events_seen=summaries.events,
    )
    result.figure_unit = "x W1"
    target = "" if ctx.smoke else "<= 1.15x W1"
    return finish(result, traced_runs, ratio, target, ratio <= 1.15)


def o2(ctx: Context) -> Result:
    """One W1 training step with every event recorded, as a ratio to a plain step; peak MiB."""
    steps = ctx.sizes.o2_steps
    result = Result("O2", "one W1 step, every event recorded")
    model, x, y = w1_model(ctx)
    batches = [(x[i * 128 : (i + 1) * 128], y[i * 128 : (i + 1) * 128]) for i in range(steps)]
    tracer, counts = Tracer(), {"events": 0, "dropped": 0}

    def plain() -> None:
        for xb, yb in batches:
            model.train_on_batch(xb, yb)

    def recorded() -> None:
        with use_tracer(tracer):
            for xb, yb in batches:
                with tracer.record() as events:
                    model.train_on_batch(xb, yb)
                counts["events"], counts["dropped"] = len(events), events.dropped

    plain_runs, recorded_runs = ctx.time(plain, recorded)
    per_step = [s / steps for s in recorded_runs]
    ratio = statistics.median(recorded_runs) / statistics.median(plain_runs)
    plain_peak, recorded_peak, payload = _step_memory(model, tracer, *batches[0])
    result.details.update(
        plain_step_s=statistics.median(plain_runs) / steps,
        steps_per_run=steps,
        events_per_step=counts["events"],
        dropped=counts["dropped"],
        peak_mib=recorded_peak,
        plain_peak_mib=plain_peak,
        payload_mib=payload,
    )
    result.figure_unit = "x plain step"
    target = "" if ctx.smoke else "<= 3x plain step"
    return finish(result, per_step, ratio, target, ratio <= 3.0)


def _step_memory(model: Sequential, tracer: Tracer, xb: Any, yb: Any) -> tuple[float, float, float]:
    """Host peak MiB (tracemalloc) of a plain and of a recorded step, and the distinct MiB of
    the arrays the recorded events hold."""
    tracemalloc.start()
    try:
        plain = 0.0
        for _ in range(2):  # the first step after a recording still copies what it handed out
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
            model.train_on_batch(xb, yb)
            plain = (tracemalloc.get_traced_memory()[1] - base) / MIB
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with use_tracer(tracer), tracer.record() as events:
            model.train_on_batch(xb, yb)
        recorded = (tracemalloc.get_traced_memory()[1] - base) / MIB
    finally:
        tracemalloc.stop()
    buffers: dict[int, int] = {}
    for event in events:
        for value in vars(event).values():
            arrays = value.values() if isinstance(value, dict) else (value,)
            for a in arrays:
                if isinstance(a, np.ndarray):
                    buffers[a.__array_interface__["data"][0]] = a.nbytes
    return plain, recorded, sum(buffers.values()) / MIB
