"""The lesson's steps, part by part: the race on the learner's surface, the other surfaces,
and momentum by the numbers on the turned ravine.

Each function turns computed runs (:mod:`~lessons.ch4_training.optimizers.race`,
:mod:`~lessons.ch4_training.optimizers.study`) into :class:`~lessons.core.base.Step` objects:
the panels' data from the views modules, the narrative from the texts modules.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch4_training.optimizers import qtexts, qviews, texts
from lessons.ch4_training.optimizers import quadratic as q
from lessons.ch4_training.optimizers import race as r
from lessons.ch4_training.optimizers import views as v
from lessons.ch4_training.optimizers.study import Study
from lessons.core.base import Step, TaskResult

CHECKPOINT = 10  # the third update shown on its own


def race_steps(race: r.Race, sigma: float) -> Iterator[Step]:
    """The start, updates 1, 2 and 10 with arrows and states, then the finished race."""
    yield Step(
        f"Five optimizers at the start: the {race.course.name}",
        texts.intro(race, sigma),
        {
            "map": v.race_map(race, upto=0),
            "curves": v.loss_curves(race, upto=0),
            "numbers": v.rules_table(race),
        },
        figures={
            "start_grad_1": float(race.tracks["sgd"].grads[0][0]),
            "start_grad_2": float(race.tracks["sgd"].grads[0][1]),
        },
        notes=texts.INTRO_NOTES,
        titles={"numbers": "The update rules"},
    )
    for t, title, text, notes in (
        (1, "Update 1: one gradient, five steps", texts.first_update(race), texts.FIRST_NOTES),
        (2, _second_title(race), texts.second_update(race), texts.SECOND_NOTES),
        (
            CHECKPOINT,
            f"Update {CHECKPOINT}: memories at work",
            texts.checkpoint(race, CHECKPOINT),
            texts.CHECKPOINT_NOTES,
        ),
    ):
        yield Step(
            title,
            text,
            {
                "map": v.race_map(race, upto=t, arrows=True, window=v.zoom(race, t)),
                "curves": v.loss_curves(race, upto=t),
                "numbers": v.state_table(race, t),
            },
            figures=_update_figures(race, t),
            notes=notes,
            titles={
                "numbers": f"Update {t}: gradient, state (read from each optimizer), step",
                "map": f"Update {t}: each optimizer's step as an arrow (zoomed)",
            },
        )
    yield result_step(race, False)


def _second_title(race: r.Race) -> str:
    beta = race.tracks["momentum"].hyper.get("momentum", 0.0)
    return "Update 2: the velocity counts" if beta > 0 else "Update 2: no velocity at β = 0"


def _update_figures(race: r.Race, t: int) -> dict[str, float]:
    out = {}
    for key, track in race.tracks.items():
        if track.taken >= t:
            out[f"{key}_dw1"], out[f"{key}_dw2"] = (float(x) for x in track.updates[t - 1])
    return out


def result_step(race: r.Race, other: bool) -> Step:
    course = race.course
    lam_max = float(np.linalg.eigvalsh(r.curvature(course, race.start))[-1])
    verdicts = {key: texts.verdict(track, race) for key, track in race.tracks.items()}
    order = texts.ranking(race)
    lead = "Same settings on the " if other else "After the race: the "
    return Step(
        f"{lead}{course.name}",
        texts.result(race, lam_max),
        {
            "map": v.race_map(race),
            "curves": v.loss_curves(race),
            "numbers": v.results_table(race, verdicts),
        },
        figures={f"{key}_gap": float(r.gap(tr, course)[-1]) for key, tr in race.tracks.items()}
        | {"leader": float(r.KEYS.index(order[0]))},
        notes=texts.RESULT_NOTES,
        titles={
            "map": f"{course.title}: {race.steps} updates" + _gone(race),
            "numbers": "Where they ended",
            "curves": "Loss above the minimum J*",
        },
    )


def _gone(race: r.Race) -> str:
    n = sum(track.diverged_at is not None for track in race.tracks.values())
    return f" ({n} left the map)" if n else ""


def quadratic_steps(st: Study) -> Iterator[Step]:
    """The turned ravine: eigen-split, one direction's matrix, the rate map, critical damping,
    and the task."""
    yield Step(
        "A quadratic, direction by direction",
        qtexts.eigen_split(st),
        {
            "map": qviews.tilted_map(st),
            "curves": qviews.eigen_curves(st),
            "numbers": qviews.directions_table(st),
        },
        figures={"lambda_slow": st.eig.slow, "lambda_fast": st.eig.fast},
        notes=qtexts.EIGEN_NOTES,
        titles={
            "map": "The ravine turned by 30°: eigen-directions",
            "curves": "Coordinates along the eigenvectors",
            "numbers": "Per direction",
        },
    )
    yield Step(
        "Momentum along one direction: a 2×2 matrix",
        qtexts.one_direction(st),
        {"curves": qviews.direction_curves(st), "numbers": qviews.directions_table(st)},
        figures={
            "rho_slow": float(q.radius(st.rate, st.beta, st.eig.slow)),
            "measured_slow": st.measured_along("momentum", 0),
        },
        notes=qtexts.ONE_DIRECTION_NOTES,
        titles={"curves": "Momentum's coordinates and the theory's slopes"},
    )
    yield Step(
        "The convergence-rate map",
        qtexts.rate_map(st),
        {
            "map": qviews.rate_plot(st),
            "curves": qviews.decay_curves(st, ("momentum", "momentum:best", "sgd:best")),
            "numbers": qviews.points_table(st),
        },
        figures={
            "rho_you": st.rho(st.rate, st.beta),
            "rho_best": st.best[2],
            "measured_you": st.measured("momentum"),
        },
        notes=qtexts.rate_map_notes(st),
        titles={
            "map": "Convergence rate ρ (spectral radius of T)",
            "curves": "Engine runs: distance to the minimum",
            "numbers": "Three points",
        },
    )
    yield Step(
        "Critical damping: the best β for your η",
        qtexts.critical(st),
        {
            "map": qviews.rate_plot(st, row=True),
            "curves": qviews.row_plot(st),
            "numbers": qviews.damping_table(st),
        },
        figures={"beta_star_map": st.damping.beta_map, "beta_star_theory": st.damping.beta_theory},
        notes=qtexts.CRITICAL_NOTES,
        titles={
            "map": "Convergence rate ρ: your row",
            "curves": "ρ along your row",
            "numbers": "The best β for your η",
        },
    )
    at = st.shrunk("momentum")
    yield Step(
        "Your turn: tune Momentum",
        qtexts.finale(st),
        {
            "map": qviews.rate_plot(st),
            "curves": qviews.decay_curves(st, ("momentum", "momentum:best"), threshold=True),
            "numbers": qviews.points_table(st),
        },
        task=TaskResult(
            st.task_done,
            f"1000 times closer from update {at}"
            if at is not None
            else "not 1000 times closer within the run",
        ),
        figures={"shrunk_at": float(at if at is not None else -1)},
        notes=qtexts.FINALE_NOTES,
        titles={
            "map": "Convergence rate ρ: your choice",
            "numbers": "Three points",
            "curves": "Your run: distance to the minimum",
        },
    )
