"""Narratives and speaker notes of lesson 8.1; every number in them is passed in from the run."""

from __future__ import annotations

import math

from lessons.ch8_ethics.error_types import model as md
from lessons.ch8_ethics.error_types.rates import Counts, pct
from lessons.markup.numbers import plain


def _t(t: float) -> str:
    return f"{t:.3f}"


def source(s: md.Scenario) -> str:
    """Where the scenario's data comes from, for the notes."""
    if s.synthetic:
        return (
            f"The braking data is synthetic: {s.size} situations drawn by the lesson from seed "
            f"{md.BRAKING_SEED} (about {md.BRAKING_SHARE:.0%} real obstacles). Each has three "
            "made-up sensor readings: a radar time to collision, a radar echo strength and a "
            "camera's vehicle score; the real obstacles are nearer and echo more, but every "
            "reading overlaps between the classes. No real car or sensor produced these numbers."
        )
    return (
        "The data is the Breast Cancer Wisconsin (Diagnostic) set of W. H. Wolberg, W. N. "
        "Street and O. L. Mangasarian (University of Wisconsin, 1995), as distributed with "
        "scikit-learn and the UCI Machine Learning Repository (see assets/ATTRIBUTION.md). "
        f"Each of its {s.size} rows is one tumour, described by 30 numbers computed from an "
        "image of a fine-needle aspirate (radius, texture, concavity ... of the cell nuclei). "
        "The asset codes malignant as 1, the positive finding a screening test looks for."
    )


def data(s: md.Scenario, val: Counts, test_acc: float) -> str:
    """Step 1: the data, the split, the model."""
    w = s.words
    pos = int(s.y.sum())
    kind = "synthetic " if s.synthetic else ""
    return (
        f"{s.size} {kind}{w.cases}: {pos} {w.positives}, {s.size - pos} {w.negatives}. "
        "The engine trains a logistic regression, "
        f"$p = \\sigma(\\mathbf{{w}}^\\top \\mathbf{{x}} + b)$, on half of them "
        "(plot); we study its errors on a quarter (validation) and keep the last quarter "
        f"(test) for step 8. Calling {w.positive} when $p > 0.5$, it is right on "
        f"{pct(val.accuracy)} of the validation {w.cases}. But accuracy counts all mistakes "
        "alike, and the two kinds are not alike."
    )


DATA_NOTES = (
    "The model: one Dense unit on the standardised features, binary cross-entropy from "
    f"logits, Adam (learning rate {md.RATE}), {md.EPOCHS} epochs in batches of {md.BATCH}. "
    "Logistic regression is the smallest network there is: one neuron with a sigmoid. It is "
    "enough here, and its output is a probability we can threshold. The features are "
    "standardised with the mean and spread of the training rows only, so nothing about the "
    "held-out rows leaks into training. The split is fixed (the same rows every run), so "
    "every number in this lesson can be checked. "
)


def scores(s: md.Scenario, c: Counts, t: float) -> str:
    """Step 2: probabilities, the threshold, the four cells."""
    w = s.words
    return (
        f"The model gives each {w.case} a probability $p$; a threshold makes the call: "
        f"{w.positive} ({w.act}) when $p > {_t(t)}$. The plot counts validation scores per "
        f"true class. Blue right of the line: {w.negative} but flagged, <b>false "
        f"positives</b> ({c.fp}). Orange left of it: {w.positive} but passed, <b>false "
        f"negatives</b> ({c.fn}). The four cells always add up to {c.n}."
    )


SCORES_NOTES = (
    "A confusion matrix has the truth in its rows and the model's call in its columns. The "
    "diagonal holds the right calls (true negatives top left, true positives bottom right); "
    "the two other cells are the two kinds of mistake. Where most scores of a class sit near 0 "
    "or 1 the model is confident; the mistakes live where the two outlines overlap. The "
    "threshold slider moves the line; every panel follows it."
)


