"""Panel data of lesson 8.4: digits, gradient and change images, softmax bars, curves, facts.

The functions only arrange arrays the lesson computed.  Signed images (the gradient, the
change x' - x) use the course's diverging scale: orange positive, blue negative.  Every curve
is over test digits, so every curve is dashed (the course's convention for test data).
"""

from __future__ import annotations

import numpy as np

from lessons.ch8_ethics.adversarial.model import DigitScan, Sweep
from lessons.core.escape import escape_markup
from lessons.core.panels import BarData, ImageGridData, PlotData, Series, TextData
from lessons.shared import colors

DIGITS = tuple(str(d) for d in range(10))
ATTACK_COLOR = colors.MODEL  # blue: the attack along the model's own gradient
NOISE_COLOR = colors.COMPARISON  # yellow: what the attack is held against (random signs)


def digit(image: np.ndarray, caption: str) -> ImageGridData:
    """A flattened digit (784,) as one 28x28 grey image in [0, 1]."""
    return ImageGridData(np.asarray(image).reshape(1, 28, 28), (caption,), levels=(0.0, 1.0))


def gradient(grad: np.ndarray) -> ImageGridData:
    """dL/dx as a 28x28 image on a scale symmetric about zero."""
    m = float(np.max(np.abs(grad))) or 1.0
    return ImageGridData(
        np.asarray(grad).reshape(1, 28, 28), (f"|g| up to {m:.3f}",), levels=(-m, m)
    )


def change(delta: np.ndarray, eps: float) -> ImageGridData:
    """x' - x as a 28x28 image on the scale -eps .. eps (full colour: moved by eps)."""
    m = max(eps, 1e-3)
    moved = float(np.max(np.abs(delta)))
    return ImageGridData(
        np.asarray(delta).reshape(1, 28, 28), (f"|x′ − x| ≤ {moved:.3f}",), levels=(-m, m)
    )


def bars(probs: np.ndarray, caption: str) -> BarData:
    """The ten softmax probabilities, the answer highlighted."""
    return BarData(
        np.asarray(probs, dtype=float),
        DIGITS,
        highlight=int(np.argmax(probs)),
        y_range=(0.0, 1.15),  # room for the top bar's value
        caption=caption,
    )


def training_curve(train: tuple[float, ...], val: tuple[float, ...], best: int) -> PlotData:
    """The retrained run's accuracy per epoch: solid training, dashed validation; the kept
    epoch marked."""
    epochs = np.arange(1, len(val) + 1, dtype=float)
    return PlotData(
        (
            Series("training accuracy", epochs, np.asarray(train), "line", colors.MODEL),
            Series("validation accuracy", epochs, np.asarray(val), "dash", colors.MODEL),
        ),
        vlines=(float(best),),
        x_range=(1.0, float(len(val))),
        axis_labels=("epoch", "accuracy"),
    )


def digit_curve(s: DigitScan, eps: float) -> PlotData:
    """One digit: p(unperturbed answer) and the best other digit's p against epsilon."""
    first = int(s.answers[0])
    return PlotData(
        (
            Series(f"p({first})", s.eps, s.p_answer, "dash", ATTACK_COLOR),
            Series("best other digit", s.eps, s.p_other, "dash", NOISE_COLOR),
        ),
        vlines=(eps,),
        x_range=(0.0, float(s.eps[-1])),
        y_range=(0.0, 1.0),
        axis_labels=("ε", "softmax probability"),
    )


def sweep_curve(sw: Sweep, eps: float) -> PlotData:
    """The test set: share of correct answers made wrong, FGSM against random signs."""
    return PlotData(
        (
            Series("FGSM (gradient signs)", sw.eps, sw.fgsm_success, "dash", ATTACK_COLOR),
            Series("random signs", sw.eps, sw.noise_success, "dash", NOISE_COLOR),
        ),
        vlines=(eps,),
        x_range=(0.0, float(sw.eps[-1])),
        y_range=(0.0, 1.0),
        axis_labels=("ε", "share made wrong"),
    )


def facts(items: list[tuple[str, str]]) -> TextData:
    """Named numbers as a list on the stage (plain text, escaped for the markup)."""
    rows = "".join(
        f"<li>{escape_markup(name)}: <b>{escape_markup(value)}</b></li>" for name, value in items
    )
    return TextData(f"<ul>{rows}</ul>")


def rates(fgsm: float, noise: float) -> str:
    """Two success rates as one line of the facts list."""
    return f"FGSM {100 * fgsm:.1f} %, random {100 * noise:.1f} %"


def sweep_facts(curve: Sweep, here: Sweep, shown: tuple[float, ...]) -> TextData:
    """The success rates at the chosen epsilon (``here``) and at the ``shown`` ones."""
    rows = [(f"your ε = {here.eps[0]:g}", rates(here.fgsm_success[0], here.noise_success[0]))]
    for e in shown:
        i = int(np.argmin(np.abs(curve.eps - e)))
        rows.append((f"ε = {curve.eps[i]:g}", rates(curve.fgsm_success[i], curve.noise_success[i])))
    return facts(rows)
