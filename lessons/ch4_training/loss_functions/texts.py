"""Lesson 4.1's narrative: every sentence with a number or a verdict is built from the run.

Each function takes the computed run (see :mod:`lessons.ch4_training.loss_functions.model`)
and returns the step's text or speaker notes.  Verdicts ("dragged 19 times as far", "the most
confident mistake") are read off those numbers, so moving a control never leaves a claim the
panels contradict.
"""

from __future__ import annotations

import numpy as np

from lessons.ch4_training.loss_functions import model as m
from lessons.markup.numbers import plain, tex

FAR = 1.5  # one shift counts as "farther" than another beyond this ratio
STILL = 1e-3  # a curve that moved less than this at the outlier's x stayed where it was


def fixed(x: float, digits: int = 3) -> str:
    """``x`` with a fixed number of decimals for prose, never "−0.000"."""
    text = f"{x:.{digits}f}"
    if float(text) == 0.0:
        text = f"{0.0:.{digits}f}"
    return text.replace("-", "−")


def share(part: float, total: float) -> float:
    """``part`` as a percentage of ``total`` (0 when the total is 0)."""
    return 100.0 * part / total if total > 0 else 0.0


# ----------------------------------------------------------------------------- regression


def residuals(r: m.Regression) -> str:
    res = r.y - r.mse.pred
    big = int(np.argmax(np.abs(res)))
    points = (
        f"{len(r.x)} noisy points"
        if r.noise > 0
        else f"{len(r.x)} points of $y = \\sin(\\pi x)$ without noise (a cubic still misses)"
    )
    return (
        f"A regression model predicts a number. The engine fitted a cubic "
        f"$\\hat y = c_0 + c_1x + c_2x^2 + c_3x^3$ to {points}, numbered left to right. "
        "Each point's <b>residual</b> $r_i = y_i - \\hat y_i$ is its vertical segment to the "
        f"curve; the bars show it with its sign (point {big + 1}: "
        f"${tex(float(res[big]), 3)}$). Above and below cancel out: the mean residual is "
        f"${fixed(float(res.mean()))}$, so a loss must make every miss count, whatever its sign."
    )


RESIDUALS_NOTES = (
    "The points come from the engine's synthetic curve y = sin(πx) plus Gaussian noise (the "
    "<i>Noise</i> control). The model is one Dense layer with three inputs, polynomial "
    "features of x (Legendre polynomials, a well-conditioned way to write a cubic), trained "
    "by full-batch Adam on the mean squared error; the table converts its weights to the "
    "coefficients of the cubic. For a least-squares fit with a constant term the residuals "
    "always sum to zero: the signed mean says nothing about how good the fit is."
)


def squares(r: m.Regression) -> str:
    n, total = len(r.sq), float(np.sum(r.sq))
    return (
        "Squaring makes every miss positive and weighs big misses more: "
        "$(y_i - \\hat y_i)^2$ is one example's loss, a bar below and a dot on the parabola "
        "$r^2$. The <b>empirical loss</b> is their mean, the <b>mean squared error</b>: "
        f"$$J = \\frac{{1}}{{n}}\\sum_{{i=1}}^{{n}} (y_i - \\hat y_i)^2 = "
        f"\\frac{{{tex(total)}}}{{{n}}} = {tex(total / n)}$$ The engine reports "
        f"${tex(r.mse.reported)}$ for its fit: the same number."
    )


SQUARES_NOTES = (
    "The seed's formula for the empirical loss is the mean of the per-example losses, "
    "J(W) = (1/n) Σ L(f(x⁽ⁱ⁾, W), y⁽ⁱ⁾); with the squared error as L it is the MSE. The "
    "bars are the engine's per-example values (MeanSquaredError.per_example), the table adds "
    "them up and divides by n, and the last row is what model.evaluate reports: the two "
    "agree to rounding. Training lowers exactly this mean: a curve that fits some points "
    "better but others worse is judged by the average."
)


def mae(r: m.Regression) -> str:
    mse_mse, mae_mae = r.mse.reported, r.mae.reported
    mse_mae, mae_mse = r.cross["MSE of MAE fit"], r.cross["MAE of MSE fit"]
    wins = mse_mse <= mse_mae and mae_mae <= mae_mse
    verdict = (
        "each fit is best on the loss it was trained for"
        if wins
        else "here the fits are so close that training noise decides the ranking"
    )
    return (
        "The <b>mean absolute error</b> charges the size of the miss instead: "
        "$$J = \\frac{1}{n}\\sum_{i=1}^{n} |y_i - \\hat y_i|$$ Trained with it, the engine's "
        "cubic (purple) lands close to the MSE one (blue) on these clean points; the bars "
        f"are its $|r_i|$, mean ${tex(mae_mae)}$. In the table the MSE fit has the lower MSE "
        f"(${tex(mse_mse)}$ against ${tex(mse_mae)}$), the MAE fit the lower MAE "
        f"(${tex(mae_mae)}$ against ${tex(mae_mse)}$): {verdict}."
    )


MAE_NOTES = (
    "Below a residual of 1, r² is smaller than |r|; above 1 it is larger: squaring shrinks "
    "small misses and blows up large ones. With MSE the best constant prediction is the mean "
    "of the targets, with MAE their median, which is why MAE is called robust. An MAE fit "
    "usually passes exactly through some points (bars at 0.00): with four weights, a best "
    "absolute-error cubic can always be found that hits four of them. The engine has "
    "no absolute-error loss yet; the lesson adds one on the engine's Loss base class (the "
    "gradient of |r| is ±1, the same for every example)."
)


