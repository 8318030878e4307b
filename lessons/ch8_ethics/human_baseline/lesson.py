"""Lesson 8.3: is it really better than a human?

The model is lesson 5.1's MLP with its default settings, retrained from the same seed
(:mod:`.model`).  Five steps: its test accuracy with a 95 % interval against a published human
figure and what that figure was measured on; how the interval depends on the number of test
digits (Wilson against a bootstrap); you against the model on the same nine digits, with
McNemar's test; the same model on rotated and noisy digits; four sentences a report might print,
each judged by these numbers.  Every figure is computed from the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch8_ethics.human_baseline import duel
from lessons.ch8_ethics.human_baseline import model as m
from lessons.ch8_ethics.human_baseline import texts as tx
from lessons.ch8_ethics.human_baseline import views as vw
from lessons.core.base import (
    ImageGrid,
    Lesson,
    Plot,
    Slider,
    Step,
    Table,
    Task,
    Values,
    Vector,
)
from lessons.shared import colors
from lessons.shared.mnist import digits

SIZES = np.array([50, 100, 200, 300, 500, 750, 1000])


class HumanBaseline(Lesson):
    """A model's accuracy with its interval against people: same data, enough data, shifts."""

    id = "human_baseline"
    chapter = 8
    number = "8.3"
    title = "Better than a human?"
    summary = (
        "Lesson 5.1's digit reader gets about 9 in 10 of MNIST's test digits right. Is that better "
        "than a person? Its accuracy with a 95 % interval against a published human figure "
        "(and what that was measured on), you against the model on the same nine digits, the "
        "model on tilted and noisy digits, and which sentences about it the numbers support."
    )
    seed = 5  # lesson 5.1's seed: the first draw gives 5.1's model
    controls = (
        Slider(
            "test_size",
            "Test digits scored",
            50,
            1000,
            default=1000,
            step=50,
            integer=True,
            help="How many test digits the model's accuracy is measured on (step 2).",
        ),
        Slider(
            "digit_set",
            "Digit set",
            1,
            10,
            default=1,
            integer=True,
            help="Which nine test digits you read against the model (step 3).",
        ),
        Vector(
            "answers",
            "Your answers",
            default=(float(duel.UNANSWERED),) * m.PANEL,
            minimum=-1.0,
            maximum=9.0,
            labels=tuple(str(i + 1) for i in range(m.PANEL)),
            min_length=m.PANEL,
            max_length=m.PANEL,
            integer=True,
            help="The digit you read in each image, left to right, top to bottom; −1 = none.",
        ),
        Slider(
            "angle",
            "Rotation (degrees)",
            0,
            60,
            default=20,
            step=5,
            integer=True,
            help="Rotate every test digit by this angle (step 4).",
        ),
        Slider(
            "noise",
            "Pixel noise σ",
            0.0,
            0.5,
            default=0.0,
            step=0.05,
            help="Add Gaussian noise of this standard deviation to every pixel (step 4).",
        ),
    )
    panels = (
        ImageGrid("digits", "Test digits", columns=3, stretch=2),
        Plot(
            "plot", "Accuracy with its 95 % interval", x_label="", y_label="accuracy (%)", stretch=3
        ),
        Table("table", "The numbers", stretch=2),
    )
    layout = (2, 1)
    quiz = tx.QUIZ
    task = Task("duel", tx.TASK_PROMPT)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        seed = int(rng.integers(2**31))  # the draw lesson 5.1 makes first: its model
        model, data = m.trained(seed), digits()
        correct, n_all = model.correct, len(data.y_test)
        acc = float(correct.mean())
        lo, hi = m.wilson(int(correct.sum()), n_all)
        pred = model.probs.argmax(axis=1)
        sample = np.arange(m.PANEL)
        yield Step(
            f"{round(100 * acc)} in 100 right: better than a person?",
            tx.claim_text(acc, n_all, lo, hi, model.epoch),
            {
                "digits": vw.grid(
                    data.x_test[sample],
                    [
                        f"{p}" + ("" if p == t else f" (is {t})")
                        for p, t in zip(pred[sample], data.y_test[sample], strict=True)
                    ],
                ),
                "plot": vw.readers(
                    [
                        ("model (MNIST test)", acc, (lo, hi), colors.MODEL),
                        ("people (USPS)", m.HUMAN.accuracy, None, colors.BASELINE),
                    ]
                ),
                "table": vw.table(
                    ("reader", "digits", "scored", "accuracy", "95 % interval"),
                    (
                        ("the model", "MNIST test", n_all, vw.pct(acc), vw.interval(lo, hi)),
                        (
                            "people (2007 study)",
                            "USPS",
                            "not given",
                            vw.pct(m.HUMAN.accuracy),
                            "not given",
                        ),
                    ),
                ),
            },
            figures={
                "accuracy": acc,
                "low": lo,
                "high": hi,
                "human": m.HUMAN.accuracy,
                "epoch": float(model.epoch),
            },
            notes=tx.CLAIM_NOTES,
            titles={
                "digits": "Test digits: the model's answers",
                "plot": "The model against the human figure",
            },
        )

        n = int(c.test_size)
        bounds = [m.wilson(int(correct[:k].sum()), int(k)) for k in SIZES]
        accs = np.array([float(correct[:k].mean()) for k in SIZES])
        hits = int(correct[:n].sum())
        lo_n, hi_n = m.wilson(hits, n)
        boot = m.bootstrap(correct[:n], 2000, seed)
        b_lo, b_hi = (float(q) for q in np.quantile(boot, [0.025, 0.975]))
        width = {int(k): hi_ - lo_ for k, (lo_, hi_) in zip(SIZES, bounds, strict=True)}
        rows = [
            (
                int(k),
                int(correct[:k].sum()),
                vw.pct(a),
                vw.interval(*bd),
                f"{100 * (bd[1] - bd[0]):.1f}",
            )
            for k, a, bd in zip(SIZES, accs, bounds, strict=True)
        ]
        rows.append(
            (
                n,
                hits,
                vw.pct(hits / n),
                f"bootstrap {vw.interval(b_lo, b_hi)}",
                f"{100 * (b_hi - b_lo):.1f}",
            )
        )
        chosen = [i for i, k in enumerate(SIZES) if k == n] + [len(rows) - 1]
        yield Step(
            "How sure is that number?",
            tx.size_text(n, hits / n, lo_n, hi_n, (b_lo, b_hi), width[50], width[200]),
            {
                "plot": vw.widths(SIZES, accs, bounds, n),
                "table": vw.table(
                    ("digits", "right", "accuracy", "95 % interval", "width (points)"), rows, chosen
                ),
            },
            figures={
                "n": float(n),
                "accuracy_n": hits / n,
                "low_n": lo_n,
                "high_n": hi_n,
                "boot_low": b_lo,
                "boot_high": b_hi,
            },
            notes=tx.SIZE_NOTES,
            titles={
                "plot": "The interval narrows as more digits are scored",
                "table": "Accuracy on the first n test digits",
            },
        )

        yield duel.duel(c, model)
        duel_task = duel.task(c, model)

        angle, noise = float(c.angle), float(c.noise)
        clean_curve = m.shift_curve(seed, 0.0)
        noisy_curve = m.shift_curve(seed, noise) if noise else None
        moved = m.shifted(data.x_test, angle, noise, 7)
        moved_pred = model.predict(moved).argmax(axis=1)
        now = float(np.mean(moved_pred == data.y_test))
        s_lo, s_hi = m.wilson(int(np.sum(moved_pred == data.y_test)), n_all)
        below = np.flatnonzero(clean_curve < 0.8)
        fall_at = float(m.SHIFT_ANGLES[below[0]]) if len(below) else None
        show = np.arange(3)
        images = np.concatenate([data.x_test[show], moved[show]])
        captions = [f"upright: {p}" for p in pred[show]] + [
            f"{angle:g}°: {p}" for p in moved_pred[show]
        ]
        yield Step(
            "The same model on tilted, noisy digits",
            tx.shift_text(angle, noise, acc, now, s_lo, s_hi, fall_at),
            {
                "digits": vw.grid(
                    images, captions, [3 + i for i in range(3) if moved_pred[i] != data.y_test[i]]
                ),
                "plot": vw.shift_plot(clean_curve, noisy_curve, angle, noise, now),
                "table": vw.table(
                    ("test digits", "accuracy", "95 % interval"),
                    (
                        ("upright, clean", vw.pct(acc), vw.interval(lo, hi)),
                        (
                            f"rotated {angle:g}°" + (f", σ = {noise:g}" if noise else ""),
                            vw.pct(now),
                            vw.interval(s_lo, s_hi),
                        ),
                    ),
                    (1,),
                ),
            },
            figures={
                "shifted_accuracy": now,
                "shifted_low": s_lo,
                "shifted_high": s_hi,
                "angle": angle,
                "noise": noise,
            },
            notes=tx.SHIFT_NOTES,
            titles={
                "digits": "Top: upright; bottom: as the slider moves them (framed: now wrong)",
                "plot": "Test accuracy as the digits are rotated",
                "table": "Upright against shifted",
            },
            task=duel_task,
        )

        claims = tx.claims(n_all, acc, lo, hi, angle, noise, now)
        supported = sum(verdict in ("supported", "holds here too") for _, verdict, _ in claims)
        yield Step(
            "Writing the claim",
            tx.wording_text(supported, claims[3][1] == "too broad", now, angle),
            {
                "plot": vw.readers(
                    [
                        ("model, upright", acc, (lo, hi), colors.MODEL),
                        (f"model, {angle:g}°", now, (s_lo, s_hi), colors.MODEL),
                        ("people (USPS)", m.HUMAN.accuracy, None, colors.BASELINE),
                    ]
                ),
                "table": vw.table(
                    ("sentence", "verdict", "decided by"),
                    claims,
                    [
                        i
                        for i, (_, verdict, _) in enumerate(claims)
                        if verdict in ("supported", "holds here too")
                    ],
                ),
            },
            figures={"supported": float(supported)},
            notes=tx.WORDING_NOTES,
            titles={
                "table": "Four sentences, judged by the numbers",
                "plot": "The figures the sentences rest on",
            },
            task=duel_task,
        )
