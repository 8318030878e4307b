"""Lesson 4.8's words: step texts built from the runs' numbers, speaker notes, quiz and task.

Every verdict comes from :mod:`lessons.ch4_training.memorisation.experiment` (``verdict``,
``near_chance``, ``Run.fit_epoch``), so the text never claims what the numbers do not show.
"""

from __future__ import annotations

from lessons.ch4_training.memorisation import experiment as ex
from lessons.ch4_training.memorisation.views import percent
from lessons.core.base import MultipleChoice, NumericQuestion, Task
from lessons.markup.numbers import plain

PAPER = (
    "Zhang, Bengio, Hardt, Recht and Vinyals, <i>Understanding deep learning requires "
    "rethinking generalization</i>, ICLR 2017"
)


def intro(exp: ex.Experiment) -> str:
    """The first step: the two runs, the shuffle, the test digits."""
    s = exp.split
    n = len(s.y_true)
    return (
        f"Two copies of one network (64 pixels → {exp.hidden} ReLU neurons → 10 digits) start "
        f"from the same weights and learn from the same {n} training digits, {s.per_class} of "
        "each. The <b>true</b> run gets their real labels. The <b>shuffled</b> run gets the same "
        f"labels in a random order, fixed once: only {s.kept} of the {n} images kept their own "
        f"label, by accident. Both are tested on {len(s.y_test)} other digits with their real "
        "labels, where guessing scores 10 %."
    )


def intro_notes(exp: ex.Experiment) -> str:
    s = exp.split
    first = exp.true.test_acc[0]
    return (
        "The images are the 8×8 handwritten digits that ship with scikit-learn (UCI optical "
        f"recognition data, Alpaydin and Kaynak). The training subset has {s.per_class} images "
        "of each digit; the test digits are the data set's fixed test split and keep their "
        "real labels for both runs. The shuffle is a permutation: every digit still appears "
        f"{s.per_class} times among the labels, so the shuffled run cannot score by always "
        "answering the most common digit, and chance stays at 1 in 10. Only the link between "
        "an image and its label is gone. "
        f"<p>Both networks have {_thousands(exp.parameters)} weights and biases, the same "
        "initial values and the same order of mini-batches (32 images each, Adam with "
        f"learning rate {plain(exp.rate)}). Untrained, both get {percent(first)} of the test "
        "digits right: the same weights give the same answers. After every epoch the engine "
        "scores each network on its own training labels and on the real test labels.</p>"
        "<p>In the plot a solid line is training accuracy, a dashed line test accuracy; blue is "
        "the true run, yellow the shuffled run, and a dot marks the epoch at which a run first "
        "gets every training label right. Under each training digit: its true label → the "
        "shuffled label : the shuffled run's answer. Under each test digit: the digit : the "
        "true run's answer | the shuffled run's answer. A frame marks an image the shuffled run "
        "answers with the label it is scored against.</p>"
    )


def _thousands(n: int) -> str:
    """12345 as "12 345" (a thin space between groups of three digits)."""
    return f"{n:,}".replace(",", "\u2009")


def _chance(acc: float) -> str:
    """How a shuffled-run test accuracy compares with chance, in words."""
    if ex.near_chance(acc):
        return f"within {round(100 * ex.BAND)} points of chance (10 %)"
    side = "above" if acc > ex.CHANCE else "below"
    return (
        f"{plain(100 * abs(acc - ex.CHANCE), 2)} points {side} chance (10 %): test digits that "
        "look alike tend to get the same stored answer, so one shuffle's score swings more "
        "than independent guesses would. Shuffle the labels again and compare"
    )


def checkpoint_title(exp: ex.Experiment, fitted: tuple[ex.Run, ...]) -> str:
    epoch = exp.epochs
    if len(fitted) == 2:
        return f"Both runs fitted: epoch {epoch}"
    if fitted[0] is exp.true:
        return f"True labels fitted: epoch {epoch}"
    word = "memorised" if ex.verdict(exp.shuffled) == "memorised" else "fitted"
    return f"Shuffled labels {word}: epoch {epoch}"


