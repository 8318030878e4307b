"""Lesson 4.5's narrative: every number and every verdict is read from the runs.

Each function returns the text of one step (short, for the hall) or its speaker notes (the longer
explanation).  Comparisons ("stretched", "diverged", "n times fewer steps") are decided here from
the numbers, so moving a control never leaves a sentence that the numbers contradict.
"""

from __future__ import annotations

import math

from lessons.ch4_training.feature_scaling import model as m
from lessons.ch4_training.feature_scaling import runs as r
from lessons.markup import numbers


def _digits(x: float, digits: int) -> int:
    """Enough significant digits that a number below 10⁵ keeps its integer part (4 digits
    alone would write 11567 as 1.157e+04)."""
    if not math.isfinite(x) or x == 0:
        return digits
    return max(digits, min(5, math.floor(math.log10(abs(x))) + 1))


def tex(x: float, digits: int = 4) -> str:
    """A number for math (see :func:`lessons.markup.numbers.tex`), integer part kept."""
    return numbers.tex(x, _digits(x, digits))


def plain(x: float, digits: int = 4) -> str:
    """A number for prose (see :func:`lessons.markup.numbers.plain`), integer part kept."""
    return numbers.plain(x, _digits(x, digits))


COLOURS = (
    "Orange is the unscaled features and gradient descent on them, sky blue the standardised "
    "ones; black marks the data, the start (dot) and the lowest point (star)."
)


def _pct(x: float) -> str:
    """A fraction as a percentage (two decimals near 100 %)."""
    return f"{100 * x:.1f} %" if abs(100 * x - 100) > 1 else f"{100 * x:.2f} %"


def share(x: float, of: str) -> str:
    """ "42.1 % of the limit", or "927 times the limit" for a ratio beyond 2."""
    return f"{plain(x, 3)} times {of}" if x > 2 else f"{_pct(x)} of {of}"


def steps_text(n: int | None) -> str:
    """A step count, or how many steps were tried without getting there."""
    return f"{n} steps" if n is not None else f"more than {r.BEST_CAP} steps"


def _stretched(e: r.Experiment) -> bool:
    """Whether the unscaled bowl is clearly more stretched than the standardised one."""
    return e.raw.bowl.kappa > 3 * e.std.bowl.kappa


def data_title(e: r.Experiment) -> str:
    s1, s2 = e.data.std
    return (
        "Two features, very different spreads" if s2 > 2 * s1 else "Two features, similar spreads"
    )


def bowls_title(e: r.Experiment) -> str:
    return "A stretched bowl and a round one" if _stretched(e) else "Two bowls"


def data_step(e: r.Experiment) -> str:
    s1, s2 = e.data.std
    h = e.raw.bowl.hessian
    if s2 > 2 * s1:
        spread = f"$x_2$ spreads {plain(s2 / s1, 3)} times wider than $x_1$ (left)"
        below = (
            f"Below: moving $w_2$ raises the loss {plain(h[1, 1] / h[0, 0], 3)} times faster "
            "than moving $w_1$."
        )
    else:
        spread = (
            f"$x_1$ and $x_2$ spread about equally (standard deviations {plain(s1, 3)} and "
            f"{plain(s2, 3)}, left)"
        )
        below = "Below: moving either weight changes the loss about equally."
    return (
        f"Two features of {m.N_TRAIN} training points: {spread}. The model is "
        "$\\hat y = w_1 x_1 + w_2 x_2$, trained with the mean squared error. "
        "<b>Standardising</b> turns each feature into $z = (x - m)/s$ with the mean $m$ and "
        "standard deviation $s$ of the <b>training</b> points (table); right: the same points "
        f"as $z$. {below}"
    )


def data_notes(e: r.Experiment) -> str:
    d = e.data
    return (
        f"{COLOURS} The points come from a seed: $z_1, z_2$ standard normal with correlation "
        f"$\\rho = {tex(d.rho)}$ (a control), $y = {tex(m.TRUE_Z[0])} z_1 + {tex(m.TRUE_Z[1])} "
        f"z_2$ plus noise of standard deviation ${tex(m.NOISE)}$, $x_1 = z_1$ and "
        f"$x_2 = {tex(d.scale)}\\, z_2$ (the spread control: as if $x_2$ were written in a unit "
        f"{plain(d.scale)} times smaller). Both are measured from their average on the "
        "training points, so their training means are 0 and standardising only divides here; "
        "features far from 0 stretch the bowl further, and subtracting the mean removes that "
        "part (a model with a bias then needs no offset). The standard deviation divides by "
        "$n$, as the engine's <code>StandardScaler</code> (and scikit-learn's) does. The "
        "curves below the points: when one weight moves by $\\Delta$ from the lowest point, "
        "the loss rises by $\\frac{1}{2} H_{jj} \\Delta^2$ with $H_{jj} = 2\\,"
        "\\overline{x_j^2}$, so a feature with ten times larger numbers makes its weight's "
        "curve a hundred times steeper."
    )


