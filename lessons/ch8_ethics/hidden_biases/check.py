"""Lesson 8.2's last two steps: three fairness criteria under two thresholds, and the try-it.

Both read the German-credit scores (age column dropped) at the learner's thresholds; the map
beside them is a grid search over every threshold pair 0.025 apart.
"""

from __future__ import annotations

import math

import numpy as np

from lessons.ch8_ethics.hidden_biases import criteria as cr
from lessons.ch8_ethics.hidden_biases import model as md
from lessons.ch8_ethics.hidden_biases import views as vw
from lessons.ch8_ethics.hidden_biases.texts import CRITERIA_NOTES
from lessons.core.base import PanelData, Step, TaskResult

GROUPS = ("25 and older (A)", "under 25 (B)")
MIN_APPROVED, MAX_APPROVED = 0.5, 0.9  # the task: each group's approval rate in this range


def _verdict(v: bool | None) -> str:
    return "undefined" if v is None else ("holds" if v else "fails")


def statement(k: cr.Criteria) -> str:
    """Which criteria hold at the chosen thresholds, in words."""
    v = k.verdicts
    held = [name for name, ok in zip(cr.NAMES, v, strict=True) if ok]
    undefined = [name for name, ok in zip(cr.NAMES, v, strict=True) if ok is None]
    text = f"At thresholds {k.t_a:.3f} (A) and {k.t_b:.3f} (B) "
    text += (
        ("only " + " and ".join(held) + " hold" + ("s" if len(held) == 1 else ""))
        if held
        else "none of the three holds"
    )
    if undefined:
        text += "; " + " and ".join(undefined) + " undefined (a group has nobody to count)"
    return text + "."


def _view(
    credit: md.Credit, t_a: float, t_b: float
) -> tuple[cr.Criteria, np.ndarray, dict[str, PanelData]]:
    k = cr.criteria(credit.without_age, credit.good, credit.group, t_a, t_b)
    holds = cr.grid(credit.without_age, credit.good, credit.group)
    pairs = [k.pair(i) for i in range(3)]
    rows = []
    for i in range(3):
        a, b = pairs[i]
        rows.append(
            (
                cr.NAMES[i],
                cr.RATES[i],
                vw.fmt(a),
                vw.fmt(b),
                vw.fmt(k.ratio(i), False),
                _verdict(k.verdicts[i]),
            )
        )
    counts = (round(k.a.size * k.a.selection_rate), round(k.b.size * k.b.selection_rate))
    rows.append(("approved (people)", "", str(counts[0]), str(counts[1]), "", ""))
    data: dict[str, PanelData] = {
        "rates": vw.group_bars(
            ("selection rate", "TPR", "precision"),
            [[p[0] for p in pairs], [p[1] for p in pairs]],
            GROUPS,
        ),
        "detail": vw.criteria_map(holds, cr.GRID, t_a, t_b),
        "table": vw.table(("criterion", "rate", "A", "B", "min/max", f"≥ {cr.RATIO}?"), rows),
    }
    return k, holds, data


def _grid_sentence(holds: np.ndarray, credit: md.Credit) -> str:
    n = holds.shape[1] * holds.shape[2]
    two = int((holds[0] & holds[1]).sum())
    three = int(holds.all(axis=0).sum())
    pa, pb = cr.base_rates(credit.good, credit.group)
    bound = cr.precision_bound(credit.good, credit.group)
    text = (
        f"Base rates differ ({vw.fmt(pa)} vs {vw.fmt(pb)}). Of all {n} threshold pairs (map, "
        f"right: the brighter, the more criteria hold), {two} give parity and equal "
        f"opportunity together (dots) and {three} all three"
    )
    if bound < cr.RATIO:
        text += (
            f": with those two within {cr.RATIO}, precision B / precision A can be at most "
            f"{bound:.3f}, below {cr.RATIO}"
        )
    return text + "."


def criteria_step(credit: md.Credit, t_a: float, t_b: float) -> Step:
    """The three criteria at the learner's thresholds, with the grid search beside them."""
    k, holds, data = _view(credit, t_a, t_b)
    text = (
        "Move the two thresholds (controls). " + statement(k) + " " + _grid_sentence(holds, credit)
    )
    return Step(
        "Three criteria, two thresholds",
        text,
        data,
        figures=_figures(k, holds),
        notes=_notes(),
        titles=_titles(),
    )


def task_result(k: cr.Criteria) -> TaskResult:
    """Done when parity and equal opportunity hold with 50% to 90% of each group approved."""
    dp, eo, pp = k.verdicts
    sel = k.pair(0)
    if not (math.isfinite(sel[0]) and math.isfinite(sel[1])):
        return TaskResult(False, "A group is empty.")
    if not MIN_APPROVED <= min(sel) <= max(sel) <= MAX_APPROVED:
        return TaskResult(
            False, f"Approve between {MIN_APPROVED:.0%} and {MAX_APPROVED:.0%} of each group."
        )
    if dp and eo:
        return TaskResult(
            True, f"Done: parity and equal opportunity hold; predictive parity {_verdict(pp)}."
        )
    missing = [n for n, ok in zip(cr.NAMES[:2], (dp, eo), strict=True) if not ok]
    return TaskResult(False, "Not yet: " + " and ".join(missing) + " not met.")


def check_step(credit: md.Credit, t_a: float, t_b: float) -> Step:
    """The try-it: the same view, with the task's verdict."""
    k, holds, data = _view(credit, t_a, t_b)
    result = task_result(k)
    text = (
        "Your turn: set the thresholds so that demographic parity and equal opportunity both "
        f"hold while {MIN_APPROVED:.0%} to {MAX_APPROVED:.0%} of each group is approved (one of "
        "the dots on the map). " + statement(k) + " " + result.message + " Then answer the quiz."
    )
    return Step(
        "Try it: parity and opportunity at once",
        text,
        data,
        task=result,
        figures={**_figures(k, holds), "task_done": float(result.done)},
        notes=_notes(),
        titles=_titles(),
    )


def _figures(k: cr.Criteria, holds: np.ndarray) -> dict[str, float]:
    figures = {f"{n.split()[0]}_ratio": k.ratio(i) for i, n in enumerate(cr.NAMES)}
    figures.update(
        {
            "sel_a": k.a.selection_rate,
            "sel_b": k.b.selection_rate,
            "tpr_a": k.a.true_positive_rate,
            "tpr_b": k.b.true_positive_rate,
            "ppv_a": k.a.precision,
            "ppv_b": k.b.precision,
            "pairs_two": float((holds[0] & holds[1]).sum()),
            "pairs_three": float(holds.all(axis=0).sum()),
        }
    )
    return figures


def _notes() -> str:
    return CRITERIA_NOTES


def _titles() -> dict[str, str]:
    return {
        "rates": "German credit, age dropped: the three rates per group",
        "detail": "Criteria holding at each threshold pair (0 to 3)",
    }
