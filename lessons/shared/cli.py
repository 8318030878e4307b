"""Print a lesson's steps and figures in a terminal: ``python -m lessons.<module>``.

Each lesson module ends with ``main(LessonClass)``; options pick control values and the seed,
so a lesson can be scripted and checked without a screen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lessons.core.base import Lesson
from lessons.core.controls import parse_assignments
from lessons.core.runner import LessonRun
from lessons.markup.mathtext import to_plain


def main(lesson: type[Lesson], argv: Sequence[str] | None = None) -> int:
    """Run ``lesson`` headless and print every step; exit code 2 on a bad option."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {lesson.__module__}",
        description=f"{lesson.number} {lesson.title}: print every step headless.",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a control before running (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed")
    parser.add_argument("--steps", type=int, default=200, help="most steps to print (live lessons)")
    args = parser.parse_args(argv)
    try:
        run = LessonRun(lesson, parse_assignments(args.set), seed=args.seed)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{lesson.number} {lesson.title}\n")
    count = 0
    while True:
        step = run.current
        print(f"[{run.position + 1}] {step.title}")
        print("    " + to_plain(step.text).replace("\n", "\n    "))
        for name, value in step.figures.items():
            print(
                f"    {name} = {value:.6g}" if isinstance(value, float) else f"    {name} = {value}"
            )
        if step.task is not None:
            print(f"    task: {'done' if step.task.done else 'not yet'} {step.task.message}")
        print()
        count += 1
        if count >= args.steps or step.stop or not run.next():
            break
    if run.error:
        print(f"error: {run.error}", file=sys.stderr)
        return 1
    return 0
