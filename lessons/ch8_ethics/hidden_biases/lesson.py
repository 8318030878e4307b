"""Lesson 8.2: hidden biases: a screening model learns a biased history, and the group column
is not where the bias lives.

A logistic regression (the engine's Dense(1), full-batch Adam) learns synthetic hiring
decisions that marked one group down; its selection and error rates are shown per group, with
and without the group column (a proxy carries it), then on the real German credit records with
age as the protected attribute.  Two mitigations (reweighing, per-group thresholds) are costed
in a table, and two threshold sliders show that with different base rates demographic parity,
equal opportunity and predictive parity cannot all hold: a grid search over every pair agrees.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch8_ethics.hidden_biases import criteria as cr
from lessons.ch8_ethics.hidden_biases import model as md
from lessons.ch8_ethics.hidden_biases import texts
from lessons.ch8_ethics.hidden_biases import views as vw
from lessons.ch8_ethics.hidden_biases.check import check_step, criteria_step
from lessons.core.base import Lesson, PanelData, Plot, Slider, Step, Table, Task, Values

HIRING_GROUPS = ("group A", "group B")
CREDIT_GROUPS = ("25 and older (A)", "under 25 (B)")
SCORE_EDGES = np.linspace(0.0, 1.0, 21)


class HiddenBiases(Lesson):
    """Selection and error rates per group, proxies, mitigations and the impossibility."""

    id = "hidden_biases"
    chapter = 8
    number = "8.2"
    title = "Hidden biases"
    summary = (
        "A model trained on biased past decisions repeats the bias, and dropping the group "
        "column does not remove it while a proxy carries the group. Reweighing and per-group "
        "thresholds close gaps at a price, and with different base rates no pair of "
        "thresholds satisfies demographic parity, equal opportunity and predictive parity at "
        "once. Hiring data is synthetic; credit data is real (Statlog German Credit)."
    )
    seed = 82
    controls = (
        Slider(
            "bias",
            "Past bias against B (SD)",
            0.0,
            2.0,
            default=1.0,
            step=0.25,
            help="How many standard deviations of ability past recruiters took off group B.",
        ),
        Slider(
            "proxy",
            "Proxy strength r",
            0.0,
            1.0,
            default=0.8,
            step=0.1,
            help="Correlation of the 'neighbourhood' feature with group membership.",
        ),
        Slider(
            "t_a",
            "Threshold, credit group A",
            0.0,
            1.0,
            default=0.5,
            step=0.025,
            help="Approve applicants 25 and older whose P(good) reaches this.",
        ),
        Slider(
            "t_b",
            "Threshold, credit group B",
            0.0,
            1.0,
            default=0.5,
            step=0.025,
            help="Approve applicants under 25 whose P(good) reaches this.",
        ),
    )
    panels = (
        Plot("rates", "Rates per group", stretch=3),
        Plot("detail", "Scores", stretch=2, legend=False),
        Table("table", "The numbers", stretch=4),
    )
    layout = (2, 1)
    quiz = texts.QUIZ
    task = Task(
        "parity_and_opportunity",
        "Set the two credit thresholds so that demographic parity and equal opportunity both "
        "hold while 50% to 90% of each group is approved. Which criterion fails then?",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seed = int(rng.integers(2**31))
        h = md.hiring(float(c.bias), float(c.proxy), seed)
        yield _data_step(h, float(c.bias))
        yield _model_step(h)
        yield _blind_step(h)
        credit = md.credit(seed)
        yield _credit_step(credit)
        yield _mitigation_step(h)
        yield criteria_step(credit, float(c.t_a), float(c.t_b))
        yield check_step(credit, float(c.t_a), float(c.t_b))


def _rates3(truth: np.ndarray, chosen: np.ndarray, group: np.ndarray) -> list[list[float]]:
    """[[sel, TPR, FPR] of A, [...] of B] from the engine's per-group rates."""
    return [
        [r.selection_rate, r.true_positive_rate, r.false_positive_rate]
        for r in md.group_rates(truth, chosen, group)
    ]


RATE_NAMES = ("selection rate", "TPR", "FPR")


def _rate_rows(rates: list[list[float]]) -> list[list[str]]:
    return [[name, vw.fmt(rates[0][k]), vw.fmt(rates[1][k])] for k, name in enumerate(RATE_NAMES)]


