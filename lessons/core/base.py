"""The lesson vocabulary: steps, quizzes, tasks and the Lesson class (plus re-exports).

A lesson is a plain Python class that *declares* what the learner can change (controls, see
:mod:`lessons.core.controls`), what they see (panels, see :mod:`lessons.core.panels`), how they are
checked (quiz, task), and a generator ``steps()`` that yields one :class:`Step` at a time.
Nothing here knows about Qt: the app turns these declarations into widgets, and tests step
lessons headless.

    class Softmax(Lesson):
        id, chapter, number, title = "softmax", 1, "1.3", "Softmax: scores to probabilities"
        controls = (Slider("temperature", "Temperature", 0.1, 5.0, default=1.0),)
        panels = (Bars("scores", "Scores"), Bars("probs", "Probabilities"))

        def steps(self, c, rng):
            yield Step("Scores", "Each class gets a score ...", {"scores": BarData(...)})
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeAlias

import numpy as np

from lessons.core.controls import (
    Button,
    Choice,
    Control,
    Effect,
    Slider,
    Toggle,
    Values,
    Vector,
)
from lessons.core.panels import (
    ACCEPTS,
    Annotation,
    BarData,
    Bars,
    Image,
    ImageData,
    ImageGrid,
    ImageGridData,
    Network,
    NetworkData,
    NeuronLayer,
    Panel,
    PanelData,
    PanelSpec,
    Plot,
    PlotData,
    Series,
    Table,
    TableData,
    Text,
    TextData,
)
from lessons.core.userdata import NO_IMPORTS, ImportedSets

__all__ = [
    "ACCEPTS",
    "Annotation",
    "BarData",
    "Bars",
    "Button",
    "Choice",
    "Code",
    "Control",
    "Effect",
    "Feedback",
    "Image",
    "ImageData",
    "ImageGrid",
    "ImageGridData",
    "Lesson",
    "LessonState",
    "MultipleChoice",
    "Network",
    "NetworkData",
    "NeuronLayer",
    "NumericQuestion",
    "Panel",
    "PanelData",
    "PanelSpec",
    "Plot",
    "PlotData",
    "Question",
    "Series",
    "Slider",
    "Step",
    "Table",
    "TableData",
    "Task",
    "TaskResult",
    "Text",
    "TextData",
    "Toggle",
    "Values",
    "Vector",
]


# --------------------------------------------------------------------------------------------
# Steps, quizzes, tasks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskResult:
    """The lesson's verdict on its task at this step."""

    done: bool
    message: str = ""


@dataclass(frozen=True)
class Code:
    """A step's model written as code a learner can copy: Keras and the PyTorch equivalent
    (the app's "Show as code" shows both; the handout and --export-data include them)."""

    keras: str
    torch: str


@dataclass(frozen=True)
class Step:
    """One moment of a lesson: a title, narrative text and the data each panel shows.

    ``text`` uses a small markup (see :mod:`lessons.markup.mathtext`): HTML inline tags and math
    between dollar signs. ``data`` maps panel ids to their data; panels not named keep what
    they showed at the previous step. ``events`` are the engine events recorded while the
    step was computed (filled in by the runner).  ``notes`` are the speaker's notes (same
    markup): the longer explanation a lecturer reads in the presenter view and the PDF handout
    prints, so ``text`` can stay short enough to read from the back of a hall.  ``titles``
    retitles panels from this step on (panel id -> title), e.g. "Loss after epoch 40".
    ``last`` marks a live lesson's final step (see below).  ``code`` is the model on screen
    written as Keras and PyTorch code, with the settings it trained with.
    """

    title: str
    text: str
    data: Mapping[str, PanelData] = field(default_factory=dict)
    task: TaskResult | None = None
    events: tuple[Any, ...] = ()
    figures: Mapping[str, float] = field(default_factory=dict)  # named numbers for headless use
    stop: bool = False  # live lessons: the player stops playing here (e.g. divergence)
    notes: str = ""
    titles: Mapping[str, str] = field(default_factory=dict)
    # live lessons: the lesson ends after this step. The runner then asks the generator for its
    # end at once, so the length is known on arrival ("Step 18 / 18", not "18 / 18+").
    last: bool = False
    code: Code | None = None  # the model on screen as code ("Show as code")


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

