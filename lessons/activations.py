"""Lesson 2.4: activation functions, their derivatives, saturation and the dead ReLU.

Seven activations (step, logistic, tanh, ReLU, leaky ReLU, ELU, noisy ReLU) are evaluated by the
engine on a batch of x values; their derivatives come from one ``backward()`` through that batch,
never from a hand-written formula.  Each step also trains one tiny neuron with the engine's SGD
from a start where its input is negative, to show which activations still pass a gradient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from engine import activations as act
from engine.backend import to_numpy
from engine.optimizers import SGD
from engine.tensor import Tensor
from lessons.base import (
    Annotation,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    PlotData,
    Series,
    Slider,
    Step,
    Table,
    TableData,
    Values,
)

XS = np.linspace(-5.0, 5.0, 401)
NOISE_DRAWS = 2000  # noise samples averaged for the noisy ReLU's mean curve
TRAIN_STEPS = 100
TRAIN_RATE = 0.5
SATURATION = 0.1  # "saturated": f' below this share of its largest value on the plot
F_RANGES = {
    "step": (-0.3, 1.3),
    "logistic": (-0.3, 1.3),
    "tanh": (-1.3, 1.3),
}
DEFAULT_F_RANGE = (-1.5, 5.0)
DF_RANGE = (-0.15, 1.25)

Fn = Callable[[Tensor], Tensor]


def _m(x: float) -> str:
    """A number for $...$ math."""
    return f"{x:.3f}"


@dataclass(frozen=True)
class Curve:
    """One activation on the x grid: values, derivatives (from backward) and the probe."""

    key: str
    name: str
    f: np.ndarray
    df: np.ndarray
    fx: float
    dfx: float
    trace: np.ndarray  # (TRAIN_STEPS + 1, 3): w, b, loss while training from z < 0
    sample: np.ndarray | None = None  # noisy ReLU: one noise draw per x

    @property
    def saturated(self) -> np.ndarray:
        peak = float(self.df.max())
        return np.ones_like(self.df, bool) if peak <= 0 else self.df < SATURATION * peak


def derivative(fn: Fn, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """f(xs) and f'(xs) from one backward pass through the batch (elementwise functions)."""
    x = Tensor(np.asarray(xs, dtype=np.float64), requires_grad=True, dtype="float64")
    y = fn(x)
    y.sum().backward()
    if x.grad is None:
        raise RuntimeError("backward() left no gradient on x")
    return y.numpy(), to_numpy(x.grad)


def train_neuron(
    fn: Fn, bias: float, steps: int = TRAIN_STEPS, lr: float = TRAIN_RATE
) -> np.ndarray:
    """Fit y = f(w x + b) to t = 0.8 x + 0.1 on x in [0, 1] with SGD; rows (w, b, loss)."""
    xs = Tensor(np.linspace(0.0, 1.0, 10), dtype="float64")
    target = Tensor(0.8 * np.linspace(0.0, 1.0, 10) + 0.1, dtype="float64")
    w = Tensor(np.array(0.5), requires_grad=True, name="w", dtype="float64")
    b = Tensor(np.array(bias), requires_grad=True, name="b", dtype="float64")
    opt = SGD(learning_rate=lr)
    rows = []
    for i in range(steps + 1):
        w.zero_grad()
        b.zero_grad()
        loss = ((fn(xs * w + b) - target) ** 2).mean()
        rows.append((w.item(), b.item(), loss.item()))
        if i < steps:
            loss.backward()
            opt.step([w, b])
    return np.array(rows)


def _curves(c: Values, rng: np.random.Generator) -> list[Curve]:
    alpha, sigma, probe, bias = c.alpha, c.sigma, float(c.probe), float(c.start_bias)
    fns: list[tuple[str, str, Fn]] = [
        ("step", "step", act.step),
        ("logistic", "logistic σ", act.sigmoid),
        ("tanh", "tanh", act.tanh),
        ("relu", "ReLU", act.relu),
        ("leaky", "leaky ReLU", lambda z: act.leaky_relu(z, alpha)),
        ("elu", "ELU", act.elu),
    ]
    out = []
    for key, name, fn in fns:
        f, df = derivative(fn, XS)
        fx, dfx = derivative(fn, np.array([probe]))
        out.append(Curve(key, name, f, df, float(fx[0]), float(dfx[0]), train_neuron(fn, bias)))
    # Noisy ReLU: average many noise draws per x (the engine's noisy_relu, our rng).
    grid = np.concatenate([XS, [probe]])
    batch = np.broadcast_to(grid, (NOISE_DRAWS, grid.size)).copy()
    f, df = derivative(lambda z: act.noisy_relu(z, rng, sigma), batch)
    mf, mdf = f.mean(axis=0), df.mean(axis=0)
    trace = train_neuron(lambda z: act.noisy_relu(z, rng, sigma), bias)
    out.append(
        Curve(
            "noisy",
            "noisy ReLU",
            mf[:-1],
            mdf[:-1],
            float(mf[-1]),
            float(mdf[-1]),
            trace,
            sample=f[0, :-1],
        )
    )
    return out


