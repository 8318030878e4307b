"""The quadratic steps' narrative: momentum explained by the numbers of the heavy-ball matrix.

Each sentence reads its numbers from a :class:`~lessons.ch4_training.optimizers.study.Study`;
verdicts (oscillates or not, diverges, the task met) are decided from those numbers.
"""

from __future__ import annotations

import math

import numpy as np

from lessons.ch4_training.optimizers import quadratic as q
from lessons.ch4_training.optimizers.study import TASK_UPDATES, Study
from lessons.markup.numbers import plain, tex


def _updates(n: float) -> str:
    return "never" if not math.isfinite(n) else f"about {math.ceil(n)} updates"


def eigen_split(st: Study) -> str:
    eta = st.sgd_rate
    f_slow, f_fast = 1 - eta * st.eig.slow, 1 - eta * st.eig.fast
    text = (
        "Turn the ravine by 30°: $J = \\tfrac{1}{2} w^T H w$. The Hessian $H$, measured from "
        f"the engine's gradients, has eigenvalues $\\lambda_1 = {tex(st.eig.slow)}$ and "
        f"$\\lambda_2 = {tex(st.eig.fast)}$ along the yellow axes. Along each eigenvector the "
        "coordinate $c_i$ moves on its own: SGD multiplies it by $1 - \\eta\\lambda_i$ per "
        f"update, ${tex(f_slow)}$ (slow, line) and ${tex(f_fast)}$ (fast, dots). "
    )
    if abs(f_fast) > 1:
        text += f"The fast one grows: $\\eta > 2/\\lambda_2 = {tex(2 / st.eig.fast)}$. "
    elif f_fast < 0:
        text += "The fast one flips sign every update (the zig-zag) as it shrinks. "
    sgd = st.race.tracks["sgd"]
    if sgd.diverged_at is None:
        c_end = abs(float(st.eig.coordinates(sgd.points)[-1, 0]))
        text += f"After {sgd.taken} updates SGD's slow coordinate is still $|c_1| = {tex(c_end)}$."
    return text


EIGEN_NOTES = (
    "For a quadratic J = ½ wᵀHw the gradient is Hw. Writing w in the eigenvectors of H, "
    "w = Σ cᵢqᵢ, gradient descent's update w ← w − ηHw becomes cᵢ ← (1 − ηλᵢ)cᵢ: the "
    "directions do not interact. The rate must satisfy |1 − ηλ| < 1 for every λ, so η < 2/λ_max; "
    "then the slow direction shrinks only by 1 − ηλ_min per update. With η near 2/λ_max the best "
    "achievable factor is (κ − 1)/(κ + 1), κ = λ_max/λ_min the condition number, here 40. The "
    "Hessian is measured by central differences of the engine's gradient, which are exact for "
    "a quadratic up to rounding."
)


def _roots(t: np.ndarray) -> str:
    z = np.linalg.eigvals(t)
    if abs(z[0].imag) > 1e-12:
        return f"{tex(float(z[0].real), 3)} \\pm {tex(abs(float(z[0].imag)), 3)}\\,i"
    a, b = sorted((float(v.real) for v in z), key=abs, reverse=True)
    return f"{tex(a, 3)} \\text{{ and }} {tex(b, 3)}"


