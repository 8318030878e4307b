"""Study progress: saved atomically, reloaded, never lost to a crash or a corrupt file; quizzes."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.shell.quiz import QuizPane
from app.shell.window import MainWindow
from app.state.progress import ProgressError, ProgressStore
from app.state.store import JsonStore
from lessons.core.base import Lesson, MultipleChoice, NumericQuestion, TaskResult
from lessons.registry import find

ROOT = Path(__file__).resolve().parents[3]


def _window(qtbot: QtBot, tmp_path: Path, progress: ProgressStore | None = None) -> MainWindow:
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False, progress=progress)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window


@pytest.fixture(autouse=True)
def _delete_closed_widgets(qapp: QApplication) -> Iterator[None]:
    """Delete what this test closed, so later tests (style sheets) don't re-polish it."""
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


def test_progress_survives_save_and_reload(tmp_path: Path) -> None:
    """Statuses, steps, answers and tasks written by one store are read by the next."""
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.visit("softmax", 4)
    store.record_answer("softmax", "q1", "2", True)
    store.record_task("mcculloch_pitts", "nand", True, "NAND built")
    store.complete("mcculloch_pitts")
    assert store.save() is None and not store.dirty
    again = ProgressStore(path)
    assert again.problem is None
    assert again.status("softmax") == "started" and again.last_step("softmax") == 4
    assert again.last_lesson == "softmax"
    assert again.answers("softmax")["q1"].correct
    assert again.task("mcculloch_pitts") == (True, "NAND built")
    assert again.statuses() == {"softmax": "started", "mcculloch_pitts": "done"}


def test_save_interrupted_between_write_and_rename_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash before the rename keeps the old file whole; the next save writes everything."""
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.visit("softmax", 2)
    store.save()
    store.visit("softmax", 7)
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("power cut")))
    assert store.save() is not None and store.dirty
    monkeypatch.undo()
    assert ProgressStore(path).last_step("softmax") == 2  # the old file, intact
    assert not list(tmp_path.glob(".progress.json.*"))
    assert store.save() is None
    assert ProgressStore(path).last_step("softmax") == 7


@pytest.mark.slow
def test_process_killed_mid_save_leaves_the_previous_file(tmp_path: Path) -> None:
    """A process killed after writing the temp file but before renaming it loses nothing."""
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.visit("softmax", 3)
    store.save()
    code = (
        "import os, sys; from pathlib import Path; from app.state.progress import ProgressStore\n"
        "s = ProgressStore(Path(sys.argv[1])); s.visit('softmax', 9)\n"
        "os.replace = lambda *a: os._exit(9)\n"
        "s.save()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, timeout=60, check=False
    )
    assert done.returncode == 9
    again = ProgressStore(path)
    assert again.problem is None and again.last_step("softmax") == 3


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"lessons": []}', b'{"lessons": {"softmax": {"status": "finished"}}}'],
)
def test_corrupt_progress_file_is_set_aside_with_a_message(tmp_path: Path, content: bytes) -> None:
    """Unreadable or ill-typed progress is moved aside intact and reported, not overwritten."""
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    store = ProgressStore(path)
    assert store.problem is not None and "moved to" in store.problem
    aside = list(tmp_path.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    store.visit("softmax", 1)
    assert store.save() is None
    assert aside[0].read_bytes() == content


def test_a_lesson_is_completed_by_its_task_or_by_reaching_its_end() -> None:
    """With a task, completion needs the task done; without one, the last step."""
    store = ProgressStore(Path(os.environ["DEEPSTEP_DATA_DIR"]) / "p.json")
    softmax, mcp = find("softmax"), find("mcculloch_pitts")
    assert not store.record_step(softmax, 3, None, at_end=False)
    assert store.status("softmax") == "started"
    assert store.record_step(softmax, 10, None, at_end=True)
    assert store.status("softmax") == "done"
    assert not store.record_step(mcp, 10, TaskResult(False, "not NAND yet"), at_end=True)
    assert store.status("mcculloch_pitts") == "started"
    assert store.record_step(mcp, 4, TaskResult(True, "NAND"), at_end=False)
    assert store.status("mcculloch_pitts") == "done"
    store.record_task("mcculloch_pitts", "nand", False, "later failure")
    assert store.task("mcculloch_pitts") == (True, "NAND")  # a done task stays done


def test_export_and_import_merge_without_losing_anything(tmp_path: Path) -> None:
    """Importing keeps the further status, the later step and both machines' answers."""
    home = ProgressStore(tmp_path / "home.json")
    home.visit("softmax", 8)
    home.complete("autodiff")
    home.export_to(tmp_path / "moved.json")
    work = ProgressStore(tmp_path / "work.json")
    work.visit("softmax", 2)
    work.record_answer("perceptron", "q1", "0", True)
    assert work.import_from(tmp_path / "moved.json") == 2
    again = ProgressStore(tmp_path / "work.json")
    assert again.last_step("softmax") == 8 and again.status("autodiff") == "done"
    assert again.answers("perceptron")["q1"].correct