def _shade(mask: np.ndarray, lo: float, hi: float) -> tuple[Series, ...]:
    """Translucent areas over the x ranges where ``mask`` holds, from ``lo`` to ``hi``."""
    top = np.where(mask, hi, np.nan)
    bottom = np.where(mask, lo, np.nan)
    return (
        Series("saturated", XS, top, style="area", color=7, width=0.5),
        Series("_saturated below", XS, bottom, style="area", color=7, width=0.5),
    )


def _f_plot(cv: Curve, probe: float, extra: tuple[Series, ...] = ()) -> PlotData:
    lo, hi = F_RANGES.get(cv.key, DEFAULT_F_RANGE)
    series = [*_shade(cv.saturated, lo, hi)]
    if cv.sample is not None:
        series.append(Series("one noisy draw", XS, cv.sample, style="scatter", color=5, size=5))
    series.append(
        Series(
            f"f = {cv.name}" + (" (mean)" if cv.sample is not None else ""),
            XS,
            cv.f,
            color=0,
            width=3,
        )
    )
    series.extend(extra)
    series.append(Series("_probe", np.array([probe]), np.array([cv.fx]), style="marker", color=3))
    note = _note(probe, cv.fx, f"f({probe:.2f}) = {cv.fx:.3f}", (lo, hi))
    return PlotData(tuple(series), (note,), x_range=(-5.0, 5.0), y_range=(lo, hi))


def _note(x: float, y: float, text: str, y_range: tuple[float, float]) -> Annotation:
    """A read-out beside the probe, placed away from the legend (top right) and the edges."""
    high = y > y_range[0] + 0.55 * (y_range[1] - y_range[0])
    anchor = (1.0 if x > 1.5 else 0.0, -0.3 if high else 1.3)
    return Annotation(x, y, f"  {text}  ", color=3, anchor=anchor)


def _df_plot(cv: Curve, probe: float, extra: tuple[Series, ...] = ()) -> PlotData:
    lo, hi = DF_RANGE
    series = (
        *_shade(cv.saturated, lo, hi),
        Series("f′ by backward()", XS, cv.df, color=2, width=3),
        *extra,
        Series("_probe", np.array([probe]), np.array([cv.dfx]), style="marker", color=3),
    )
    notes = [_note(probe, cv.dfx, f"f′({probe:.2f}) = {cv.dfx:.3f}", DF_RANGE)]
    if cv.key == "step":
        notes.append(Annotation(0.0, 0.6, "  jump at 0: no slope  ", color=6, anchor=(0.0, 0.5)))
    return PlotData(
        series,
        tuple(notes),
        vlines=(0.0,) if cv.key == "step" else (),
        x_range=(-5.0, 5.0),
        y_range=DF_RANGE,
    )


def _learn_plot(named: list[tuple[str, np.ndarray, int]]) -> PlotData:
    steps = np.arange(TRAIN_STEPS + 1, dtype=float)
    series: list[Series] = []
    for label, trace, color in named:
        series.append(Series(f"w, {label}", steps, trace[:, 0], color=color, width=3))
        series.append(Series(f"b, {label}", steps, trace[:, 1], style="dash", color=color))
    return PlotData(tuple(series), x_range=(0.0, float(TRAIN_STEPS)))


