"""The course table: entries agree with their classes, and lessons are imported only when opened."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from lessons.registry import CHAPTERS, chapter_of, entries, entry, find


def test_every_entry_names_its_class_truly() -> None:
    """Id, number and title in the table are the lesson class's own; the class is in its chapter."""
    for chapter in CHAPTERS:
        for item in chapter.lessons:
            lesson = item.load()
            assert (lesson.id, lesson.number, lesson.title) == (item.id, item.number, item.title)
            assert lesson.chapter == chapter.number
            assert chapter_of(item.id) is chapter


def test_entries_are_found_by_id_or_number() -> None:
    """`entry` and `find` take an id or a number; an unknown one names the known ids."""
    assert entry("1.3") is entry("softmax")
    assert find("3.2") is entry("backprop").load()
    with pytest.raises(ValueError, match="known lessons: gradient_descent"):
        entry("nope")
    with pytest.raises(ValueError, match="not in the course"):
        chapter_of("nope")
    assert len({item.id for item in entries()}) == len(entries())


@pytest.mark.slow
def test_listing_the_course_imports_no_lesson() -> None:
    """Reading the table imports no lesson module; opening one imports that one only."""
    code = (
        "import sys\n"
        "from lessons.registry import entries, find\n"
        "ids = [e.id for e in entries()]\n"
        "chapters = lambda: sorted(m for m in sys.modules if m.startswith('lessons.ch'))\n"
        "print(len(ids), chapters())\n"
        "find('softmax')\n"
        "print(chapters())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    first, second = done.stdout.splitlines()
    assert first == f"{len(entries())} []"
    opened = ast.literal_eval(second)  # the chapter package and softmax's modules only
    assert "lessons.ch1_prerequisites.softmax.lesson" in opened
    assert all(name.startswith("lessons.ch1_prerequisites") for name in opened)
    assert not any(name.startswith("lessons.ch1_prerequisites.autodiff") for name in opened)
