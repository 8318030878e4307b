"""Hand a subscriber whole training steps at most ~60 times a second (a GUI's frame rate).

`StepSampler` listens to a tracer's events and passes on the events of one step at a time, so
per-step summaries are computed only for the steps a frame will show, each exactly; the steps
it does not take are trained as if nobody listened (it tells the tracer at each step's start).
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
    steps nobody sees. At a step's start the sampler decides whether to take that step: when
    `interval` seconds have passed since the last step it took, when it is an epoch's last step
    (with `steps_per_epoch` given), or after `take_next()`. A taken step's events are kept and
    handed on at its `BatchEnd` as ``on_step(events, end)``: whatever a frame shows is computed
    from, and exact for, the one step `end` names. A step not taken costs what it costs without
    a subscriber: where the loop marks its steps (``Tracer.step()``, as `Sequential.fit` and
    `train_on_batch` do) the sampler's kinds are not wanted during it, so none of their events
    is built (others' subscriptions and recordings still get theirs); in a loop that does not,
    the sampler decides at the step's first event and drops the events of a step not taken.
    Either way `BatchEnd` and `EpochEnd` come for every step. `interval=0` takes every step::

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
        done = [
            tracer.subscribe(kind, self._keep, self.wants_step)  # type: ignore[type-var]
            for kind in kept
        ]
        done += [tracer.subscribe(BatchEnd, self._end_step)]
        done += [tracer.subscribe(EpochEnd, self._end_epoch)]

        def detach() -> None:
            for unsubscribe in done:
                unsubscribe()

        return detach

    def take_next(self) -> None:
        """Take the next step whatever the clock says (e.g. before a loop's last step)."""
        self._take_next = True

    def wants_step(self) -> bool:
        """Whether to take the step that begins now (`Tracer.step` asks once per step); events
        kept since the last step ended (e.g. a validation pass) belong to no step."""
        self._events.clear()
        self._taking = self._take()
        return self._taking

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