def errors(s: md.Scenario, c: Counts, t: float) -> str:
    """Step 3: FP against FN as the threshold moves; the rates."""
    w = s.words
    return (
        f"<b>False positive</b> (type I): {w.fp_long}. <b>False negative</b> (type II): "
        f"{w.fn_long}. Lower $t$: FN falls, FP rises (plot). At $t = {_t(t)}$ the model "
        f"catches {pct(c.tpr)} of the {w.positives} (recall) and flags "
        f"{pct(c.fpr)} of the {w.negatives}." + _extreme(c, w)
    )


def _extreme(c: Counts, w: md.Words) -> str:
    if c.flagged == 0:
        return (
            f" Nothing is flagged: no false alarm, every {w.one_pos} missed, "
            "precision 0 / 0 undefined."
        )
    if c.flagged == c.n:
        return f" Everything is flagged: nothing missed, every {w.one_neg} a false alarm."
    return ""


ERRORS_NOTES = (
    "Type I and type II are the statistician's names: a type I error rejects a true 'nothing "
    "there' (a false alarm), a type II error keeps a false one (a miss). Which is worse depends "
    "on what follows the call. An unneeded biopsy costs money, worry and a small risk; a missed "
    "cancer can cost a life. A car that brakes for a shadow may be hit from behind; one that "
    "does not brake for a real car crashes into it. Accuracy hides which of the two happened. "
    "Recall (sensitivity) and the false positive rate say it: they are the shares of each true "
    "class that get flagged."
)


def cost(s: md.Scenario, r: float, t: float, now: Counts, bt: float, best: Counts) -> str:
    """Step 4: the expected cost and its cheapest threshold."""
    w = s.words
    c_now, c_best = now.cost(r), best.cost(r)
    if math.isclose(c_now, c_best, rel_tol=0, abs_tol=1e-12):
        verdict = "Your threshold is as cheap as that: it lies among the cheapest."
    else:
        verdict = (
            f"Your $t = {_t(t)}$ costs ${plain(c_now, 3)}$ per {w.case}, "
            f"{plain(c_now / c_best, 3) + ' times' if c_best > 0 else 'more than'} the cheapest."
        )
    return (
        f"Say one {w.fn} costs $r = {plain(r, 3)}$ times as much as one {w.fp}. Then a "
        f"threshold costs $C(t) = (\\mathrm{{FP}}(t) + r\\,\\mathrm{{FN}}(t))/n$ per {w.case}. "
        "Trying all 1001 thresholds the slider can take on the validation rows, the cheapest is "
        f"$t^* = {_t(bt)}$ (square): FP = {best.fp} ({w.fps}), FN = {best.fn} ({w.fns}), cost "
        f"${plain(c_best, 3)}$. " + verdict
    )


COST_NOTES = (
    "The cost ratio r is not something the data can tell you; it is a judgement about "
    "consequences, made by people who bear them (doctors, patients, engineers, regulators). "
    "Once it is stated, the threshold follows by arithmetic: count the two errors at every "
    "threshold, weigh them, take the smallest. A larger r pushes t* down (flag more, miss "
    "less); a smaller r pushes it up. When several thresholds tie (between two scores nothing "
    "changes), the lesson takes the middle of them. The curve is flat in long stretches "
    "because the validation set has only a few cases near the boundary: a small set gives a "
    "rough estimate of cost."
)


def roc(s: md.Scenario, area: float, now: Counts, t: float) -> str:
    """Step 5: the ROC curve and its area."""
    w = s.words
    return (
        "Each threshold is one point: (false positive rate, recall). Lowering $t$ from 1 to "
        "0 walks from (0, 0), nothing flagged, to (1, 1), everything flagged: that path is "
        f"the <b>ROC curve</b>. Its area is ${plain(area, 4)}$: the chance that a random "
        f"{w.one_pos} gets a higher $p$ than a random {w.one_neg} (0.5 is a "
        f"coin, the diagonal). Your $t = {_t(t)}$ sits at ({pct(now.fpr)}, {pct(now.tpr)}) "
        "(round marker); the cheapest threshold of step 4 is the square."
    )


