"""Self-paced study progress: lessons started and completed, quiz answers, tasks, last steps.

:class:`ProgressStore` keeps one JSON file, ``progress.json``, in the user data folder
(platformdirs, or ``$DEEPSTEP_DATA_DIR``).  It is saved atomically through
:class:`app.state.store.JsonStore` (temporary file, fsync, rename), so a crash mid-save leaves the
previous file whole.  A file that cannot be read, or that holds the wrong kinds of values, is
moved aside and reported in :attr:`ProgressStore.problem`; it is never silently overwritten.
Progress can be exported to a file and imported back (merged: nothing already earned is lost).

    {"format": "deepstep-progress", "version": 1, "last_lesson": "softmax",
     "lessons": {"softmax": {"status": "started", "last_step": 4, "started_at": "...",
                             "completed_at": null,
                             "quiz": {"q1": {"response": "2", "correct": true, "at": "..."}},
                             "task": {"id": "nand", "done": true, "message": "...", "at": "..."}}}}

No Qt here: the window calls it, tests drive it directly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.state.store import JsonStore, atomic_write_text, data_dir
from lessons.core.base import Lesson, TaskResult

FORMAT = "deepstep-progress"
VERSION = 1
STATUSES = ("new", "started", "done")
_RANK = {status: i for i, status in enumerate(STATUSES)}
OLD_SETTINGS_KEYS = ("quiz", "progress", "last_lesson", "last_step")  # before the store


class ProgressError(ValueError):
    """A progress file that cannot be used (bad JSON, wrong format, wrong kinds of values)."""


@dataclass(frozen=True)
class Answer:
    """The learner's latest answer to one quiz question."""

    response: str
    correct: bool
    at: str


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def _check(ok: bool, where: str) -> None:
    if not ok:
        raise ProgressError(f"{where} has the wrong kind of value")


def validate(data: Any) -> dict[str, Any]:
    """Return ``data`` normalised if it is a usable progress object; ProgressError otherwise."""
    _check(isinstance(data, dict), "the file")
    if data.get("format", FORMAT) != FORMAT:
        raise ProgressError(f"not a DeepStep progress file (format {data.get('format')!r})")
    version = data.get("version", VERSION)
    _check(isinstance(version, int), "version")
    if version > VERSION:
        raise ProgressError(f"written by a newer DeepStep (progress version {version})")
    lessons = data.get("lessons", {})
    _check(isinstance(lessons, dict), "lessons")
    last = data.get("last_lesson")
    _check(last is None or isinstance(last, str), "last_lesson")
    for lesson_id, entry in lessons.items():
        where = f"lesson {lesson_id!r}"
        _check(isinstance(entry, dict), where)
        _check(entry.get("status", "new") in STATUSES, f"{where} status")
        step = entry.get("last_step", 0)
        _check(isinstance(step, int) and not isinstance(step, bool) and step >= 0, f"{where} step")
        quiz = entry.get("quiz", {})
        _check(isinstance(quiz, dict), f"{where} quiz")
        for question, answer in quiz.items():
            _check(
                isinstance(answer, dict)
                and isinstance(answer.get("correct"), bool)
                and isinstance(answer.get("response", ""), str),
                f"{where} answer {question!r}",
            )
        _check(isinstance(entry.get("values", {}), dict), f"{where} control values")
        task = entry.get("task")
        _check(
            task is None or (isinstance(task, dict) and isinstance(task.get("done"), bool)),
            f"{where} task",
        )
    return {"format": FORMAT, "version": VERSION, "last_lesson": last, "lessons": lessons}


