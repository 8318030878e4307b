"""`python -m app.soak`: long use of the real window; memory, frame rate, latency and every
warning or error logged.

    python -m app.soak --minutes 30                       every lesson in turn for 30 minutes
    python -m app.soak --minutes 3 --seed 7 --report soak.json
    python -m app.soak --minutes 1 --lessons softmax,playground --lesson-seconds 10

Every lesson of the registry is opened in turn in the real window and a seeded random learner
uses it for a slot (`--lesson-seconds`, default: the run split over one pass, 5-20 s): step
bar (Next, Back, First, scrubber), play and pause at random speeds, every kind of control moved
to random in-range and boundary values, presentation mode on and off with its clicker keys.
The lessons repeat until the time is up (the first pass over all of them is always completed).
The seed fixes the learner's random choices; what they meet depends on how fast the lessons
compute, so two runs with one seed are alike, not identical.

Printed, and with `--report` written as JSON: RSS at the start, after the first full pass, at
each whole minute, at the end and its peak; frames drawn per second and event-loop latency
(p50/p95/p99/max of a 5 ms timer, as in app.bench) per lesson; the worst p95 and its lesson;
the objects that grew after the first pass (app.soak.census);
every distinct warning and error (log records, Python warnings, Qt messages, uncaught
exceptions) with its count and lessons.

Exit status: 0 when nothing was logged at error level, 1 when something was, 2 for bad
arguments. Qt runs offscreen unless QT_QPA_PLATFORM is set; for a real X server:
`xvfb-run -a env QT_QPA_PLATFORM=xcb python -m app.soak ...`. The learner's own settings and
progress are never touched: the window uses a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

__all__ = ["EXIT_ERRORS", "EXIT_USAGE", "main", "summary"]

EXIT_ERRORS = 1
EXIT_USAGE = 2
MAX_MINUTES = 24 * 60
USER_FOLDERS = ("DEEPSTEP_CONFIG_DIR", "DEEPSTEP_DATA_DIR")


class UsageError(Exception):
    """A bad command-line argument: one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _positive(kind: type[int] | type[float], limit: float | None = None) -> Any:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not value > 0 or value != value:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        if limit is not None and value > limit:
            raise argparse.ArgumentTypeError(f"at most {limit:g}, got {text}")
        return value

    return parse


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m app.soak", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--minutes",
        type=_positive(float, MAX_MINUTES),
        default=30.0,
        help="how long to run (default 30)",
    )
    parser.add_argument("--seed", type=_seed, default=0, help="seed of the random learner")
    parser.add_argument("--report", metavar="FILE.json", help="also write the report as JSON")
    parser.add_argument(
        "--lessons", metavar="IDS", help="comma-separated lesson ids or numbers (default: all)"
    )
    parser.add_argument(
        "--lesson-seconds",
        type=_positive(float, 3600),
        default=None,
        help="seconds per lesson slot (default: the run over one pass, 5 to 20)",
    )
    parser.add_argument(
        "--echo", action="store_true", help="print each new warning or error as it comes"
    )
    return parser