ROC_NOTES = (
    "The ROC curve (receiver operating characteristic, a name from radar in the 1940s) does "
    "not depend on how rare the positive class is, nor on any threshold: it shows every "
    "trade-off the model offers at once. Its area equals the Mann-Whitney statistic: count, "
    "over all pairs of one positive and one negative case, how often the positive one scores "
    "higher (ties count half), and divide by the number of pairs. The tests of this lesson "
    "check the engine's area against that count. A point up and to the left is better on "
    "both errors; the cost ratio picks which point of the curve to stand on."
)


def precision(s: md.Scenario, now: Counts, t: float, prevalence: float) -> str:
    """Step 6: precision and recall."""
    w = s.words
    if now.flagged == 0:
        at = (
            f"At $t = {_t(t)}$ nothing is called {w.positive}: recall is 0 and precision "
            "0 / 0 is undefined, so no point is drawn."
        )
    else:
        at = (
            f"At $t = {_t(t)}$: recall {pct(now.tpr)}, precision {pct(now.precision)} "
            f"({now.tp} of the {now.flagged} flagged are {w.positives})."
        )
    return (
        f"Recall asks: of the {w.positives}, how many did we catch? "
        f"<b>Precision</b> asks: of those flagged for {w.act}, how many needed it? Raising "
        "$t$ usually buys precision with recall. A rule that flags at random has precision "
        f"equal to the share of {w.positives}, {pct(prevalence)} here (dotted line). " + at
    )


PRECISION_NOTES = (
    "Precision is what the person who receives a positive result cares about: given a "
    "positive test, how likely is the disease? Unlike the ROC curve it depends on how common "
    "the condition is, which is why the next step matters. When nothing is called positive, "
    "precision has no value at all (0 divided by 0); some libraries report 0 there, which "
    "hides that nothing was flagged. This lesson writes 'undefined'."
)


def rare(s: md.Scenario, share: float, n: int, model: Counts, always: Counts, t: float) -> str:
    """Step 7: accuracy on imbalanced data."""
    w = s.words
    gap = model.accuracy - always.accuracy
    if gap > 0.0005:
        only = "only " if gap < 0.05 else ""
        verdict = f"The model is ahead by {only}{100 * gap:.1f} points of accuracy"
    elif gap < -0.0005:
        verdict = f"On accuracy the do-nothing rule even beats the model by {-100 * gap:.1f} points"
    else:
        verdict = "On accuracy the two are level"
    lead = "Now make the condition rare" if share < 0.2 else "Now resample the rows"
    few = "only " if share < 0.2 else ""
    prec = (
        f"precision {pct(model.precision)}"
        if model.flagged
        else "precision undefined (nothing flagged)"
    )
    return (
        f"{lead}: {n} {w.cases} drawn with replacement from the "
        f"validation rows, with {few}{pct(share)} {w.positives}. The rule 'always "
        f"{w.negative}' never flags anything and is right {pct(always.accuracy)} of the time, "
        f"yet misses all {always.fn} {w.positives}. The model at $t = {_t(t)}$: "
        f"accuracy {pct(model.accuracy)}, recall {pct(model.tpr)}, {prec}. {verdict}; recall "
        "and precision show the real difference (table)."
    )


RARE_NOTES = (
    "Real screening meets the disease far less often than this data set, in which about a "
    "third of the tumours are malignant because the cases were collected at a clinic. The "
    "resampled set keeps the model's scores and changes only how often each class occurs. "
    "The curves (expected values, from the validation rates) show why accuracy misleads: as "
    "the positive share falls, 'always negative' climbs towards 100 % while the model's "
    "precision falls, because even a small false positive rate applied to many negatives "
    "outnumbers the few true positives. Report recall and precision (or the whole confusion "
    "matrix), never accuracy alone, when one class is rare."
)


