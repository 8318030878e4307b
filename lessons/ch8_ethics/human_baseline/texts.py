"""The words of lesson 8.3: step texts built from the run's numbers, verdicts, quiz, notes.

Every verdict is a function of computed numbers: where an interval lies against the human
figure, what McNemar's test says, how far the accuracy falls under a shift.  The quiz states
no numbers; its answers hold for the default run (the lesson's tests check it).
"""

from __future__ import annotations

from lessons.ch8_ethics.human_baseline import model as m
from lessons.ch8_ethics.human_baseline.views import interval, pct
from lessons.core.base import MultipleChoice

SOURCE = (
    "The human figure: I. Chaaban and M. R. Scheessele (2007), <i>Human performance on the "
    "USPS database</i>, technical report, Indiana University South Bend: people misread "
    "2.37 % of the digits of the US Postal Service set (16x16 scans of ZIP codes). It is a "
    "different set from MNIST, read by different people; no interval for it is given here."
)


def standing(lo: float, hi: float, target: float) -> str:
    """Where an interval lies against a figure: "below", "above" or "overlaps"."""
    if hi < target:
        return "below"
    if lo > target:
        return "above"
    return "overlaps"


def claim_text(acc: float, n: int, lo: float, hi: float, epoch: int) -> str:
    where = standing(lo, hi, m.HUMAN.accuracy)
    verdict = {
        "below": "The whole interval lies below the human figure: almost, but not quite, "
        "as good as people, and even that compares two different tests.",
        "above": "The whole interval lies above the human figure; but the two were measured "
        "on different digits, so this alone proves nothing.",
        "overlaps": "The interval contains the human figure: on these numbers the two "
        "cannot be told apart.",
    }[where]
    return (
        f"This is lesson 5.1's network with its default settings (epoch {epoch} kept by "
        f"validation). On {n} MNIST test digits it is right {pct(acc)} of the time; the 95 % "
        f"interval is {interval(lo, hi)}. People misread {pct(m.HUMAN.error)} of the USPS "
        f"digits, an accuracy of {pct(m.HUMAN.accuracy)} (dotted line). {verdict}"
    )


CLAIM_NOTES = (
    "A test accuracy is a count of hits out of n digits, so it wobbles from one test set to "
    "the next. The Wilson interval used here covers the true accuracy in about 95 of 100 "
    "such test sets and stays inside 0..100 % even for a handful of digits. " + SOURCE
)


def size_text(
    n: int, acc: float, lo: float, hi: float, boot: tuple[float, float], w50: float, w200: float
) -> str:
    where = standing(lo, hi, m.HUMAN.accuracy)
    tail = (
        "Even this interval stays below the human figure."
        if where == "below"
        else "This interval reaches the human figure: too few digits to tell."
        if where == "overlaps"
        else "This interval lies above the human figure."
    )
    return (
        f"Scored on {n} digits the model gets {pct(acc)}, interval {interval(lo, hi)}; "
        f"2,000 bootstrap resamples of the same digits give {interval(*boot)}. With 50 digits "
        f"the interval is {100 * w50:.1f} points wide, with 200 {100 * w200:.1f}: four times "
        f"the digits, about half the width (it shrinks like $1/\\sqrt{{n}}$). {tail}"
    )


SIZE_NOTES = (
    "The bootstrap draws n digits with replacement from the n scored ones, 2,000 times, and "
    "reads the middle 95 % of the accuracies: no formula, and it agrees with Wilson's to a "
    "point or so. A claim from a small test set needs its interval more than a big one does."
)

ASK = (
    "Read the nine digits (left) yourself and type what you see in the controls: "
    "<b>Your answers</b>, one box per digit, in the same order (left to right, top to "
    "bottom). A box left at −1 counts as not answered. Nothing is revealed until all nine "
    "are in."
)


def duel_text(
    you: int,
    model: int,
    b: int,
    c: int,
    p: float,
    lo_y: float,
    hi_y: float,
    lo_m: float,
    hi_m: float,
) -> str:
    verdict = (
        "With so few digits that is no evidence either way."
        if p >= 0.05
        else "That difference would arise by chance less than 1 time in 20."
    )
    return (
        f"You read {you} of 9 right, the model {model} of 9; intervals {interval(lo_y, hi_y)} "
        f"and {interval(lo_m, hi_m)}. Only the digits one of you got wrong count: {b} only you "
        f"read right, {c} only the model. McNemar's exact test gives $p = {p:.2f}$. {verdict}"
    )


DUEL_NOTES = (
    "Comparing a person and a model fairly means the same digits for both: then each digit is "
    "a paired trial and McNemar's test asks whether the disagreements lean one way. Try "
    "another digit set, or answer carelessly and see how many disagreements it takes before "
    "p drops under 0.05. Published comparisons need hundreds of paired items."
)


