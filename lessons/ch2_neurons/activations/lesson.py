"""Lesson 2.4: activation functions, their derivatives, saturation and the dead ReLU.

Seven activations (step, logistic, tanh, ReLU, leaky ReLU, ELU, noisy ReLU) are evaluated by the
engine on a batch of x values; their derivatives come from one ``backward()`` through that batch,
never from a hand-written formula.  Each step also trains one tiny neuron with the engine's SGD
from a start where its input is negative, to show which activations still pass a gradient.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from engine.nn import activations as act
from lessons.ch2_neurons.activations.texts import QUIZ, TEXTS
from lessons.core.base import (
    Annotation,
    Lesson,
    Plot,
    PlotData,
    Series,
    Slider,
    Step,
    Table,
    TableData,
    Values,
)
from lessons.shared.neurons import TRAIN_STEPS, Fn, derivative, train_neuron

XS = np.linspace(-5.0, 5.0, 401)
NOISE_DRAWS = 2000  # noise samples averaged for the noisy ReLU's mean curve
SATURATION = 0.1  # "saturated": f' below this share of its largest value on the plot
F_RANGES = {
    "step": (-0.3, 1.7),
    "logistic": (-0.3, 1.7),
    "tanh": (-1.3, 1.9),
}
DEFAULT_F_RANGE = (-1.5, 6.2)
DF_RANGE = (-0.15, 1.45)
# One palette colour per function for the whole lesson (f, f', the probe, the trained neuron),
# clearly different hues within each family shown together; yellow (7) shades saturation.
FN_COLORS = {"step": 5, "logistic": 1, "tanh": 2, "relu": 3, "leaky": 0, "elu": 4, "noisy": 6}
TEXT = 6  # read-outs and notes: the foreground colour


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
    def color(self) -> int:
        return FN_COLORS[self.key]

    @property
    def saturated(self) -> np.ndarray:
        peak = float(self.df.max())
        return np.ones_like(self.df, bool) if peak <= 0 else self.df < SATURATION * peak


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
        Series("_saturated", XS, top, style="area", color=7, width=0.5),
        Series("_saturated below", XS, bottom, style="area", color=7, width=0.5),
    )


def _f_plot(cv: Curve, probe: float, extra: tuple[Series, ...] = ()) -> PlotData:
    lo, hi = F_RANGES.get(cv.key, DEFAULT_F_RANGE)
    series = [*_shade(cv.saturated, lo, hi)]
    if cv.sample is not None:
        series.append(
            Series("one noisy draw", XS, cv.sample, style="scatter", color=cv.color, size=3)
        )
    series.append(
        Series(
            f"f = {cv.name}" + (" (mean)" if cv.sample is not None else ""),
            XS,
            cv.f,
            color=cv.color,
            width=3,
        )
    )
    series.extend(extra)
    series.append(_probe(probe, cv.fx, cv.color))
    note = _note(f"f({probe:.2f}) = {cv.fx:.3f}", (lo, hi))
    return PlotData(tuple(series), (note,), x_range=(-5.0, 5.0), y_range=(lo, hi))


def _note(text: str, y_range: tuple[float, float]) -> Annotation:
    """The probe's read-out in the top-left corner, clear of the legend and of every curve."""
    return Annotation(-4.9, y_range[1], text, color=TEXT, anchor=(0.0, 0.0))


def _probe(x: float, y: float, color: int) -> Series:
    """The probe: a large square on the curve, in the function's colour."""
    return Series("_probe", np.array([x]), np.array([y]), style="marker", color=color, symbol="s")


def _df_plot(cv: Curve, probe: float, extra: tuple[Series, ...] = ()) -> PlotData:
    lo, hi = DF_RANGE
    series = (
        *_shade(cv.saturated, lo, hi),
        Series(f"f′ of {cv.name}", XS, cv.df, color=cv.color, width=3),
        *extra,
        _probe(probe, cv.dfx, cv.color),
    )
    notes = [_note(f"f′({probe:.2f}) = {cv.dfx:.3f}", DF_RANGE)]
    if cv.key == "step":
        notes.append(Annotation(-0.1, 0.6, "jump: no slope", color=6, anchor=(1.0, 0.5)))
    return PlotData(
        series,
        tuple(notes),
        vlines=(0.0,) if cv.key == "step" else (),
        x_range=(-5.0, 5.0),
        y_range=DF_RANGE,
    )