LessonState: TypeAlias = dict[str, Any]
"""A live lesson's state at one step (see :meth:`Lesson.checkpoint`): NumPy arrays and JSON
values only, so it can be saved without pickles."""


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
    layout: ClassVar[tuple[int, ...]] = ()  # panels per stage row; () = balanced rows

    def __init__(self, imports: ImportedSets = NO_IMPORTS) -> None:
        self.imports = imports  # the learner's imported data sets this run started with
        # Set by the runner before ``steps()`` is called: a state ``checkpoint()`` returned,
        # to continue from instead of starting at step 1 (see ``checkpoint``).
        self.resume: LessonState | None = None
        # The newest step as a function of the control values (see ``show``): what ``redraw``
        # recomputes when a view control changes.
        self._view: Callable[[Values], Step] | None = None

    def checkpoint(self) -> LessonState | None:
        """The state ``steps()`` needs to go on after the step it yielded last; None: none.

        Live lessons opt in, so that a long run continues where it was (after a restart of the
        app, or after the runner had to stop it mid-step) instead of recomputing every step.
        The runner asks after each step.  The state holds copies (NumPy arrays and JSON values:
        numbers, strings, None, lists, dicts with string keys) of everything the generator needs
        beyond the control values and the seeded ``rng``: weights, optimizer state, its own
        random generators' states, the history its plots show.  Given it as ``self.resume``,
        ``steps()`` first yields that same step again, then the ones after it; it raises
        ValueError if the state does not fit (the runner then starts from step 1).  The
        ``rng`` is always fresh from the seed, so draws made before the state is restored are
        the same; a state the lesson reads must come from ``self.resume``.
        """
        return None

    def redraw(self, step: Step, values: Values) -> Step | None:
        """``step``, the newest step computed, shown again for changed view controls; None: no.

        The runner calls this when a control with ``Effect.VIEW`` changes while the newest step
        is shown, so a linked view (a clicked pixel, a chosen digit, a drawing) updates at once,
        also while paused.  Only the newest step: the lesson's state (its weights) is that of
        the step it yielded last; an older step keeps its view and the new value applies from
        the next step.  Return a new Step (steps are immutable) equal to what ``steps()`` would
        have yielded there had ``values`` been set before it: no training, no draws from the
        run's random generators, the same values give the same step.  The runner replaces the
        newest step with it, so Back and forward show the redrawn step from then on.  Lessons
        that yield their steps through ``show`` or ``show_panels`` get this for free.
        """
        return None if self._view is None else self._view(values)

    def show(self, values: Values, view: Callable[[Values], Step]) -> Step:
        """The step ``view(values)``, remembered for ``redraw``: a lesson with view controls
        yields every step through here (or ``show_panels``), building it with a function of the
        control values that reads only the view controls and the state of that moment."""
        self._view = view
        return view(values)

    def show_panels(
        self,
        values: Values,
        step: Step,
        view: Callable[[Values], Mapping[str, PanelData]] | None = None,
    ) -> Step:
        """``step`` with the panels ``view(values)`` adds (the linked views), remembered for
        ``redraw``; without ``view`` the step has nothing to redraw."""
        if view is None:
            self._view = None
            return step
        return self.show(values, lambda cv: replace(step, data={**step.data, **view(cv)}))

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        """Yield the lesson's steps for control values ``c``; randomness only from ``rng``.

        Everything a step depends on comes from ``c``, ``rng`` and ``self.imports``.
        """
        raise NotImplementedError

    @classmethod
    def panel(cls, panel_id: str) -> Panel:
        for spec in cls.panels:
            if spec.id == panel_id:
                return spec
        raise KeyError(f"lesson {cls.id!r} has no panel {panel_id!r}")

    @classmethod
    def check_step(cls, step: Step) -> None:
        """Raise ValueError if a step addresses unknown panels or gives a panel the wrong data.

        Retitles (``step.titles``) must name panels of this lesson too.
        """
        known = {spec.id for spec in cls.panels}
        for panel_id in step.titles:
            if panel_id not in known:
                raise ValueError(
                    f"lesson {cls.id!r}, step {step.title!r}: cannot retitle unknown panel "
                    f"{panel_id!r}"
                )
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
