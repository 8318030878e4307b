"""Lesson 2.3: why non-linearity: stacked linear layers collapse into one; g bends the boundary.

Two linear layers X W1 + b1 then H W2 + b2 are one linear layer with W = W1 W2 and
b = b1 W2 + b2: the engine computes both ways with Tensor matrix products and they agree to
rounding.  Their decision boundary stays a straight line, even after training; putting tanh or
ReLU between the layers bends it.  Each step writes y = g(w0 + X^T W) with the probe's values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from engine.data.synthetic.sets import make_circle, make_xor
from engine.nn import activations as act
from lessons.core.base import (
    Annotation,
    Choice,
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
    Text,
    TextData,
    Values,
)
from lessons.markup.numbers import ptex, tex
from lessons.shared import plane as P
from lessons.shared.neurons import (
    ACTIVATIONS,
    EPOCHS,
    Net,
    accuracy,
    affine_residual,
    as_tensor,
    collapse,
    fresh_net,
    grid_points,
    identity,
)

SLICE = np.linspace(-P.BOX, P.BOX, 241)


def _col(v: np.ndarray) -> str:
    return "\\begin{bmatrix}" + " \\\\ ".join(tex(float(a), 3) for a in v) + "\\end{bmatrix}"


def one_unit(x: np.ndarray, w: np.ndarray, w0: float, g: str = "\\sigma") -> tuple[str, float]:
    """The formula y = g(w0 + X^T W) with every number filled in, and z."""
    xw = float((as_tensor(x) @ as_tensor(w)).item())
    z = float((as_tensor(x) @ as_tensor(w) + w0).item())
    terms = " + ".join(
        f"{ptex(float(a), 3)} \\cdot {ptex(float(b), 3)}" for a, b in zip(x, w, strict=True)
    )
    y = float(act.sigmoid(as_tensor(np.array(z))).item())
    text = (
        f"$$\\hat{{y}} = {g}(w_0 + X^T W)$$ "
        f"$$X = {_col(x)},\\; W = {_col(w)}$$ "
        f"$$X^T W = {terms}$$ $$= {tex(xw, 4)}$$ "
        f"$$w_0 + X^T W = {tex(w0, 4)} + {ptex(xw, 4)} = {tex(z, 4)}$$ "
        f"$$\\hat{{y}} = \\sigma({tex(z, 4)}) = {tex(y, 4)}$$"
    )
    return text, z


def _regions(
    net: Net, x: np.ndarray, y: np.ndarray, probe: np.ndarray, extra: list[Series] | None = None
) -> PlotData:
    image = P.region(lambda g: act.sigmoid(as_tensor(net.score(g))).numpy())
    # No legend over the map: the probe and the hidden lines are labelled where they are.
    dot = Series("_probe X", probe[:1], probe[1:], style="marker", color=4, size=12, labels=(" X",))
    notes = (
        (Annotation(-P.BOX + 0.05, P.BOX + 0.75, "dashed: hidden lines", 6, (0, 0)),)
        if extra
        else ()
    )
    return PlotData(
        (*P.points(x, y), *(extra or []), dot),
        notes,
        image=image,
        image_rect=(-P.BOX, -P.BOX, 2 * P.BOX, 2 * P.BOX),
        image_levels=(0.0, 1.0),
        contours=(0.5,),
        x_range=(-P.BOX, P.BOX),
        y_range=(-P.BOX, P.BOX + 0.8),
    )


def _slice(
    curves: list[tuple[str, Net, int]], probe: np.ndarray, dash_last: bool = False
) -> PlotData:
    """Each net's score z along the probe's row x2 = probe[1], the probe marked on the last.

    ``dash_last`` dashes the last curve, so that a curve it covers exactly shows through.
    """
    pts = np.stack([SLICE, np.full_like(SLICE, probe[1])], axis=1)
    series = [
        Series(
            name,
            SLICE,
            net.score(pts),
            style="dash" if dash_last and i == len(curves) - 1 else "line",
            color=color,
            width=3,
        )
        for i, (name, net, color) in enumerate(curves)
    ]
    z = curves[-1][1].score(probe[None, :])
    series.append(Series("_probe X", probe[:1], z, style="marker", color=4, size=12))
    ys = np.concatenate([s.y for s in series] + [np.zeros(1)])
    lo, hi = float(np.min(ys)), float(np.max(ys))
    pad = max(hi - lo, 1e-3)
    return PlotData(
        tuple(series),
        hlines=(0.0,),
        x_range=(-P.BOX, P.BOX),
        # a band on top for the legend, which shows when there are two curves or more
        y_range=(lo - 0.08 * pad, hi + (0.45 if len(curves) > 1 else 0.08) * pad),
    )


def _weights(net: Net, collapsed: tuple[np.ndarray, np.ndarray] | None = None) -> TableData:
    """One row per hidden unit: its weights from x1 and x2, its bias b, its weight to z.

    The row "z" holds the output's bias; "collapsed" the single layer W1 W2, b1 W2 + b2,
    first and highlighted (with many hidden units the last rows scroll out of sight).
    """
    rows: list[tuple[object, ...]] = [
        (f"h{j + 1}", *net.w1[:, j], net.b1[j], net.w2[j, 0]) for j in range(net.w1.shape[1])
    ]
    rows.append(("z", "", "", float(net.b2[0]), ""))
    if collapsed is not None:
        wc, bc = collapsed
        rows.insert(0, ("collapsed", float(wc[0, 0]), float(wc[1, 0]), float(bc[0]), ""))
    return TableData(
        ("", "x₁", "x₂", "b", "to z"),
        tuple(rows),
        number_format="{:.3f}",
        highlight_rows=(0,) if collapsed is not None else (),
    )


def _hidden_formula(net: Net, probe: np.ndarray, g: str) -> str:
    """Layer by layer for the probe: H = g(X^T W1 + b1), then z = H W2 + b2, with values."""
    pre, post = net.hidden(probe[None, :])
    z = float(net.score(probe[None, :])[0])
    p = float(act.sigmoid(as_tensor(np.array(z))).item())
    return (
        f"$$H = {g}(X^T W_1 + b_1)$$ "
        f"$$= {g}\\left({_col(pre[0])}\\right) = {_col(post[0])}$$ "
        f"$$z = H W_2 + b_2 = {tex(z, 4)}$$ "
        f"$$\\hat{{y}} = \\sigma(z) = {tex(p, 4)}$$"
    )


class Nonlinearity(Lesson):
    """Why non-linearity: linear layers collapse into one; an activation bends the boundary."""

    id = "nonlinearity"
    chapter = 2
    number = "2.3"
    title = "Why non-linearity"
    summary = (
        "Two linear layers in a row are one linear layer in disguise: their product matrix does "
        "the same job and the boundary stays a straight line. A non-linear activation g "
        "between the layers, y = g(w0 + Xᵀ W), is what lets a network bend its boundary."
    )
    controls = (
        Choice("activation", "Activation g", options=tuple(ACTIVATIONS), default="tanh"),
        Slider("hidden", "Hidden units", minimum=2, maximum=8, default=5, step=1, integer=True),
        Choice("data", "Data set", options=("circle", "xor"), default="circle"),
        Slider("x1", "Probe x₁", minimum=-1.5, maximum=1.5, default=0.3, step=0.05),
        Slider("x2", "Probe x₂", minimum=-1.5, maximum=1.5, default=-0.4, step=0.05),
    )
    panels = (
        Plot("plane", "Decision regions", x_label="x₁", y_label="x₂", aspect_locked=True),
        Plot("slice", "Score z along the probe's row", x_label="x₁", y_label="z"),
        Text("formula", "The probe, number by number"),
        Table("numbers", "Weights"),
    )
    quiz = (
        MultipleChoice(
            "collapse",
            "A 2-input linear layer with 3 outputs feeds a linear layer with 1 output. What "
            "single layer does the same?",
            (
                "None: it is more powerful",
                "One layer with W = W₁ W₂ (2 × 1)",
                "One layer with 3 outputs",
            ),
            answer=1,
            explanations=(
                "Without an activation the stack is still linear: (X W₁ + b₁) W₂ + b₂.",
                "Right: X (W₁ W₂) + (b₁ W₂ + b₂), a single 2 × 1 layer.",
                "The composed map goes from 2 inputs to 1 output.",
            ),
        ),
        NumericQuestion(
            "slope",
            "h = 2x + 1 and then y = 3h − 1. Written as one layer y = a x + c, what is a?",
            answer=6,
            tolerance=0,
            explanation="y = 3(2x + 1) − 1 = 6x + 2: the slopes multiply, a = 3 × 2 = 6.",
        ),
        MultipleChoice(
            "bend",
            "What lets a network of layers draw a curved decision boundary?",
            (
                "More linear layers",
                "A non-linear activation between the layers",
                "A larger learning rate",
            ),
            answer=1,
            explanations=(
                "Any number of linear layers collapses into one: still a line.",
                "Right: g(w₀ + Xᵀ W) with a non-linear g breaks the collapse.",
                "The learning rate changes how training moves, not what the model can express.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        make = make_circle if c.data == "circle" else make_xor
        data = make(200, noise=0.05, test_fraction=0.0, seed=rng)
        x, y = data.x_train.astype(np.float64), data.y_train.astype(np.int64)
        probe = np.array([float(c.x1), float(c.x2)])
        k, gname = int(c.hidden), str(c.activation)
        g = ACTIVATIONS[gname]
        gtex = "\\tanh" if gname == "tanh" else "\\operatorname{ReLU}"
        init = (
            rng.normal(0, 1.0, (2, k)),
            rng.normal(0, 0.5, k),
            rng.normal(0, 1.0, (k, 1)),
            rng.normal(0, 0.5, 1),
        )
        linear = fresh_net(init, identity)

        w, w0 = rng.normal(0, 1.5, 2), float(rng.normal(0, 0.5))
        single = Net(w[:, None], np.array([w0]), np.eye(1), np.zeros(1), g=identity)
        formula, z = one_unit(probe, w, w0)
        yield Step(
            "One neuron: y = g(w₀ + Xᵀ W)",
            "A neuron multiplies each input by its weight, adds the bias $w_0$ and passes the "
            "sum through a function $g$: $$\\hat{y} = g(w_0 + X^T W)$$ Here $g$ is the "
            f"logistic $\\sigma$ and the weights are random. For the probe point the sum is "
            f"${tex(z, 4)}$ (the panel shows every product). The class changes where the sum "
            "is 0, which is a straight line: the shaded regions meet along it (circles are "
            "class 0, squares class 1).",
            {
                "plane": _regions(single, x, y, probe),
                "slice": _slice([("one neuron", single, 0)], probe),
                "formula": TextData(formula),
                "numbers": TableData(
                    ("", "x₁", "x₂", "w₀"), (("W", *w, w0),), number_format="{:.3f}"
                ),
            },
            figures={"single_z": z},
        )

        z_stack = float(linear.score(probe[None, :])[0])
        yield Step(
            "Stack two linear layers",
            f"Now feed the two inputs to {k} hidden units without any $g$, and those to one "
            "output: $$H = X^T W_1 + b_1$$ $$z = H W_2 + b_2$$ "
            f"Here $W_1$ is $2 \\times {k}$ and $W_2$ is ${k} \\times 1$ (random; the table "
            "has a row per hidden unit: its weights from $x_1$, $x_2$, its bias, its weight to "
            "$z$). "
            f"For the probe the {k} hidden values are in the panel, and the output is "
            f"$z = {tex(z_stack, 4)}$. It looks like a bigger network. Is it?",
            {
                "plane": _regions(linear, x, y, probe),
                "slice": _slice([("two linear layers", linear, 1)], probe),
                "formula": TextData(_hidden_formula(linear, probe, "\\mathrm{id}")),
                "numbers": _weights(linear),
            },
        )

        wc, bc = collapse(linear)
        one = Net(wc, bc, np.eye(1), np.zeros(1), g=identity)
        grid = grid_points(n=41)
        gap = float(np.max(np.abs(one.score(grid) - linear.score(grid))))
        yield Step(
            "They collapse into one layer",
            "Substitute the first layer into the second: "
            "$$z = (X^T W_1 + b_1) W_2 + b_2$$ $$= X^T (W_1 W_2) + (b_1 W_2 + b_2)$$ "
            "The engine multiplies the matrices (table row <i>collapsed</i>): "
            f"$W_1 W_2 = {_col(wc[:, 0])}$ and "
            f"$b_1 W_2 + b_2 = {tex(float(bc[0]), 4)}$. This single layer gives the same score "
            f"everywhere: over a 41 × 41 grid the largest difference is ${tex(gap, 2)}$, "
            f"rounding. The {k} hidden units added nothing.",
            {
                "plane": _regions(one, x, y, probe),
                "slice": _slice(
                    [("two linear layers", linear, 1), ("one layer W₁W₂", one, 0)],
                    probe,
                    dash_last=True,
                ),
                "formula": TextData(one_unit(probe, wc[:, 0], float(bc[0]))[0]),
                "numbers": _weights(linear, (wc, bc)),
            },
            figures={"collapse_max_diff": gap, "w_x1": float(wc[0, 0]), "w_x2": float(wc[1, 0])},
        )

        trained_linear = fresh_net(init, identity)
        lin_losses = trained_linear.fit(x, y)
        lin_acc = accuracy(trained_linear, x, y)
        yield Step(
            "Training cannot bend it",
            f"Train the linear stack on the {c.data} data ({EPOCHS} steps of Adam on the "
            f"cross-entropy, by the engine's autodiff). The loss only falls from "
            f"${tex(lin_losses[0], 3)}$ to ${tex(lin_losses[-1], 3)}$ and the accuracy is "
            f"{lin_acc:.0%}: training can only turn and shift the one line, and no line "
            f"separates this data. Along the probe's row the score stays a straight line.",
            {
                "plane": _regions(trained_linear, x, y, probe),
                "slice": _slice([("linear, trained", trained_linear, 1)], probe),
                "formula": TextData(_hidden_formula(trained_linear, probe, "\\mathrm{id}")),
                "numbers": _weights(trained_linear),
            },
            figures={
                "linear_accuracy": lin_acc,
                "affine_residual_linear": affine_residual(trained_linear),
            },
        )

        bent = fresh_net(init, g)
        yield Step(
            f"Put {gname} between the layers",
            f"Keep the same random weights but apply $g = {gtex}$ to every hidden unit: "
            f"$$H = {gtex}(X^T W_1 + b_1)$$ $$z = H W_2 + b_2$$ Now the substitution "
            "no longer works, because $g$ does not pass through the matrix product. The "
            "boundary bends and the score along the probe's row is no longer straight, even "
            "before any training. The panel shows each hidden unit before and after $g$.",
            {
                "plane": _regions(bent, x, y, probe),
                "slice": _slice([("linear", linear, 1), (f"with {gname}", bent, 2)], probe),
                "formula": TextData(_hidden_formula(bent, probe, gtex)),
                "numbers": _weights(bent),
            },
        )

        trained = fresh_net(init, g)
        losses = trained.fit(x, y)
        acc = accuracy(trained, x, y)
        lines = [
            P.boundary(
                (*trained.w1[:, j], trained.b1[j]),
                f"_h{j + 1}",
                color=6,
                style="dash",
                width=1.5,
            )
            for j in range(k)
        ]
        yield Step(
            "Trained with g, the boundary curves",
            f"The same training on the network with {gname}: the loss falls from "
            f"${tex(losses[0], 3)}$ to ${tex(losses[-1], 3)}$ and the accuracy reaches "
            f"{acc:.0%} (linear: {lin_acc:.0%}). Each hidden unit still draws a straight line "
            "(dashed), where its input $X^T w_j + b_j$ is 0; $g$ bends the score on each side "
            "of its line, and the output layer adds the bent pieces into a curved boundary.",
            {
                "plane": _regions(trained, x, y, probe, lines),
                "slice": _slice(
                    [("linear, trained", trained_linear, 1), (f"{gname}, trained", trained, 2)],
                    probe,
                ),
                "formula": TextData(_hidden_formula(trained, probe, gtex)),
                "numbers": _weights(trained),
            },
            figures={
                "nonlinear_accuracy": acc,
                "affine_residual_nonlinear": affine_residual(trained),
            },
        )

        pre, post = trained.hidden(probe[None, :])
        j = (
            int(np.argmax(np.abs(post[0] - pre[0])))
            if gname == "ReLU"
            else int(np.argmax(np.abs(pre[0])))
        )
        zt = float(trained.score(probe[None, :])[0])
        yield Step(
            "y = g(w₀ + Xᵀ W), one layer at a time",
            "Each layer computes the same formula $g(w_0 + X^T W)$ with its own weights, the "
            "previous layer's output as its $X$. For the probe: hidden unit "
            f"$h_{j + 1}$ gets ${tex(float(pre[0, j]), 4)}$ and passes on "
            f"${gtex}({tex(float(pre[0, j]), 4)}) = {tex(float(post[0, j]), 4)}$; the output "
            f"layer sums the hidden values into $z = {tex(zt, 4)}$ and the logistic turns it "
            "into a probability. Move the probe sliders to follow another point.",
            {
                "plane": _regions(trained, x, y, probe, lines),
                "formula": TextData(_hidden_formula(trained, probe, gtex)),
                "numbers": replace(_weights(trained), highlight_rows=(j,)),
            },
        )

        yield Step(
            "Summary",
            "<ul><li>A neuron computes $g(w_0 + X^T W)$; without $g$ its boundary is a "
            "line.</li><li>Linear layers in a row multiply into one matrix, so depth alone adds "
            "nothing.</li><li>A non-linear $g$ such as tanh or ReLU between the layers breaks "
            "the collapse and lets the boundary bend.</li><li>That is why every hidden layer "
            "of a deep network has an activation function.</li></ul>",
            {},
        )


if __name__ == "__main__":
    from lessons.shared.cli import main

    raise SystemExit(main(Nonlinearity))