def bowls_step(e: r.Experiment) -> str:
    raw, std = e.raw.bowl, e.std.bowl
    text = (
        "The maps colour the training loss over the two weights (same contour levels). Its "
        "curvature, the Hessian $H = \\frac{2}{n}X^\\top X$, is fixed by the features. Its "
        "eigenvalues, the curvatures along the steepest and flattest direction, give the "
        "<b>condition number</b> $\\kappa = \\lambda_{max}/\\lambda_{min}$: unscaled "
        f"${tex(raw.kappa)}$, ellipses $\\sqrt{{\\kappa}} = {tex(math.sqrt(raw.kappa), 3)}$ "
        f"times longer than wide; standardised ${tex(std.kappa)}$."
    )
    if std.kappa > 3:
        text += " Standardising fixes the spreads, not the correlation: that still stretches it."
    elif raw.kappa < 1.5 * std.kappa:
        text += " With spreads this similar, standardising changes little."
    return text


def bowls_notes(e: r.Experiment) -> str:
    raw, std = e.raw.bowl, e.std.bowl
    corr = float(std.hessian[0, 1] / 2)
    return (
        "The loss is $L(w) = \\frac{1}{n}\\lVert Xw - y\\rVert^2$, its gradient "
        "$\\frac{2}{n}X^\\top(Xw - y)$, and the change of the gradient per unit of $w$ is "
        "$H = \\frac{2}{n}X^\\top X$ wherever $w$ is: the bowl has the same shape everywhere, "
        "set by the features, not by the targets. The lesson reads $H$ off the engine: the "
        "difference of the engine's gradients at $w = \\pm e_j$, divided by 2. Unscaled "
        f"$\\lambda_{{max}} = {tex(raw.lam_max)}$ and $\\lambda_{{min}} = {tex(raw.lam_min)}$. "
        "For standardised features $H = 2\\begin{pmatrix}1 & r\\\\ r & 1\\end{pmatrix}$ with "
        f"the training correlation $r = {tex(corr)}$: eigenvalues $2(1 \\pm r)$, "
        "$\\kappa = (1 + r)/(1 - r)$. Both runs start at $w = v = 0$, and a contour line on "
        "the left and its partner on the right hold the same models in other coordinates."
    )


def limit_step(e: r.Experiment) -> str:
    raw, std = e.raw, e.std
    above = (
        "explodes (the run stops)"
        if raw.above.blew_up or std.above.blew_up
        else f"grows ${tex(raw.above.excess[-1] / raw.above.excess[0], 2)}$-fold"
    )
    ok = (
        not (raw.below.diverged or std.below.diverged) and raw.above.diverged and std.above.diverged
    )
    return (
        "Along the steepest direction each step multiplies the distance to the bottom by "
        "$1 - \\eta\\lambda_{max}$; above $\\eta_{max} = 2/\\lambda_{max}$ that is below $-1$ "
        "and every step overshoots further. Unscaled "
        f"$\\eta_{{max}} = {tex(raw.bowl.eta_max)}$, standardised ${tex(std.bowl.eta_max)}$. "
        "2 % below it the loss falls (solid); 2 % above it "
        f"{above} in {r.NEAR_STEPS} steps (dots)" + (": it diverges in both cases." if ok else ".")
    )


def limit_notes() -> str:
    return (
        "Why $2/\\lambda_{max}$: write the distance to the bottom along an eigenvector of $H$ "
        "as $d$. One step of gradient descent turns it into $(1 - \\eta\\lambda)\\,d$. For "
        "$0 < \\eta < 2/\\lambda$ the factor lies between $-1$ and $1$ and $d$ shrinks; past "
        "$2/\\lambda$ it is below $-1$ and $d$ grows while flipping sign (the zig-zag grows). "
        "The largest eigenvalue sets the limit for all directions. The table gives the loss "
        "above its lowest value at the start and after the runs."
    )


