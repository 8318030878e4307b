"""The race steps' narrative: every sentence is built from what the engine's optimizers did.

Claims that depend on the learner's settings (which racer arrived first, who diverged, whether
Momentum's first step equals SGD's) are decided from the race, never assumed.
"""

from __future__ import annotations

import math

import numpy as np

from lessons.ch4_training.optimizers import race as r
from lessons.markup.numbers import plain, tex

ESCAPE = 0.5  # on the saddle, a racer has left the saddle once |w₂| exceeds this


def vec(a: np.ndarray, digits: int = 3) -> str:
    """A 2-vector inside math: (a₁, a₂)."""
    return f"({tex(float(a[0]), digits)}, {tex(float(a[1]), digits)})"


def names(keys: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    labels = [r.LABELS.get(k, k) for k in keys]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def intro(race: r.Race, sigma: float) -> str:
    course, sgd = race.course, race.tracks["sgd"]
    a, b = race.start
    text = (
        f"Five of the engine's optimizers start together at $w_0 = ({tex(a)}, {tex(b)})$ on "
        f"the {course.name}, ${course.formula}$. Each steps its own two-weight tensor; "
        "one backward pass gives every one its gradient, at the start "
        f"$\\nabla J = {vec(sgd.grads[0] - race.noise[0], 4)}$. The table lists the rule each "
        "one applies. They differ in what they carry from one update to the next: nothing, a "
        "velocity, a running average of $g^2$, or both moments of $g$."
    )
    if course.noisy:
        text += (
            f" Here every gradient gets seeded noise of size $\\sigma = {tex(sigma)}$ added, "
            "the same draw for all five."
            if sigma > 0
            else " The noise slider is at 0: this is the plain bowl."
        )
    return text


INTRO_NOTES = (
    "The rules are the engine's (engine/nn/optimizers.py, Keras conventions). SGD steps against "
    "the gradient. Momentum keeps a velocity v, a decaying sum of past steps, and moves by it: "
    "on a long slope the steps add up, across a narrow valley they cancel. Nesterov, in the "
    "form Keras uses, adds β·v once more, a look at where the velocity is about to carry the "
    "weights. RMSprop (Hinton, 2012) divides each coordinate's step by the root of a running "
    "average s of that coordinate's squared gradients, so every weight gets its own step size. "
    "Adam (Kingma and Ba, 2015) combines both: a running mean m of the gradient and a running "
    "mean v of its square, each divided by 1 − βᵗ because they start at zero. ε = 10⁻⁷ only "
    "guards against dividing by zero. Each optimizer owns a 2-element weight tensor; the "
    "racers' tensors are joined into one graph so that one backward pass computes all five "
    "gradients, the same numbers five separate passes would give."
)


def first_update(race: r.Race) -> str:
    t = race.tracks
    g = t["sgd"].grads[0]
    d_sgd = t["sgd"].updates[0]
    parts = [f"All five got $g = {vec(g)}$. SGD stepped $-\\eta g = {vec(d_sgd)}$;"]
    mom, nes = t["momentum"], t["nesterov"]
    if np.allclose(mom.updates[0], d_sgd, rtol=1e-12, atol=0):
        parts.append(
            "Momentum's velocity starts at 0, so it took the same step (the arrows overlap)"
        )
    else:
        parts.append(
            f"Momentum's velocity starts at 0, so it stepped $-\\eta g$ with its own "
            f"$\\eta$: ${vec(mom.updates[0])}$"
        )
    beta = nes.hyper.get("momentum", 0.0)
    parts[-1] += (
        f", and Nesterov $1 + \\beta = {tex(1 + beta)}$ times as far."
        if beta > 0
        else "; Nesterov with $\\beta = 0$ is plain SGD."
    )
    ada, rms = t["adam"], t["rmsprop"]
    rho = rms.hyper["rho"]
    parts.append(
        "RMSprop and Adam divide each weight's step by the size of its own gradient, so both "
        f"weights moved alike: Adam by about $\\eta = {tex(ada.hyper['learning_rate'])}$, RMSprop "
        f"by $\\eta/\\sqrt{{1-\\rho}} = {tex(rms.hyper['learning_rate'] / math.sqrt(1 - rho))}$, "
        f"although one gradient is {_times(_spread(g))} times the other."
    )
    return " ".join(parts)


def _times(x: float) -> str:
    """A ratio in prose: 13.3, 3600, or "infinitely many" for a zero gradient."""
    if not math.isfinite(x):
        return "infinitely many"
    return f"{x:.0f}" if x >= 100 else plain(x, 3)


def _spread(g: np.ndarray) -> float:
    lo, hi = sorted(np.abs(g))
    return float(hi / lo) if lo > 0 else math.inf


FIRST_NOTES = (
    "At the first update every state is still zero. Momentum's v becomes −ηg, so it moves like "
    "SGD. Nesterov's update β·v − ηg is then −(1 + β)ηg. RMSprop's average is s = (1 − ρ)g², "
    "so its step ηg/√s is η/√(1 − ρ) in each coordinate, whatever the gradient's size. Adam's "
    "corrected moments are m/(1 − β₁) = g and v/(1 − β₂) = g², so its first step is η·g/|g|: "
    "η per coordinate, against the gradient's sign. That is why the two adaptive arrows point "
    "diagonally while SGD's follows the gradient. The map is zoomed in on the first updates."
)


def second_update(race: r.Race) -> str:
    t = race.tracks
    mom, ada = t["momentum"], t["adam"]
    parts = []
    if mom.taken >= 2 and "velocity" in mom.states[1]:
        beta, eta = mom.hyper["momentum"], mom.hyper["learning_rate"]
        v1, g2, v2 = mom.states[0]["velocity"], mom.grads[1], mom.states[1]["velocity"]
        longer = np.hypot(*v2) > np.hypot(*(eta * g2))
        parts.append(
            "Momentum adds its last step, $v \\leftarrow \\beta v - \\eta g$:"
            f"$$v = {tex(beta)}\\,{vec(v1)} - {tex(eta)}\\,{vec(g2)}$$"
            f"$$= {vec(v2)}$$"
            f"Without the velocity it would have moved ${vec(-eta * g2)}$: the carried part "
            f"made the step {'longer' if longer else 'shorter'}."
        )
    elif mom.taken >= 2:
        parts.append("With $\\beta = 0$ Momentum keeps no velocity: it is plain gradient descent.")
    if ada.taken >= 2 and min(1 - ada.hyper["beta_1"] ** 2, 1 - ada.hyper["beta_2"] ** 2) > 0.99:
        parts.append(
            "With $\\beta_1$ and $\\beta_2$ this small Adam hardly remembers: $m \\approx g$, "
            "$v \\approx g^2$, and it steps about $\\eta$ against each gradient's sign."
        )
    elif ada.taken >= 2:
        b1, b2 = ada.hyper["beta_1"], ada.hyper["beta_2"]
        parts.append(
            "Adam's $m$ and $v$ started at zero and are still too small by "
            f"$1-\\beta_1^2 = {tex(1 - b1**2, 3)}$ and $1-\\beta_2^2 = {tex(1 - b2**2, 3)}$; "
            "column ÷ (1 − βᵗ) corrects them."
        )
    return " ".join(parts) or "Every optimizer has stopped before its second update."


SECOND_NOTES = (
    "The table's state is what each optimizer object reports after the update (state_of). "
    "Adam's m and v are running means that start at zero, so early on they are pulled towards "
    "zero: after t updates of a constant gradient g, m = (1 − β₁ᵗ)g. Dividing by 1 − β₁ᵗ (and "
    "v by 1 − β₂ᵗ) removes that pull; the engine's update uses the divided values. With "
    "β₂ = 0.999 the correction of v matters for the first few thousand updates."
)


CHECKPOINT_NOTES = (
    "By now the memories differ. Momentum's velocity is a decaying sum of the last steps, "
    "about 1/(1 − β) of them: where successive gradients agree it grows, where they flip sign "
    "it shrinks. RMSprop's s is a running mean of each weight's squared gradient; dividing by "
    "√s gives every weight its own effective rate η/√s, so a weight with small gradients "
    "takes relatively large steps. Adam's second moment decays slowly (β₂ = 0.999 keeps about "
    "a thousand updates), so after ten updates its raw v is still about a hundred times too "
    "small and the bias correction matters most."
)


def checkpoint(race: r.Race, t: int) -> str:
    """Update ``t``: who leads, how much speed Momentum has built, the adaptive step sizes."""
    course, tr = race.course, race.tracks
    alive = [k for k in race.keys if tr[k].taken >= t]
    if not alive:
        return f"Every optimizer stopped before update {t}."
    leader = min(alive, key=lambda k: float(r.gap(tr[k], course)[t]))
    parts = [
        f"After {t} updates {r.LABELS[leader]} is closest to the bottom "
        f"($J - J^* = {tex(float(r.gap(tr[leader], course)[t]), 3)}$)."
    ]
    mom, sgd = tr["momentum"], tr["sgd"]
    if mom.taken >= t and sgd.taken >= t and "velocity" in mom.states[t - 1]:
        speed = float(np.hypot(*mom.states[t - 1]["velocity"]))
        plain_step = float(np.hypot(*sgd.updates[t - 1]))
        if plain_step > 0:
            parts.append(
                f"Momentum's velocity has grown to $|v| = {tex(speed, 3)}$, "
                f"{plain(speed / plain_step, 2)} times SGD's step."
            )
    rms = tr["rmsprop"]
    if rms.taken >= t:
        s = rms.states[t - 1]["average"]
        eff = rms.hyper["learning_rate"] / (np.sqrt(s) + rms.hyper["epsilon"])
        parts.append(
            f"RMSprop's own rates $\\eta/\\sqrt{{s}} = {vec(eff)}$ are largest where the "
            "gradients were small."
        )
    ada = tr["adam"]
    if ada.taken >= t:
        k, b2 = ada.iterations[t - 1], ada.hyper["beta_2"]
        if 1 - b2**k < 0.99:
            parts.append(f"Adam still divides $v$ by $1 - \\beta_2^{{{k}}} = {tex(1 - b2**k, 3)}$.")
    return " ".join(parts)


# ---- the end of a race ----------------------------------------------------------------------


def verdict(track: r.Track, race: r.Race) -> str:
    """One phrase for the results table."""
    course = race.course
    if track.diverged_at is not None:
        return f"diverged at update {track.diverged_at}"
    if race.noisy:
        return f"hovers, mean distance {plain(r.jitter(track, course), 3)}"
    at = r.arrival(track, course)
    if at is not None:
        return f"settled from update {at}"
    if course.key == "saddle" and abs(float(track.points[-1][1])) < ESCAPE:
        return "still at the saddle"
    return "still on its way"


def ranking(race: r.Race) -> list[str]:
    """The racers, best first: arrived (earliest), then by loss gap at the end; diverged last."""
    course = race.course

    def key(k: str) -> tuple[int, float]:
        tr = race.tracks[k]
        if tr.diverged_at is not None:
            return (2, -tr.diverged_at)
        if race.noisy:
            return (1, r.jitter(tr, course))
        at = r.arrival(tr, course)
        return (0, float(at)) if at is not None else (1, float(r.gap(tr, course)[-1]))

    return sorted(race.keys, key=key)


def escape(track: r.Track) -> int | None:
    """The first update after which the racer is more than ESCAPE from the saddle's line."""
    hits = np.flatnonzero(np.abs(track.points[1:, 1]) > ESCAPE)
    return int(hits[0]) + 1 if hits.size else None


def result(race: r.Race, lam_max: float) -> str:
    """What the finished race shows, from its numbers; ``lam_max`` is the largest curvature
    at the start (from the engine's gradients)."""
    course, tr = race.course, race.tracks
    order = ranking(race)
    gone = [k for k in order if tr[k].diverged_at is not None]
    parts: list[str] = []
    if race.noisy:
        alive = [k for k in order if k not in gone]
        if alive:
            calm, wild = alive[0], alive[-1]
            parts.append(
                f"With noisy gradients nobody settles: over the last 50 updates "
                f"{r.LABELS[calm]} stayed closest to the minimum, at a mean distance of "
                f"{plain(r.jitter(tr[calm], course), 3)}; {r.LABELS[wild]} wandered farthest "
                f"({plain(r.jitter(tr[wild], course), 3)})."
            )
            if wild in ("momentum", "nesterov") and tr[wild].hyper.get("momentum", 0.0) > 0:
                parts.append(
                    "A velocity adds up the noise as well as the slope: it carries about "
                    "$1/(1-\\beta)$ times the recent pushes."
                )
    else:
        arrived = [k for k in order if r.arrival(tr[k], course) is not None]
        if arrived:
            steps = ", ".join(f"{r.LABELS[k]} {r.arrival(tr[k], course)}" for k in arrived)
            first = arrived[0]
            parts.append(
                f"{r.LABELS[first]} settled first: from update {r.arrival(tr[first], course)} "
                f"on its loss stayed within $10^{{-3}}$ of the lowest, $J^*$. All that settled: "
                f"{steps}."
            )
        slow = [k for k in order if k not in arrived and k not in gone]
        if slow:
            parts.append(
                f"After {race.steps} updates "
                + ", ".join(
                    f"{r.LABELS[k]} is still {plain(float(r.gap(tr[k], course)[-1]), 3)}"
                    for k in slow
                )
                + " above it."
            )
    if gone:
        eta_max = 2 / lam_max if lam_max > 0 else math.inf
        parts.append(
            f"{names(gone)} flew off the map. At the start the steepest curvature is "
            f"$\\lambda_{{max}} = {tex(lam_max)}$, and plain gradient descent overshoots "
            f"unless $\\eta < 2/\\lambda_{{max}} = {tex(eta_max)}$."
        )
    parts.append(_remark(race))
    return " ".join(p for p in parts if p)


def _remark(race: r.Race) -> str:
    """One sentence about what this surface teaches, only where the numbers show it."""
    course, tr = race.course, race.tracks
    sgd, mom = tr["sgd"], tr["momentum"]
    a_sgd, a_mom = r.arrival(sgd, course), r.arrival(mom, course)
    if course.key == "bowl" and a_sgd is not None and (a_mom is None or a_sgd < a_mom):
        return (
            "On a round bowl the gradient points straight at the centre, so momentum only "
            "overshoots: SGD beat it."
        )
    if (
        course.key == "ravine"
        and sgd.diverged_at is None
        and a_mom is not None
        and (a_sgd is None or a_mom < a_sgd)
    ):
        return (
            "In the ravine the steep direction limits the rate and SGD then crawls along the "
            "flat one; momentum's velocity builds up along the floor."
        )
    if course.key == "saddle":
        times = {k: escape(tr[k]) for k in race.keys if tr[k].diverged_at is None}
        left = sorted((v, k) for k, v in times.items() if v is not None)
        if left:
            return (
                f"Near the saddle the gradient is almost zero. {r.LABELS[left[0][1]]} left it "
                f"first ($|w_2| > {tex(ESCAPE)}$ at update {left[0][0]})"
                + (f", SGD only at update {times['sgd']}." if times.get("sgd") else ".")
            )
    if course.key == "Rosenbrock" and a_sgd is None:
        return (
            "The valley floor curves, and its walls are a hundred times steeper than its "
            "slope: a rate small enough for the walls crawls along the floor."
        )
    return ""


RESULT_NOTES = (
    "A racer has settled once J − J* stays below 10⁻³ to the end of the race. The loss plot "
    "uses a log scale, so a straight falling line means the gap shrinks by the same factor "
    "every update. An optimizer that leaves the map by far (a weight beyond 1000, or inf/NaN) "
    "is stopped and marked with a cross. On the noisy bowl the table gives the mean distance "
    "to the minimum over the last 50 updates instead: noise keeps every optimizer moving, and "
    "a smaller rate (or a decaying one) calms it."
)
