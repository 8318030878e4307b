"""Lesson 2.2: the linear threshold unit and the perceptron rule; a layer of LTUs; XOR's limit.

An LTU fires when its weighted sum reaches zero: y_hat = H(w . x + b).  The perceptron rule
w <- w + eta (y - y_hat) x is run one sample at a time on a separable set until an epoch passes
without a mistake, then on XOR, where it never settles.  Sums, steps and updates are Tensor
operations of the engine; the lesson only arranges them into steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from engine.activations import step
from engine.synthetic import make_gaussians
from engine.tensor import Tensor
from lessons import _plane as P
from lessons.base import (
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
    Values,
)

MAX_STEPS = 120  # training steps shown on the separable set, at most
MAX_EPOCHS = 50
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]) - 0.5
XOR_Y = np.array([0, 1, 1, 0])
W_NAMES = ("w₁", "w₂", "b")


def _aug(x: np.ndarray) -> np.ndarray:
    """Inputs with a constant 1 appended, so the bias is the last weight."""
    return np.hstack([x, np.ones((len(x), 1))])


def ltu(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """H(x . w) for rows x (with the 1 appended) and weights w (one column per unit)."""
    return step(Tensor(x, dtype="float64") @ Tensor(w, dtype="float64")).numpy()


@dataclass(frozen=True)
class Update:
    """One sample seen by the perceptron rule."""

    epoch: int
    index: int
    x: np.ndarray  # with the 1 appended
    y: int
    z: float
    y_hat: int
    before: np.ndarray
    delta: np.ndarray
    after: np.ndarray

    @property
    def mistake(self) -> bool:
        return self.y != self.y_hat


def rule(w: np.ndarray, x: np.ndarray, y: int, eta: float) -> tuple[float, int, np.ndarray]:
    """z = w . x, y_hat = H(z) and the change eta (y - y_hat) x, all by the engine."""
    xt, wt = Tensor(x, dtype="float64"), Tensor(w, dtype="float64")
    z = xt @ wt
    y_hat = step(z)
    delta = (float(y) - y_hat) * eta * xt
    return z.item(), int(y_hat.item()), delta.numpy()


def train(
    x: np.ndarray, y: np.ndarray, w0: np.ndarray, eta: float, epochs: int, rng: np.random.Generator
) -> tuple[list[Update], list[int]]:
    """The perceptron rule, one shuffled epoch after another; stops after a clean epoch."""
    xs, w = _aug(x), w0.astype(np.float64).copy()
    seen: list[Update] = []
    mistakes: list[int] = []
    for epoch in range(1, epochs + 1):
        wrong = 0
        for i in rng.permutation(len(xs)):
            z, y_hat, delta = rule(w, xs[i], int(y[i]), eta)
            after = (Tensor(w, dtype="float64") + Tensor(delta, dtype="float64")).numpy()
            seen.append(Update(epoch, int(i), xs[i], int(y[i]), z, y_hat, w, delta, after))
            wrong += int(y_hat != y[i])
            w = after
        mistakes.append(wrong)
        if wrong == 0:
            break
    return seen, mistakes


def separable_set(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian clouds from the engine, shifted, kept only with a margin from their line."""
    data = make_gaussians(4 * n, test_fraction=0.0, seed=rng, noise=0.05)
    x = data.x_train.astype(np.float64) * 1.6 + np.array([0.25, -0.1])
    y = data.y_train.astype(np.int64)
    side = (x[:, 0] + x[:, 1] - 0.15) * (2 * y - 1)
    keep = np.flatnonzero(side > 0.35)[:n]
    return x[keep], y[keep]


def _vec(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(a):.2f}" for a in v) + ")"


def _mistake_plot(sets: list[tuple[str, list[int], int]]) -> PlotData:
    series = []
    for name, counts, color in sets:
        ep = np.arange(1, len(counts) + 1, dtype=float)
        ys = np.array(counts, dtype=float)
        series.append(Series(name, ep, ys, color=color, width=2.5))
        series.append(Series("_" + name, ep, ys, style="scatter", color=color, size=8))
    top = max((max(c) for _, c, _ in sets if c), default=1)
    right = max((len(c) for _, c, _ in sets), default=1)
    return PlotData(tuple(series), x_range=(0.5, right + 0.5), y_range=(-0.3, top + 1.0))


def _running(updates: list[Update], upto: int) -> list[int]:
    """Mistakes per epoch counted up to update ``upto`` (the current epoch so far)."""
    counts: dict[int, int] = {}
    for u in updates[: upto + 1]:
        counts[u.epoch] = counts.get(u.epoch, 0) + int(u.mistake)
    return [counts[e] for e in sorted(counts)]


def _region(w: np.ndarray) -> np.ndarray:
    return P.region(lambda g: 2 * ltu(w, _aug(g)) - 1)


