"""The lesson vocabulary: controls, panels, panel data, steps, quizzes and the Lesson class.

A lesson is a plain Python class that *declares* what the learner can change (controls), what
they see (panels), how they are checked (quiz, task), and a generator ``steps()`` that yields one
:class:`Step` at a time.  Nothing here knows about Qt: the app turns these declarations into
widgets, and tests step lessons headless.

    class Softmax(Lesson):
        id, chapter, number, title = "softmax", 1, "1.3", "Softmax: scores to probabilities"
        controls = (Slider("temperature", "Temperature", 0.1, 5.0, default=1.0),)
        panels = (Bars("scores", "Scores"), Bars("probs", "Probabilities"))

        def steps(self, c, rng):
            yield Step("Scores", "Each class gets a score ...", {"scores": BarData(...)})
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

import numpy as np

# --------------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------------


class Effect(enum.Enum):
    """What a changed control does to the running lesson."""

    RESTART = "restart"  # run the lesson again from its first step with the new value
    LIVE = "live"  # the next step reads the new value (live training)


@dataclass(frozen=True)
class Control:
    """Base of every control spec: a name the lesson reads (``c.name``) and a label."""

    name: str
    label: str
    help: str = ""

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
        return int(round(number)) if self.integer else number


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

    @property
    def initial(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.default)

    def validate(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").split(",") if p.strip()]
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
            numbers.append(number)
        return tuple(numbers)


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


# --------------------------------------------------------------------------------------------
# Panels: what to show (specs) and what is shown at a step (data)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """Base of every panel spec: an id the steps address and a title shown above it."""

    id: str
    title: str = ""
    stretch: int = 1  # relative share of the stage
    help: str = ""


@dataclass(frozen=True)
class Plot(Panel):
    """Lines and scatter points on x/y axes (curves, loss histories, 2-D data)."""

    x_label: str = ""
    y_label: str = ""
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    log_y: bool = False
    aspect_locked: bool = False
    legend: bool = True
    pick: str | None = None  # name of a Slider set to the x (or Vector to x,y) the learner clicks


@dataclass(frozen=True)
class Bars(Panel):
    """A bar chart with one labelled bar per category."""

    y_label: str = ""
    y_range: tuple[float, float] | None = None
    value_format: str = "{:.3f}"


@dataclass(frozen=True)
class Image(Panel):
    """An image or heat map; signed data gets a diverging colour scale centred on zero."""

    colormap: str = "viridis"  # "viridis" | "gray" | "diverging"
    show_values: bool = False  # write each cell's number on it (small arrays)
    x_label: str = ""
    y_label: str = ""


@dataclass(frozen=True)
class ImageGrid(Panel):
    """Several small images with captions (samples, filters, feature maps)."""

    columns: int = 8
    colormap: str = "gray"


@dataclass(frozen=True)
class Table(Panel):
    """Rows of values with column headers."""


@dataclass(frozen=True)
class Text(Panel):
    """A block of rich text (HTML subset with math) inside the stage."""


PanelSpec: TypeAlias = Panel


# Styles a series can take; the app maps each to a colour-blind-safe palette entry.
SERIES_STYLES = ("line", "dash", "scatter", "marker", "step", "area")


@dataclass(frozen=True)
class Series:
    """One named line or point set of a plot."""

    name: str
    x: np.ndarray
    y: np.ndarray
    style: str = "line"
    color: int = 0  # index into the app's palette
    width: float = 2.0
    size: float = 8.0
    symbol: str = "o"
    labels: tuple[str, ...] = ()  # optional text next to each point (scatter/marker)

    def __post_init__(self) -> None:
        if self.style not in SERIES_STYLES:
            raise ValueError(f"series {self.name!r}: unknown style {self.style!r}")
        if np.shape(self.x) != np.shape(self.y):
            raise ValueError(
                f"series {self.name!r}: x has shape {np.shape(self.x)}, y {np.shape(self.y)}"
            )


@dataclass(frozen=True)
class Annotation:
    """A short text placed at data coordinates (x, y)."""

    x: float
    y: float
    text: str
    color: int = 0
    anchor: tuple[float, float] = (0.0, 1.0)


@dataclass(frozen=True)
class PlotData:
    """What a :class:`Plot` shows at one step."""

    series: tuple[Series, ...] = ()
    annotations: tuple[Annotation, ...] = ()
    vlines: tuple[float, ...] = ()
    hlines: tuple[float, ...] = ()
    image: np.ndarray | None = None  # optional background (e.g. decision regions)
    image_rect: tuple[float, float, float, float] | None = None  # x, y, width, height
    image_colormap: str = "diverging"
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class BarData:
    """What a :class:`Bars` panel shows: values, their labels, which bar to highlight."""

    values: np.ndarray
    labels: tuple[str, ...]
    highlight: int | None = None
    y_range: tuple[float, float] | None = None
    caption: str = ""

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.values):
            raise ValueError(f"{len(self.values)} bar values but {len(self.labels)} labels")


@dataclass(frozen=True)
class ImageData:
    """What an :class:`Image` panel shows: a 2-D array (row-major: rows are y)."""

    image: np.ndarray
    levels: tuple[float, float] | None = None  # colour range; None = symmetric/auto
    highlight: tuple[int, int, int, int] | None = None  # row, col, height, width box
    row_labels: tuple[str, ...] = ()
    col_labels: tuple[str, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class ImageGridData:
    """Images of equal size with one caption each."""

    images: np.ndarray  # (n, h, w)
    captions: tuple[str, ...] = ()
    levels: tuple[float, float] | None = None
    highlight: tuple[int, ...] = ()


@dataclass(frozen=True)
class TableData:
    """Column headers and rows of cells (numbers are formatted by the panel)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    highlight_rows: tuple[int, ...] = ()
    highlight_cells: tuple[tuple[int, int], ...] = ()
    number_format: str = "{:.4g}"

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table row {i} has {len(row)} cells for {len(self.columns)} columns"
                )