def test(s: md.Scenario, t: float, bt: float, v: Counts, te: Counts, r: float) -> str:
    """Step 8: the chosen threshold on the untouched test rows."""
    w = s.words
    cv, ct = v.cost(r), te.cost(r)
    trend = "higher" if ct > cv + 1e-12 else ("lower" if ct < cv - 1e-12 else "the same")
    return (
        f"The cheapest threshold $t^* = {_t(bt)}$ was chosen on the validation rows, so its "
        "cost there is an optimistic estimate. The test rows, never used for a choice, say "
        f"what to expect on new {w.cases}: at $t^*$ they have FP = {te.fp} ({w.fps}) and "
        f"FN = {te.fn} ({w.fns}), a cost of ${plain(ct, 3)}$ per {w.case}, {trend} than the "
        f"${plain(cv, 3)}$ on validation. The table also shows your $t = {_t(t)}$ on both."
    )


TEST_NOTES = (
    "Choosing the threshold is a kind of training: it fits a number to the validation rows. "
    "The test rows are looked at once, after every choice is made; if we went back and moved "
    "the threshold to please the test set, the test numbers would be as optimistic as the "
    "validation ones. With only about a hundred and fifty held-out cases, one or two cases "
    "more or less on the wrong side change the rates by a percent or more."
)


def road(o: md.Scenario, t: float, now: Counts, bt: float, r: float) -> str:
    """Step 9: the other scenario, with the same controls."""
    w = o.words
    return (
        f"The same controls, another scenario: <b>{o.name}</b>. False positive: {w.fp_long}; "
        f"false negative: {w.fn_long}. At $t = {_t(t)}$: FP = {now.fp}, FN = {now.fn} of "
        f"{now.n} validation {w.cases}. With $r = {plain(r, 3)}$ its cheapest threshold is "
        f"$t^* = {_t(bt)}$ (second line): a threshold belongs to a model and its costs. "
        "Choose this Scenario to walk every step with it."
    )


ROAD_NOTES = (
    "An automatic emergency braking system faces the same two mistakes. Braking for nothing "
    "(a bridge, a sign, a plastic bag) annoys, and a sudden stop can get the car hit from "
    "behind; not braking for a real obstacle causes the crash the system exists to prevent. "
    "Its sensors are noisier than the tumour measurements, so the two classes overlap far "
    "more: no threshold avoids both errors, and the cost ratio decides. The data here is "
    "synthetic, drawn by the lesson from a seed, so only its shape, not its numbers, says "
    "anything about real cars."
)


def task_state(s: md.Scenario, c: Counts, done: bool, fewest: int) -> str:
    """Where the learner stands on the task (the app shows it as the task's message)."""
    w = s.words
    if done:
        state = (
            f"Done: no {w.one_pos} of the validation rows is missed, and {c.fp} "
            f"{w.negatives} are flagged for {w.act}, the fewest any threshold allows."
        )
    elif c.fn > 0:
        state = f"Not yet: {c.fn} {w.positives} are still missed (FN > 0)."
    else:
        state = (
            f"Nothing missed, but {c.fp} {w.negatives} are flagged for {w.act}: a higher "
            f"threshold sends only {fewest}."
        )
    return state


def task(s: md.Scenario, c: Counts, done: bool, fewest: int) -> str:
    """Step 10: the try-it task."""
    w = s.words
    return (
        f"Your turn. Set the threshold so that no {w.one_pos} among the validation "
        f"rows is missed (FN = 0), while as few {w.negatives} as possible are flagged for {w.act}. "
        "All of the orange outline must lie right of the line (type small values into the box "
        "beside the slider). " + task_state(s, c, done, fewest)
    )


TASK_NOTES = (
    "The highest threshold with no miss sits just below the lowest-scored positive case. "
    "Everything of the other class above that score is the price of catching every positive. "
    "On the test rows the same threshold may still miss one: a threshold tuned to catch every "
    "case of one sample need not catch every case of the next, which is why screening "
    "programmes report sensitivity with an interval, not as a promise."
)