def _data_step(h: md.Hiring, bias: float) -> Step:
    qual, hired = h.train_qualified, h.train_hired
    return Step(
        "Synthetic applicants, a biased history",
        texts.data_text(qual, hired, bias),
        {
            "rates": vw.group_bars(
                ("qualified (truth)", "hired in the past"),
                [[qual[0], hired[0]], [qual[1], hired[1]]],
                HIRING_GROUPS,
            ),
            "detail": vw.histograms(
                [h.test_score[h.group == 0], h.test_score[h.group == 1]],
                HIRING_GROUPS,
                "test score",
                np.linspace(20.0, 100.0, 21),
            ),
            "table": vw.table(
                ("training applicants", "group A", "group B"),
                [
                    ("how many", str(h.n_train[0]), str(h.n_train[1])),
                    ("qualified (truth)", vw.fmt(qual[0]), vw.fmt(qual[1])),
                    ("hired in the past (label)", vw.fmt(hired[0]), vw.fmt(hired[1])),
                ],
            ),
        },
        figures={
            "hired_a": hired[0],
            "hired_b": hired[1],
            "qualified_a": qual[0],
            "qualified_b": qual[1],
        },
        notes=texts.DATA_NOTES,
        titles={
            "rates": "Synthetic hiring data: rates per group",
            "detail": "Test scores by group",
        },
    )


def _model_view(h: md.Hiring, screen: md.Screen) -> tuple[list[list[float]], dict[str, PanelData]]:
    chosen = screen.chosen(h.group)
    rates = _rates3(h.qualified, chosen, h.group)
    bars = vw.group_bars(RATE_NAMES, rates, HIRING_GROUPS)
    return rates, {"rates": bars}


def _model_step(h: md.Hiring) -> Step:
    rates, data = _model_view(h, h.full)
    weight = h.full.coef[h.features.index("group")]
    lines = [(0.5, 6, "t = 0.5")]
    data["detail"] = vw.histograms(
        [h.full.scores[h.group == 0], h.full.scores[h.group == 1]],
        HIRING_GROUPS,
        "model's P(hire)",
        SCORE_EDGES,
        lines,
    )
    data["table"] = vw.table(
        ("test applicants, vs truth", "group A", "group B"),
        [*_rate_rows(rates), ["weight on 'group' (model)", vw.fmt(weight, False), ""]],
    )
    return Step(
        "A model learns the history",
        texts.model_text((rates[0][0], rates[1][0]), (rates[0][1], rates[1][1]), weight),
        data,
        figures={
            "sel_a": rates[0][0],
            "sel_b": rates[1][0],
            "tpr_a": rates[0][1],
            "tpr_b": rates[1][1],
            "fpr_a": rates[0][2],
            "fpr_b": rates[1][2],
            "group_weight": weight,
        },
        notes=texts.MODEL_NOTES,
        titles={
            "rates": "Model with the group column: rates per group",
            "detail": "Scores by group",
        },
    )


def _blind_step(h: md.Hiring) -> Step:
    full, _ = _model_view(h, h.full)
    rates, data = _model_view(h, h.blind)
    weight = h.blind.coef[h.features.index("neighbourhood")]
    data["detail"] = vw.histograms(
        [h.proxy[h.group == 0], h.proxy[h.group == 1]],
        HIRING_GROUPS,
        "neighbourhood (the proxy)",
        np.linspace(-4.0, 4.0, 21),
    )
    data["table"] = vw.table(
        ("group column dropped", "group A", "group B"),
        [
            *_rate_rows(rates),
            ["weight on 'neighbourhood' (model)", vw.fmt(weight, False), ""],
            ["corr(neighbourhood, group), r", vw.fmt(h.proxy_corr, False), ""],
        ],
    )
    return Step(
        "Drop the group column: the proxy",
        texts.blind_text(
            (rates[0][0], rates[1][0]), h.proxy_corr, weight, (full[0][0], full[1][0])
        ),
        data,
        figures={
            "sel_a": rates[0][0],
            "sel_b": rates[1][0],
            "proxy_corr": h.proxy_corr,
            "proxy_weight": weight,
        },
        notes=texts.BLIND_NOTES,
        titles={"rates": "Group column dropped: rates per group", "detail": "The proxy by group"},
    )