def _table(curves: list[Curve], probe: float, current: int) -> TableData:
    rows = tuple(
        (
            cv.name + (" (mean)" if cv.sample is not None else ""),
            cv.fx,
            cv.dfx,
            "yes" if cv.dfx < SATURATION * float(cv.df.max()) or cv.df.max() <= 0 else "no",
            float(cv.trace[-1, 0] - cv.trace[0, 0]),
        )
        for cv in curves
    )
    return TableData(
        ("function", f"f({probe:.2f})", f"f′({probe:.2f})", "flat?", "Δw"),
        rows,
        highlight_rows=(current,) if current >= 0 else (),
    )


TEXTS = {
    "step": (
        "The step function",
        "The LTU of lesson 2.2 uses the step $H(z)$: 1 when $z \\ge 0$, else 0. Its slope is "
        "zero on both sides and undefined at the jump, so <code>backward()</code> returns "
        "$H'(z) = 0$ for every one of the 401 points. At the probe: $H({p}) = {fx}$ and "
        "$H'({p}) = {dfx}$. Gradient descent multiplies by this slope, so a step neuron never "
        "moves: in the training panel its $w$ and $b$ stay flat for all {n} SGD steps.",
    ),
    "logistic": (
        "The logistic function",
        "$\\sigma(z) = 1 / (1 + e^{{-z}})$ is a smooth step, and its slope "
        "$\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$ is never zero. At the probe "
        "$\\sigma({p}) = {fx}$ and the engine finds $\\sigma'({p}) = {dfx}$. The slope peaks "
        "at only 0.25 and fades fast: the shaded tails are <b>saturated</b>, where a neuron "
        "hardly learns. Started at $z < 0$, its $w$ still moves by {dw}.",
    ),
    "tanh": (
        "The hyperbolic tangent",
        "$\\tanh z$ has the logistic's S shape but runs from −1 to 1 and is centred on 0, "
        "with slope $1 - \\tanh^2 z$ peaking at 1. At the probe $\\tanh({p}) = {fx}$ and "
        "$\\tanh'({p}) = {dfx}$. It saturates too, even sooner than the logistic. The neuron "
        "trained from $z < 0$ still learns: $w$ moves by {dw}.",
    ),
    "relu": (
        "ReLU: the rectified linear unit",
        "$\\operatorname{{ReLU}}(z) = \\max(0, z)$ is the common choice: cheap, and its slope "
        "is exactly 1 for every positive input, so it never saturates there. For negative "
        "input the slope is 0 and the whole left half is flat. At the probe "
        "$\\operatorname{{ReLU}}({p}) = {fx}$, slope ${dfx}$. The neuron that starts with "
        "$z < 0$ for all its inputs gets no gradient at all: $w$ moves by {dw}.",
    ),
    "leaky": (
        "Leaky ReLU",
        "Leaky ReLU keeps a small slope $\\alpha = {alpha}$ for negative inputs: "
        "$f(z) = z$ if $z > 0$, else $\\alpha z$. At the probe $f({p}) = {fx}$, "
        "$f'({p}) = {dfx}$. The left side is almost flat but not dead, so a neuron pushed into "
        "it can still crawl back: $w$ moves by {dw}.",
    ),
    "elu": (
        "ELU: the exponential linear unit",
        "ELU is the identity for $z > 0$ and $e^z - 1$ below, a smooth curve that tends to "
        "−1. Its slope $e^z$ on the left decays gently instead of dropping to 0. At the probe "
        "$f({p}) = {fx}$, $f'({p}) = {dfx}$. Its negative outputs keep the mean activation "
        "near zero, which can speed up learning; here $w$ moves by {dw}.",
    ),
    "noisy": (
        "Noisy ReLU",
        "Noisy ReLU adds Gaussian noise before rectifying: $f(z) = \\max(0, z + n)$ with "
        "$n \\sim \\mathcal{{N}}(0, {sigma}^2)$, drawn from the lesson's seeded generator. The "
        "dots are one draw; the line is the mean of {draws} draws, a smoothed ReLU. At the "
        "probe the mean is ${fx}$ and the mean slope ${dfx}$. The noise helps only near 0: "
        "started far below zero, the trained neuron's $w$ moves by {dw}.",
    ),
}