def _report_path(text: str | None) -> Path | None:
    """The --report path, checked before the run (not after 30 minutes)."""
    if text is None:
        return None
    if not text.strip():
        raise UsageError("--report needs a file name")
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"--report {text!r} is a folder, not a file")
    if not path.parent.is_dir():
        raise UsageError(f"--report: folder {str(path.parent)!r} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise UsageError(f"--report: folder {str(path.parent)!r} is not writable")
    return path


def _mb(value: float | None) -> str:
    return "?" if value is None else f"{value:.0f} MB"


def summary(report: dict[str, Any]) -> str:
    """The report as the text `python -m app.soak` prints."""
    env, rss = report["environment"], report["rss_mb"]
    growth = rss["growth_after_first_pass_pct"]
    lines = [
        f"DeepStep soak: {report['seconds']:.0f} s, seed {report['seed']}, "
        f"{len(report['lessons'])} lessons x {report['lesson_seconds']:.0f} s slots, "
        f"{report['slots_run']} slots, {report['passes_completed']} full passes "
        f"(Qt {env['qt']} {env['qt_platform']}, {env['cores']} cores, load "
        f"{' '.join(map(str, env['load_average_at_start'])) or '?'})",
        f"RSS: start {_mb(rss['start'])}, after the first pass {_mb(rss['after_first_pass'])}, "
        f"peak {_mb(rss['peak'])}, final {_mb(rss['final'])}"
        + ("" if growth is None else f" (growth after the first pass {growth:+.1f} %)"),
    ]
    if rss["at_minutes"]:
        lines.append(
            "RSS by minute: "
            + ", ".join(f"{m} min {v:.0f}" for m, v in rss["at_minutes"].items())
            + " MB"
        )
    grew = report.get("objects", {}).get("growth_after_first_pass")
    if grew is not None:
        types = ", ".join(f"{name} {n:+d}" for name, n in grew["types"].items()) or "none"
        lines.append(
            f"Objects since the first pass: Python {grew['python_objects']:+d}, Qt "
            f"{grew['qt_objects']:+d}, wrappers of deleted Qt objects "
            f"{grew['qt_wrappers_of_deleted']:+d}, top-level widgets "
            f"{grew['top_level_widgets']:+d}; most grown: {types}"
        )
    lines += ["", f"{'lesson':<20} slots  fps mean/min  p95 worst  p99 worst   max ms  first step"]
    for lesson, row in report["per_lesson"].items():
        first = row["first_step_s_worst"]
        lines.append(
            f"{lesson:<20} {row['slots']:5d}  {row['fps_mean']:5.1f}/{row['fps_min']:<5.1f}  "
            f"{row['p95_ms_worst']:6.1f} ms  {row['p99_ms_worst']:6.1f} ms  {row['max_ms']:7.1f}  "
            + ("never" if first is None else f"{first:.2f} s")
        )
    worst = report["worst_p95"]
    if worst is not None:
        lines.append(f"worst p95 latency: {worst['ms']:.1f} ms ({worst['lesson']})")
    lines += ["", f"logged: {report['warnings']} warnings, {report['errors']} errors"]
    for message in report["messages"]:
        text = message["text"].splitlines()[0] if message["text"] else ""
        lessons = ", ".join(message["lessons"]) or "-"
        lines.append(
            f"  [{message['level']}] x{message['count']} {message['source']}: {text}  ({lessons})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m app.soak`."""
    try:
        args = _parser().parse_args(argv)
        report_path = _report_path(args.report)
        from app.soak.soak import lesson_ids

        chosen = [p.strip() for p in args.lessons.split(",")] if args.lessons else None
        if chosen is not None and not all(chosen):
            raise UsageError(f"--lessons {args.lessons!r} has an empty id")
        try:
            ids = lesson_ids(chosen)
        except ValueError as err:
            raise UsageError(str(err)) from None
    except UsageError as err:
        print(f"app.soak: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.soak.soak import run_soak

    saved = {name: os.environ.get(name) for name in USER_FOLDERS}
    with tempfile.TemporaryDirectory(prefix="deepstep-soak-user-") as user:
        # nothing the app reads or writes in the user's folders is the learner's
        for name in USER_FOLDERS:
            os.environ[name] = str(Path(user) / name.lower())
        try:
            report = run_soak(
                args.minutes * 60.0,
                seed=args.seed,
                lessons=ids,
                lesson_seconds=args.lesson_seconds,
                progress=lambda line: print(line, flush=True),
                echo=args.echo,
            )
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    print()
    print(summary(report))
    if report_path is not None:
        try:
            report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        except OSError as err:
            print(f"app.soak: could not write the report: {err}", file=sys.stderr)
            return EXIT_ERRORS
    return 0 if report["ok"] else EXIT_ERRORS
