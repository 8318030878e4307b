"""Lesson 8.4: unintended applications: adversarial examples on 5.1's MNIST model, dual use.

The MLP of lesson 5.1 is retrained with the same seed and defaults (cached once per process,
:mod:`.model`).  The learner sees the gradient of the loss with respect to the input pixels,
computed by the engine's backward pass; a fast-gradient-sign step of size epsilon that flips the
answer while the digit still looks the same; this digit's answer for every epsilon; random
signs of the same size, which do little; and the success rate over all test digits.  Four
dual-use case studies with discussion questions follow.  The task: find the smallest epsilon
that flips the chosen digit.  Both controls restart the (cheap, cached) run in place.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch8_ethics.adversarial import texts, views
from lessons.ch8_ethics.adversarial.cases import CASES
from lessons.ch8_ethics.adversarial.model import (
    FINE,
    attacked_test_set,
    fgsm,
    scan,
    sweep,
    trained,
)
from lessons.core.base import (
    Bars,
    ImageGrid,
    Lesson,
    Plot,
    Slider,
    Step,
    Task,
    TaskResult,
    Text,
    Values,
)
from lessons.core.panels import PanelData, TextData
from lessons.shared.mnist import digits, scores

TEST_DIGITS = 1000  # the shipped subset's test digits (the slider's top)
SHOWN_EPS = (0.05, 0.1, 0.2, 0.3)  # the test-set rates listed beside the curve


class Adversarial(Lesson):
    """Fool 5.1's MNIST model with a gradient-sign perturbation; dual-use case studies."""

    id = "adversarial"
    chapter = 8
    number = "8.4"
    title = "Unintended applications"
    summary = (
        "Lesson 5.1's MNIST network, retrained with the same seed, is attacked: the gradient "
        "of its loss with respect to the pixels, a fast-gradient-sign change of size ε that "
        "flips its answer while the digit looks the same, random noise of the same size that "
        "does not, the attack's success rate over the test set, and four dual-use case "
        "studies (the attack itself, face recognition, voice cloning, text generation)."
    )
    seed = 5  # lesson 5.1's seed: the same first draw gives the same model
    controls = (
        Slider(
            "epsilon",
            "Attack size ε",
            0.0,
            0.3,
            default=0.05,
            step=0.001,
            help="Each pixel moves by at most ε (pixels stay in [0, 1]).",
        ),
        Slider(
            "digit",
            "Test digit #",
            1,
            TEST_DIGITS,
            default=1,
            integer=True,
            help="Which test digit is attacked.",
        ),
    )
    panels = (
        ImageGrid("original", "Test digit x", columns=1, colormap="gray"),
        ImageGrid("change", "Change", columns=1, colormap="diverging"),
        ImageGrid("adversarial", "Attacked digit x′", columns=1, colormap="gray"),
        Plot("curve", "Answers against ε", x_label="ε", y_label="share", stretch=2),
        Bars("before", "Softmax of x", y_label="p", value_format="{:.1f}"),
        Bars("after", "Softmax of x′", y_label="p", value_format="{:.1f}"),
        Text("facts", "The numbers", stretch=2),
    )
    layout = (4, 3)
    quiz = texts.QUIZ
    task = Task(
        "smallest",
        "Find the smallest ε (to 0.001) that changes the model's answer for the chosen test "
        "digit: move the ε slider, the lesson checks.",
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        model_seed, noise_seed = int(rng.integers(2**31)), int(rng.integers(2**31))
        data, run = digits(), trained(model_seed)
        attack = attacked_test_set(model_seed, noise_seed)
        net = attack.net
        eps = float(c.epsilon)
        k = min(int(c.digit), len(data.y_test))
        x, label, g = (
            data.x_test[k - 1].astype(np.float64),
            int(data.y_test[k - 1]),
            attack.grad[k - 1],
        )
        p = net.probs(x[None])[0]
        pred = int(p.argmax())
        x_adv = fgsm(x, g, eps)
        p_adv = net.probs(x_adv[None])[0]
        adv = int(p_adv.argmax())
        x_noise = fgsm(x, attack.signs[k - 1], eps)
        p_noise = net.probs(x_noise[None])[0]
        one = scan(net, x, g, FINE)
        here = sweep(net, data.x_test, data.y_test, attack.grad, attack.signs, np.array([eps]))
        test = scores(net.probs(data.x_test), data.y_test)
        loss, loss_adv = (
            float(-np.log(max(p[label], 1e-300))),
            float(-np.log(max(p_adv[label], 1e-300))),
        )
        flips = adv != pred
        result = TaskResult(
            flips and one.smallest is not None and eps <= one.smallest + texts.TASK_TOLERANCE,
            texts.task_message(eps, flips, one.smallest, k),
        )
        figures = {
            "epsilon": eps,
            "label": float(label),
            "answer": float(pred),
            "attacked_answer": float(adv),
            "max_change": float(np.max(np.abs(x_adv - x))),
            "fgsm_success": float(here.fgsm_success[0]),
            "noise_success": float(here.noise_success[0]),
            "fgsm_accuracy": float(here.fgsm_accuracy[0]),
            "noise_accuracy": float(here.noise_accuracy[0]),
            "test_accuracy": test.accuracy,
            "smallest": -1.0 if one.smallest is None else one.smallest,
        }
        read = f"read as {pred}" + ("" if pred == label else ", wrongly")
        before = views.bars(p, f"answer {pred}, p = {p[pred]:.2f}")
        original = views.digit(x, f"label {label}, {read}")

        def step(
            title: str,
            text: str,
            data: dict[str, PanelData],
            notes: str = "",
            titles: dict[str, str] | None = None,
        ) -> Step:
            return Step(
                title, text, data, result, figures=figures, notes=notes, titles=titles or {}
            )

        verdict = f"is read as {pred} with $p = {p[pred]:.2f}$" + (
            "" if pred == label else ", a mistake already"
        )
        yield step(
            "The 5.1 model, retrained",
            texts.INTRO.format(
                best=run.best_epoch,
                test=texts.pct(test.accuracy),
                n=len(data.y_test),
                k=k,
                label=label,
                verdict=verdict,
            ),
            {
                "original": original,
                "before": before,
                "curve": views.training_curve(run.train_history, run.val_history, run.best_epoch),
                "facts": views.facts(
                    [
                        (
                            "network",
                            f"784 → 32 ReLU → 10 softmax, {net.model.count_params():,} "
                            "weights and biases",
                        ),
                        (
                            "epoch kept",
                            f"{run.best_epoch} (validation {texts.pct(run.val_accuracy)})",
                        ),
                        ("test accuracy", texts.pct(test.accuracy)),
                        (f"digit #{k}", f"label {label}, answer {pred}, loss {loss:.3f}"),
                    ]
                ),
            },
            notes=texts.INTRO_NOTES,
            titles={"curve": f"5.1's run again: epoch {run.best_epoch} kept"},
        )
        norm1, norm2 = float(np.abs(g).sum()), float(np.sqrt((g**2).sum()))
        never = data.x_train.max(axis=0) == 0  # pixels black in every training digit
        yield step(
            "The gradient with respect to the pixels",
            texts.GRADIENT,
            {
                "change": views.gradient(g),
                "facts": views.facts(
                    [
                        (f"loss L = −log p({label})", f"{loss:.4f}"),
                        ("largest |gᵢ|", f"{float(np.abs(g).max()):.4f}"),
                        ("‖g‖₁ (sum of |gᵢ|)", f"{norm1:.3f}"),
                        ("‖g‖₂", f"{norm2:.3f}"),
                        (
                            "pixels with gᵢ > 0, with gᵢ < 0",
                            f"{int((g > 0).sum())}, {int((g < 0).sum())}",
                        ),
                    ]
                ),
            },
            titles={"change": "∂L/∂x (orange +, blue −)"},
            notes=texts.GRADIENT_NOTES.format(
                dark=texts.pct(float(np.abs(g[x == 0]).sum()) / norm1),
                blank=int(never.sum()),
                blank_share=texts.pct(float(np.abs(g[never]).sum()) / norm1),
            ),
        )
        moved = float(np.max(np.abs(x_adv - x)))
        linear = float(g @ (x_adv - x))
        fgsm_panels: dict[str, PanelData] = {
            "change": views.change(x_adv - x, eps),
            "adversarial": views.digit(x_adv, f"read as {adv}"),
            "after": views.bars(p_adv, f"answer {adv}, p = {p_adv[adv]:.2f}"),
        }
        fgsm_title = {"change": "x′ − x (orange +, blue −)"}
        yield step(
            "One step along the gradient's signs",
            texts.fgsm_text(eps, pred, adv, float(p[pred]), float(p_adv[adv]), moved),
            {
                **fgsm_panels,
                "facts": views.facts(
                    [
                        ("ε", f"{eps:g}"),
                        ("max |x′ − x|", f"{moved:.4f}"),
                        ("answer", f"{pred} → {adv}" + (" (flipped)" if flips else " (unchanged)")),
                        ("loss", f"{loss:.3f} → {loss_adv:.3f}"),
                        ("first-order estimate L + gᵀ(x′ − x)", f"{loss + linear:.3f}"),
                    ]
                ),
            },
            titles=fgsm_title,
            notes=texts.FGSM_NOTES,
        )
        yield step(
            "How large must ε be?",
            texts.scan_text(eps, label, pred, one.smallest, float(FINE[-1])),
            {
                "curve": views.digit_curve(one, eps),
                "facts": views.facts(
                    [
                        (f"p({pred}) at ε = {eps:g}", f"{p_adv[pred]:.3f}"),
                        ("best other digit there", f"{np.delete(p_adv, pred).max():.3f}"),
                        (f"answer at ε = {FINE[-1]:g}", f"{int(one.answers[-1])}"),
                    ]
                ),
            },
            titles={"curve": f"Digit #{k} under FGSM"},
        )
        dot_noise = float(g @ (x_noise - x))
        noisy = int(p_noise.argmax())
        yield step(
            "Same size, random direction",
            texts.noise_text(
                eps, pred, noisy, float(p_noise[noisy]), dot_noise, linear, norm1, norm2
            ),
            {
                "change": views.change(x_noise - x, eps),
                "adversarial": views.digit(x_noise, f"read as {noisy}"),
                "after": views.bars(p_noise, f"answer {noisy}, p = {p_noise[noisy]:.2f}"),
                "facts": views.facts(
                    [
                        ("gᵀδ, gradient's signs", f"{linear:+.4f}"),
                        ("gᵀδ, random signs", f"{dot_noise:+.4f}"),
                        ("answer with random signs", f"{pred} → {noisy}"),
                    ]
                ),
            },
            titles={
                "change": "Random ±ε (orange +, blue −)",
                "adversarial": "Noisy digit x′",
                "after": "Softmax of the noisy digit",
            },
            notes=texts.NOISE_NOTES,
        )
        curve = attack.curve
        yield step(
            f"All {len(data.y_test)} test digits",
            texts.sweep_text(
                eps,
                len(data.y_test),
                float(here.fgsm_success[0]),
                float(here.noise_success[0]),
                curve.clean_accuracy,
                float(here.fgsm_accuracy[0]),
                float(here.noise_accuracy[0]),
            ),
            {
                **fgsm_panels,
                "curve": views.sweep_curve(curve, eps),
                "facts": views.sweep_facts(curve, here, SHOWN_EPS),
            },
            titles={
                **fgsm_title,
                "adversarial": "Attacked digit x′",
                "after": "Softmax of x′",
                "curve": "Test digits made wrong",
                "facts": "Correct answers made wrong",
            },
            notes=texts.SWEEP_NOTES,
        )
        for case in CASES:
            yield step(
                case.title,
                case.narrative,
                {"facts": TextData(case.panel())},
                titles={"facts": case.title},
                notes=case.notes,
            )
        yield step(
            "Your turn",
            texts.TRY,
            {
                **fgsm_panels,
                "curve": views.digit_curve(one, eps),
                "facts": views.facts(
                    [
                        ("your ε", f"{eps:g}"),
                        ("answer", f"{pred} → {adv}" + (" (flipped)" if flips else "")),
                        ("verdict", result.message),
                    ]
                ),
            },
            titles={**fgsm_title, "curve": f"Digit #{k} under FGSM", "facts": "Try it"},
        )