@pytest.mark.parametrize("content", ["[1, 2]", "{nope", '{"format": "other-app"}'])
def test_importing_a_bad_file_is_refused_and_changes_nothing(tmp_path: Path, content: str) -> None:
    """A file that is not DeepStep progress raises ProgressError; the store is untouched."""
    store = ProgressStore(tmp_path / "p.json")
    store.visit("softmax", 5)
    before = store.data()
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(ProgressError):
        store.import_from(bad)
    assert store.data() == before


def test_progress_kept_in_old_settings_moves_into_the_store(qtbot: QtBot, tmp_path: Path) -> None:
    """Marks, quiz results and last steps from the settings file move to the progress store."""
    settings = tmp_path / "s.json"
    settings.write_text(
        json.dumps(
            {
                "progress": {"softmax": "done"},
                "quiz": {"softmax": {"q1": True}},
                "last_lesson": "autodiff",
                "last_step": {"autodiff": 3},
                "theme": "dark",
            }
        )
    )
    window = MainWindow(JsonStore(settings), threaded=False)
    qtbot.addWidget(window)
    assert window.progress.status("softmax") == "done"
    assert window.progress.answers("softmax")["q1"].correct
    assert window.progress.last_lesson == "autodiff" and window.progress.last_step("autodiff") == 3
    assert window.navigator.status("softmax") == "done"
    window.close()
    saved = json.loads(settings.read_text())
    assert not {"progress", "quiz", "last_lesson", "last_step"} & set(saved)