def one_direction(st: Study) -> str:
    eta, beta, lam = st.rate, st.beta, st.eig.slow
    t = q.iteration_matrix(eta, beta, lam)
    rho = float(q.radius(eta, beta, lam))
    complex_roots = abs(np.linalg.eigvals(t)[0].imag) > 1e-12
    text = (
        "With momentum a coordinate also remembers its last move, "
        "$c_{k+1} = (1+\\beta-\\eta\\lambda)\\,c_k - \\beta\\,c_{k-1}$: a 2×2 matrix $T$ on "
        f"$(c_k, c_{{k-1}})$. Slow direction, $\\eta = {tex(eta)}$, $\\beta = {tex(beta)}$: "
        f"$$T = \\begin{{pmatrix}} {tex(t[0, 0])} & {tex(t[0, 1])} \\\\ 1 & 0 \\end{{pmatrix}}$$"
        f"$$\\text{{roots }} z = {_roots(t)}$$"
    )
    if complex_roots:
        text += (
            "Complex roots: the coordinate oscillates, shrinking by "
            f"$|z| = \\sqrt{{\\beta}} = {tex(rho)}$ per update"
        )
    else:
        text += f"Real roots: the larger, $\\rho = {tex(rho)}$, sets the pace"
    track = st.race.tracks["momentum"]
    if track.diverged_at is None:
        text += f"; the engine's run: {plain(st.measured_along('momentum', 0), 4)} (table)."
    else:
        worst = max(float(q.radius(eta, beta, lam)) for lam in st.lams)
        text += (
            f". But the fast direction's radius is {plain(worst, 4)} ≥ 1: that coordinate "
            f"grows, and the engine's run left the map at update {track.diverged_at}."
        )
    return text


ONE_DIRECTION_NOTES = (
    "Momentum in the engine's form, v ← βv − ηg and w ← w + v, is Polyak's heavy ball: "
    "w_{k+1} = w_k − ηHw_k + β(w_k − w_{k−1}). Along one eigenvector that is a second-order "
    "recurrence whose characteristic polynomial is z² − (1 + β − ηλ)z + β. The two roots "
    "multiply to β, so the larger modulus is at least √β; when they are complex both have "
    "modulus exactly √β, and the coordinate spirals in. The measured value is the slope of a "
    "least-squares line through the logarithm of ‖(c_k, c_{k−1})‖ over the second half of the "
    "run; it sits slightly above the theory where the two roots (almost) coincide, because "
    "the error then falls like k·ρᵏ."
)


def rate_map(st: Study) -> str:
    eta_b, beta_b, rho_b = st.best
    rho_g = st.gd_best[1]
    you = st.rho(st.rate, st.beta)
    return (
        "Each cell is $\\rho$ for one $(\\beta, \\eta)$: the larger spectral radius of the "
        "two directions' $T$ (theory, no run). "
        + (
            f"Yours: $\\rho = {tex(you)}$, {_updates(q.steps_for(you))} to shrink the error "
            "1000-fold. "
            if you < 1
            else f"Yours: $\\rho = {tex(you)} \\geq 1$, the error grows. "
        )
        + f"Lowest cell: $\\rho = {tex(rho_b)}$ ($\\beta = {tex(beta_b)}$, "
        f"$\\eta = {tex(eta_b)}$), {_updates(q.steps_for(rho_b))}; best plain SGD (left edge): "
        f"${tex(rho_g)}$, {_updates(q.steps_for(rho_g))}. The engine's runs at these points "
        f"measured {plain(st.measured('momentum'), 3)}, {plain(st.measured('momentum:best'), 3)} "
        f"and {plain(st.measured('sgd:best'), 3)}."
    )


def rate_map_notes(st: Study) -> str:
    eta, beta, rho = q.polyak(st.lams)
    kappa = st.eig.fast / st.eig.slow
    return (
        "Theory for the best point (Polyak, 1964): η* = 4/(√λ_min + √λ_max)² = "
        f"{plain(eta)}, β* = ((√κ − 1)/(√κ + 1))² = {plain(beta)} and ρ* = (√κ − 1)/(√κ + 1) "
        f"= {plain(rho)} with κ = {plain(kappa)}; the map's grid finds its lowest cell next "
        "to it. Without momentum the best is ρ = (κ − 1)/(κ + 1) = "
        f"{plain((kappa - 1) / (kappa + 1))}: momentum turns κ into √κ, which is why it pays "
        "most on badly conditioned problems. In the bright top-left corner ρ ≥ 1: the fast "
        "direction overshoots more at every update (values above 1 are drawn as 1). The three "
        "engine runs are Momentum's at your settings and at the lowest cell, and SGD's at the "
        "best rate of the left edge; the measured rate is the slope of log-distance over the "
        "second half of each run."
    )


