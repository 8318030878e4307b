"""What the quadratic steps show: eigen-axes on the map, eigen-coordinates, the rate map.

Lines drawn in yellow (palette 7) are theory, spectral radii of the heavy-ball matrix; every
other line is an engine run, coloured by its optimizer (``OPTIMIZER_COLORS``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.optimizers import quadratic as q
from lessons.ch4_training.optimizers import race as r
from lessons.ch4_training.optimizers.study import Study
from lessons.ch4_training.optimizers.views import FLOOR, race_map
from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared import colors

THEORY = colors.COMPARISON  # yellow: a theoretical rate (spectral radius), never a run
MAP_LEVELS = (0.75, 0.8, 0.85, 0.9, 0.95, 0.98)
DIRECTIONS = ("slow", "fast")


def variant(track: r.Track, study: Study) -> str:
    """A run's name in legends and tables."""
    names = {
        "momentum": f"Momentum (η = {plain(study.rate)}, β = {plain(study.beta)})",
        "sgd": f"SGD (η = {plain(study.sgd_rate)})",
        "momentum:best": "Momentum, best cell of the map",
        "sgd:best": "SGD, best η of the map",
        "momentum:critical": f"Momentum, β* = {plain(study.damping.beta_map)}",
    }
    return names.get(track.key, track.label)


def tilted_map(study: Study, keys: Sequence[str] = ("sgd", "momentum")) -> PlotData:
    """The turned ravine with its two eigen-directions and the runs' paths."""
    base = race_map(study.race, keys=keys)
    s = q.TILTED.surface
    series = list(base.series)
    notes = list(base.annotations)
    reach = 5.0
    for i, name in enumerate(DIRECTIONS):
        u = study.eig.vectors[:, i]
        series.append(
            Series(
                f"_{name} axis",
                np.array([-reach * u[0], reach * u[0]]),
                np.array([-reach * u[1], reach * u[1]]),
                color=THEORY,
                width=1.5,
            )
        )
        end = (reach if i == 0 else 3.2) * u
        lam = study.eig.values[i]
        notes.append(
            Annotation(
                float(end[0]),
                float(end[1]),
                f"{name}: λ = {plain(lam)}",
                6,
                (1.0, 1.0) if i == 0 else (0.0, 0.0),
            )
        )
    return PlotData(
        tuple(series),
        annotations=tuple(notes),
        image=base.image,
        image_rect=base.image_rect,
        image_colormap="viridis",
        image_levels=base.image_levels,
        contours=base.contours,
        x_range=s.x_range,
        y_range=s.y_range,
    )


def _floor(y: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(y), np.maximum(np.abs(y), FLOOR), np.nan)


def eigen_curves(study: Study, keys: Sequence[str] = ("sgd", "momentum")) -> PlotData:
    """|coordinate| along each eigenvector per update: the slow direction as a line, the fast
    one as dots."""
    series = []
    for key in keys:
        track = study.race.tracks[key]
        c = study.eig.coordinates(track.points)
        t = np.arange(len(c), dtype=np.float64)
        for i, name in enumerate(DIRECTIONS):
            style = "line" if i == 0 else "scatter"
            series.append(
                Series(
                    f"{track.label}, {name}",
                    t,
                    _floor(c[:, i]),
                    style=style,
                    color=track.color,
                    size=5,
                )
            )
    return PlotData(
        tuple(series),
        x_range=(0.0, float(study.race.steps)),
        axis_labels=("update k", "|c| along each eigenvector"),
    )