class ProgressStore:
    """The learner's progress, one JSON file; every change marks it dirty until ``save()``."""

    def __init__(self, path: Path | None = None) -> None:
        self._store = JsonStore(path or data_dir() / "progress.json")
        self.dirty = False
        if len(self._store):
            try:
                clean = validate(dict(self._store))
            except ProgressError as err:
                self._store.set_aside(str(err))
            else:
                self._store.clear()
                self._store.update(clean)

    # ---- reading ---------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def problem(self) -> str | None:
        """Why the file could not be used (it was set aside), or None."""
        return self._store.problem

    def _lessons(self) -> dict[str, dict[str, Any]]:
        lessons = self._store.get("lessons")
        if not isinstance(lessons, dict):
            lessons = {}
            self._store["lessons"] = lessons
        return lessons

    def _entry(self, lesson_id: str) -> dict[str, Any]:
        return self._lessons().setdefault(lesson_id, {"status": "new", "last_step": 0})

    def status(self, lesson_id: str) -> str:
        """ "new", "started" or "done"."""
        return str(self._lessons().get(lesson_id, {}).get("status", "new"))

    def statuses(self) -> dict[str, str]:
        """Every lesson that is not new, with its status."""
        return {k: self.status(k) for k in self._lessons() if self.status(k) != "new"}

    @property
    def last_lesson(self) -> str | None:
        last = self._store.get("last_lesson")
        return last if isinstance(last, str) else None

    def last_step(self, lesson_id: str) -> int:
        return int(self._lessons().get(lesson_id, {}).get("last_step", 0))

    def last_values(self, lesson_id: str) -> dict[str, Any]:
        """The control values the learner had set (those not at their defaults)."""
        return dict(self._lessons().get(lesson_id, {}).get("values", {}))

    def answers(self, lesson_id: str) -> dict[str, Answer]:
        quiz = self._lessons().get(lesson_id, {}).get("quiz", {})
        return {
            q: Answer(str(a.get("response", "")), bool(a["correct"]), str(a.get("at", "")))
            for q, a in quiz.items()
        }

    def quiz_score(self, lesson_id: str, questions: int) -> tuple[int, int]:
        """(right answers, questions) for a lesson with ``questions`` questions."""
        right = sum(a.correct for a in self.answers(lesson_id).values())
        return min(right, questions), questions

    def task(self, lesson_id: str) -> tuple[bool, str] | None:
        """(done, message) of the lesson's task, or None if it was never tried."""
        task = self._lessons().get(lesson_id, {}).get("task")
        return None if task is None else (bool(task["done"]), str(task.get("message", "")))

    def data(self) -> dict[str, Any]:
        """A deep copy of everything stored (what export writes)."""
        copy: dict[str, Any] = json.loads(json.dumps(dict(self._store)))
        return copy

    # ---- recording -------------------------------------------------------------------------

    def _touch(self) -> None:
        self._store["format"], self._store["version"] = FORMAT, VERSION
        self.dirty = True

    def visit(self, lesson_id: str, step: int, values: Mapping[str, Any] | None = None) -> None:
        """The learner sees ``step`` of a lesson: it is started and where to continue.

        ``values`` are the lesson's control values that differ from their defaults: a live
        lesson's step means nothing without the settings it was computed with.
        """
        entry = self._entry(lesson_id)
        changed = entry.get("last_step") != step or self._store.get("last_lesson") != lesson_id
        if values is not None:
            saved = json.loads(json.dumps(dict(values)))  # tuples become lists, as on disk
            changed = changed or entry.get("values", {}) != saved
            entry["values"] = saved
        if entry.get("status", "new") == "new":
            entry["status"], entry["started_at"] = "started", _now()
            changed = True
        entry["last_step"] = max(0, step)
        self._store["last_lesson"] = lesson_id
        if changed:
            self._touch()

    def record_step(
        self,
        lesson: type[Lesson],
        position: int,
        task: TaskResult | None,
        at_end: bool,
        values: Mapping[str, Any] | None = None,
    ) -> bool:
        """Record a step the learner sees; True if a task or completion was newly earned.

        A lesson with a task is completed when its task is done; one without, when the
        learner reaches its last step.
        """
        if values is not None:
            defaults = {c.name: c.initial for c in lesson.controls}
            values = {k: v for k, v in values.items() if defaults.get(k, v) != v}
        self.visit(lesson.id, position, values)
        news = False
        if task is not None and lesson.task is not None:
            news = self.record_task(lesson.id, lesson.task.id, task.done, task.message) and (
                task.done
            )
        if (task is not None and task.done) or (lesson.task is None and at_end):
            news = self.complete(lesson.id) or news
        return news

    def complete(self, lesson_id: str) -> bool:
        """Mark a lesson completed; True if that is news."""
        entry = self._entry(lesson_id)
        if entry.get("status") == "done":
            return False
        entry["status"], entry["completed_at"] = "done", _now()
        entry.setdefault("started_at", entry["completed_at"])
        self._touch()
        return True

    def record_answer(self, lesson_id: str, question: str, response: str, correct: bool) -> None:
        self._entry(lesson_id).setdefault("quiz", {})[question] = {
            "response": response,
            "correct": correct,
            "at": _now(),
        }
        self._touch()

    def record_task(self, lesson_id: str, task_id: str, done: bool, message: str) -> bool:
        """Keep the task's latest verdict (a done task stays done); True if it changed."""
        entry = self._entry(lesson_id)
        old = entry.get("task")
        if old is not None and (old.get("done") or (old.get("message") == message and not done)):
            return False
        entry["task"] = {"id": task_id, "done": done, "message": message, "at": _now()}
        self._touch()
        return True

    def reset(self) -> str | None:
        """Forget all progress and save at once (the caller asks the learner first)."""
        self._store.clear()
        self._touch()
        return self.save()

    def save(self) -> str | None:
        """Write the file if anything changed; an error message instead of raising."""
        if not self.dirty:
            return None
        problem = self._store.save()
        if problem is None:
            self.dirty = False
        return problem

    # ---- moving between machines -------------------------------------------------------------

    def export_to(self, path: Path) -> None:
        """Write the progress to ``path`` (atomically; OSError if it cannot be written)."""
        self._touch()
        atomic_write_text(path, json.dumps(self.data(), indent=2, sort_keys=True))

    def import_from(self, path: Path) -> int:
        """Merge a progress file into this one and save; how many lessons it touched.

        Nothing already earned is lost: a lesson keeps the further status, the later step,
        a done task stays done, and each question keeps the newer answer.  Raises
        ProgressError (or OSError) for a file that cannot be read or used.
        """
        try:
            text = path.read_text(encoding="utf-8")
            incoming = validate(json.loads(text))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ProgressError(f"{path.name} is not a progress file ({err})") from None
        for lesson_id, theirs in incoming["lessons"].items():
            _merge_lesson(self._entry(lesson_id), theirs)
        if incoming["last_lesson"] and not self.last_lesson:
            self._store["last_lesson"] = incoming["last_lesson"]
        self._touch()
        problem = self.save()
        if problem:
            raise OSError(problem)
        return len(incoming["lessons"])

    def migrate(self, settings: MutableMapping[str, Any]) -> bool:
        """Take over progress older versions kept in the settings; True if anything came.

        The old keys leave the settings only once the progress file holds them.
        """
        found = False
        marks = settings.get("progress")
        if isinstance(marks, dict):
            for lesson_id, status in marks.items():
                if status in ("started", "done") and self.status(lesson_id) == "new":
                    self._entry(lesson_id)["status"] = status
                    found = True
        quiz = settings.get("quiz")
        if isinstance(quiz, dict):
            for lesson_id, answers in quiz.items():
                if isinstance(answers, dict):
                    for question, correct in answers.items():
                        if isinstance(correct, bool) and question not in self.answers(lesson_id):
                            self.record_answer(lesson_id, question, "", correct)
                            found = True
        steps = settings.get("last_step")
        if isinstance(steps, dict):
            for lesson_id, step in steps.items():
                if isinstance(step, int) and step >= 0 and lesson_id not in self._lessons():
                    self._entry(lesson_id).update(status="started", last_step=step)
                    found = True
        last = settings.get("last_lesson")
        if isinstance(last, str) and self.last_lesson is None:
            self._store["last_lesson"] = last
            found = True
        if found:
            self._touch()
        if self.save() is None:
            for key in OLD_SETTINGS_KEYS:
                settings.pop(key, None)
        return found


def _merge_lesson(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    status = theirs.get("status", "new")
    if _RANK[status] > _RANK[mine.get("status", "new")]:
        mine["status"] = status
        for key in ("started_at", "completed_at"):
            if theirs.get(key):
                mine[key] = theirs[key]
    mine["last_step"] = max(int(mine.get("last_step", 0)), int(theirs.get("last_step", 0)))
    quiz = mine.setdefault("quiz", {})
    for question, answer in theirs.get("quiz", {}).items():
        if str(answer.get("at", "")) >= str(quiz.get(question, {}).get("at", "")):
            quiz[question] = answer
    task = theirs.get("task")
    if task is not None and not (mine.get("task") or {}).get("done"):
        mine["task"] = task