def best_step(e: r.Experiment) -> str:
    raw, std = e.raw, e.std
    a, b = raw.steps_to_tol, std.steps_to_tol
    text = (
        "The best constant rate for the slowest direction, $\\eta^* = 2/(\\lambda_{max} + "
        "\\lambda_{min})$, shrinks the distance along both directions by "
        "$(\\kappa - 1)/(\\kappa + 1)$ per step: unscaled "
        f"${tex(raw.factor)}$ at {_pct(raw.bowl.eta_best / raw.bowl.eta_max)} of the limit"
    )
    if _stretched(e):
        text += ", so the path zig-zags across the narrow valley and creeps along it"
    text += (
        f". To come within 0.1 % of the lowest loss it needs <b>{steps_text(a)}</b>; "
        f"standardised (${tex(std.factor)}$ per step) <b>{steps_text(b)}</b>"
    )
    if a is not None and b is not None and a > 1.5 * b:
        text += f", {plain(a / b, 3)} times fewer."
    elif a is not None and b is not None:
        text += ": at this setting the two bowls are alike."
    else:
        text += "."
    return text


def best_notes() -> str:
    return (
        "With $\\eta^*$ the factor along the steepest direction is $1 - \\eta^*\\lambda_{max} "
        "= -(\\kappa - 1)/(\\kappa + 1)$ and along the flattest $+(\\kappa - 1)/(\\kappa + 1)$: "
        "the first flips sign every step (the zig-zag), the second creeps. Any other constant "
        "rate makes one of the two slower, so $\\eta^*$ is the best rate for the worst start "
        "(one along the flattest direction); from a start that lies mostly along the steep "
        "direction a slightly smaller rate, which damps that direction faster, can need a few "
        "steps less. For a large $\\kappa$ the factor is close to "
        "$1 - 2/\\kappa$, so the number of steps grows in proportion to $\\kappa$. A run "
        "counts as converged at the first step where the training loss is within 0.1 % of "
        "its lowest value; both bowls have the same lowest value, because they hold the same "
        "models."
    )


def learner_step(e: r.Experiment) -> str:
    run, b = e.learner, e.raw.bowl
    text = (
        f"Your rate $\\eta = {tex(run.rate)}$ (controls) is "
        f"{share(run.rate / b.eta_max, 'the unscaled limit')} ${tex(b.eta_max)}$. "
    )
    v = e.learner_verdict
    if v == "converged":
        t = run.converged_at(b.tolerance)
        best = e.raw.steps_to_tol
        text += (
            "The loss falls at every step and is within 0.1 % of its lowest value after "
            f"<b>{t} steps</b>."
        )
        if t is not None and best is not None and t < best:
            text += (
                f" Fewer than at $\\eta^*$ ({best}): {_pct(e.steep_share)} of the start's "
                "excess loss lies along the steep direction, which your rate damps faster."
            )
    elif v == "falling":
        text += (
            f"The loss falls at every step, but after {run.steps} steps it is still "
            f"${tex(float(run.excess[-1]))}$ above its lowest value: too slow."
        )
    elif v == "rising":
        text += (
            "The loss rises again at the end: past $2/\\lambda_{max}$ the steep direction "
            "overshoots more each step, slowly at first. It <b>diverges</b>."
        )
    else:
        text += "The loss grows until the run stops: it <b>diverged</b>. Lower the rate."
    if e.task_done:
        text += " Task done: that is close to the largest rate that converges."
    else:
        text += " Task: find the largest rate that still converges (97 % of the limit or more)."
    return text


def learner_notes() -> str:
    return (
        "Finding the limit by trying: raise the rate until the loss rises at the end of the "
        "run, then halve the gap between the last rate that converged and the first that did "
        "not. Just below the limit the steep direction shrinks by $|1 - \\eta\\lambda_{max}|$, "
        "close to 1, so the path zig-zags for a long time; just above it the zig-zag grows "
        "slowly at first, which is why a run must be long enough to tell. On a stretched bowl "
        "the best rate $\\eta^*$ sits right at this edge ($\\eta^*/\\eta_{max} = "
        "\\kappa/(\\kappa + 1)$); on a round one there is room on both sides."
    )


