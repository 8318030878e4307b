"""The words of lesson 8.4 (unintended applications): step texts built from the run's numbers,
the dual-use case studies with their sources and discussion questions, the quiz and the task.

Every figure in a case study is absent on purpose: the cases cite papers (author, year,
title) a reader can look up, and state what those papers show, not numbers from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from lessons.core.base import MultipleChoice


def pct(x: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * x:.1f} %"


INTRO = (
    "Lesson 5.1's network ($784 \\to 32$ ReLU $\\to 10$ softmax), retrained with the same "
    "seed and defaults; validation picked epoch {best} (top right). It reads {test} of the "
    "{n} test digits correctly; digit #{k} (top left, a {label}) {verdict}. Now the weights "
    "stay fixed and we ask: which small change of the <i>pixels</i> makes it wrong?"
)
INTRO_NOTES = (
    "Same seed, same data split and 5.1's default controls (Adam with $\\eta = 0.002$, "
    "batches of 128, 10 epochs, 32 hidden neurons): the weights are those 5.1 keeps at its "
    "defaults, so the test accuracy here is the one 5.1 reports. The attack below works on a "
    "float64 copy of them. The lecture closes its ethics part with a story about research "
    "used for something its authors never meant; adversarial examples (Szegedy et al., 2014, "
    "'Intriguing properties of neural networks') are a textbook case: found while studying "
    "what networks learn, they became a tool to attack them and, later, to protect people "
    "from them."
)

GRADIENT = (
    "The backward pass that gives $\\partial L / \\partial \\mathbf{w}$ in training, "
    "carried one layer further, gives $\\mathbf{g} = \\partial L / \\partial \\mathbf{x}$: "
    "one number per pixel (second image; orange: brightening the pixel raises the loss, "
    "blue: darkening it does). To first order $L(\\mathbf{x} + \\boldsymbol{\\delta}) "
    "\\approx L(\\mathbf{x}) + \\mathbf{g}^\\top \\boldsymbol{\\delta}$, so "
    "$\\mathbf{g}$ says which way to push each pixel."
)
GRADIENT_NOTES = (
    "The engine computes all 784 partial derivatives in one backward pass; the lesson's "
    "tests check them against central differences in float64. For this digit {dark} of "
    "$\\|\\mathbf{{g}}\\|_1$ lies on pixels that are black in it. {blank} pixels are 0 in "
    "every training digit: their first-layer weights never received a gradient and kept "
    "their random initial values, yet they carry {blank_share} of $\\|\\mathbf{{g}}\\|_1$ "
    "here. The model never learned to ignore those pixels, and an attacker can light them up."
)


FAINT = 0.1  # up to this epsilon the text calls the change faint (a grey haze on black)


def fgsm_text(eps: float, pred: int, adv: int, p: float, p_adv: float, moved: float) -> str:
    """Step 3: the FGSM step on the chosen digit and its verdict."""
    rule = (
        "Among all changes with $|\\delta_i| \\le \\varepsilon$, $\\mathbf{g}^\\top "
        "\\boldsymbol{\\delta}$ is largest for $\\boldsymbol{\\delta} = \\varepsilon\\,"
        "\\mathrm{sign}(\\mathbf{g})$; clipped to the pixel range, $\\mathbf{x}' = "
        "\\mathrm{clip}(\\mathbf{x} + \\varepsilon\\,\\mathrm{sign}(\\mathbf{g}), 0, 1)$ "
        "(the fast gradient sign method). "
    )
    if eps == 0:
        return rule + "With $\\varepsilon = 0$ nothing moves: $\\mathbf{x}' = \\mathbf{x}$."
    size = f"With $\\varepsilon = {eps:g}$ no pixel moves by more than {moved:.3f} (second image). "
    if adv != pred:
        return (
            rule + size + f"<b>The answer flips</b> from {pred} ($p = {p:.2f}$) to {adv} ($p = "
            f"{p_adv:.2f}$), "
            + (
                "though $\\mathbf{x}'$ looks almost like $\\mathbf{x}$."
                if eps <= FAINT
                else "but at this $\\varepsilon$ the change is plain to see: step 4 looks "
                "for the smallest one that flips."
            )
        )
    return (
        rule + size + f"The answer stays {pred}: $p$ falls from {p:.2f} to {p_adv:.2f}. Move "
        "$\\varepsilon$ up until it flips."
    )


def scan_text(eps: float, label: int, pred: int, smallest: float | None, top: float) -> str:
    """Step 4: this digit attacked at every epsilon."""
    head = (
        f"Top right: FGSM on this digit at every $\\varepsilon$ from 0 to {top:g} in steps of "
        f"0.001, the probability of its unperturbed answer {pred} (blue) against the best "
        "other digit (yellow); the vertical line is your $\\varepsilon = "
        f"{eps:g}$. "
    )
    if smallest is None:
        why = (
            f" The model already reads this {label} as {pred}, and FGSM raises the loss of "
            "the true label, so it only pushes the wrong answer further."
            if pred != label
            else ""
        )
        return head + (
            f"The curves never cross: no $\\varepsilon \\le {top:g}$ changes this answer."
            + why
            + " Pick another test digit to try the task."
        )
    return head + (
        "The answer changes where yellow first rises above blue. Try it: find that smallest "
        "$\\varepsilon$ with the slider; the lesson checks."
    )


NOISE_NOTES = (
    "Why random signs do so little: each term $g_i \\delta_i$ is $\\pm\\varepsilon |g_i|$ "
    "with a random sign, so the sum has mean 0 and a spread of about $\\varepsilon\\,\\|"
    "\\mathbf{g}\\|_2$, while the gradient's own signs make every term positive, "
    "$\\varepsilon\\,\\|\\mathbf{g}\\|_1$. With $n$ pixels of similar size the second is "
    "about $\\sqrt{n}$ times the first: many tiny pushes in one direction add up "
    "(Goodfellow, Shlens and Szegedy, 2015, 'Explaining and harnessing adversarial "
    "examples')."
)


def noise_text(
    eps: float,
    pred: int,
    noisy: int,
    p_noisy: float,
    dot_noise: float,
    dot_fgsm: float,
    norm1: float,
    norm2: float,
) -> str:
    """Step 5: random signs of the same size on the same digit."""
    if eps == 0:
        return (
            "With $\\varepsilon = 0$ random signs move nothing either. Raise $\\varepsilon$ to "
            "compare a random direction with the gradient's."
        )
    verdict = (
        f"the answer stays {pred} ($p = {p_noisy:.2f}$)"
        if noisy == pred
        else f"even the noise changes the answer to {noisy} ($p = {p_noisy:.2f}$)"
    )
    return (
        f"Now every pixel moves by $\\pm{eps:g}$ with a coin-flip sign instead (second "
        f"image), and {verdict}. The first-order change $\\mathbf{{g}}^\\top"
        f"\\boldsymbol{{\\delta}}$ is {dot_noise:+.3f} here against {dot_fgsm:+.3f} for the "
        f"gradient's signs: random signs push up and down and mostly cancel "
        f"($\\|\\mathbf{{g}}\\|_1 = {norm1:.2f}$, $\\|\\mathbf{{g}}\\|_2 = {norm2:.2f}$)."
    )


def sweep_text(
    eps: float, n: int, fgsm: float, noise: float, clean: float, fgsm_acc: float, noise_acc: float
) -> str:
    """Step 6: the whole test set at the chosen epsilon."""
    if eps == 0:
        return (
            f"Top right: the share of the {n} test digits' correct answers that each kind of "
            "change turns wrong, for $\\varepsilon$ from 0 to 0.3. At $\\varepsilon = 0$ "
            f"nothing changes: accuracy stays {pct(clean)}. Raise $\\varepsilon$."
        )
    if fgsm > noise:
        ratio = fgsm / noise if noise > 0 else 0.0
        times = (
            "while noise flips none"
            if noise == 0
            else f"{ratio:.0f} times as many"
            if ratio >= 10
            else f"{ratio:.1f} times as many"
        )
        compare = f"random signs of the same size {pct(noise)}: {times}"
    else:
        compare = f"random signs of the same size {pct(noise)}, no fewer"
    return (
        f"Top right: over all {n} test digits, the share of correct answers each change turns "
        f"wrong (dashed: test digits). At $\\varepsilon = {eps:g}$ FGSM turns "
        f"{pct(fgsm)} of them into mistakes, {compare}. Accuracy falls from {pct(clean)} "
        f"to {pct(fgsm_acc)} under attack and to {pct(noise_acc)} under noise: "
        + (
            "the direction does the damage, not the size."
            if fgsm >= 2 * noise
            else "at this size even random signs do real damage."
        )
    )


SWEEP_NOTES = (
    "A success counts a test digit the model read correctly that the change makes it read "
    "wrongly; the rate divides by the digits read correctly without change. The random signs "
    "are drawn once from the lesson's seed and kept for every $\\varepsilon$, so the noise "
    "curve is smooth. The attack here is white-box: it reads the model's gradient. Attacks "
    "also exist for models seen only through their answers (Papernot et al., 2017, "
    "'Practical black-box attacks against machine learning'), and training on adversarial "
    "examples is the best-known defence (Madry et al., 2018, 'Towards deep learning models "
    "resistant to adversarial attacks')."
)


@dataclass(frozen=True)
class Case:
    """One dual-use case study: the story (narrative), its sources and discussion questions
    (the stage), the longer background (speaker notes)."""

    title: str
    narrative: str
    sources: tuple[str, ...]
    questions: tuple[str, ...]
    notes: str

    def panel(self) -> str:
        """The case as the stage shows it: the questions, then the sources."""
        questions = "".join(f"<li>{q}</li>" for q in self.questions)
        sources = "; ".join(self.sources)
        return f"<ol>{questions}</ol><p><i>Sources: {sources}.</i></p>"


TASK_TOLERANCE = 0.002  # the task: within this of the smallest flipping epsilon


def task_message(eps: float, flips: bool, smallest: float | None, digit: int) -> str:
    """The verdict on "find the smallest epsilon that flips this digit"."""
    if smallest is None:
        return f"No ε up to 0.3 changes the answer for test digit #{digit}: pick another digit."
    if not flips:
        return f"At ε = {eps:g} the answer for digit #{digit} does not change: try larger."
    if eps <= smallest + TASK_TOLERANCE:
        return (
            f"Found it: ε = {eps:g} flips digit #{digit}; in steps of 0.001 the smallest that "
            f"does is {smallest:g}."
        )
    return f"ε = {eps:g} flips digit #{digit}, but a smaller ε does too: go lower."


QUIZ = (
    MultipleChoice(
        "direction",
        "Random signs of the same $\\varepsilon$ change far fewer answers than FGSM. Why?",
        (
            "The random noise is smaller.",
            "FGSM's changes all raise the loss together; random signs raise and lower it and "
            "mostly cancel.",
            "FGSM only changes the pixels of the strokes.",
            "Clipping removes most of the random noise.",
        ),
        1,
        (
            "No: both move every pixel by exactly $\\varepsilon$ before clipping.",
            "Right: before clipping, $\\mathbf{g}^\\top\\boldsymbol{\\delta}$ is "
            "$\\varepsilon\\,\\|\\mathbf{g}\\|_1$ for the gradient's signs and close to 0 "
            "for random ones.",
            "No: the change image shows the background moving too.",
            "No: clipping treats both alike; a black pixel cannot get darker in either case.",
        ),
    ),
    MultipleChoice(
        "access",
        "What does the fast gradient sign method need from the model it attacks?",
        (
            "Only its answers on the image.",
            "Its training data.",
            "The gradient of its loss with respect to the input, so its weights or a way to "
            "backpropagate through it.",
            "A chance to retrain it.",
        ),
        2,
        (
            "Not FGSM: attacks from answers alone exist, but they need many queries or a "
            "substitute model.",
            "No: the attack here never touches the training digits.",
            "Right: one backward pass to the pixels; that is why it is called white-box.",
            "No: the weights stay fixed; only the input changes.",
        ),
    ),
    MultipleChoice(
        "protect",
        "Which of these uses an adversarial perturbation to <i>protect</i> people?",
        (
            "Stickers that make a road-sign classifier misread a stop sign.",
            "Small changes to your own photos so face recognition trained on them fails (Fawkes).",
            "Rewording spam so a filter lets it through.",
            "Cloning a voice from a short recording.",
        ),
        1,
        (
            "No: that one attacks the classifier and the people relying on it (case 1).",
            "Right: the same technique, aimed at a model that would identify you (case 1).",
            "No: that attacks the filter's users (case 4).",
            "No: that is generation, not a perturbation of a classifier's input (case 3).",
        ),
    ),
)

TRY = (
    "Find the smallest $\\varepsilon$ that changes the answer for the chosen digit, to "
    "0.001: move the slider and read the verdict in the <i>Try it</i> panel. Then pick a "
    "digit the model finds hard to fool, and take the quiz. High test accuracy says nothing "
    "about inputs built to fool a model, and this attack costs one backward pass."
)

FGSM_NOTES = (
    "White pixels in the change image did not move: the gradient asked to darken a pixel "
    "that is already black, and clipping keeps it at 0. Orange background pixels were lit "
    "by $\\varepsilon$; blue stroke pixels were dimmed. The first-order estimate "
    "$L(\\mathbf{x}) + \\mathbf{g}^\\top(\\mathbf{x}' - \\mathbf{x})$ is only a guide: the "
    "network bends between $\\mathbf{x}$ and $\\mathbf{x}'$ (ReLUs switch on and off), so "
    "the real loss can differ from it either way. Goodfellow, Shlens and Szegedy (2015) "
    "proposed this one-step attack, arguing that networks behave linearly enough for it to "
    "work."
)
