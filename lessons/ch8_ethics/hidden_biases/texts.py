"""The words of lesson 8.2: narratives built from the computed numbers, speaker notes, quiz.

Every comparison ("higher", "still differ", "holds") is decided from the numbers passed in.
"""

from __future__ import annotations

import math

from lessons.ch8_ethics.hidden_biases.views import fmt
from lessons.core.base import MultipleChoice
from lessons.markup.numbers import plain

SYNTHETIC = (
    "<b>Synthetic data.</b> These applicants are made up by a program (the engine's "
    "<i>make_hiring</i>), so the truth is known: "
)


def _gap(a: float, b: float) -> str:
    """'A higher/lower/the same' in words, from the two numbers."""
    if not (math.isfinite(a) and math.isfinite(b)):
        return "cannot be compared (a rate is undefined)"
    d = 100 * (a - b)
    if abs(d) < 0.5:
        return "about the same in both groups"
    return f"{abs(d):.1f} points {'higher' if d > 0 else 'lower'} for group A than for group B"


def data_text(qual: tuple[float, float], hired: tuple[float, float], bias: float) -> str:
    return (
        SYNTHETIC
        + f"ability does not depend on the group ({fmt(qual[0])} of group A and {fmt(qual[1])} "
        f"of group B are qualified). Past recruiters hired {fmt(hired[0])} of A and "
        f"{fmt(hired[1])} of B: "
        + (
            f"they scored group B {plain(bias)} standard deviation{'' if bias == 1 else 's'} of "
            "ability lower. "
            if bias > 0
            else "with the bias set to 0 they judged both groups alike. "
        )
        + "Those past decisions are the labels a screening model learns from."
    )


DATA_NOTES = (
    "make_hiring draws a latent ability for every applicant, independent of the group. The "
    "features a model sees (experience, test score, interview) are noisy readings of it, plus "
    "a 'neighbourhood' feature that carries group membership and nothing about ability. The "
    "ground truth 'qualified' marks the top share by ability; the historical label 'hired' "
    "marks the top share by ability minus the bias for group B, plus noise. Real hiring data "
    "never comes with a ground truth: this is why the lesson uses a synthetic set first."
)


WEIGHT_NOTICE = 0.2  # a weight on a standardised feature smaller than this counts as "near 0"


def _weight_words(weight: float) -> str:
    if weight < -WEIGHT_NOTICE:
        return "marks group B down, as the recruiters did"
    if weight > WEIGHT_NOTICE:
        return "favours group B"
    return f"hardly uses it ($|w| < {WEIGHT_NOTICE}$)"


def model_text(sel: tuple[float, float], tpr: tuple[float, float], weight: float) -> str:
    return (
        "A logistic regression trained on the past decisions (threshold 0.5) selects "
        f"{fmt(sel[0])} of group A and {fmt(sel[1])} of group B. Of the <i>qualified</i> "
        f"applicants it selects {fmt(tpr[0])} in A and {fmt(tpr[1])} in B: the true positive "
        f"rate is {_gap(*tpr)}. Its weight on the group column is {plain(weight, 3)}: it "
        f"{_weight_words(weight)}."
    )


MODEL_NOTES = (
    "Selection rate: the share of a group the model selects. True positive rate (TPR): the "
    "share of qualified applicants selected. False positive rate (FPR): the share of "
    "unqualified applicants selected. All are measured on 800 test applicants the model never "
    "saw, against the ground truth 'qualified', which only synthetic data gives us. The model "
    "is accurate against the history it was taught: it reproduces the history, bias included."
)


GAP_NOTICE = 0.05  # a selection-rate gap under 5 points is within the noise of ~240 B applicants


def blind_verdict(sel: tuple[float, float], before: tuple[float, float], corr: float) -> str:
    """Whether the selection gap survives dropping the group column, from the two gaps."""
    gap, old = sel[0] - sel[1], before[0] - before[1]
    points = f"{100 * abs(old):.1f} to {100 * abs(gap):.1f} points"
    if abs(old) < GAP_NOTICE:
        return f"the gap was under {100 * GAP_NOTICE:.0f} points to begin with, within the noise."
    if gap / old >= 0.5:
        why = "the proxy carries the group" if abs(corr) >= 0.2 else "other features carry it"
        return f"most of the gap survives ({points}): {why} into the model."
    return f"the gap shrinks from {points}: a proxy this weak carries less of the group."


def blind_text(
    sel: tuple[float, float], corr: float, weight: float, before: tuple[float, float]
) -> str:
    return (
        "Drop the group column and train again. The selection rates are now "
        f"{fmt(sel[0])} (A) and {fmt(sel[1])} (B), before {fmt(before[0])} and "
        f"{fmt(before[1])}. 'Neighbourhood' correlates $r = {plain(corr, 3)}$ with group "
        f"membership (right) and gets the weight {plain(weight, 3)}: "
        + blind_verdict(sel, before, corr)
    )


BLIND_NOTES = (
    "Removing a protected attribute is sometimes called 'fairness through unawareness'. It "
    "fails whenever other features predict the attribute: a postcode, a first name, a school, "
    "a gap in a CV. Set the proxy strength to 0 and the model has no way to find the group; "
    "set it to 1 and the neighbourhood is the group."
)


