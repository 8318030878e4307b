"""Lesson 6.3: a CNN on MNIST, trained live beside an MLP, then with on-the-fly augmentation.

A live lesson.  Step 1 shows the engine's CNN before training.  Then each step trains the CNN
and an MLP on the same 250 images in the same batches (Adam) and shows the curves, the
comparison table (test accuracy, parameters, FLOPs, measured time), every feature map of a
chosen test digit, the learned filters and a linked strip: click a conv or pool pixel and its
receptive field lights up in the input.  After a result step, two identical CNNs train on a
few hundred digits, one on the originals and one on the augmenting loader's output (seeded
shifts and rotations, shown batch by batch); the last step gives the measured verdict.

The digit, the feature map and the clicked pixel are view controls (``Effect.VIEW``): the newest
step is redrawn for them at once with the CNN of that step, without training (``redraw``), and
the steps after it read them.  Back shows the exact earlier steps (an older step keeps its view).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np

from engine.core.events import DivergenceError
from lessons.ch6_convnets.mnist_cnn import model as m
from lessons.ch6_convnets.mnist_cnn import texts as tx
from lessons.ch6_convnets.mnist_cnn import views as v
from lessons.core.base import (
    Bars,
    Choice,
    Code,
    Effect,
    ImageGrid,
    Lesson,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    Values,
    Vector,
)
from lessons.core.userdata import NO_IMPORTS, ImportedSets
from lessons.shared import colors
from lessons.shared.code import model_code

CNN_COLOR, MLP_COLOR = colors.MODEL, colors.COMPARISON


class MnistCnn(Lesson):
    """Train a small CNN on MNIST live, look inside it, compare it with an MLP, augment."""

    id = "mnist_cnn"
    chapter = 6
    number = "6.3"
    title = "A CNN on MNIST"
    summary = (
        "A small convolutional network (Conv2D, MaxPool, Dropout, Flatten, Dense, Dropout, "
        "softmax) learns MNIST live beside an MLP trained the same way. See every feature map "
        "of a digit you choose, click a pixel to see its receptive field, watch the filters "
        "learn, compare accuracy, parameters, FLOPs and time, then train on a few hundred "
        "digits with and without on-the-fly augmentation."
    )
    live = True
    seed = 6
    controls = (
        Choice(
            "train_images",
            "Training images",
            options=("500", "1000", "2000"),
            default="2000",
            help="How many MNIST training digits both networks learn from (restarts).",
        ),
        Slider("epochs", "Epochs", 1, 8, default=4, integer=True, help="Passes (restarts)."),
        Slider(
            "rate",
            "Learning rate (Adam)",
            0.0001,
            1.0,
            default=0.003,
            log=True,
            help="Adam's step size for every network (restarts).",
        ),
        Slider(
            "digit",
            "Digit (test image #)",
            0,
            999,
            default=0,
            integer=True,
            effect=Effect.VIEW,
            help="Which test image the maps show (shown at once).",
        ),
        Slider(
            "channel",
            "Feature map in the strip",
            1,
            m.FILTERS,
            default=1,
            integer=True,
            effect=Effect.VIEW,
            help="Which filter's map the strip shows (shown at once).",
        ),
        Vector(
            "pick",
            "Pixel (click a conv or pool map)",
            default=(-1.0, 1.0),
            minimum=-1000.0,
            maximum=1000.0,
            min_length=2,
            max_length=2,
            effect=Effect.VIEW,
            help="Set by a click on the strip; elsewhere: the strongest pooled pixel.",
        ),
        Slider(
            "aug_images",
            "Augmentation: training images",
            100,
            400,
            default=300,
            step=100,
            integer=True,
            help="The small training set of the augmentation experiment (restarts).",
        ),
        Slider(
            "aug_epochs", "Augmentation: epochs", 2, 24, default=16, integer=True, help="Restarts."
        ),
        Slider("shift", "Largest shift (px)", 0, 3, default=1, integer=True, help="Restarts."),
        Slider("degrees", "Largest rotation (°)", 0, 30, default=10, step=1, help="Restarts."),
    )
    panels = (
        Plot(
            "strip",
            "One digit through every layer (click a map pixel)",
            aspect_locked=True,
            legend=False,
            pick="pick",
            pick_point=True,
            stretch=3,
        ),
        ImageGrid("maps", "Feature maps: conv (rows 1-2), pooled (rows 3-4)", columns=4, stretch=3),
        ImageGrid("filters", "Learned 3×3 filters", columns=4, colormap="diverging", stretch=2),
        Plot("curves", "Accuracy", x_label="epoch", y_label="accuracy", stretch=3),
        Table("table", "The network", stretch=3),
        Bars(
            "probs",
            "Softmax for the digit",
            y_label="probability (%)",
            value_format="{:.0f}",
            stretch=2,
        ),
    )
    layout = (3, 3)
    quiz = tx.QUIZ

    def __init__(self, imports: ImportedSets = NO_IMPORTS) -> None:
        super().__init__(imports)
        # The newest step as a function of the control values: what ``redraw`` shows.
        self._code: Callable[[Values], Code] | None = None  # the CNN of this run as code

    def _show(
        self, c: Values, step: Step, view: Callable[[Values], dict[str, PanelData]] | None = None
    ) -> Step:
        """``step`` with ``view``'s panels for the values ``c``; every step is yielded through
        here, so ``redraw`` recomputes the view panels of the step the generator waits at."""
        if self._code is not None:  # every step carries the CNN as code
            step = replace(step, code=self._code(c))
        return self.show_panels(c, step, view)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seed = int(rng.integers(2**16))
        data = m.mnist()
        n = int(c.train_images)
        x, y = m.training_subset(n, seed)
        rate = float(c.rate)
        cnn = m.Trained("CNN", m.cnn(seed))
        mlp = m.Trained("MLP", m.mlp(seed))
        for run in (cnn, mlp):
            m.compile_adam(run.model, rate)
        self._code = lambda cv: model_code(cnn.model, int(cv.epochs), m.BATCH)
        order = np.random.default_rng([seed, 1])
        for run in (cnn, mlp):
            _start(run, x, y)

        def look(cv: Values) -> dict[str, PanelData]:
            """The CNN's strip, maps, filters and softmax bars for the chosen digit and pixel."""
            index = int(cv.digit)
            image = data.x_test[index]
            outs = m.layer_outputs(cnn.model, image)
            conv, pool, dense, probs = outs[0], outs[1], outs[4], outs[6]
            k = int(cv.channel) - 1
            hit = v.locate(tuple(cv.pick))
            if hit is None:
                r, col = np.unravel_index(int(np.argmax(pool[k])), pool[k].shape)
                hit = ("pool", int(r), int(col))
            kernel = cnn.model.layers[0].params[0].data
            return {
                "strip": v.strip(image[0], conv[k], pool[k], dense, hit),
                "maps": v.maps_grid(conv, pool, k),
                "filters": v.filters_grid(np.asarray(kernel), k),
                "probs": v.softmax_bars(probs, int(data.y_test[index])),
            }

        yield self._show(
            c,
            Step(
                "The network, untrained",
                tx.INTRO.format(
                    f=m.FILTERS,
                    k=m.KERNEL,
                    c=m.CONV_SIDE,
                    p=m.POOL_SIDE,
                    flat=m.FILTERS * m.POOL_SIDE**2,
                    h=m.HIDDEN,
                    cnn=m.cnn_params(),
                    conv=m.FILTERS * (m.KERNEL**2 + 1),
                ),
                {
                    "table": v.architecture(cnn.model),
                    "curves": v.curves([(cnn, CNN_COLOR), (mlp, MLP_COLOR)], float(c.epochs)),
                },
                notes=tx.INTRO_NOTES,
                titles={"table": "The CNN, layer by layer"},
            ),
            look,
        )

        pairs = [(cnn, CNN_COLOR), (mlp, MLP_COLOR)]
        chunks = math.ceil(n / m.CHUNK)
        total = int(c.epochs) * chunks
        perm = order.permutation(n)
        for s in range(total):
            if s % chunks == 0:
                perm = order.permutation(n)
            part = perm[(s % chunks) * m.CHUNK : (s % chunks + 1) * m.CHUNK]
            try:
                hits = [self._chunk(run, x, y, part) for run in (cnn, mlp)]
            except (FloatingPointError, DivergenceError):
                yield self._show(
                    c, Step("Training diverged", tx.diverged("networks"), stop=True, last=True)
                )
                return
            epoch = round((s + 1) / chunks, 2)
            for run, acc in zip((cnn, mlp), hits, strict=True):
                run.epochs.append(epoch)
                run.train_acc.append(acc)
                run.test_acc.append(m.accuracy(run.model, data.x_test, data.y_test))
            yield self._show(
                c,
                Step(
                    f"CNN and MLP: epoch {epoch:g}",
                    tx.training(
                        epoch, cnn.test_acc[-1], mlp.test_acc[-1], (cnn.seconds, mlp.seconds)
                    ),
                    {
                        "curves": v.curves(pairs, float(c.epochs)),
                        "table": self._table(cnn, mlp, epoch),
                    },
                    figures={
                        "epoch": epoch,
                        "cnn_test": cnn.test_acc[-1],
                        "mlp_test": mlp.test_acc[-1],
                    },
                    notes=tx.TRAINING_NOTES,
                    titles={
                        "table": "CNN against MLP (same data, same batches)",
                        "curves": "Accuracy",
                    },
                ),
                look,
            )

        margin = m.difference_margin(cnn.test_acc[-1], mlp.test_acc[-1], len(data.y_test))
        chance = any(m.at_chance(r.test_acc[-1], len(data.y_test)) for r in (cnn, mlp))
        yield self._show(
            c,
            Step(
                "What the CNN learned",
                tx.result(cnn.test_acc[-1], mlp.test_acc[-1], margin, chance),
                {"table": self._table(cnn, mlp, float(c.epochs))},
                figures={
                    "cnn_test": cnn.test_acc[-1],
                    "mlp_test": mlp.test_acc[-1],
                    "margin": margin,
                },
                notes=tx.RESULT_NOTES,
            ),
            look,
        )

        def inside(cv: Values) -> dict[str, PanelData]:
            return {key: d for key, d in look(cv).items() if key != "maps"}

        yield from self._augmentation(c, seed, inside)

    @staticmethod
    def _chunk(run: m.Trained, x: np.ndarray, y: np.ndarray, part: np.ndarray) -> float:
        """Train ``run`` on the images ``part`` in batches; the running training accuracy."""
        right = 0.0
        for i in range(0, len(part), m.BATCH):
            batch = part[i : i + m.BATCH]
            right += run.train(x[batch], y[batch]) * len(batch)
        return right / len(part)

    @staticmethod
    def _table(cnn: m.Trained, mlp: m.Trained, epoch: float) -> PanelData:
        return v.comparison(
            [(cnn, m.cnn_params(), m.cnn_flops()), (mlp, m.mlp_params(), m.mlp_flops())], epoch
        )

    def _augmentation(
        self, c: Values, seed: int, inside: Callable[[Values], dict[str, PanelData]]
    ) -> Iterator[Step]:
        """The plain and the augmented CNN on a few hundred digits; ``inside`` is the main
        CNN's strip, filters and softmax for the chosen digit and pixel."""
        data = m.mnist()
        n, total = int(c.aug_images), int(c.aug_epochs)
        shift, degrees = int(c.shift), float(c.degrees)
        x, y = m.training_subset(n, seed + 1)
        plain = m.Trained("plain", m.cnn(seed))
        aug = m.Trained("augmented", m.cnn(seed))
        for run in (plain, aug):
            m.compile_adam(run.model, float(c.rate))
        loader = np.random.default_rng([seed, 2])
        order = np.random.default_rng([seed, 3])
        pairs = [(plain, CNN_COLOR), (aug, MLP_COLOR)]
        for run in (plain, aug):
            _start(run, x, y)
        first = m.augment(x[: m.BATCH], np.random.default_rng([seed, 4]), shift, degrees)
        yield self._show(
            c,
            Step(
                "An augmenting loader",
                tx.LOADER.format(s=shift, d=f"{degrees:g}", n=n),
                {
                    "maps": v.batch_grid(x[: m.BATCH], first),
                    "curves": v.curves(pairs, float(total)),
                    "table": self._aug_table(plain, aug, 0),
                },
                notes=tx.LOADER_NOTES,
                titles={
                    "maps": "The loader's batch: original (top), augmented (below)",
                    "curves": f"Accuracy, {n} training images",
                    "table": "Plain against augmented",
                    "strip": "The CNN trained above (click a map pixel)",
                },
            ),
            inside,
        )
        for e in range(1, total + 1):
            perm = order.permutation(n)
            made: m.Augmented | None = None
            right = [0.0, 0.0]
            try:
                for i in range(0, n, m.BATCH):
                    b = perm[i : i + m.BATCH]
                    made = m.augment(x[b], loader, shift, degrees)
                    right[0] += plain.train(x[b], y[b]) * len(b)
                    right[1] += aug.train(made.images, y[b]) * len(b)
            except (FloatingPointError, DivergenceError):
                yield self._show(
                    c, Step("Training diverged", tx.diverged("CNN"), stop=True, last=True)
                )
                return
            for run, hit in zip((plain, aug), right, strict=True):
                run.epochs.append(float(e))
                run.train_acc.append(hit / n)
                run.test_acc.append(m.accuracy(run.model, data.x_test, data.y_test))
            data_view: dict[str, PanelData] = {
                "curves": v.curves(pairs, float(total)),
                "table": self._aug_table(plain, aug, e),
            }
            if made is not None:
                data_view["maps"] = v.batch_grid(x[b], made)
            pa, aa = plain.test_acc[-1], aug.test_acc[-1]
            draw = ""
            if made is not None:
                dy, dx = (int(d) for d in made.shifts[0])
                draw = tx.draw_text(dy, dx, float(made.angles[0]))
            figures = {"epoch": float(e), "plain_test": pa, "aug_test": aa}
            if e < total:
                yield self._show(
                    c,
                    Step(
                        f"Augmentation: epoch {e} of {total}",
                        tx.augmenting(e, total, pa, aa, draw),
                        data_view,
                        figures=figures,
                    ),
                    inside,
                )
                continue
            margin = m.difference_margin(pa, aa, len(data.y_test))
            chance = any(m.at_chance(a, len(data.y_test)) for a in (pa, aa))
            yield self._show(
                c,
                Step(
                    "Does augmentation help?",
                    tx.aug_verdict(pa, aa, margin, n, chance),
                    data_view,
                    figures={**figures, "margin": margin},
                    notes=tx.VERDICT_NOTES,
                    last=True,
                ),
                inside,
            )

    @staticmethod
    def _aug_table(plain: m.Trained, aug: m.Trained, epoch: int) -> PanelData:
        flops = m.cnn_flops()
        return v.comparison([(plain, m.cnn_params(), flops), (aug, m.cnn_params(), flops)], epoch)


def _start(run: m.Trained, x: np.ndarray, y: np.ndarray) -> None:
    """Record the untrained network's accuracy (training images and test set) at epoch 0."""
    data = m.mnist()
    run.epochs.append(0.0)
    run.train_acc.append(m.accuracy(run.model, x, y))
    run.test_acc.append(m.accuracy(run.model, data.x_test, data.y_test))