class Perceptron(Lesson):
    """The linear threshold unit and the perceptron learning rule; a layer of LTUs; XOR."""

    id = "perceptron"
    chapter = 2
    number = "2.2"
    title = "The LTU and the perceptron"
    summary = (
        "A linear threshold unit weighs its inputs, adds a bias and fires when the sum "
        "reaches zero. The perceptron rule nudges the weights after every mistake and finds a "
        "separating line whenever one exists, but on XOR it never settles."
    )
    controls = (
        Slider("eta", "Learning rate η", minimum=0.05, maximum=2.0, default=0.5, log=True),
        Slider("points", "Points in the data set", minimum=6, maximum=40, default=16, step=1,
               integer=True),  # fmt: skip
        Choice("pace", "One step per", options=("mistake", "sample"), default="mistake",
               help="Show every sample the rule looks at, or only the ones it gets wrong."),  # fmt: skip
        Slider("xor_epochs", "Epochs on XOR", minimum=5, maximum=40, default=12, step=1,
               integer=True),  # fmt: skip
    )
    panels = (
        Plot("plane", "The input plane", x_label="x₁", y_label="x₂", aspect_locked=True),
        Plot("unit", "The unit", legend=False),
        Plot("mistakes", "Mistakes per epoch", x_label="epoch", y_label="mistakes"),
        Table("numbers", "The numbers"),
    )
    quiz = (
        MultipleChoice(
            "rule",
            "A point of class 1 is classified 0. What does the perceptron rule do?",
            ("Adds η x to the weights", "Subtracts η x from the weights", "Nothing"),
            answer=0,
            explanations=(
                "Right: y − ŷ = 1, so w grows by η x and w · x grows by η |x|², towards firing.",
                "That is the case of a class-0 point that made the unit fire.",
                "The rule changes nothing only when the answer is right.",
            ),
        ),
        NumericQuestion(
            "output",
            "w₁ = 0.5, w₂ = −1, b = 0.2 and x = (1, 0.5). What does the LTU output (0 or 1)?",
            answer=1,
            tolerance=0,
            explanation="z = 0.5 − 0.5 + 0.2 = 0.2 ≥ 0, so the step gives 1.",
        ),
        MultipleChoice(
            "xor",
            "Why does the perceptron rule never settle on XOR?",
            (
                "The learning rate is too large",
                "No straight line puts (0,1) and (1,0) on one side and (0,0), (1,1) on the other",
                "XOR needs more than four training points",
            ),
            answer=1,
            explanations=(
                "Any η gives the same story: only the scale of the weights changes.",
                "Right: each line misclassifies at least one point, so every epoch has a mistake.",
                "More points drawn from the same four corners do not help.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        eta = float(c.eta)
        x, y = separable_set(int(c.points), rng)
        w0 = np.array([rng.normal(0.0, 0.6), rng.normal(0.0, 0.6), 0.1])
        if ltu(w0, _aug(x)).mean() > 0.5 and (ltu(w0, _aug(x)) == y).mean() > 0.5:
            w0 = -w0  # start from a poor line, so there is something to learn
        updates, mistakes = train(x, y, w0, eta, MAX_EPOCHS, rng)
        yield from self._intro(x, y, w0)
        yield from self._training(x, y, updates, c.pace == "mistake", eta)
        final = updates[-1].after
        converged = mistakes[-1] == 0
        yield Step(
            "An epoch without mistakes" if converged else "Still learning",
            (
                f"In epoch {len(mistakes)} every one of the {len(x)} points was classified "
                f"correctly, after {sum(mistakes)} updates in all. The perceptron convergence "
                "theorem promises this: if some line separates the classes, the rule finds one "
                "in a finite number of updates. The line it stops at is just <i>a</i> "
                "separating line, not the one with the widest margin."
            )
            if converged
            else (
                f"After {MAX_EPOCHS} epochs there are still mistakes; with these points the "
                "rule needs more time (try a larger η or fewer points)."
            ),
            {
                "plane": P.plane(
                    [*P.points(x, y), P.boundary(final, "final line"), *P.normal_arrow(final)],
                    _region(final),
                ),
                "mistakes": _mistake_plot([("separable set", mistakes, 0)]),
                "numbers": P.weights_table(W_NAMES, [("start", w0), ("final", final)]),
            },
            figures={"epochs": len(mistakes), "updates": sum(mistakes),
                     "last_epoch_mistakes": mistakes[-1]},  # fmt: skip
        )
        yield from _layer(rng, eta)
        yield from _xor(int(c.xor_epochs), eta, rng, mistakes)
        yield Step(
            "Summary",
            "<ul><li>A linear threshold unit fires when a weighted sum plus a bias reaches "
            "zero: its boundary is a straight line.</li><li>The perceptron rule changes the "
            "weights only after a mistake, by the input times the error times η.</li><li>On "
            "separable data it stops after finitely many updates; a layer of LTUs learns "
            "several outputs at once.</li><li>No line separates XOR, so one layer never "
            "settles. A hidden layer solves it, but the rule cannot train hidden units: that "
            "needs gradients and smooth activations (lesson 2.4, chapter 3).</li></ul>",
            {},
        )

    def _intro(self, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Iterator[Step]:
        xs = _aug(x)
        z = float((Tensor(xs[0], dtype="float64") @ Tensor(w, dtype="float64")).item())
        y_hat = int(ltu(w, xs[:1])[0])
        wrong = int((ltu(w, xs) != y).sum())
        probe = Series("_probe", x[:1, 0], x[:1, 1], style="marker", color=4, size=12)
        yield Step(
            "A linear threshold unit",
            "Frank Rosenblatt's linear threshold unit (1957) gives each input a weight, adds a "
            "bias and fires when the sum is not negative: "
            "$$\\hat{y} = H(w_1 x_1 + w_2 x_2 + b)$$ "
            f"With the starting weights $w = {_vec(w[:2])}$, $b = {w[2]:.2f}$ the first point "
            f"$x = {_vec(x[0])}$ gives $z = {z:.3f}$, so $\\hat{{y}} = {y_hat}$ "
            f"(its class is {int(y[0])}). The unit splits the plane along the line $z = 0$; "
            f"the arrow $w$ points to the side where it fires. {wrong} of the {len(x)} points "
            "are on the wrong side.",
            {
                "plane": P.plane(
                    [*P.points(x, y), P.boundary(w, "line z = 0"), *P.normal_arrow(w), probe],
                    _region(w),
                ),
                "unit": P.network([np.array(w).reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]],
                                  [list(x[0]), [y_hat]]),  # fmt: skip
                "numbers": P.weights_table(W_NAMES, [("start", w)]),
                "mistakes": _mistake_plot([("separable set", [], 0)]),
            },
            figures={"start_mistakes": wrong},
        )
        yield Step(
            "The perceptron rule",
            "To learn, the perceptron looks at one training point at a time and compares its "
            "answer $\\hat{y}$ with the true class $y$: "
            "$$w \\leftarrow w + \\eta\\,(y - \\hat{y})\\,x$$ "
            "with $x$ extended by a 1 so that the bias learns too. A right answer changes "
            "nothing. A missed class-1 point adds $\\eta x$, turning the line towards it; "
            "a false alarm on a class-0 point subtracts $\\eta x$. Connections that should "
            "have fired together are strengthened, the old idea that cells that fire together "
            "wire together.",
            {},
        )

    def _training(
        self, x: np.ndarray, y: np.ndarray, updates: list[Update], only_mistakes: bool, eta: float
    ) -> Iterator[Step]:
        shown = 0
        checked = 0
        for k, u in enumerate(updates):
            checked += 1
            if only_mistakes and not u.mistake:
                continue
            if shown >= MAX_STEPS:
                break
            shown += 1
            pt = Series("this sample", u.x[:1], u.x[1:2], style="marker", color=4, size=13)
            lines = [P.boundary(u.after, "line after")]
            if u.mistake:
                lines.insert(0, P.boundary(u.before, "line before", color=5, style="dash"))
            err = u.y - u.y_hat
            verdict = (
                f"wrong: $y - \\hat{{y}} = {err:+d}$, so the weights change:"
                if u.mistake
                else "right, so nothing changes."
            )
            text = (
                f"Sample {u.index + 1} (epoch {u.epoch}): $x = {_vec(u.x[:2])}$, class $y = {u.y}$. "
                f"$z = w \\cdot x = {u.z:.3f}$ so $\\hat{{y}} = {u.y_hat}$: {verdict}"
            )
            if u.mistake:
                text += (
                    f" $$w \\leftarrow {_vec(u.before)} + {eta:.2f} \\cdot ({err:+d}) \\cdot "
                    f"{_vec(u.x)} = {_vec(u.after)}$$ The line turns and shifts so that this "
                    "point moves towards its own side."
                )
            if only_mistakes and checked > 1:
                text += f" (Samples checked since the last update: {checked}.)"
            checked = 0
            yield Step(
                f"Epoch {u.epoch}: " + ("a mistake" if u.mistake else "a right answer"),
                text,
                {
                    "plane": P.plane([*P.points(x, y), *lines, *P.normal_arrow(u.after), pt],
                                     _region(u.after)),  # fmt: skip
                    "unit": P.network([u.before.reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]],
                                      [list(u.x[:2]), [u.y_hat]]),  # fmt: skip
                    "mistakes": _mistake_plot([("separable set", _running(updates, k), 0)]),
                    "numbers": P.weights_table(
                        W_NAMES,
                        [("w before", u.before), ("x (with 1)", u.x),
                         ("η (y − ŷ) x", u.delta), ("w after", u.after)],
                    ),  # fmt: skip
                },
                figures={"z": u.z, "y_hat": u.y_hat, "delta_b": float(u.delta[2])},
            )