def same_model_step(e: r.Experiment, gap_best: float, gap_pred: float) -> str:
    v, back = e.std.bowl.best_w, e.mapped_back()
    text = (
        f"The standardised bowl's lowest point $v^* = ({tex(v[0])}, {tex(v[1])})$ divided by "
        f"the standard deviations is $({tex(back[0])}, {tex(back[1])})$: the unscaled bowl's "
        f"lowest point $w^*$ (difference ${tex(gap_best, 2)}$). "
    )
    if e.raw.steps_to_tol is not None and e.std.steps_to_tol is not None:
        text += (
            "The runs stop within 0.1 % of the lowest loss, near it; their validation "
            f"predictions differ by at most ${tex(gap_pred, 2)}$. "
        )
    else:
        text += (
            f"The unscaled run has not come within 0.1 % of the lowest loss in {r.BEST_CAP} "
            "steps, so its validation predictions still differ from the standardised run's by "
            f"up to ${tex(gap_pred, 2)}$. "
        )
    return text + "Each map also shows the other run, converted: same models, other coordinates."


def same_model_notes() -> str:
    return (
        "Converting: $v_1 z_1 + v_2 z_2 = \\sum_j v_j (x_j - m_j)/s_j = \\sum_j (v_j/s_j)\\, "
        "x_j - \\sum_j v_j m_j/s_j$. So $w_j = v_j/s_j$, plus an offset "
        "$-\\sum_j v_j m_j / s_j$ that a model with a bias takes up (here the means are 0, so "
        "there is none). Standardising is a change of coordinates: every model reachable in "
        "one is reachable in the other, with the same predictions and the same loss. What "
        "changes is the shape of the bowl in the coordinates gradient descent steps in, and "
        "with it the path and the speed. The runs' weights differ a little because each "
        "stops as soon as its loss is within 0.1 % of the lowest, at a different point of "
        "that contour."
    )


def batch_step(e: r.Experiment) -> str:
    b = e.batch
    return (
        "New data goes through the <b>same</b> $z = (x - m)/s$, with the training $m$ and "
        "$s$ kept with the model; the validation points scaled so have means and deviations "
        f"near 0 and 1, not exactly (table). A batch of {len(b.y)} new points with large $x_2$ "
        f"(triangles) keeps its place that way: error ${tex(b.mse_train_stats)}$. Scaled "
        "with its own mean and deviation (crosses) it is pulled to the centre: error "
        f"${tex(b.mse_own_stats)}$."
    )


def batch_notes() -> str:
    return (
        "The batch is the validation points with the largest $x_2$, as if they arrived "
        "later. Three rules. Compute $m$ and $s$ on the training set only: statistics of all "
        "the data would let the validation and test points leak into training, and their "
        "scores would look better than the model deserves. Apply the same $m$ and $s$ to the "
        "validation points, the test points and every input the model sees later; store them "
        "with the weights. Never standardise a batch with its own statistics: one example "
        "alone has no spread at all, and a batch that differs from the training data is "
        "pulled back to look average, so the model answers for other inputs."
    )


def summary_notes() -> str:
    return (
        "Networks learn best when every input feature has a comparable size; the usual choice "
        "is mean 0 and variance 1 per feature, which scikit-learn's <code>StandardScaler</code> "
        "(and the engine's) computes with <code>fit</code> on the training data and applies "
        "with <code>transform</code> to every set. Some data sets come already normalised, "
        "such as images with pixel values scaled to a fixed range. Adaptive optimizers "
        "(RMSProp, Adam: lesson 4.3) give each weight a step size of its own, which makes up "
        "for part of a difference in scales but not for correlated features; standardising "
        "costs almost nothing and helps every optimizer. Try the quiz, and the task: the "
        "largest learning rate that still converges on the unscaled features."
    )


def summary_step(e: r.Experiment) -> str:
    a, b = e.raw.steps_to_tol, e.std.steps_to_tol
    crawl = (
        f"along the flattest such steps crawl: {steps_text(a)} against {steps_text(b)}"
        if _stretched(e)
        else f"on a stretched bowl such steps crawl (here {steps_text(a)} against "
        f"{steps_text(b)}: raise the spread of $x_2$)"
    )
    return (
        "<ul><li>Larger numbers in a feature steepen the bowl along its weight: once $x_2$ "
        "dominates, $\\kappa$ grows with the square of its spread (table); standardised, it "
        "does not change."
        "</li><li>The steepest direction caps the rate at $2/\\lambda_{max}$; "
        f"{crawl}.</li>"
        "<li>Standardise with the <b>training</b> $m$ and $s$; apply them to all later "
        "data.</li><li>Same model: $w_j = v_j / s_j$.</li></ul>"
    )