def critical(st: Study) -> str:
    d = st.damping
    if not d.possible:
        return (
            f"At $\\eta = {tex(st.rate)}$ no momentum below 1 makes the run converge: "
            f"$\\eta\\lambda_{{max}} = {tex(st.rate * st.eig.fast)}$ is 4 or more, and the "
            "map's row (right) stays at $\\rho \\geq 1$. Lower Momentum's learning rate."
        )
    name = "slow" if d.limiting == st.eig.slow else "fast"
    you = st.rho(st.rate, st.beta)
    return (
        f"Along your row, $\\eta = {tex(st.rate)}$ (right), $\\rho$ is lowest at "
        f"$\\beta^* = {tex(d.beta_map)}$: {plain(d.rho_map, 4)} against {plain(you, 4)} at your "
        f"$\\beta$. Theory agrees: the {name} direction is critically damped where the roots "
        "of $T$ coincide (dashed),"
        f"$$\\beta = (1 - \\sqrt{{\\eta\\lambda}})^2 = (1 - \\sqrt{{{tex(st.rate)} \\times "
        f"{tex(d.limiting)}}})^2 = {tex(d.beta_theory)}$$"
        "More momentum makes the roots complex (oscillation at $\\sqrt{\\beta}$); less leaves "
        "a real root nearer 1."
    )


CRITICAL_NOTES = (
    "For one direction the roots of z² − (1 + β − ηλ)z + β are complex, with modulus √β, "
    "exactly when (1 − √(ηλ))² ≤ β ≤ (1 + √(ηλ))². Below that range one real root is larger "
    "than √β, so the best β for a single direction is the edge, β = (1 − √(ηλ))², with rate "
    "|1 − √(ηλ)|: critical damping, as for a pendulum that returns fastest without swinging "
    "past. With several directions, the one needing the largest β decides; for small rates "
    "that is the flattest, λ_min, which gives β* = (1 − √(ηλ_min))². For large rates the "
    "steepest direction, whose ηλ exceeds 1, can take over. The measured rate at β* is a "
    "little above theory: with a double root the error falls like k·ρᵏ."
)


def finale(st: Study) -> str:
    at = st.shrunk("momentum")
    if st.task_done:
        task = (
            f"<b>Task done</b>: your Momentum run stays 1000 times closer to the minimum from "
            f"update {at} on (goal: {TASK_UPDATES})."
        )
    else:
        where = (
            f"stays 1000 times closer (dashed line) only from update {at} on"
            if at is not None
            else f"does not get 1000 times closer (dashed line) for good in {st.race.steps} updates"
        )
        task = (
            f"<b>Task</b>: your Momentum run {where}; the goal is {TASK_UPDATES} updates. Look "
            "for the map's darkest cells."
        )
    return (
        f"{task}<ul><li>Momentum's steps add up along a valley and cancel across it.</li>"
        "<li>Its rate is a spectral radius; the best $\\beta$ damps the slowest direction "
        "critically.</li><li>RMSprop and Adam scale each weight's step by its own gradients."
        "</li></ul>"
    )


FINALE_NOTES = (
    "Summary. Momentum keeps a velocity: along a valley floor its steps add up, across the "
    "valley they cancel. On a quadratic its speed along each eigen-direction is the spectral "
    "radius of a 2×2 matrix; the best β for a given rate damps the slowest direction "
    "critically, β = (1 − √(ηλ_min))², and the best pair of all turns the condition number κ "
    "into √κ. RMSprop and Adam give each weight a step scaled by its own gradient history, so "
    "one rate copes with steep and flat weights (Rosenbrock's walls), at the price of steps "
    "that stay about η long near the minimum. Noisy gradients keep any fixed rate moving; "
    "a velocity adds up the noise too. The task: the engine runs Momentum on the turned "
    "ravine with your rate and β for 150 updates; it is met when the distance to the minimum "
    "falls below a thousandth of the start's by update 40 and stays there."
)