def checkpoint(exp: ex.Experiment, fitted: tuple[ex.Run, ...]) -> str:
    """A run has just got every training label right: what each run scores now."""
    t, sh = exp.true, exp.shuffled
    e = exp.epochs
    text = ""
    if t in fitted:
        text += (
            f"After {e} epochs the true run gets every training digit right, and "
            f"{percent(t.test_acc[-1])} of the test digits it never saw. "
        )
        if sh not in fitted:
            text += (
                f"The shuffled run, trained on the same images for as long, gets "
                f"{percent(sh.train_acc[-1])} of its labels and {percent(sh.test_acc[-1])} of "
                "the test digits. Real labels share a pattern: what fits one 3 also moves the "
                "network towards the other 3s, seen or unseen. Random labels share nothing, so "
                "each one has to be fitted on its own."
            )
    if sh in fitted:
        n = len(sh.labels)
        text += (
            f"{'Epoch ' + str(e) + ': t' if t not in fitted else 'T'}he shuffled run now gives "
            "every training image its random label (the frames among the training digits "
            f"mark them). On the test digits it scores {percent(sh.test_acc[-1])}, "
            f"{_chance(sh.test_acc[-1])}. "
        )
        if ex.near_chance(sh.test_acc[-1]):
            text += f"It learned no digits; it stored {n} arbitrary image–label pairs. "
        if t.fit_epoch is not None and t not in fitted:
            ratio = e / t.fit_epoch
            text += (
                f"That took {e} epochs, {plain(ratio, 2)} times the {t.fit_epoch} the true "
                "labels needed."
            )
        elif t.fit_epoch is None:
            text += f"The true run gets {percent(t.train_acc[-1])} of its labels right."
    return text.strip()


CHECKPOINT_NOTES = (
    "A run counts as fitted at the first epoch after which the engine's evaluation finds every "
    "one of its training labels answered correctly (100 % training accuracy, the criterion "
    "of the original experiment). The shuffled run is called memorised when it has fitted "
    f"and its test accuracy lies within {round(100 * ex.BAND)} percentage points of chance. "
    "With a few hundred test digits a pure guesser would land within about 3 points of 10 % "
    "most of the time; a memoriser swings more, because test digits that look alike tend to "
    "get the same stored answer."
)


def _confidently_wrong(exp: ex.Experiment) -> bool:
    """The shuffled run fitted its labels and its test loss is above a uniform guess's."""
    sh = exp.shuffled
    return sh.fitted and sh.test_loss[-1] > ex.UNIFORM_LOSS and not ex.above_chance(sh.test_acc[-1])


def ending_title(exp: ex.Experiment) -> str:
    return "Confidently wrong" if _confidently_wrong(exp) else f"The loss after {exp.epochs} epochs"


def ending(exp: ex.Experiment) -> str:
    """The end of the budget, seen as cross-entropy."""
    t, sh = exp.true, exp.shuffled
    text = (
        f"After all {exp.epochs} epochs the plot shows the cross-entropy, the loss both "
        "networks minimise. "
    )
    if sh.fitted:
        text += f"The shuffled run drove its training loss down to {plain(sh.train_loss[-1], 3)}"
    else:
        text += (
            f"The shuffled run gets {percent(sh.train_acc[-1])} of its labels right; its "
            f"training loss is {plain(sh.train_loss[-1], 3)}"
        )
    test = sh.test_loss[-1]
    verb = "rose to" if test > sh.test_loss[0] else "is"
    if test > ex.UNIFORM_LOSS:
        text += (
            f", but its test loss {verb} {plain(test, 3)}, above ln 10 ≈ 2.303, the loss of "
            "giving every digit 10 %: on new digits it does worse than guessing. "
        )
        if _confidently_wrong(exp):
            text += "It is sure of answers that are right only by luck. "
    else:
        text += (
            f", and its test loss {verb} {plain(test, 3)}, not above ln 10 ≈ 2.303, the loss of "
            "giving every digit 10 %. "
        )
    return text + (
        f"The true run ends at {plain(t.train_loss[-1], 3)} (training) and "
        f"{plain(t.test_loss[-1], 3)} (test)."
    )


ENDING_NOTES = (
    "Cross-entropy charges −ln p for the probability p a network gives the right digit. "
    "Answering 10 % for every digit costs ln 10 ≈ 2.303 on every image. A memoriser pushes "
    "the probability of its stored label towards 1; on a new digit that label is wrong nine "
    "times in ten, and then p for the real digit is tiny, so its test loss climbs as its "
    "training loss falls. The test accuracy, which only asks whether the top answer is "
    "right, stays flat at chance meanwhile. The loss also reads as a probability: "
    "e<sup>−loss</sup> is the geometric mean of the probabilities a network gives the right "
    "digits, 0.1 for the uniform guess."
)