class ActivationFunctions(Lesson):
    """Activation functions and their derivatives from autodiff; saturation; dead ReLUs."""

    id = "activations"
    chapter = 2
    number = "2.4"
    title = "Activation functions"
    summary = (
        "Seven activation functions and their slopes, computed by the engine's autodiff: the "
        "step has no useful gradient, the logistic and tanh saturate, ReLU is fast but can die, "
        "leaky ReLU and ELU keep a gradient for negative inputs."
    )
    controls = (
        Slider(
            "probe",
            "Probe x",
            minimum=-5.0,
            maximum=5.0,
            default=1.0,
            step=0.05,
            help="Where f(x) and f′(x) are read out.",
        ),
        Slider(
            "alpha",
            "Leaky slope α",
            minimum=0.01,
            maximum=0.5,
            default=0.05,
            step=0.01,
            help="The slope of leaky ReLU for negative inputs.",
        ),
        Slider("sigma", "Noise σ (noisy ReLU)", minimum=0.1, maximum=2.0, default=0.5, step=0.05),
        Slider(
            "start_bias",
            "Start bias of the trained neuron",
            minimum=-4.0,
            maximum=1.0,
            default=-3.0,
            step=0.1,
            help="The neuron starts at w = 0.5 and this b; inputs are in [0, 1].",
        ),
    )
    panels = (
        Plot("f", "f(x)", x_label="x", y_label="f(x)"),
        Plot("df", "f′(x) from backward()", x_label="x", y_label="f′(x)"),
        Table("numbers", "At the probe, and after training one neuron"),
        Plot("learn", "One neuron trained from z < 0", x_label="SGD step", y_label="value"),
    )
    quiz = (
        MultipleChoice(
            "step",
            "Why can gradient descent not train a network of step functions?",
            (
                "The step is too slow to compute",
                "Its derivative is 0 wherever it exists",
                "It only outputs negative numbers",
            ),
            answer=1,
            explanations=(
                "It is the cheapest of all; speed is not the problem.",
                "Right: every weight's gradient gets multiplied by 0, so nothing moves.",
                "It outputs 0 or 1.",
            ),
        ),
        NumericQuestion(
            "sigmoid_slope",
            "What is the slope of the logistic function at x = 0? (two decimals)",
            answer=0.25,
            tolerance=0.005,
            explanation="σ(0) = 0.5, and σ′ = σ(1 − σ) = 0.5 × 0.5 = 0.25, its largest value.",
        ),
        MultipleChoice(
            "saturation",
            "At x = 5, which slope is larger?",
            ("The logistic function's", "ReLU's", "They are equal"),
            answer=1,
            explanations=(
                "σ′(5) ≈ 0.0066: the logistic is saturated there.",
                "Right: ReLU's slope is 1 for every positive input; σ′(5) ≈ 0.0066.",
                "Move the probe to 5 and compare the table.",
            ),
        ),
        MultipleChoice(
            "dead",
            "A ReLU neuron's input is negative for every training example. What fixes it?",
            ("A larger learning rate", "Training for longer", "A leaky ReLU (or a better start)"),
            answer=2,
            explanations=(
                "Any learning rate times a zero gradient is zero.",
                "The gradient stays exactly zero, so more steps change nothing.",
                "Right: a small slope for negative inputs lets the gradient through.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        probe = float(c.probe)
        curves = _curves(c, rng)
        for i, cv in enumerate(curves):
            title, text = TEXTS[cv.key]
            dw = float(cv.trace[-1, 0] - cv.trace[0, 0])
            yield Step(
                title,
                text.format(
                    p=f"{probe:.2f}",
                    fx=_m(cv.fx),
                    dfx=_m(cv.dfx),
                    dw=_m(dw),
                    n=TRAIN_STEPS,
                    alpha=f"{c.alpha:g}",
                    sigma=f"{c.sigma:g}",
                    draws=NOISE_DRAWS,
                ),
                {
                    "f": _f_plot(cv, probe),
                    "df": _df_plot(cv, probe),
                    "numbers": _table(curves, probe, i),
                    "learn": _learn_plot([(cv.name, cv.trace, 0)]),
                },
                figures={f"f_{cv.key}": cv.fx, f"df_{cv.key}": cv.dfx, f"dw_{cv.key}": dw},
            )

        all_f = tuple(Series(cv.name, XS, cv.f, color=k) for k, cv in enumerate(curves))
        all_df = tuple(Series(cv.name, XS, cv.df, color=k) for k, cv in enumerate(curves))
        best = max(range(len(curves)), key=lambda k: curves[k].dfx)
        yield Step(
            "All seven side by side",
            "Together the curves show the trade-off. The step and the S-shaped functions "
            "squash every input into a short range, and pay for it with slopes that vanish "
            "away from 0. The ReLU family keeps a slope of 1 for positive inputs and differs "
            f"only on the left. At $x = {probe:.2f}$ the steepest is {curves[best].name} "
            f"with $f'(x) = {_m(curves[best].dfx)}$; the table lists all seven.",
            {
                "f": PlotData(all_f, x_range=(-5.0, 5.0), y_range=(-1.5, 5.0)),
                "df": PlotData(all_df, x_range=(-5.0, 5.0), y_range=DF_RANGE),
                "numbers": _table(curves, probe, best),
            },
        )

        yield from self._dead(c, curves, probe)

    def _dead(self, c: Values, curves: list[Curve], probe: float) -> Iterator[Step]:
        bias = float(c.start_bias)
        relu = next(cv for cv in curves if cv.key == "relu")
        xs = np.linspace(0.0, 1.0, 10)
        z = 0.5 * xs + bias
        zf, zdf = derivative(act.relu, z)
        healthy = train_neuron(act.relu, 0.5)
        dw = float(relu.trace[-1, 0] - relu.trace[0, 0])
        db = float(relu.trace[-1, 1] - relu.trace[0, 1])
        inputs = Series("the neuron's inputs z", z, zf, style="marker", color=4, size=7, symbol="d")
        slopes = Series("their slopes", z, zdf, style="marker", color=4, size=7, symbol="d")
        state = "dead" if abs(dw) < 1e-12 and abs(db) < 1e-12 else "alive"
        yield Step(
            "A dead ReLU",
            "A neuron $y = \\operatorname{ReLU}(w x + b)$ learns $t = 0.8x + 0.1$ on ten "
            f"inputs $x \\in [0, 1]$, starting from $w = 0.5$, $b = {bias:g}$. Its input "
            f"$z = wx + b$ runs from ${_m(float(z.min()))}$ to ${_m(float(z.max()))}$"
            + (", all negative, so every slope is 0" if z.max() < 0 else "")
            + f". After {TRAIN_STEPS} SGD steps $w$ moved by ${_m(dw)}$ and $b$ by "
            f"${_m(db)}$: the neuron is <b>{state}</b>. The same neuron started at "
            f"$b = 0.5$ learns fine (orange).",
            {
                "f": _f_plot(relu, probe, (inputs,)),
                "df": _df_plot(relu, probe, (slopes,)),
                "learn": _learn_plot([(f"b₀ = {bias:g}", relu.trace, 0), ("b₀ = 0.5", healthy, 1)]),
            },
            figures={"dead_w_change": dw, "dead_b_change": db},
        )

        leaky = next(cv for cv in curves if cv.key == "leaky")
        elu = next(cv for cv in curves if cv.key == "elu")
        yield Step(
            "Bringing it back",
            "Give the same neuron a leaky ReLU or an ELU and the left side is no longer flat: "
            f"from $b = {bias:g}$ leaky ReLU moves $w$ by "
            f"${_m(float(leaky.trace[-1, 0] - leaky.trace[0, 0]))}$ and ELU by "
            f"${_m(float(elu.trace[-1, 0] - elu.trace[0, 0]))}$, while ReLU stays at "
            f"${_m(dw)}$. In a real network the usual cures are a leaky variant, a smaller "
            "learning rate (big steps are what push neurons into the dead zone) and a careful "
            "start. Try a start bias above 0 to see the plain ReLU learn.",
            {
                "learn": _learn_plot(
                    [("ReLU", relu.trace, 0), ("leaky", leaky.trace, 1), ("ELU", elu.trace, 2)]
                ),
                "numbers": _table(curves, probe, 4),
            },
        )

        yield Step(
            "Summary",
            "<ul><li>The step function has no useful derivative, so gradient descent cannot "
            "train it.</li><li>The logistic and tanh are smooth but saturate: far from 0 their "
            "slope fades and learning stalls.</li><li>ReLU is cheap and has slope 1 for "
            "positive inputs; a neuron whose input is always negative is dead.</li><li>Leaky "
            "ReLU, ELU and noisy ReLU keep (some) gradient on the left.</li></ul>"
            "Move the probe and the sliders and step through again, then try the quiz.",
            {"numbers": _table(curves, probe, -1)},
        )


if __name__ == "__main__":
    from lessons.cli import main

    raise SystemExit(main(ActivationFunctions))