def _credit_step(credit: md.Credit) -> Step:
    g, good = credit.group, credit.good
    blind = _rates3(good, (credit.without_age >= 0.5).astype(np.int64), g)
    aware = _rates3(good, (credit.with_age >= 0.5).astype(np.int64), g)
    n = (int((g == 0).sum()), int((g == 1).sum()))
    base = cr.base_rates(good, g)
    rows = [
        ("good in the records", vw.fmt(base[0]), vw.fmt(base[1])),
        ("approved, with age", vw.fmt(aware[0][0]), vw.fmt(aware[1][0])),
        ("approved, age dropped", vw.fmt(blind[0][0]), vw.fmt(blind[1][0])),
        ("TPR, age dropped", vw.fmt(blind[0][1]), vw.fmt(blind[1][1])),
        ("FPR, age dropped", vw.fmt(blind[0][2]), vw.fmt(blind[1][2])),
    ]
    return Step(
        "Real records: German credit",
        texts.credit_text(
            n, base, (blind[0][0], blind[1][0]), (aware[0][0], aware[1][0]), credit.proxies[0]
        ),
        {
            "rates": vw.group_bars(("approval rate", "TPR", "FPR"), blind, CREDIT_GROUPS),
            "detail": vw.histograms(
                [credit.without_age[g == 0], credit.without_age[g == 1]],
                CREDIT_GROUPS,
                "P(good), age dropped",
                SCORE_EDGES,
                [(0.5, 6, "t = 0.5")],
            ),
            "table": vw.table(("German credit (real)", "A: 25 and older", "B: under 25"), rows),
        },
        figures={
            "base_a": base[0],
            "base_b": base[1],
            "approve_a": blind[0][0],
            "approve_b": blind[1][0],
            "approve_age_a": aware[0][0],
            "approve_age_b": aware[1][0],
        },
        notes=texts.CREDIT_NOTES,
        titles={
            "rates": "German credit, age dropped: rates per group",
            "detail": "Scores by age group",
        },
    )


def _mitigation_step(h: md.Hiring) -> Step:
    screens = (h.full, h.blind, h.reweighed, h.thresholds)
    cols: list[dict[str, float]] = [mitigation_column(h, s) for s in screens]
    metrics = (
        ("accuracy vs past decisions", "acc_rec"),
        ("accuracy vs truth", "acc_true"),
        ("TPR gap A − B", "tpr_gap"),
        ("FPR gap A − B", "fpr_gap"),
        ("precision gap A − B (past)", "ppv_gap"),
    )
    rows = [
        [label, *(vw.points(col[key]) if "gap" in key else vw.fmt(col[key]) for col in cols)]
        for label, key in metrics
    ]
    t_b = h.thresholds.t_b
    data: dict[str, PanelData] = {
        "rates": vw.group_bars(
            ("group\nused", "group\ndropped", "re-\nweighed", "two\nthresholds"),
            [[col["sel_a"] for col in cols], [col["sel_b"] for col in cols]],
            HIRING_GROUPS,
        ),
        "detail": vw.histograms(
            [h.blind.scores[h.group == 0], h.blind.scores[h.group == 1]],
            HIRING_GROUPS,
            "P(hire), no group column",
            SCORE_EDGES,
            [(0.5, vw.COLORS[0], "A: 0.5"), (t_b, vw.COLORS[1], f"B: {t_b:.2f}")],
        ),
        "table": vw.table(
            ("test applicants", "with group", "dropped", "reweighed", "thresholds"), rows
        ),
    }
    figures = {f"{key}_{i}": col[key] for i, col in enumerate(cols) for key in cols[0]}
    return Step(
        "Two repairs and what they cost",
        texts.mitigation_text(
            (cols[1]["acc_rec"], cols[2]["acc_rec"], cols[3]["acc_rec"]),
            (cols[1]["acc_true"], cols[2]["acc_true"], cols[3]["acc_true"]),
            (cols[1]["sel_b"], cols[2]["sel_b"], cols[3]["sel_b"]),
        ),
        data,
        figures={**figures, "t_b": t_b},
        notes=texts.MITIGATION_NOTES,
        titles={"rates": "Selection rate per group, by approach", "detail": "Per-group thresholds"},
    )


def mitigation_column(h: md.Hiring, screen: md.Screen) -> dict[str, float]:
    """One approach's column of the mitigation table (test applicants)."""
    chosen = screen.chosen(h.group)
    a, b = md.group_rates(h.qualified, chosen, h.group)
    ra, rb = md.group_rates(h.hired, chosen, h.group)
    return {
        "acc_rec": md.accuracy(h.hired, chosen),
        "acc_true": md.accuracy(h.qualified, chosen),
        "sel_a": a.selection_rate,
        "sel_b": b.selection_rate,
        "tpr_gap": a.true_positive_rate - b.true_positive_rate,
        "fpr_gap": a.false_positive_rate - b.false_positive_rate,
        "ppv_gap": ra.precision - rb.precision,
    }