@dataclass(frozen=True)
class TextData:
    """Rich text for a :class:`Text` panel (same markup as the narrative, see mathtext)."""

    text: str


PanelData: TypeAlias = PlotData | BarData | ImageData | ImageGridData | TableData | TextData


# Which data each panel kind accepts, checked when a step is made.
ACCEPTS: dict[type[Panel], tuple[type, ...]] = {
    Plot: (PlotData,),
    Bars: (BarData,),
    Image: (ImageData,),
    ImageGrid: (ImageGridData,),
    Table: (TableData,),
    Text: (TextData,),
}


def register_panel_kind(spec: type[Panel], *data: type) -> None:
    """Declare a new panel kind and the data types it shows (lesson modules call this once)."""
    ACCEPTS[spec] = tuple(data)


# --------------------------------------------------------------------------------------------
# Steps, quizzes, tasks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskResult:
    """The lesson's verdict on its task at this step."""

    done: bool
    message: str = ""


@dataclass(frozen=True)
class Step:
    """One moment of a lesson: a title, narrative text and the data each panel shows.

    ``text`` uses a small markup (see :mod:`lessons.mathtext`): HTML inline tags and math
    between dollar signs. ``data`` maps panel ids to their data; panels not named keep what
    they showed at the previous step. ``events`` are the engine events recorded while the
    step was computed (filled in by the runner).
    """

    title: str
    text: str
    data: Mapping[str, PanelData] = field(default_factory=dict)
    task: TaskResult | None = None
    events: tuple[Any, ...] = ()
    figures: Mapping[str, float] = field(default_factory=dict)  # named numbers for headless use
    stop: bool = False  # live lessons: the player stops playing here (e.g. divergence)


@dataclass(frozen=True)
class Feedback:
    """The answer to a quiz response: right or wrong, and why."""

    correct: bool
    text: str


@dataclass(frozen=True)
class MultipleChoice:
    """A question with one right option; each option explains itself when chosen."""

    id: str
    prompt: str
    options: tuple[str, ...]
    answer: int
    explanations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"question {self.id!r}: answer index out of range")
        if self.explanations and len(self.explanations) != len(self.options):
            raise ValueError(f"question {self.id!r}: one explanation per option")

    def check(self, response: Any) -> Feedback:
        try:
            index = int(response)
        except (TypeError, ValueError):
            return Feedback(False, "Pick one of the options.")
        if not 0 <= index < len(self.options):
            return Feedback(False, "Pick one of the options.")
        why = self.explanations[index] if self.explanations else ""
        return Feedback(index == self.answer, why)


@dataclass(frozen=True)
class NumericQuestion:
    """A question answered with a number, right within an absolute tolerance."""

    id: str
    prompt: str
    answer: float
    tolerance: float
    explanation: str = ""
    unit: str = ""

    def check(self, response: Any) -> Feedback:
        try:
            value = float(str(response).strip().replace(",", "."))
        except ValueError:
            return Feedback(False, f"{response!r} is not a number.")
        if not math.isfinite(value):
            return Feedback(False, "Give a finite number.")
        ok = abs(value - self.answer) <= self.tolerance
        return Feedback(ok, self.explanation)


Question: TypeAlias = MultipleChoice | NumericQuestion


@dataclass(frozen=True)
class Task:
    """A "try it" task; the lesson reports progress on it through ``Step.task``."""

    id: str
    prompt: str


# --------------------------------------------------------------------------------------------
# The Lesson
# --------------------------------------------------------------------------------------------


class Lesson:
    """Base class: declare the class attributes and write ``steps()`` top to bottom.

    ``live`` lessons (training) produce an open-ended stream of steps; the app runs them in a
    worker thread.  Other lessons are finite and cheap: the runner computes all their steps at
    once so the scrubber knows the length.
    """

    id: ClassVar[str] = ""
    chapter: ClassVar[int] = 0
    number: ClassVar[str] = ""  # "1.3"
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    controls: ClassVar[tuple[Control, ...]] = ()
    panels: ClassVar[tuple[Panel, ...]] = ()
    quiz: ClassVar[tuple[Question, ...]] = ()
    task: ClassVar[Task | None] = None
    seed: ClassVar[int] = 0
    live: ClassVar[bool] = False
    max_steps: ClassVar[int] = 2000  # safety cap for finite lessons
    watch: ClassVar[tuple[type, ...]] = ()  # engine events to record with each step

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        """Yield the lesson's steps for control values ``c``; randomness only from ``rng``."""
        raise NotImplementedError

    @classmethod
    def panel(cls, panel_id: str) -> Panel:
        for spec in cls.panels:
            if spec.id == panel_id:
                return spec
        raise KeyError(f"lesson {cls.id!r} has no panel {panel_id!r}")

    @classmethod
    def check_step(cls, step: Step) -> None:
        """Raise ValueError if a step addresses unknown panels or gives a panel the wrong data."""
        for panel_id, data in step.data.items():
            try:
                spec = cls.panel(panel_id)
            except KeyError as err:
                raise ValueError(str(err.args[0])) from None
            accepted = ACCEPTS.get(type(spec), ())
            if not isinstance(data, accepted):
                raise ValueError(
                    f"lesson {cls.id!r}, step {step.title!r}: panel {panel_id!r} "
                    f"({type(spec).__name__}) cannot show {type(data).__name__}"
                )