def direction_curves(study: Study) -> PlotData:
    """Momentum's two eigen-coordinates and the theory's slopes |c₀|·ρᵏ (yellow)."""
    track = study.race.tracks["momentum"]
    c = study.eig.coordinates(track.points)
    t = np.arange(len(c), dtype=np.float64)
    series = []
    for i, name in enumerate(DIRECTIONS):
        style = "line" if i == 0 else "scatter"
        series.append(
            Series(f"Momentum, {name}", t, _floor(c[:, i]), style=style, color=track.color, size=5)
        )
        rho = float(q.radius(study.rate, study.beta, study.lams[i]))
        with np.errstate(over="ignore", under="ignore"):
            theory = abs(c[0, i]) * rho**t
        series.append(
            Series(
                "ρᵏ (theory)" if i == 0 else "_theory fast",
                t,
                _floor(theory),
                color=THEORY,
                width=1.5,
            )
        )
    return PlotData(
        tuple(series),
        x_range=(0.0, float(study.race.steps)),
        axis_labels=("update k", "|c| along each eigenvector"),
    )


def decay_curves(study: Study, keys: Sequence[str], threshold: bool = False) -> PlotData:
    """Distance to the minimum per update for the runs ``keys`` (the first as a line, the
    others as dots); ``threshold`` draws the task's line, a thousandth of the start."""
    series = []
    for n, key in enumerate(keys):
        track = study.track(key)
        if track is None:
            continue
        e = q.errors(track.points)
        t = np.arange(len(e), dtype=np.float64)
        style = "line" if n == 0 or track.base == "sgd" else "scatter"
        series.append(
            Series(variant(track, study), t, _floor(e), style=style, color=track.color, size=5)
        )
    e0 = float(q.errors(study.race.tracks["momentum"].points)[0])
    return PlotData(
        tuple(series),
        hlines=(q.SHRINK * e0,) if threshold else (),
        x_range=(0.0, float(study.race.steps)),
        axis_labels=("update k", "distance to the minimum"),
    )


def _mark(name: str, beta: float, rate: float, color: int, symbol: str = "o") -> Series:
    return Series(
        name, np.array([beta]), np.array([rate]), style="marker", color=color, size=9, symbol=symbol
    )


def rate_plot(study: Study, row: bool = False) -> PlotData:
    """The map of ρ over (β, η), with the learner's choice, the best cell and the best plain
    gradient descent; with ``row``, the row at the learner's η and its best β (β*)."""
    db = float(q.MAP_BETAS[1] - q.MAP_BETAS[0])
    de = float(q.MAP_RATES[1] - q.MAP_RATES[0])
    rect = (
        -db / 2,
        float(q.MAP_RATES[0]) - de / 2,
        float(q.MAP_BETAS[-1]) + db,
        float(q.MAP_RATES[-1] - q.MAP_RATES[0]) + de,
    )
    eta_b, beta_b, rho_b = study.best
    eta_g, rho_g = study.gd_best
    you = study.rho(study.rate, study.beta)
    series = [
        _mark(f"you: ρ = {plain(you, 3)}", study.beta, study.rate, 2),
        _mark(f"lowest cell: ρ = {plain(rho_b, 3)}", beta_b, eta_b, 6, "star"),
        _mark(f"best SGD (β = 0): ρ = {plain(rho_g, 3)}", 0.0, eta_g, 1),
    ]
    if row:
        series.append(
            Series("_your row", np.array([0.0, 1.0]), np.repeat(study.rate, 2), color=2, width=1.5)
        )
        d = study.damping
        if d.possible:
            series.append(
                _mark(
                    f"β* = {plain(d.beta_map, 3)}: ρ = {plain(d.rho_map, 3)}",
                    d.beta_map,
                    study.rate,
                    2,
                    "star",
                )
            )
    notes = (Annotation(0.03, 0.97, "blank: ρ ≥ 1,\ndiverges", 6, (0.0, 0.0)),)
    return PlotData(
        tuple(series),
        annotations=notes,
        image=np.where(study.rho_map < 1, study.rho_map, np.nan),  # ρ ≥ 1: left blank
        image_rect=rect,
        image_colormap="viridis",
        image_levels=(0.7, 1.0),
        contours=MAP_LEVELS,
        x_range=(0.0, 1.0),
        y_range=(0.0, 1.0),
        axis_labels=("momentum β", "learning rate η"),
    )


