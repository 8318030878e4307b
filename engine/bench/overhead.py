"""The instrumentation overheads of BENCHMARKS.md: O1 (per-layer summaries) and O2 (a step
with every event recorded), each against the same model without instrumentation.

O1's subscriber is what a GUI needs per layer: it summarises (mean and spread of each layer's
output, gradient norms, largest weight change) only the steps a ~60 fps display can show: the
first step to begin once a frame is due and each epoch's last, each exactly (`StepSampler`).
The same summaries of every step are timed in the same runs and reported beside it.

The plain and the instrumented run alternate (plain, instrumented, plain, ...) after one warm-up
of each, so that a change in machine load hits both alike; the figure is the ratio of their
medians. O2 also reports the host memory a recorded step peaks at (tracemalloc, which sees
NumPy's allocations), next to a plain step's.
"""

from __future__ import annotations

import math
import statistics
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.bench.workloads import Context, Result, epoch_runner, finish, w1_model
from engine.core.events import (
    BatchEnd,
    Event,
    ForwardPass,
    Gradient,
    OptimizerStep,
    Tracer,
    use_tracer,
)
from engine.core.sampling import StepSampler
from engine.models.sequential import Sequential

__all__ = ["FRAME_INTERVAL_S", "LayerSummaries", "Summary", "o1", "o2"]

MIB = 1 << 20


FRAME_INTERVAL_S = 1 / 60  # the GUI draws at most ~60 frames a second


@dataclass(frozen=True)
class Summary:
    """One training step's per-layer numbers; `values` are all of step (`epoch`, `batch`)."""

    epoch: int
    batch: int
    values: Mapping[str, tuple[float, ...]]


class LayerSummaries:
    """What a GUI keeps per layer while training: each layer output's mean and spread, each
    gradient's norm and each parameter's largest change, of one step at a time.

    A `StepSampler` hands it whole steps: with `interval=1/60` only the step current when a
    frame is due, and each epoch's last step (given `steps_per_epoch`); with `interval=0` every
    step. `latest` is
    replaced as a whole, so a reader never sees numbers of two different steps mixed.
    """

    def __init__(
        self, interval: float = FRAME_INTERVAL_S, steps_per_epoch: int | None = None
    ) -> None:
        self.sampler = StepSampler(self.summarise, interval, steps_per_epoch)
        self.latest: Summary | None = None
        self.events = 0  # events summarised
        self._diff: dict[str, np.ndarray] = {}  # one scratch buffer per parameter

    def attach(self, tracer: Tracer) -> Callable[[], None]:
        """Subscribe (through the sampler) to the three per-layer kinds; returns a detach."""
        return self.sampler.attach(tracer, (ForwardPass, Gradient, OptimizerStep))

    def summarise(self, events: Sequence[Event], end: BatchEnd) -> None:
        """Every number of one step, published together as `latest`."""
        values: dict[str, tuple[float, ...]] = {}
        for event in events:
            match event:
                case ForwardPass(layer=layer, output=output):
                    values[layer] = _mean_and_spread(output)
                case Gradient(name=name, value=value):
                    flat = value.reshape(-1)
                    values[f"grad {name}"] = (float(flat @ flat) ** 0.5,)
                case OptimizerStep(param=param, before=before, after=after):
                    values[f"step {param}"] = (self._largest_change(param, before, after),)
        self.events += len(events)
        self.latest = Summary(end.epoch, end.batch, values)

    def _largest_change(self, param: str, before: np.ndarray, after: np.ndarray) -> float:
        """max |after - before|, computed in a reused buffer."""
        diff = self._diff.get(param)
        if diff is None or diff.shape != after.shape:
            diff = self._diff[param] = np.empty_like(after)
        np.subtract(after, before, out=diff)
        return max(float(diff.max()), -float(diff.min()))


def _mean_and_spread(output: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a layer's output, from two BLAS-speed sums."""
    flat = output.reshape(-1)
    mean = float(flat.sum()) / flat.size
    mean_square = float(flat @ flat) / flat.size
    return mean, max(mean_square - mean * mean, 0.0) ** 0.5


def o1(ctx: Context) -> Result:
    """W1 with per-layer summaries of the steps a ~60 fps GUI shows, as a ratio to plain W1;
    the same summaries of every step are timed alongside, for comparison."""
    result = Result("O1", "W1 + per-layer summaries (tracer)")
    model, x, y = w1_model(ctx)
    epoch = epoch_runner(model, x, y, 128)
    steps = math.ceil(ctx.sizes.w1_samples / 128)
    sampled, every = LayerSummaries(FRAME_INTERVAL_S, steps), LayerSummaries(0.0)

    def traced(summaries: LayerSummaries) -> Callable[[], None]:
        tracer = Tracer()
        summaries.attach(tracer)

        def run() -> None:
            with use_tracer(tracer):
                epoch()

        return run

    plain_runs, sampled_runs, every_runs = ctx.time(epoch, traced(sampled), traced(every))
    plain = statistics.median(plain_runs)
    ratio = statistics.median(sampled_runs) / plain
    epochs = ctx.repeat + 1  # the warm-up, then the timed runs
    result.details.update(
        plain_median_s=plain,
        plain_runs_s=plain_runs,
        summarises=_what(sampled.latest),
        frame_interval_s=FRAME_INTERVAL_S,
        steps_per_epoch=sampled.sampler.steps / epochs,
        summarised_per_epoch=sampled.sampler.handed_on / epochs,
        events_seen=sampled.events,
        every_step_ratio=statistics.median(every_runs) / plain,
        every_step_runs_s=every_runs,
    )
    result.figure_unit = "x W1"
    target = "" if ctx.smoke else "<= 1.15x W1"
    return finish(result, sampled_runs, ratio, target, ratio <= 1.15)


def _what(summary: Summary | None) -> str:
    """What one step's summary holds, counted."""
    names = list(summary.values) if summary is not None else []
    grads = sum(name.startswith("grad ") for name in names)
    steps = sum(name.startswith("step ") for name in names)
    outputs = len(names) - grads - steps
    return (
        f"mean and spread of {outputs} layer outputs, norms of {grads} gradients, "
        f"largest change of {steps} parameters"
    )


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
