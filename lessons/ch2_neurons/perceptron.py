"""Lesson 2.2: the linear threshold unit and the perceptron rule; a layer of LTUs; XOR's limit.

An LTU fires when its weighted sum reaches zero: y_hat = H(w . x + b).  The perceptron rule
w <- w + eta (y - y_hat) x is run one sample at a time on a separable set until an epoch passes
without a mistake, then on XOR, where it never settles.  Sums, steps and updates are Tensor
operations of the engine; the lesson only arranges them into steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from engine.core.tensor import Tensor
from lessons.core.base import (
    Annotation,
    Choice,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Series,
    Slider,
    Step,
    Table,
    Values,
)
from lessons.shared import plane as P
from lessons.shared.neurons import (
    MAX_EPOCHS,
    XOR_HIDDEN,
    XOR_OUT,
    XOR_X,
    XOR_Y,
    Update,
    augment,
    ltu,
    ltu_formula,
    mistakes_so_far,
    separable_set,
    train,
    train_layer,
    xor_network,
)

MAX_STEPS = 120  # training steps shown on the separable set, at most
W_NAMES = ("w₁", "w₂", "b")


def _vec(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{float(a):.2f}" for a in v) + ")"


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
        Slider(
            "points",
            "Points in the data set",
            minimum=6,
            maximum=40,
            default=16,
            step=1,
            integer=True,
        ),
        Choice(
            "pace",
            "One step per",
            options=("mistake", "sample"),
            default="mistake",
            help="Show every sample the rule looks at, or only the ones it gets wrong.",
        ),
        Slider(
            "xor_epochs", "Epochs on XOR", minimum=5, maximum=40, default=12, step=1, integer=True
        ),
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
        if (ltu(w0, augment(x)) == y).mean() > 0.5:
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
                    P.ltu_region(final),
                ),
                "mistakes": P.count_plot([("separable set", mistakes, 0)]),
                "numbers": P.weights_table(W_NAMES, [("start", w0), ("final", final)]),
                "unit": P.network([final.reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]]),
            },
            figures={
                "epochs": len(mistakes),
                "updates": sum(mistakes),
                "last_epoch_mistakes": mistakes[-1],
            },
        )
        yield from _layer(rng, eta)
        yield from _xor(int(c.xor_epochs), eta, rng, mistakes)
        yield Step(
            "Summary",
            "<ul><li>A linear threshold unit fires when a weighted sum plus a bias reaches "
            "zero: its boundary is a straight line.</li><li>The perceptron rule changes the "
            "weights only after a mistake, by η times the error times the input.</li><li>On "
            "separable data it stops after finitely many updates.</li><li>No line separates "
            "XOR. A hidden layer solves it, but training hidden units needs gradients and "
            "smooth activations (lesson 2.4, chapter 3).</li></ul>",
            {},
        )

    def _intro(self, x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Iterator[Step]:
        xs = augment(x)
        z = float((Tensor(xs[0], dtype="float64") @ Tensor(w, dtype="float64")).item())
        y_hat = int(ltu(w, xs[:1])[0])
        wrong = int((ltu(w, xs) != y).sum())
        probe = Series("_probe", x[:1, 0], x[:1, 1], style="marker", color=4, size=12)
        yield Step(
            "A linear threshold unit",
            "The linear threshold unit gives each input a real weight, adds a bias and fires "
            "when the sum is not negative: "
            "$$\\hat{y} = H(w_1 x_1 + w_2 x_2 + b)$$ "
            f"With the starting weights $w = {_vec(w[:2])}$, $b = {w[2]:.2f}$ the first point "
            f"$x = {_vec(x[0])}$ gives $z = {z:.3f}$, so $\\hat{{y}} = {y_hat}$ "
            f"(its class is {int(y[0])}). The line $z = 0$ splits the plane; the arrow $w$ "
            f"points to the side where the unit fires (orange). {wrong} of the {len(x)} points "
            "(circles: class 0, squares: class 1) are on the wrong side.",
            {
                "plane": P.plane(
                    [*P.points(x, y), P.boundary(w, "line z = 0"), *P.normal_arrow(w), probe],
                    P.ltu_region(w),
                ),
                "unit": P.network(
                    [np.array(w).reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]], [list(x[0]), [y_hat]]
                ),
                "numbers": P.weights_table(W_NAMES, [("start", w)]),
                "mistakes": replace(
                    P.count_plot([("separable set", [], 0)]),
                    annotations=(Annotation(3.0, 1.0, "no epoch yet", anchor=(0.5, 0.5)),),
                ),
            },
            figures={"start_mistakes": wrong},
            notes="A threshold unit is older than the perceptron: McCulloch and Pitts' 1943 "
            "neuron (lesson 2.1) already fired above a threshold. The linear threshold unit "
            "replaces its counted connections by real weights and a bias.",
        )
        yield Step(
            "The perceptron rule",
            "To learn, the perceptron looks at one training point at a time and compares its "
            "answer $\\hat{y}$ with the true class $y$: "
            "$$w \\leftarrow w + \\eta\\,(y - \\hat{y})\\,x$$ "
            "with $x$ extended by a 1 so that the bias learns too. A right answer changes "
            "nothing. A missed class-1 point adds $\\eta x$, turning the line towards it; "
            "a false alarm on a class-0 point subtracts $\\eta x$. Rosenblatt's perceptron "
            "(1957/58) learns with this rule.",
            {},
            notes="The rule is error-driven: it uses the target $y$ and changes nothing after a "
            "right answer. That sets it apart from Hebb's rule (1949, 'cells that fire "
            "together wire together'), which strengthens a connection whenever the cells on "
            "both sides are active together, with no target and no error: unsupervised. The "
            "perceptron rule is often described as reinforcing the weights that lead to "
            "correct behaviour, but its trigger is the mistake, not the joint firing.",
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
            pt = Series("_this sample", u.x[:1], u.x[1:2], style="marker", color=4, size=13)
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
                f"Sample {u.index + 1} (epoch {u.epoch}): $x = {_vec(u.x[:2])}$, "
                f"class $y = {u.y}$. "
                f"$z = w \\cdot x = {u.z:.3f}$ so $\\hat{{y}} = {u.y_hat}$: {verdict}"
            )
            if u.mistake:
                text += (
                    " $$w \\leftarrow w + \\eta\\,(y - \\hat{y})\\,x$$ "
                    f"$$= w + {eta:.2f} \\cdot ({err:+d}) \\cdot x$$ "
                    f"which moves $w$ from ${_vec(u.before)}$ to ${_vec(u.after)}$. "
                )
                if P.misses_box(u.after):
                    fires = bool(ltu(u.after, np.array([[0.0, 0.0, 1.0]]))[0])
                    text += "It overshoots: the new line lies outside the square, " + (
                        "so the unit fires for every point in it."
                        if fires
                        else "so no point in it makes the unit fire."
                    )
                else:
                    text += "The line turns and shifts so that this point moves towards its side."
            if only_mistakes and checked > 1:
                text += f" (Samples checked since the last update: {checked}.)"
            checked = 0
            yield Step(
                f"Epoch {u.epoch}: " + ("a mistake" if u.mistake else "a right answer"),
                text,
                {
                    "plane": P.plane(
                        [*P.points(x, y), *lines, *P.normal_arrow(u.after), pt],
                        P.ltu_region(u.after),
                    ),
                    "unit": P.network(
                        [u.before.reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]], [list(u.x[:2]), [u.y_hat]]
                    ),
                    "mistakes": P.count_plot([("separable set", mistakes_so_far(updates, k), 0)]),
                    "numbers": P.weights_table(
                        W_NAMES,
                        [
                            ("w before", u.before),
                            ("x (with 1)", u.x),
                            ("η (y − ŷ) x", u.delta),
                            ("w after", u.after),
                        ],
                    ),
                },
                figures={"z": u.z, "y_hat": u.y_hat, "delta_b": float(u.delta[2])},
            )


def _layer(rng: np.random.Generator, eta: float) -> Iterator[Step]:
    """Three LTUs side by side learn one class each (one against the rest) with the same rule."""
    x, y, w, mistakes = train_layer(rng, eta)
    xs = augment(x)
    outputs = ltu(w, xs)
    lines = [P.boundary(w[:, k], f"_unit {k + 1}", color=k) for k in range(3)]
    yield Step(
        "A layer of LTUs",
        "Rosenblatt's perceptron is a <b>layer</b> of threshold units that all see the same "
        "inputs, one unit per output. Here three units each learn to fire for one of three "
        "classes (circles, squares, triangles). The rule is the same, applied to every unit "
        "at once with a weight matrix: "
        "$$W \\leftarrow W + \\eta\\, x^\\top (y - \\hat{y})$$ "
        f"After {len(mistakes)} epochs and {sum(mistakes)} corrections each point makes exactly "
        "its own unit fire"
        + (" (all outputs right)." if mistakes[-1] == 0 else " for most points.")
        + " Each unit still draws one straight line, drawn in its class's colour.",
        {
            "plane": P.plane([*P.points(x, y), *lines], notes=P.line_labels(w, "unit")),
            "unit": P.network(
                [w], [["x₁", "x₂"], ["ŷ₁", "ŷ₂", "ŷ₃"]], [list(x[0]), list(outputs[0])]
            ),
            "numbers": P.weights_table(W_NAMES, [(f"unit {k + 1}", w[:, k]) for k in range(3)]),
            "mistakes": P.count_plot([("layer of 3 LTUs", mistakes, 2)]),
        },
        figures={"layer_epochs": len(mistakes), "layer_last_mistakes": mistakes[-1]},
    )


def _epochs(numbers: list[int]) -> str:
    """The epochs in words: epoch 7, epochs 7 and 10, epochs 7, 10 and 11."""
    if len(numbers) == 1:
        return f"epoch {numbers[0]}"
    return "epochs " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _xor(epochs: int, eta: float, rng: np.random.Generator, earlier: list[int]) -> Iterator[Step]:
    """The rule on XOR: every epoch has a mistake; then a hidden layer that solves it."""
    x, y = XOR_X, XOR_Y
    w0 = np.array([0.3, -0.2, 0.0])
    updates, _ = train(x, y, w0, eta, epochs, rng)
    per_epoch = [sum(u.mistake for u in updates if u.epoch == e) for e in range(1, epochs + 1)]
    ends = [next(u.after for u in reversed(updates) if u.epoch == e) for e in range(1, epochs + 1)]
    first = ends[0]
    answers = ltu(first, augment(x))
    frame = augment(np.array([[a, b] for a in (-P.BOX, P.BOX) for b in (-P.BOX, P.BOX)]))
    off_drawing = len(set(ltu(first, frame).tolist())) == 1  # the square is one region
    outside = (
        f" All four get class {int(answers[0])}: the line does not pass between any two of "
        "them" + (", and it lies outside the square drawn." if off_drawing else ".")
        if np.all(answers == answers[0])
        else ""
    )
    yield Step(
        "XOR: four points, no line",
        "XOR fires when exactly one input is on: the corners $(0, 1)$ and $(1, 0)$ are class 1, "
        "$(0, 0)$ and $(1, 1)$ class 0 (drawn centred on the origin). No straight line has "
        "both squares on one side and both circles on the other. "
        f"In its first epoch the rule made {per_epoch[0]} mistakes, and its weights now "
        f"leave {int((answers != y).sum())} of the 4 corners on the wrong side.{outside}",
        {
            "plane": P.plane(
                [*P.points(x, y), P.boundary(first, "line after epoch 1")], P.ltu_region(first)
            ),
            "unit": P.network([first.reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]]),
            "numbers": P.weights_table(W_NAMES, [("after epoch 1", first)]),
            "mistakes": P.count_plot([("separable set", earlier, 0), ("XOR", per_epoch[:1], 3)]),
        },
        notes="Minsky and Papert's book Perceptrons (1969) made this limit of a single layer "
        "famous.",
    )
    # The table lists the last few epochs; a dashed line is drawn for each earlier one of them
    # whose line crosses the square and is not the current line, and the text names them all.
    window = list(enumerate(ends, 1))[-6:]
    last = ends[-1]
    same = [e for e, w in window[:-1] if np.allclose(w, last)]
    off = [e for e, w in window[:-1] if e not in same and P.misses_box(w)]
    drawn = {tuple(w): w for e, w in window[:-1] if e not in same and e not in off}
    drawn_epochs = [e for e, w in window[:-1] if tuple(w) in drawn]
    recent = [
        P.boundary(w, "earlier lines" if k == 0 else "_earlier", color=5, style="dash")
        for k, w in enumerate(drawn.values())
    ]
    where = (
        f"The dashed lines are where it stood after {_epochs(drawn_epochs)}"
        if drawn_epochs
        else "None of the last epochs left a line of its own in the square"
    )
    if off:
        where += f"; after {_epochs(off)} the line lay outside the square"
    if same:
        where += (
            f"; after {_epochs(same)} the weights were exactly the ones it has now, so it "
            "goes round in a cycle"
        )
    yield Step(
        "The rule never settles",
        f"Run for {epochs} epochs, the rule makes between {min(per_epoch)} and "
        f"{max(per_epoch)} mistakes in every epoch: it never has an epoch without one, so it "
        f"never stops. {where}. Each line gets some corner wrong. The table lists the "
        f"weights after each of the last {len(window)} epochs.",
        {
            "plane": P.plane(
                [*P.points(x, y), *recent, P.boundary(last, "line now")], P.ltu_region(last)
            ),
            "unit": P.network([last.reshape(3, 1)], [["x₁", "x₂"], ["ŷ"]]),
            "numbers": P.weights_table(W_NAMES, [(f"after epoch {e}", w) for e, w in window]),
            "mistakes": P.count_plot([("separable set", earlier, 0), ("XOR", per_epoch, 3)]),
        },
        figures={"xor_min_mistakes": min(per_epoch), "xor_epochs": epochs},
    )
    h, y_hat = xor_network(x)
    yield Step(
        "A hidden layer solves XOR",
        "Put two units in between. With the corners drawn at $\\pm 0.5$ (bits 00 at "
        "$(-0.5, -0.5)$, 11 at $(0.5, 0.5)$), one computes OR, "
        f"$h_1 = {ltu_formula(XOR_HIDDEN[:, 0], ('x_1', 'x_2'))}$, the other NAND, "
        f"$h_2 = {ltu_formula(XOR_HIDDEN[:, 1], ('x_1', 'x_2'))}$; the output unit "
        f"${ltu_formula(XOR_OUT[:, 0], ('h_1', 'h_2'))}$ fires when both do, "
        "which is exactly XOR. Each hidden unit still draws a straight line, "
        "but together they cut out a band holding both class-1 corners (the table checks "
        "all four, on the same inputs). The weights are set by hand.",
        P.xor_network_panels(x, y, h, y_hat),
        figures={"xor_solved": float(np.all(y_hat == y))},
        notes="The weights here are set by hand: the perceptron rule has no target for a "
        "hidden unit, and the step gives no gradient. Training hidden layers needs smooth "
        "activations and backpropagation. With inputs coded 0/1 instead, the same units need "
        "biases -0.5 (OR) and 1.5 (NAND).",
    )


if __name__ == "__main__":
    from lessons.shared.cli import main

    raise SystemExit(main(Perceptron))