def row_plot(study: Study) -> PlotData:
    """ρ along the map's row at the learner's rate; dashed where each direction's two roots
    coincide (its critical β); β* and the learner's β marked."""
    d = study.damping
    betas = q.FINE_BETAS[::10]
    rho = q.rate_of(study.rate, betas, study.lams)
    you = study.rho(study.rate, study.beta)
    series = [
        Series(f"ρ at η = {plain(study.rate)}", betas, rho, color=2, width=2.5),
        _mark("_your β", study.beta, you, 2),
    ]
    notes = [Annotation(study.beta, you, "you", 2, (-0.3, 1.2))]
    if d.possible:
        series.append(_mark("_β*", d.beta_map, d.rho_map, 6, "star"))
        notes.append(Annotation(d.beta_map, d.rho_map, "β*", 6, (1.2, 0.2)))
    crit = [(1 - np.sqrt(study.rate * lam)) ** 2 for lam in study.lams]
    low = float(np.min(rho))
    top = min(float(np.max(rho)), 1.3)
    for name, b in zip(DIRECTIONS, crit, strict=True):
        if 0 <= b <= 1:
            notes.append(Annotation(float(b), top, name, 6, (1.1, 0.0) if b > 0.5 else (-0.1, 0.0)))
    return PlotData(
        tuple(series),
        annotations=tuple(notes),
        vlines=tuple(float(b) for b in crit if 0 <= b <= 1),
        x_range=(0.0, 1.0),
        y_range=(low * 0.97, top * 1.03),
        axis_labels=("momentum β", "convergence rate ρ"),
    )


def _shown(measured: float) -> float | str:
    """A measured rate for a table: the number, or "diverged" where there is none."""
    return measured if np.isfinite(measured) else "diverged"


def directions_table(study: Study) -> TableData:
    """Per eigen-direction: curvature, gradient descent's factor, momentum's matrix radius and
    the rate the engine's runs showed along it."""
    rows = []
    for i, name in enumerate(DIRECTIONS):
        lam = study.lams[i]
        rows.append(
            (
                f"{name}: λ = {plain(lam)}",
                1 - study.sgd_rate * lam,
                _shown(study.measured_along("sgd", i)),
                float(q.radius(study.rate, study.beta, lam)),
                _shown(study.measured_along("momentum", i)),
            )
        )
    return TableData(
        ("direction", "SGD: 1 − ηλ", "SGD measured", "Momentum: ρ(T)", "Momentum measured"),
        tuple(rows),
    )


def points_table(study: Study) -> TableData:
    """Three points of the map: its value there, the engine's measured decay, the updates."""
    eta_b, beta_b, rho_b = study.best
    eta_g, rho_g = study.gd_best
    you = study.rho(study.rate, study.beta)
    rows = []
    for name, eta, beta, rho, key in (
        ("you", study.rate, study.beta, you, "momentum"),
        ("best cell", eta_b, beta_b, rho_b, "momentum:best"),
        ("best SGD", eta_g, 0.0, rho_g, "sgd:best"),
    ):
        at = study.shrunk(key)
        rows.append(
            (name, eta, beta, rho, study.measured(key), q.steps_for(rho), "—" if at is None else at)
        )
    return TableData(
        ("point", "η", "β", "ρ (map)", "ρ measured", "updates (theory)", "updates (run)"),
        tuple(rows),
    )


def damping_table(study: Study) -> TableData:
    """The best β for the learner's rate: from the map's row, from the formula, and yours."""
    d = study.damping
    you = study.rho(study.rate, study.beta)
    gd = study.rho(study.rate, 0.0)
    rows = (
        ("your β", study.beta, you, study.measured("momentum"), q.steps_for(you)),
        (
            "β* (map row)",
            d.beta_map,
            d.rho_map,
            study.measured("momentum:critical"),
            q.steps_for(d.rho_map),
        ),
        ("β* = (1 − √(ηλ))²", d.beta_theory, d.rho_theory, "—", q.steps_for(d.rho_theory)),
        ("β = 0 (no momentum)", 0.0, gd, "—", q.steps_for(gd)),
    )
    return TableData(("momentum", "β", "ρ (theory)", "ρ measured", "updates to 1000×"), rows)