def shift_text(
    angle: float,
    noise: float,
    clean: float,
    now: float,
    lo: float,
    hi: float,
    fall_at: float | None,
) -> str:
    setting = f"rotated by {angle:g}°" + (f" with pixel noise σ = {noise:g}" if noise else "")
    drop = 100 * (clean - now)
    where = (
        f"It falls below 80 % from {fall_at:g}° on (no noise)."
        if fall_at is not None
        else "It stays at 80 % or above over every angle measured (no noise)."
    )
    return (
        f"The same test digits {setting}: the model gets {pct(now)} (interval "
        f"{interval(lo, hi)}), {drop:.1f} points {'below' if drop >= 0 else 'above'} its "
        f"{pct(clean)} on upright, clean digits. {where} The figure measured on upright digits "
        "says nothing about tilted or noisy ones."
    )


SHIFT_NOTES = (
    "MNIST digits are centred and upright because the data set was prepared that way; letters "
    "in the wild are not. A network trained on upright digits never saw a tilted one, and its "
    "accuracy says so. Any claim should name the conditions it was measured under. No human "
    "figure for rotated digits is shown: we have no measured one."
)


def claims(
    n: int, acc: float, lo: float, hi: float, angle: float, noise: float, shifted: float
) -> tuple[tuple[str, str, str], ...]:
    """Four sentences a report might print, each with its verdict and what decides it."""
    where = standing(lo, hi, m.HUMAN.accuracy)
    ci = interval(lo, hi)
    human = f"{ci} vs {pct(m.HUMAN.accuracy)} (USPS)"
    setting = f"{angle:g}°" + (f", σ = {noise:g}" if noise else "")
    return (
        (
            "The model reads handwritten digits better than people.",
            "not shown: other data" if where == "above" else "contradicted",
            human,
        ),
        (
            "The model is as accurate as a human.",
            "not shown: other data" if where == "overlaps" else "contradicted",
            human,
        ),
        (
            f"On {n} upright MNIST test digits the model was right {pct(acc)} of the time "
            f"(95 % interval {ci}).",
            "supported",
            "the measurement itself",
        ),
        (
            f"The model reads digits with {pct(acc)} accuracy.",
            "holds here too" if lo <= shifted <= hi else "too broad",
            f"at {setting}: {pct(shifted)}",
        ),
    )


def wording_text(supported: int, too_broad: bool, shifted: float, angle: float) -> str:
    tilt = (
        f"An unqualified accuracy is too broad: tilted by {angle:g}° the digits give "
        f"{pct(shifted)}."
        if too_broad
        else f"At {angle:g}° the accuracy ({pct(shifted)}) is still inside the upright "
        "interval: try a larger rotation."
    )
    return (
        f"Four sentences, judged by this lesson's numbers: {supported} of 4 survive. The "
        f"one that holds names its data, its size and its interval. {tilt} Any comparison "
        "with people needs the same digits for both, as in step 3."
    )


WORDING_NOTES = (
    "A fair claim names the data, the number of test items, the interval, and how the "
    "comparison was made. 'Better than a human' needs the same items for both, enough of them, "
    "and conditions like the ones the model will meet."
)

QUIZ: tuple[MultipleChoice, ...] = (
    MultipleChoice(
        "wording",
        "The model's whole 95 % interval lies below the human figure, which was measured on a "
        "different digit set. Which sentence can you write?",
        (
            "The model reads digits better than people.",
            "On MNIST's test digits the model was right about 9 times in 10 (with its "
            "interval); people were measured on another set, so the figures are not directly "
            "comparable.",
            "The model is as good as a human.",
        ),
        answer=1,
        explanations=(
            "Its interval lies below the human figure, and the figures come from different data.",
            "Right: the data, the number and the caveat.",
            "The interval does not reach the human figure.",
        ),
    ),
    MultipleChoice(
        "paired",
        "You read 9 of 9 digits right, the model 8 of 9. What follows?",
        (
            "You are better than the model.",
            "Nothing yet: one disagreement gives McNemar's p = 1.",
            "The model is broken.",
        ),
        answer=1,
        explanations=(
            "One digit of difference is well within chance.",
            "Right: only disagreements count, and one of them cannot lean either way.",
            "8 of 9 is in line with its test accuracy.",
        ),
    ),
    MultipleChoice(
        "shift",
        "The digits are rotated by 30°. What happens to the model's accuracy?",
        (
            "It stays within a point of the upright figure.",
            "It falls by more than 20 points: the upright claim does not cover tilted digits.",
            "It rises: rotation removes noise.",
        ),
        answer=1,
        explanations=(
            "Check the curve: it does not.",
            "Right: the model never saw a tilted digit.",
            "Rotation adds nothing the model knows.",
        ),
    ),
)

TASK_PROMPT = (
    "Step 3: read the nine digits and type your answers. The app scores you and the model on "
    "the same digits and tests the difference."
)