def _learn_plot(
    named: list[tuple[str, np.ndarray, int]], bias: bool = True, dots: tuple[str, ...] = ()
) -> PlotData:
    """The trained neuron's w (thick) and, if asked, b (thin, solid: dashed lines are kept for
    validation curves) over the SGD steps, each labelled at its end.  Runs named in ``dots``
    are drawn as points, to tell two runs of one function (one colour) apart."""
    steps = np.arange(TRAIN_STEPS + 1, dtype=float)
    series: list[Series] = []
    notes: list[Annotation] = []
    for label, trace, color in named:
        style = "scatter" if label in dots else "line"
        look = " (dots)" if label in dots else ""
        series.append(
            Series(f"w, {label}{look}", steps, trace[:, 0], style, color, width=3, size=4)
        )
        if bias:
            series.append(
                Series(f"b, {label}{look}", steps, trace[:, 1], style, color, width=1.2, size=3)
            )
            for k, name in enumerate("wb"):
                end = float(trace[-1, k])
                notes.append(Annotation(float(TRAIN_STEPS), end, f"{name} ", color, (1.0, 1.0)))
    ys = np.concatenate([s.y for s in series])
    ys = ys[np.isfinite(ys)]
    lo, hi = (float(ys.min()), float(ys.max())) if ys.size else (0.0, 1.0)
    pad = max(hi - lo, 0.5)
    # a band above the curves for the legend (two entries a row), which would otherwise sit
    # on a flat w line or touch a peak: about 40 % of the axes for two rows at 1280x720
    top = 0.25 + 0.35 * ((len(series) + 1) // 2)
    return PlotData(
        tuple(series),
        tuple(notes),
        x_range=(0.0, float(TRAIN_STEPS)),
        y_range=(lo - 0.08 * pad, hi + top * pad),
    )


def _family(curves: list[Curve], what: str, y_range: tuple[float, float]) -> PlotData:
    """Several activations (or their slopes) on one plot, each in its own colour."""
    series = tuple(
        Series(cv.name, XS, cv.f if what == "f" else cv.df, color=cv.color, width=2.5)
        for cv in curves
    )
    return PlotData(series, x_range=(-5.0, 5.0), y_range=y_range)


def _table(curves: list[Curve], probe: float, current: int) -> TableData:
    rows = tuple(
        (
            cv.name,
            cv.fx,
            cv.dfx,
            float(cv.trace[-1, 0] - cv.trace[0, 0]),
        )
        for cv in curves
    )
    return TableData(
        ("function", f"f({probe:.2f})", f"f′({probe:.2f})", "Δw"),
        rows,
        highlight_rows=(current,) if current >= 0 else (),
    )


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
    quiz = QUIZ

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
                    "learn": _learn_plot([(cv.name, cv.trace, cv.color)]),
                },
                figures={f"f_{cv.key}": cv.fx, f"df_{cv.key}": cv.dfx, f"dw_{cv.key}": dw},
            )

        squash, rectify = curves[:3], curves[3:]
        k_sq = max(range(3), key=lambda k: squash[k].dfx)
        yield Step(
            "The squashing family side by side",
            "The step, the logistic and tanh all squash every input into a short range. The "
            "price is in their slopes: all three are flat far from 0, so a neuron whose input "
            "lands there learns slowly or not at all. Between the two smooth ones, tanh is "
            "steeper (slope 1 at 0 against 0.25) and centred on 0. At "
            f"$x = {probe:.2f}$ the steepest of the three is {squash[k_sq].name} with "
            f"$f'(x) = {_m(squash[k_sq].dfx)}$.",
            {
                "f": _family(squash, "f", (-1.3, 1.6)),
                "df": _family(squash, "df", DF_RANGE),
                "numbers": _table(curves, probe, k_sq),
                "learn": _learn_plot([(cv.name, cv.trace, cv.color) for cv in squash], False),
            },
        )
        yield Step(
            "The ReLU family side by side",
            "ReLU, leaky ReLU, ELU and noisy ReLU agree for large positive inputs: output $x$, "
            "slope 1, no saturation however large $x$ gets. They differ only on the left: ReLU "
            f"is flat, leaky ReLU keeps the slope $\\alpha = {c.alpha:g}$, ELU curves down to "
            "−1 with slope $e^x$, and noisy ReLU's average slope fades smoothly. The table "
            "lists all seven at the probe.",
            {
                "f": _family(rectify, "f", (-1.5, 5.0)),
                "df": _family(rectify, "df", DF_RANGE),
                "numbers": _table(curves, probe, 3),
                "learn": _learn_plot([(cv.name, cv.trace, cv.color) for cv in rectify], False),
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
        inputs = Series("inputs z", z, zf, style="marker", color=relu.color, size=7, symbol="d")
        slopes = Series("slopes at z", z, zdf, style="marker", color=relu.color, size=7, symbol="d")
        state = "dead" if abs(dw) < 1e-12 and abs(db) < 1e-12 else "alive"
        yield Step(
            "A dead ReLU",
            "A neuron $y = \\operatorname{ReLU}(w x + b)$ learns $t = 0.8x + 0.1$ on ten "
            f"inputs $x \\in [0, 1]$, starting from $w = 0.5$, $b = {bias:g}$. Its input "
            f"$z = wx + b$ runs from ${_m(float(z.min()))}$ to ${_m(float(z.max()))}$"
            + (", all negative, so every slope is 0" if z.max() < 0 else "")
            + f". After {TRAIN_STEPS} SGD steps $w$ moved by ${_m(dw)}$ and $b$ by "
            f"${_m(db)}$: the neuron is <b>{state}</b>. The same neuron started at "
            f"$b = 0.5$ learns fine (dots).",
            {
                "f": _f_plot(relu, probe, (inputs,)),
                "df": _df_plot(relu, probe, (slopes,)),
                "learn": _learn_plot(
                    [(f"b₀ = {bias:g}", relu.trace, relu.color), ("b₀ = 0.5", healthy, relu.color)],
                    dots=("b₀ = 0.5",),
                ),
            },
            figures={"dead_w_change": dw, "dead_b_change": db},
        )

        leaky = next(cv for cv in curves if cv.key == "leaky")
        elu = next(cv for cv in curves if cv.key == "elu")
        lf, ldf = derivative(lambda t: act.leaky_relu(t, c.alpha), z)
        yield Step(
            "Bringing it back",
            "Give the same neuron a leaky ReLU or an ELU and the left side is no longer flat: "
            f"from $b = {bias:g}$ leaky ReLU moves $w$ by "
            f"${_m(float(leaky.trace[-1, 0] - leaky.trace[0, 0]))}$ and ELU by "
            f"${_m(float(elu.trace[-1, 0] - elu.trace[0, 0]))}$, while ReLU stays at "
            f"${_m(dw)}$. In a real network the usual cures are a leaky variant, a smaller "
            "learning rate (big steps are what push neurons into the dead zone) and a careful "
            "start. The plots show leaky ReLU: the same inputs now sit on a slope of "
            f"${c.alpha:g}$. Try a start bias above 0 to see the plain ReLU learn.",
            {
                "f": _f_plot(leaky, probe, (replace(inputs, y=lf, color=leaky.color),)),
                "df": _df_plot(leaky, probe, (replace(slopes, y=ldf, color=leaky.color),)),
                "learn": _learn_plot(
                    [(cv.name, cv.trace, cv.color) for cv in (relu, leaky, elu)], bias=False
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
            "Try the quiz (the Check tab).",
            {"numbers": _table(curves, probe, -1)},
        )
