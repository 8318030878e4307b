"""Hand a subscriber whole training steps at most ~60 times a second (a GUI's frame rate).

`StepSampler` listens to a tracer's events and passes on the events of one step at a time, so
per-step summaries are computed only for the steps a frame will show, each exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from engine.core.events import (
    EVENT_TYPES,
    BatchEnd,
    EpochEnd,
    Event,
    Tracer,
)

__all__ = ["StepSampler"]


class StepSampler:
    """Hands a subscriber whole training steps' events, at most one step per `interval` seconds.

    A GUI draws at most ~60 frames a second, so summarising every optimizer step is work for
    steps nobody sees. At a step's first event the sampler decides whether to take that step:
    when `interval` seconds have passed since the last step it took, when it is an epoch's last
    step (with `steps_per_epoch` given), or after `take_next()`. A taken step's events are kept
    and handed on at its `BatchEnd` as ``on_step(events, end)``: whatever a frame shows is
    computed from, and exact for, the one step `end` names. Other steps' events are not kept, so
    the arrays they hold are freed as early as without a subscriber. `interval=0` takes every
    step::

        sampler = StepSampler(summaries.update, interval=1 / 60, steps_per_epoch=len(loader))
        detach = sampler.attach(tracer, (ForwardPass, Gradient, OptimizerStep))
        model.fit(x, y, epochs=5)
        detach()

    `on_step` runs in the thread that trains; `steps` and `handed_on` count what it saw and did.
    """

    def __init__(
        self,
        on_step: Callable[[tuple[Event, ...], BatchEnd], None],
        interval: float = 1 / 60,
        steps_per_epoch: int | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if interval < 0 or (steps_per_epoch is not None and steps_per_epoch < 1):
            raise ValueError(
                f"StepSampler(interval={interval}, steps_per_epoch={steps_per_epoch}): "
                "the interval must be >= 0 and steps_per_epoch >= 1"
            )
        self.on_step, self.interval, self.steps_per_epoch = on_step, interval, steps_per_epoch
        self._clock = clock
        self.steps = self.handed_on = 0
        self._events: list[Event] = []
        self._taking: bool | None = None  # whether the step in progress is taken; None: not begun
        self._take_next = False
        self._in_epoch = 0  # steps since the epoch began
        self._due = -float("inf")

    def attach(self, tracer: Tracer, kinds: Iterable[type[Event]]) -> Callable[[], None]:
        """Collect `kinds` per step from `tracer`; returns a function that detaches."""
        kept = frozenset(kinds) - {BatchEnd, EpochEnd}
        for kind in kept:
            if kind not in EVENT_TYPES:
                raise ValueError(f"{kind!r} is not an engine event type")
        done = [tracer.subscribe(kind, self._keep) for kind in kept]  # type: ignore[type-var]
        done += [tracer.subscribe(BatchEnd, self._end_step)]
        done += [tracer.subscribe(EpochEnd, self._end_epoch)]

        def detach() -> None:
            for unsubscribe in done:
                unsubscribe()

        return detach

    def take_next(self) -> None:
        """Take the next step whatever the clock says (e.g. before a loop's last step)."""
        self._take_next = True

    def _take(self) -> bool:
        n = self.steps_per_epoch
        last = n is not None and self._in_epoch % n == n - 1
        return self._take_next or last or self._clock() >= self._due

    def _keep(self, event: Event) -> None:
        if self._taking is None:
            self._taking = self._take()
        if self._taking:
            self._events.append(event)

    def _end_step(self, end: BatchEnd) -> None:
        taking = self._take() if self._taking is None else self._taking
        step = tuple(self._events)
        self._events.clear()
        self._taking, self._take_next = None, False
        self.steps += 1
        self._in_epoch += 1
        if taking:
            self._due = self._clock() + self.interval
            self.handed_on += 1
            self.on_step(step, end)

    def _end_epoch(self, _: EpochEnd) -> None:
        self._events.clear()  # validation passes after the last step belong to no step
        self._taking, self._in_epoch = None, 0
