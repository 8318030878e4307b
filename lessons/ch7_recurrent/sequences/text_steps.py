"""Parts 2 and 3 of lesson 7.5 as steps: Shakespeare by character, then review sentiment."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from engine.core.events import DivergenceError
from engine.models.sequential import Sequential
from lessons.ch7_recurrent.sequences import sentiment as sm
from lessons.ch7_recurrent.sequences import textgen as tg
from lessons.ch7_recurrent.sequences import texts as tx
from lessons.ch7_recurrent.sequences import views as v
from lessons.ch7_recurrent.sequences.views import Show
from lessons.core.base import PanelData, Step, Values

SENTIMENT_EPOCHS = 40


def text_steps(c: Values, seed: int, rate: float, show: Show) -> Iterator[Step]:
    s, vocab = tg.text_slice(), tg.corpus().vocab
    model = tg.char_model(seed + 1, rate)
    order = np.random.default_rng([seed, 2])
    total = int(c.text_epochs)
    epochs, train, val = [0], [math.nan], [tg.val_loss(model)]
    unigram, uniform = tg.unigram_loss(), math.log(len(vocab))
    refs = ((uniform, "uniform"), (unigram, "frequencies"))
    rows: list[tuple[int, float, str]] = []
    titles = {
        "plot": "The chosen character's softmax as T varies",
        "curves": "Loss per character",
        "heat": "LSTM hidden units over the sample (hover a cell)",
        "bars": "Next-character softmax at T (%)",
        "table": "Samples after each epoch",
    }

    def look(cv: Values) -> dict[str, PanelData]:
        """Sample at the chosen temperature with the current weights; the chosen character's
        softmax bars and temperature sweep; the heat map; the samples table."""
        t, k = float(cv.temperature), int(cv.position) - 1
        smp = tg.sample(model, s.prime, tg.SAMPLE, t, [seed, 3, epochs[-1]])
        chars = [vocab[int(i)] for i in smp.ids]
        drawn = int(smp.ids[tg.PRIME + k])
        now = (epochs[-1], val[-1], "".join(chars[tg.PRIME :]))
        return {
            "heat": v.hidden_text(smp.hidden, chars, tg.PRIME, tg.PRIME + k),
            "bars": v.char_bars(smp.probabilities(k), vocab, drawn, t),
            "plot": v.temperature_sweep(smp.logits[k], vocab, t),
            "table": v.samples_table([*rows, now]),
        }

    def curves() -> PanelData:
        best = epochs[int(np.nanargmin(val))] if len(epochs) > 1 else None
        return v.loss_curves(epochs, train, val, v.TEXT_COLOR, total, best, refs, ("epoch", "nats"))

    params = model.count_params()
    yield show(
        c,
        Step(
            "Shakespeare, one character at a time",
            tx.text_intro(len(s.train) - 1, len(vocab), tg.UNITS, params, val[0]),
            {"curves": curves()},
            figures={"val_loss": val[0]},
            notes=tx.TEXT_NOTES,
            titles=titles,
        ),
        look,
    )
    for e in range(1, total + 1):
        rows.append((epochs[-1], val[-1], _sample_text(model, c, seed, epochs[-1])))
        try:
            loss = tg.epoch(model, order)
            lv = tg.val_loss(model)
            if not (math.isfinite(loss) and math.isfinite(lv)):
                raise FloatingPointError("loss is not finite")
        except (FloatingPointError, DivergenceError):
            yield show(c, Step("Text model diverged", tx.text_diverged(e), stop=True))
            return
        epochs.append(e)
        train.append(loss)
        val.append(lv)
        yield show(
            c,
            Step(
                f"Shakespeare: epoch {e} of {total}",
                tx.text_epoch(e, total, loss, lv, (uniform, unigram), float(c.temperature)),
                {"curves": curves()},
                figures={"train_loss": loss, "val_loss": lv},
                notes=tx.TEXT_NOTES,
            ),
            look,
        )
    best = int(np.nanargmin(val))
    yield show(
        c,
        Step(
            "What the character model learned",
            tx.text_verdict(epochs[best], val[best], unigram, uniform, val[0]),
            {"curves": curves()},
            figures={"best_epoch": float(epochs[best]), "best_val": val[best]},
            notes=tx.TEXT_NOTES,
        ),
        look,
    )


def _sample_text(model: object, c: Values, seed: int, epoch: int) -> str:
    """The sample of ``epoch`` at the temperature now set (for the samples table)."""

    assert isinstance(model, Sequential)
    s, vocab = tg.text_slice(), tg.corpus().vocab
    smp = tg.sample(model, s.prime, tg.SAMPLE, float(c.temperature), [seed, 3, epoch])
    return "".join(vocab[int(i)] for i in smp.ids[tg.PRIME :])


def sentiment_step(c: Values, seed: int, rate: float, show: Show) -> Step:
    r = sm.reviews()
    model = sm.classifier(seed + 2, rate)
    x, xt = r.inputs(r.train_text), r.inputs(r.test_text)
    epochs: list[int] = []
    acc_tr: list[float] = []
    acc_te: list[float] = []
    diverged = False
    for e in range(1, SENTIMENT_EPOCHS + 1):
        try:
            model.train_on_batch(x, r.y_train[:, None])
        except (FloatingPointError, DivergenceError):
            diverged = True
            break
        epochs.append(e)
        acc_tr.append(sm.accuracy(model.predict(x), r.y_train))
        acc_te.append(sm.accuracy(model.predict(xt), r.y_test))
    texts = (*r.test_text, *(p for p, _ in sm.PROBES))
    labels = np.concatenate([r.y_test, [float(y) for _, y in sm.PROBES]])
    p_all = model.predict(r.inputs(texts))[:, 0].astype(float)

    def look(cv: Values) -> dict[str, PanelData]:
        pick = int(cv.review) - 1
        reading = sm.read(model, texts[pick])
        kind = "probe" if pick >= len(r.test_text) else "held-out review"
        label = f"{kind} #{pick + 1}: \u201c{texts[pick]}\u201d"
        return {
            "plot": v.review_path(reading.words, reading.p_after),
            "heat": v.hidden_words(reading.hidden, reading.words),
            "bars": v.review_bars(reading.p_positive, label),
            "table": v.reviews_table(texts, labels, p_all, pick),
        }

    acc = acc_te[-1] if acc_te else math.nan
    tr = acc_tr[-1] if acc_tr else math.nan
    n = len(r.test_text)
    probes = int(np.sum((p_all[n:] > 0.5) == (labels[n:] > 0.5)))
    text = tx.sentiment_text(
        len(r.train_text), n, len(r.vocab) - 1, len(epochs), acc, tr, (probes, len(sm.PROBES))
    )
    if diverged:
        text += " Training diverged: the learning rate is too large."
    return show(
        c,
        Step(
            "Sentiment: sequence to vector",
            text,
            {
                "curves": v.loss_curves(
                    epochs,
                    acc_tr,
                    acc_te,
                    v.SENTIMENT_COLOR,
                    SENTIMENT_EPOCHS,
                    None,
                    (),
                    ("epoch", "accuracy"),
                    ("training", "held-out"),
                )
            },
            figures={"test_accuracy": acc, "train_accuracy": tr},
            notes=tx.SENTIMENT_NOTES,
            titles={
                "plot": "P(positive) as the GRU reads the review",
                "curves": "Accuracy",
                "heat": "GRU hidden units (columns) after each word",
                "bars": "The net's answer",
                "table": "Held-out reviews, then probes",
            },
            last=True,
        ),
        look,
    )
