"""Lesson 8.1: types of errors: false positives against false negatives, a threshold that
trades one for the other, the cost that decides it, ROC and precision-recall curves, and why
accuracy misleads when the condition is rare.

An engine-trained logistic regression scores held-out tumours of the Breast Cancer Wisconsin
set (or, with the Scenario control, synthetic emergency-braking situations).  The threshold,
the cost ratio and the share of positive cases are controls; every step is recomputed from
them (the model is trained once per scenario and cached), so the learner can move a slider at
any step and read the new counts, rates and verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch8_ethics.error_types import model as md
from lessons.ch8_ethics.error_types import rates as rt
from lessons.ch8_ethics.error_types import texts
from lessons.ch8_ethics.error_types import views as vw
from lessons.core.base import (
    Choice,
    Lesson,
    MultipleChoice,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    TaskResult,
    Values,
)

RESAMPLED = 5000  # cases in the rare-condition set


class ErrorTypes(Lesson):
    """False positives and false negatives of a thresholded classifier, and their costs."""

    id = "error_types"
    chapter = 8
    number = "8.1"
    title = "Types of errors"
    summary = (
        "A logistic regression trained by the engine scores breast tumours as malignant or "
        "benign. A threshold turns scores into calls; moving it trades false positives "
        "(unnecessary biopsies) for false negatives (missed cancers). A cost ratio picks the "
        "cheapest threshold; ROC and precision-recall curves show every trade-off at once; a "
        "resampled rare-disease set shows why accuracy misleads. The same controls run a "
        "synthetic emergency-braking scenario."
    )
    seed = 81
    controls = (
        Choice("scenario", "Scenario", md.SCENARIOS, default=md.CANCER,
               help="Real tumour data, or synthetic sensor data of a braking car."),
        Slider("threshold", "Threshold t", 0.0, 1.0, default=0.5, step=0.001,
               help="Call a case positive (biopsy / brake) when the model's p > t."),
        Slider("ratio", "Cost ratio r = cost FN / cost FP", 0.01, 100.0, default=10.0,
               log=True, help="How many false positives one false negative is worth."),
        Slider("share", "Positive share (step 7)", 0.005, 0.5, default=0.02, log=True,
               help="Share of positive cases in the resampled rare-condition set."),
    )  # fmt: skip
    panels = (
        Plot("plot", "Scores", stretch=3),
        Table("matrix", "Confusion matrix (validation)", stretch=2),
        Table("table", "Counts", stretch=2),
    )  # fmt: skip
    layout = (2, 1)
    quiz = (
        MultipleChoice(
            "rare",
            "One person in 100 has a disease. A test that calls everyone healthy has which "
            "accuracy?",
            ("1 %", "50 %", "99 %", "Undefined"),
            answer=2,
            explanations=(
                "It is right about every healthy person: 99 of 100.",
                "Accuracy counts right calls, and 99 of 100 calls are right.",
                "Right, and its recall is 0: it finds no one. Accuracy alone hides that.",
                "Accuracy is defined; its precision is the undefined one (nothing flagged).",
            ),
        ),
        MultipleChoice(
            "raise",
            "You raise the threshold t. What happens to the two errors?",
            (
                "Both fall",
                "False positives fall or stay, false negatives rise or stay",
                "False positives rise, false negatives fall",
            ),
            answer=1,
            explanations=(
                "Fewer cases are flagged, so misses can only grow (step 3's plot).",
                "Right: fewer cases are flagged, so fewer false alarms and more misses.",
                "That is what lowering t does.",
            ),
        ),
        MultipleChoice(
            "ratio",
            "Missing a cancer is judged far worse than an unneeded biopsy (r grows). Where "
            "does the cheapest threshold go?",
            ("Down: flag more cases", "Up: flag fewer cases", "It does not move"),
            answer=0,
            explanations=(
                "Right: each miss now weighs more, so the cheapest t flags more (step 4).",
                "That trades misses, now the dear error, for false alarms, the cheap one.",
                "The cost curve changes with r, and so does its lowest point.",
            ),
        ),
    )
    task = Task(
        "no_miss",
        "Set the threshold so that no positive validation case is missed (no malignant tumour; "
        "in the braking scenario no obstacle), while as few negative ones as possible are "
        "flagged (step 10 checks).",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        s = md.scenario(str(c.scenario))
        w = s.words
        t, r, share = float(c.threshold), float(c.ratio), float(c.share)
        y, p = s.part("val")
        yt, pt = s.part("test")
        now = rt.counts(y, p, t)
        sw = rt.sweep(y, p)
        bi = sw.best(r)
        bt, best = float(sw.thresholds[bi]), sw.at(bi)
        at_half = rt.counts(y, p, 0.5)
        test_half = rt.counts(yt, pt, 0.5)
        matrix = vw.matrix(now, w)
        hist = vw.histogram(y, p, w, t, None)
        base = {"scenario": float(md.SCENARIOS.index(s.name)), "threshold": t}

        yield Step(
            "The data and the model",
            texts.data(s, at_half, test_half.accuracy),
            {"plot": vw.loss_plot(s), "matrix": vw.matrix(at_half, w),
             "table": vw.summary_table(s)},
            figures={**base, "val_accuracy_05": at_half.accuracy,
                     "test_accuracy_05": test_half.accuracy, "final_loss": float(s.loss[-1]),
                     "final_val_loss": float(s.val_loss[-1])},
            notes=texts.DATA_NOTES + texts.source(s),
            titles={"plot": "Loss per epoch", "table": f"{s.size} {w.cases}, split once",
                    "matrix": f"Confusion matrix, t = 0.5, {at_half.n} validation {w.cases}"},
        )  # fmt: skip
        cells = {"tp": float(now.tp), "fp": float(now.fp), "fn": float(now.fn), "tn": float(now.tn)}
        mtitle = {"matrix": f"Confusion matrix, t = {t:.3f}, {now.n} validation {w.cases}"}
        yield Step(
            "Scores and a threshold",
            texts.scores(s, now, t),
            {"plot": hist, "matrix": matrix, "table": vw.counts_table(now, w)},
            figures={**base, **cells},
            notes=texts.SCORES_NOTES,
            titles={"plot": "Validation scores by true class", "table": "The four cells",
                    **mtitle},
        )  # fmt: skip
        rates = {"recall": now.tpr, "fpr": now.fpr, "precision": now.precision,
                 "accuracy": now.accuracy}  # fmt: skip
        yield Step(
            "Two kinds of error",
            texts.errors(s, now, t),
            {"plot": vw.errors_plot(sw, w, t, now), "table": vw.rates_table(now)},
            figures={**base, **cells, **rates},
            notes=texts.ERRORS_NOTES,
            titles={"plot": "Errors at every threshold (validation)", "table": "Rates"},
        )  # fmt: skip
        yield Step(
            "What an error costs",
            texts.cost(s, r, t, now, bt, best),
            {"plot": vw.cost_plot(sw, r, t, now, bi),
             "table": vw.cost_table(now, best, t, bt, r, w)},
            figures={**base, "ratio": r, "best_threshold": bt, "best_cost": best.cost(r),
                     "cost": now.cost(r), "best_fp": float(best.fp), "best_fn": float(best.fn)},
            notes=texts.COST_NOTES,
            titles={"plot": f"Cost per case, r = {r:.3g} (validation)",
                    "table": "Your threshold and the cheapest"},
        )  # fmt: skip
        cv = rt.curves(y, p)
        yield Step(
            "The ROC curve",
            texts.roc(s, cv.auc, now, t),
            {"plot": vw.roc_plot(cv, now, best), "table": vw.rates_table(now)},
            figures={**base, "auc": cv.auc, "recall": now.tpr, "fpr": now.fpr},
            notes=texts.ROC_NOTES,
            titles={"plot": f"ROC curve (validation), area {cv.auc:.3f}", "table": "Rates"},
        )  # fmt: skip
        yield Step(
            "Precision and recall",
            texts.precision(s, now, t, cv.prevalence),
            {"plot": vw.pr_plot(cv, now), "table": vw.rates_table(now)},
            figures={**base, "recall": now.tpr, "precision": now.precision},
            notes=texts.PRECISION_NOTES,
            titles={"plot": "Precision against recall (validation)"},
        )  # fmt: skip
        ry, rp = md.resample(y, p, share, RESAMPLED, rng)
        rnow = rt.counts(ry, rp, t)
        always = rt.counts(ry, np.zeros_like(rp), 0.5)
        yield Step(
            "When the condition is rare",
            texts.rare(s, share, RESAMPLED, rnow, always, t),
            {"plot": vw.prevalence_plot(now, share),
             "matrix": vw.matrix(rnow, w),
             "table": vw.imbalance_table(rnow, always, w)},
            figures={**base, "share": share, "rare_accuracy": rnow.accuracy,
                     "always_accuracy": always.accuracy, "rare_recall": rnow.tpr,
                     "rare_precision": rnow.precision, "rare_positives": float(rnow.positives)},
            notes=texts.RARE_NOTES,
            titles={"plot": "Accuracy and precision as the condition gets rare",
                    "matrix": f"t = {t:.3f}, {rnow.n} resampled, {pct_plain(share)} {w.positive}",
                    "table": f"'Always {w.negative}' against the model"},
        )  # fmt: skip
        te_now, te_best = rt.counts(yt, pt, t), rt.counts(yt, pt, bt)
        yield Step(
            "On the test set, once",
            texts.test(s, t, bt, best, te_best, r),
            {"plot": vw.histogram(yt, pt, w, t, bt),
             "matrix": vw.matrix(te_best, w),
             "table": vw.test_table(now, te_now, best, te_best)},
            figures={**base, "best_threshold": bt, "test_fp": float(te_best.fp),
                     "test_fn": float(te_best.fn), "test_cost": te_best.cost(r)},
            notes=texts.TEST_NOTES,
            titles={"plot": "Test scores by true class; lines: t and t*",
                    "matrix": f"Confusion matrix, t* = {bt:.3f}, {te_best.n} test {w.cases}",
                    "table": "Validation and test"},
        )  # fmt: skip
        o = md.scenario(md.other(s.name))
        oy, op = o.part("val")
        onow, osw = rt.counts(oy, op, t), rt.sweep(oy, op)
        obi = osw.best(r)
        obt = float(osw.thresholds[obi])
        yield Step(
            "Same controls, another scenario",
            texts.road(o, t, onow, obt, r),
            {"plot": vw.histogram(oy, op, o.words, t, obt), "matrix": vw.matrix(onow, o.words),
             "table": vw.counts_table(onow, o.words)},
            figures={**base, "other_fp": float(onow.fp), "other_fn": float(onow.fn),
                     "other_best_threshold": obt},
            notes=texts.ROAD_NOTES + " " + texts.source(o),
            titles={"plot": f"{o.name}: validation scores",
                    "matrix": f"{o.name.split(' (')[0]}: t = {t:.3f}, {onow.n} validation",
                    "table": f"{o.name.split(' (')[0]}: the four cells"},
        )  # fmt: skip
        fi = rt.fewest_false_alarms(sw)
        fewest = int(sw.fp[fi])
        done = now.fn == 0 and now.fp == fewest
        yield Step(
            "Try it: miss no one",
            texts.task(s, now, done, fewest),
            {"plot": hist, "matrix": matrix, "table": vw.task_table(now, fewest, done, w)},
            figures={**base, "fn": float(now.fn), "fp": float(now.fp), "fewest_fp": float(fewest),
                     "task_done": float(done)},
            notes=texts.TASK_NOTES,
            titles={"plot": "Validation scores by true class", "table": "The task", **mtitle},
            task=TaskResult(done, texts.task_state(s, now, done, fewest)),
        )  # fmt: skip


def pct_plain(x: float) -> str:
    """0.02 -> '2 %' (up to one decimal)."""
    return f"{100 * x:.3g} %"
