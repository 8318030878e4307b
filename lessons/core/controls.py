"""Lesson controls: what the learner can change (sliders, choices, toggles, vectors, buttons).

Each control is a frozen spec with a name the lesson reads (``c.name``), a label and a
``validate`` method that turns raw input (a widget value, a CLI string, a settings entry) into
the canonical value or raises ValueError with a message naming the control.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class Effect(enum.Enum):
    """What a changed control does to the running lesson."""

    RESTART = "restart"  # run the lesson again from its first step with the new value
    LIVE = "live"  # the next step reads the new value (live training)
    # Only what is shown changes (a clicked cell, a chosen image, a drawing): the next step reads
    # it like LIVE, and the newest step is redrawn for it at once where the lesson can
    # (``Lesson.redraw``), without training.
    VIEW = "view"


@dataclass(frozen=True)
class Control:
    """Base of every control spec: a name the lesson reads (``c.name``) and a label."""

    name: str
    label: str
    help: str = field(default="", kw_only=True)

    def validate(self, value: Any) -> Any:
        """Return ``value`` in canonical form or raise ValueError naming the control."""
        raise NotImplementedError

    @property
    def initial(self) -> Any:
        """The value before the learner touches the control."""
        raise NotImplementedError


@dataclass(frozen=True)
class Slider(Control):
    """A number in [minimum, maximum]; ``log`` spaces the slider logarithmically."""

    minimum: float = 0.0
    maximum: float = 1.0
    default: float = 0.0
    step: float | None = None
    log: bool = False
    integer: bool = False
    effect: Effect = Effect.RESTART
    unit: str = ""

    def __post_init__(self) -> None:
        if not self.minimum < self.maximum:
            raise ValueError(f"slider {self.name!r}: minimum must be below maximum")
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError(f"slider {self.name!r}: default {self.default} outside range")
        if self.log and self.minimum <= 0:
            raise ValueError(f"slider {self.name!r}: a log slider needs a positive minimum")

    @property
    def initial(self) -> float:
        return int(self.default) if self.integer else float(self.default)

    def validate(self, value: Any) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.label}: {value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{self.label}: {value!r} is not a finite number")
        if not self.minimum <= number <= self.maximum:
            raise ValueError(
                f"{self.label}: {number:g} is outside {self.minimum:g} .. {self.maximum:g}"
            )
        return round(number) if self.integer else number


@dataclass(frozen=True)
class Choice(Control):
    """One option out of a fixed list of strings."""

    options: tuple[str, ...] = ()
    default: str = ""
    effect: Effect = Effect.RESTART

    def __post_init__(self) -> None:
        if not self.options:
            raise ValueError(f"choice {self.name!r} has no options")
        if self.default and self.default not in self.options:
            raise ValueError(f"choice {self.name!r}: default {self.default!r} not an option")

    @property
    def initial(self) -> str:
        return self.default or self.options[0]

    def validate(self, value: Any) -> str:
        if value not in self.options:
            raise ValueError(
                f"{self.label}: {value!r} is not one of {', '.join(map(repr, self.options))}"
            )
        return str(value)


@dataclass(frozen=True)
class Toggle(Control):
    """On or off."""

    default: bool = False
    effect: Effect = Effect.RESTART

    @property
    def initial(self) -> bool:
        return self.default

    def validate(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {
            "1",
            "true",
            "on",
            "yes",
            "0",
            "false",
            "off",
            "no",
        }:
            return value.lower() in {"1", "true", "on", "yes"}
        if isinstance(value, int | np.integer) and value in (0, 1):
            return bool(value)
        raise ValueError(f"{self.label}: {value!r} is not on/off")


@dataclass(frozen=True)
class Vector(Control):
    """A short list of numbers edited one by one (e.g. class scores)."""

    default: tuple[float, ...] = ()
    minimum: float = -10.0
    maximum: float = 10.0
    labels: tuple[str, ...] = ()
    min_length: int = 1
    max_length: int = 8
    effect: Effect = Effect.RESTART
    integer: bool = False  # whole numbers only (e.g. digit labels): entered and kept as such

    @property
    def initial(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.default)

    def validate(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        else:
            try:
                parts = list(value)
            except TypeError:
                raise ValueError(f"{self.label}: {value!r} is not a list of numbers") from None
        if not self.min_length <= len(parts) <= self.max_length:
            raise ValueError(
                f"{self.label}: needs {self.min_length} to {self.max_length} numbers, "
                f"got {len(parts)}"
            )
        numbers = []
        for part in parts:
            try:
                number = float(part)
            except (TypeError, ValueError):
                raise ValueError(f"{self.label}: {part!r} is not a number") from None
            if not (math.isfinite(number) and self.minimum <= number <= self.maximum):
                raise ValueError(
                    f"{self.label}: {number:g} is outside {self.minimum:g} .. {self.maximum:g}"
                )
            numbers.append(float(round(number)) if self.integer else number)
        return tuple(numbers)


@dataclass(frozen=True)
class Drawing(Vector):
    """Strokes drawn on a :class:`~lessons.core.panels.Canvas`: a flat tuple
    ``x0, y0, x1, y1, ...`` of points in [0, 1] (y down); a point with a negative coordinate
    lifts the pen between strokes.  Empty (nothing drawn) by default; read at the next step."""

    minimum: float = -1.0
    maximum: float = 1.0
    min_length: int = 0
    max_length: int = 2000
    effect: Effect = Effect.LIVE


@dataclass(frozen=True)
class Button(Control):
    """An action: pressing it sets a counter the lesson can read, then restarts or goes on."""

    effect: Effect = Effect.RESTART

    @property
    def initial(self) -> int:
        return 0

    def validate(self, value: Any) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.label}: press count {value!r} is not an integer") from None


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    """``["rate=0.1", "layers=3"]`` as a dict of control names to value texts (for --set);
    ValueError for an item without ``=``.  The lesson's controls validate the values."""
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--set needs NAME=VALUE, got {item!r}")
        values[name.strip()] = value.strip()
    return values


def usable_values(controls: Sequence[Control], saved: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``saved`` that are still valid for ``controls`` (e.g. settings kept from
    an older version of a lesson); the others are dropped, so the lesson uses their defaults."""
    specs = {c.name: c for c in controls}
    usable = {}
    for name, value in saved.items():
        if name in specs:
            try:
                usable[name] = specs[name].validate(value)
            except ValueError:
                continue
    return usable


class Values(Mapping[str, Any]):
    """The current control values, read by a lesson as attributes: ``c.temperature``."""

    def __init__(self, controls: Sequence[Control], overrides: Mapping[str, Any] | None = None):
        self._specs = {c.name: c for c in controls}
        self._values: dict[str, Any] = {c.name: c.initial for c in controls}
        for name, value in (overrides or {}).items():
            self.set(name, value)

    def set(self, name: str, value: Any) -> Any:
        """Validate and store one value; raise ValueError for an unknown name or bad value."""
        spec = self._specs.get(name)
        if spec is None:
            known = ", ".join(self._specs) or "none"
            raise ValueError(f"unknown control {name!r} (this lesson has: {known})")
        self._values[name] = spec.validate(value)
        return self._values[name]

    def spec(self, name: str) -> Control:
        return self._specs[name]

    def copy(self) -> Values:
        clone = Values(tuple(self._specs.values()))
        clone._values = dict(self._values)
        return clone

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(f"no control named {name!r}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Values({self._values!r})"