def outlier(r: m.Regression) -> str:
    star_sq, total = float(r.sq_out[-1]), float(np.sum(r.sq_out))
    gap = r.y_out - r.mse.at_out
    moved = r.shift_mse
    where = "towards" if moved >= 0 else "away from"
    size = r.y_out - r.y_true_out
    place = (
        f"sits {plain(abs(size), 3)} {'above' if size > 0 else 'below'} the true curve"
        if size != 0
        else "lies on the true curve itself"
    )
    part = share(star_sq, total)
    weight = (
        "the mean is mostly ★, so lowering it means bending towards ★ at the other points' expense"
        if part > 50
        else f"one point of {len(r.sq_out)} carries that much of the mean"
    )
    return (
        f"Now one extra point ★ {place} at $x = {tex(r.x_out, 3)}$. Refitted with MSE, the "
        f"blue curve moved ${tex(abs(moved), 3)}$ {where} ★ at that $x$ (thin line: before), "
        f"{fixed(share(abs(moved), abs(gap)), 0)}% of the way. ★'s squared error "
        f"${tex(star_sq, 3)}$ is {fixed(part, 0)}% of the sum of all {len(r.sq_out)} squared "
        "errors: "
        f"{weight}."
    )


OUTLIER_NOTES = (
    "Move ★ with the <i>Outlier size</i> and <i>Outlier x</i> controls. Least squares is linear "
    "in the targets: at ★'s x the MSE fit always goes the same fraction of the way to ★ (the "
    "percentage in the text depends only on where ★ sits), so twice as far means twice the "
    "shift. A single wrong measurement, a typo in a label or a sensor glitch can move a "
    "least-squares model this way."
)


def robust_title(r: m.Regression) -> str:
    """The step's title, read off the two shifts like the text's verdict."""
    return robust_title_for(r.shift_mse, r.shift_mae)


def robust_title_for(shift_mse: float, shift_mae: float) -> str:
    """The title for these shifts of the MSE and the MAE fit at the outlier's x."""
    a, b = abs(shift_mse), abs(shift_mae)
    if b < STILL and a >= STILL:
        return "The MAE fit does not move"
    if a > FAR * b:
        return "The MAE fit moves far less"
    return "Here MAE moves about as much" if b <= FAR * a else "Here MAE moves more"


def robust(r: m.Regression) -> str:
    a, b = abs(r.shift_mse), abs(r.shift_mae)
    moved = f"less than ${tex(STILL)}$" if b < STILL else f"${tex(b, 3)}$"
    if b < STILL and a >= STILL:
        verdict = "the MAE fit stayed where it was"
    elif a > FAR * b:
        verdict = f"the MSE fit is dragged {plain(a / b, 3)} times as far"
        if b > 0.1 * a:
            verdict += " (a cubic has few weights, so one point can still tilt it)"
    elif b > FAR * a:
        verdict = "here the MAE fit moved more: a point this close is no real outlier"
    else:
        verdict = "both moved about as far: a point this close is no real outlier"
    star, rest = float(r.ab_out[-1]), float(np.max(r.ab_out[:-1]))
    if star > 2 * rest:
        size = f"★ still has by far the largest absolute error (${tex(star, 3)}$)"
    elif star >= rest:
        size = f"★ has the largest absolute error (${tex(star, 3)}$)"
    else:
        size = f"★'s absolute error is ${tex(star, 3)}$, not the largest"
    pull = (
        ", yet it hardly drags the MAE fit; the next step shows why"
        if b < STILL or a > FAR * b
        else "; the next step shows what decides how hard a point pulls"
    )
    return (
        f"Trained with MAE on the same {len(r.ab_out)} points, the purple curve moved "
        f"{moved} at ★'s $x$, the blue one ${tex(a, 3)}$: {verdict}. {size}{pull}. The "
        "table has both losses of both fits."
    )


ROBUST_NOTES = (
    "Make the outlier larger: the MAE fit does not move any further. Once ★ is above the "
    "curve, only the sign of its residual enters MAE's gradient, so its distance no longer "
    "matters. That is the sense in which MAE is robust to outliers, and why MSE is the "
    "better choice when large errors really are much worse than small ones."
)


def pulls(r: m.Regression, n: int) -> str:
    p_mse, p_mae = r.pull_mse, r.pull_mae
    other = float(np.max(np.abs(p_mse[:-1])))
    ratio = abs(float(p_mse[-1])) / other if other > 0 else float("inf")
    return (
        "Gradient descent moves each prediction along $-\\partial J / \\partial \\hat y_i$, "
        "the example's <b>pull</b> (bars: MSE, from the engine's backward() the moment ★ "
        "joins the clean fit). For MSE it is $2r_i/n$, in proportion to the miss: ★ pulls "
        f"${tex(float(p_mse[-1]), 3)}$, {plain(ratio, 3)} times the strongest other point. "
        f"For MAE every pull is $\\pm 1/n$: ★ pulls ${tex(float(p_mae[-1]), 3)}$, one vote "
        f"out of {n}."
    )


PULLS_NOTES = (
    "The derivative of r² with respect to the prediction is −2r, that of |r| is −sign(r). "
    "Divided by n (the mean), they are the gradients backward() gives for each prediction. "
    "The curves (top right) show the pull as a function of the residual: a straight line "
    "for MSE, a step for MAE; the examples sit on them."
)