def test_window_records_steps_and_answers_and_marks_the_navigator(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Stepping to the end completes a lesson; an answer is saved at once."""
    window = _window(qtbot, tmp_path)
    window.open_lesson("softmax")
    assert window.navigator.status("softmax") == "started"
    window.player.goto(10)
    assert window.navigator.status("softmax") == "done"
    box = window.quiz.boxes[0]
    box.group.button(0).setChecked(True)
    box.check()
    saved = json.loads(window.progress.path.read_text())
    assert saved["lessons"]["softmax"]["status"] == "done"
    assert saved["lessons"]["softmax"]["quiz"][box.question.id]["response"] == "0"


def test_after_a_restart_the_learner_continues_where_they_left_off(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Quit and start again: same lesson, same step, same marks and answers shown."""
    window = _window(qtbot, tmp_path)
    window.open_lesson("autodiff", 6)
    window.quiz.boxes[0].group.button(1).setChecked(True)
    window.quiz.boxes[0].check()
    window.close()
    again = _window(qtbot, tmp_path)
    again.restore_last_lesson()
    frame = again.player.frame
    assert frame is not None and frame.lesson.id == "autodiff" and frame.position == 6
    assert again.navigator.status("autodiff") == "started"
    assert again.quiz.boxes[0].group.checkedId() == 1
    assert again.quiz.boxes[0].feedback.text()
    assert "Welcome back" in again.statusBar().currentMessage()


def test_overview_lists_completion_and_scores_and_reset_asks_first(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview counts completed lessons and right answers; reset only after Yes."""
    from app.shell.overview import CourseOverview

    store = ProgressStore(tmp_path / "p.json")
    store.complete("softmax")
    store.record_answer("softmax", "q1", "1", True)
    overview = CourseOverview(store)
    qtbot.addWidget(overview)
    assert "1 of" in overview.summary.text()
    chapter = overview.tree.topLevelItem(0)
    softmax = next(
        chapter.child(i)
        for i in range(chapter.childCount())
        if "Softmax" in chapter.child(i).text(0)
    )
    assert "completed" in softmax.text(1) and softmax.text(3).startswith("1 of")
    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    overview.reset_button.click()
    assert store.status("softmax") == "done"
    overview.reset_button.click()
    assert store.status("softmax") == "new" and "0 of" in overview.summary.text()
    assert ProgressStore(tmp_path / "p.json").statuses() == {}


def test_multiple_choice_feedback_explains_the_chosen_option(qtbot: QtBot) -> None:
    """A wrong option says so in words and explains itself; the right one is reported right."""
    pane = QuizPane()
    qtbot.addWidget(pane)
    lesson = find("softmax")
    pane.set_lesson(lesson)
    question = next(q for q in lesson.quiz if isinstance(q, MultipleChoice))
    box = next(b for b in pane.boxes if b.question is question)
    got: list[tuple[str, str, bool]] = []
    pane.answered.connect(lambda *a: got.append(a))
    wrong = (question.answer + 1) % len(question.options)
    box.group.button(wrong).setChecked(True)
    box.check()
    assert "Not quite" in box.feedback.text()
    if question.explanations:
        assert question.explanations[wrong][:20] in box.feedback.text()
    box.group.button(question.answer).setChecked(True)
    box.check()
    assert "Right" in box.feedback.text()
    assert got == [(question.id, str(wrong), False), (question.id, str(question.answer), True)]
    assert "1 of" in pane.score.text()


def test_numeric_answers_are_right_within_the_tolerance(qtbot: QtBot) -> None:
    """Within the tolerance is right (comma decimals too); outside or not a number is not."""

    class Quiz(Lesson):
        id, title = "quiz-only", "Quiz"
        quiz = (NumericQuestion("n", "How much?", answer=0.659, tolerance=0.005, unit="p"),)

    pane = QuizPane()
    qtbot.addWidget(pane)
    pane.set_lesson(Quiz)
    box = pane.boxes[0]
    assert box.entry is not None and "(p)" in box.entry.placeholderText()
    for text, right in (("0.66", True), ("0,657", True), ("0.67", False), ("lots", False)):
        box.entry.setText(text)
        assert box.check().correct is right, text
        assert ("Right" if right else "Not quite") in box.feedback.text()


def test_checking_without_an_answer_records_nothing(qtbot: QtBot) -> None:
    """Check with no option chosen asks for one and emits no answer."""
    pane = QuizPane()
    qtbot.addWidget(pane)
    pane.set_lesson(find("softmax"))
    got: list[object] = []
    pane.answered.connect(lambda *a: got.append(a))
    pane.boxes[0].check()
    assert got == [] and "first" in pane.boxes[0].feedback.text()


def test_a_restart_brings_back_the_control_values_of_the_last_step(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A live lesson's step is only the same step with the same settings: they are restored."""
    window = _window(qtbot, tmp_path)
    window.open_lesson("playground", 0, {"data": "spiral", "neurons": 6})
    window.player.goto(2)
    assert window.player.frame is not None and window.player.frame.position == 2
    window.close()
    saved = json.loads(window.progress.path.read_text())["lessons"]["playground"]
    assert saved["values"] == {"data": "spiral", "neurons": 6}  # only what differs from defaults
    again = _window(qtbot, tmp_path)
    again.restore_last_lesson()
    frame = again.player.frame
    assert frame is not None and frame.position == 2
    assert frame.values["data"] == "spiral" and frame.values["neurons"] == 6


def test_saved_control_values_that_no_longer_fit_are_dropped() -> None:
    """A value an older version allowed falls back to the default instead of failing."""
    from lessons.core.controls import usable_values

    lesson = find("playground")
    kept = usable_values(lesson.controls, {"data": "moons", "neurons": 99, "layers": 3, "x": 1})
    assert kept == {"layers": 3}


def test_welcome_back_names_the_real_step_when_the_saved_one_is_past_the_end(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A saved step beyond a finite lesson's end: "Welcome back" names the last step shown."""
    store = ProgressStore(tmp_path / "progress.json")
    store.visit("softmax", 500)
    assert store.save() is None
    window = _window(qtbot, tmp_path, ProgressStore(tmp_path / "progress.json"))
    window.restore_last_lesson()
    frame = window.player.frame
    assert frame is not None and frame.lesson.id == "softmax" and frame.length is not None
    assert frame.position == frame.length - 1 < 500
    message = window.statusBar().currentMessage()
    assert f"step {frame.length} " in message and "501" not in message


def test_welcome_back_waits_for_the_worker_and_names_the_step_it_arrives_at(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """With the lesson worker in its thread, the message comes with the restored step."""
    store = ProgressStore(tmp_path / "progress.json")
    store.visit("autodiff", 400)
    assert store.save() is None
    window = MainWindow(
        JsonStore(tmp_path / "s.json"), progress=ProgressStore(tmp_path / "progress.json")
    )
    qtbot.addWidget(window)
    window.show()
    window.restore_last_lesson()
    qtbot.waitUntil(lambda: "Welcome back" in window.statusBar().currentMessage(), timeout=20_000)
    frame = window.player.frame
    assert frame is not None and frame.lesson.id == "autodiff" and frame.length is not None
    assert f"step {frame.length} " in window.statusBar().currentMessage()
    window.close()