def _narrows(before: tuple[float, float], after: tuple[float, float]) -> str:
    """How the approval gap changed when the attribute was dropped, in points."""
    old, new = 100 * (before[0] - before[1]), 100 * (after[0] - after[1])
    verb = "narrows" if abs(new) < abs(old) - 0.05 else "does not narrow"
    return f"{verb} ({abs(old):.1f} → {abs(new):.1f} points)"


def credit_text(
    n: tuple[int, int],
    good: tuple[float, float],
    sel: tuple[float, float],
    sel_age: tuple[float, float],
    proxy: tuple[str, float],
) -> str:
    return (
        f"Real records: 1,000 loan applicants of the Statlog German Credit data. Group B is "
        f"the {n[1]} applicants under 25, group A the {n[0]} others. The bank's records call "
        f"{fmt(good[0])} of A and {fmt(good[1])} of B good risks. A model scored out of fold "
        f"approves {fmt(sel_age[0])} of A and {fmt(sel_age[1])} of B; without the age column "
        f"{fmt(sel[0])} and {fmt(sel[1])}: the gap {_narrows(sel_age, sel)}. The strongest "
        f"proxy of age: '{proxy[0]}' ($r = {plain(proxy[1], 2)}$)."
    )


CREDIT_NOTES = (
    "Source: Statlog German Credit (Prof. Hans Hofmann, Universität Hamburg), 1,000 applicants "
    "with 20 attributes, read from assets/credit_g.npz; see assets/ATTRIBUTION.md. 'Good' and "
    "'bad' are the bank's labels, not a verified truth. The data has no sex column: its "
    "'personal status' attribute mixes sex with marital status, and no applicant in it is coded "
    "'female single', so the lesson uses age, another commonly protected attribute, and splits "
    "it at 25. Out of fold: five models, each trained on four fifths of the applicants, score "
    "the fifth they did not see."
)


def mitigation_text(
    acc_rec: tuple[float, float, float],
    acc_true: tuple[float, float, float],
    sel_b: tuple[float, float, float],
) -> str:
    """acc_*: blind model, reweighing, per-group thresholds."""
    return (
        "Two repairs of the blind model. <b>Reweighing</b> weights each training example by "
        "$P(g)\\,P(y)/P(g, y)$, so that group and past decision are independent; group B's "
        f"selection rate becomes {fmt(sel_b[1])} (was {fmt(sel_b[0])}). <b>Per-group "
        f"thresholds</b> lower B's bar until both groups were selected equally in training: "
        f"{fmt(sel_b[2])}. Accuracy against the past decisions (dropped → reweighed → "
        f"thresholds): {fmt(acc_rec[0])} → {fmt(acc_rec[1])} → {fmt(acc_rec[2])}; against "
        f"the truth: {fmt(acc_true[0])} → {fmt(acc_true[1])} → {fmt(acc_true[2])}."
    )


MITIGATION_NOTES = (
    "Reweighing (Kamiran and Calders, 2012) changes the training data's weights, not the "
    "model. Per-group thresholds change the decision after the model, and need the group at "
    "decision time, which the law forbids in some settings. Each repair costs accuracy against "
    "the history it corrects, and shifts the other criteria: read the FPR and precision rows. "
    "Here the truth is known and the biased history is what pays; with real data only the "
    "history is there to measure against."
)


CRITERIA_NOTES = (
    "Demographic parity: equal selection rates. Equal opportunity: equal true positive rates. "
    "Predictive parity (calibration of the yes decision): equal precision, the share of "
    "approved applicants who turned out good. In each group precision = TPR × base rate / "
    "selection rate, so equal selection and equal TPR force the precisions apart by the ratio "
    "of the base rates. Kleinberg, Mullainathan and Raghavan (2016) and Chouldechova (2017) "
    "proved such incompatibilities in general: unless base rates are equal or predictions "
    "perfect, the criteria cannot all hold. Which to choose is a decision about values, not a "
    "technical one. Here 'holds' means: the smaller rate is at least 95% of the larger."
)


QUIZ: tuple[MultipleChoice, ...] = (
    MultipleChoice(
        "proxy",
        "The hiring model was trained without the group column, yet it still selects group B "
        "less often. Why?",
        (
            "The model remembers the column from an earlier run",
            "Another feature (neighbourhood) is correlated with the group and carries it in",
            "Group B applicants are less able in this data",
        ),
        answer=1,
        explanations=(
            "Each model is trained from scratch.",
            "Right: a proxy lets the model reproduce the bias in its labels.",
            "No: ability is drawn independently of the group; only the past decisions differ.",
        ),
    ),
    MultipleChoice(
        "impossible",
        "In the credit data, 25+ applicants are good risks more often than those under 25. "
        "If both groups have equal selection rates and equal true positive rates, what follows?",
        (
            "Precision is equal too",
            "Precision is lower for the group with the lower base rate",
            "Nothing can be said about precision",
        ),
        answer=1,
        explanations=(
            "Precision = TPR × base rate / selection rate differs with the base rate.",
            "Right: the base-rate ratio carries straight into the precisions.",
            "The identity precision = TPR × base rate / selection rate ties them together.",
        ),
    ),
    MultipleChoice(
        "cost",
        "Per-group thresholds raised group B's selection rate in the hiring data. What did "
        "the accuracy measured against the past decisions do?",
        ("It rose", "It fell", "It stayed exactly the same"),
        answer=1,
        explanations=(
            "See the mitigation table: it fell.",
            "Right: the past decisions were biased, so undoing the bias disagrees with them.",
            "See the mitigation table: it fell.",
        ),
    ),
)