def summary(exp: ex.Experiment) -> str:
    """The closing step: what the two runs show together."""
    t, sh = exp.true, exp.shuffled
    n = len(sh.labels)
    text = (
        f"Same network, same images, same training. True labels: {percent(t.train_acc[-1])} "
        f"on training, {percent(t.test_acc[-1])} on new digits (<b>{ex.verdict(t)}</b>). "
        f"Shuffled labels: {percent(sh.train_acc[-1])} and {percent(sh.test_acc[-1])} "
        f"(<b>{ex.verdict(sh)}</b>). "
    )
    if sh.fitted:
        text += (
            f"The network had room to store a random label for each of the {n} images, so "
            "what it gets right on new digits comes from the pattern in the real labels. "
        )
    else:
        text += (
            f"Within {exp.epochs} epochs it did not store all {n} random labels: memorising "
            "needs room (neurons per image) and many steps of a suitable size. "
        )
    return text + (
        "Training accuracy cannot tell learning from memorising; only data the network never "
        "trained on can (Zhang et al., 2017)."
    )


SUMMARY_NOTES = (
    f"The experiment comes from {PAPER} (arXiv 1611.03530, 2016). Standard image networks "
    "reached 100 % training accuracy on CIFAR-10 and ImageNet with random labels, and even "
    "with the pixels replaced by noise; fitting random labels took only a small constant "
    "factor more training time than the real ones. Weight decay, dropout and data "
    "augmentation did not stop it. So a network's capacity does not explain why it "
    "generalises on real data: that depends on the data having structure, and the test set "
    "is the only judge. The digits here repeat the experiment at a size this computer trains "
    "in seconds. Try fewer hidden neurons or more training images: memorising random labels "
    "needs room for every single image, learning real digits does not."
)


def diverged(epoch: int, loss: float, rate: float) -> str:
    return (
        f"Training diverged in epoch {epoch}: the loss became {plain(loss)}, so the engine "
        f"stopped before touching the weights again. Adam with learning rate {plain(rate)} "
        "took steps too large for these networks. Lower the learning rate to start again."
    )


def missing_data(message: str) -> str:
    return f"The digits could not be loaded, so there is nothing to train on. {message}"


TASK_RATE = 0.01  # the task keeps the default learning rate ...
TASK_BUDGET = 80  # ... and at least the default budget

TASK = Task(
    "capacity",
    "Find where memorising stops: keep the learning rate at 0.01 and a budget of at least "
    f"{TASK_BUDGET} epochs, and give the network fewer hidden neurons (or more training "
    "images) until the shuffled labels are no longer all fitted by the end, while the true "
    "labels still are.",
)


def task_message(done: bool, exp: ex.Experiment, rate_kept: bool, budget_ok: bool) -> str:
    t, sh = exp.true, exp.shuffled
    if not rate_kept:
        return "Set the learning rate back to 0.01: the task is about room, not step size."
    if not budget_ok:
        return f"Give the networks a budget of at least {TASK_BUDGET} epochs."
    if done:
        return (
            f"Done: with {exp.hidden} hidden neurons for {len(t.labels)} images the true labels "
            f"were fitted at epoch {t.fit_epoch}, the shuffled ones reached only "
            f"{percent(sh.train_acc[-1])} in {exp.epochs} epochs."
        )
    if not t.fitted:
        return "The true labels were not all fitted either: give the network a little more room."
    return (
        f"The shuffled labels were still memorised (epoch {sh.fit_epoch}): fewer hidden neurons "
        "or more training images."
    )


QUIZ = (
    NumericQuestion(
        "chance",
        "Ten digits, equally many test images of each. What test accuracy, in %, does a "
        "network score on average if it has learned nothing about digits?",
        answer=10.0,
        tolerance=0.5,
        explanation="One in ten: it can only guess. The shuffled run's test accuracy stays "
        "within a few points of 10 % while its training accuracy climbs to 100 %.",
        unit="%",
    ),
    MultipleChoice(
        "meaning",
        "The shuffled run reaches 100 % training accuracy. What does that show?",
        (
            "It has learned to recognise digits",
            "The network can store an arbitrary label for every training image, so training "
            "accuracy alone cannot show that it generalises",
            "Most shuffled labels were still correct",
        ),
        answer=1,
        explanations=(
            "Its test accuracy is at chance: nothing it learned carries over to new digits.",
            "Right: the same network reaches 100 % on true and on random labels; only the "
            "test digits tell the two apart.",
            "A shuffle leaves only about one label in ten in place (the first step counts them).",
        ),
    ),
    MultipleChoice(
        "speed",
        "Which labels took more epochs to fit in this lesson's runs?",
        ("The true labels", "The shuffled labels", "Both the same"),
        answer=1,
        explanations=(
            "Look at the dots on the 100 % line: the blue one comes first.",
            "Right: with no shared pattern, every random label has to be fitted on its own. "
            "Zhang et al. saw the same slowdown, by a small constant factor.",
            "The table's column <i>fitted</i> (the epoch) differs for the two runs.",
        ),
    ),
)
