"""The sentiment task of lesson 7.5: short reviews written for the lesson, read word by word.

Eighty one-line reviews (forty glad, forty unhappy) of meals, films, hotels and gadgets.
Every fourth review of each kind is held out; the net never trains on those.  Words are
lower-cased and stripped of punctuation; each word is a one-hot vector over the training
vocabulary (words met only in held-out reviews become ``<unk>``), reviews are padded at the
front with all-zero vectors to the longest length, so the last step always reads the last
word.  The model is sequence to vector: GRU(UNITS) -> Dense(1, sigmoid), binary cross-entropy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn.layers import Dense
from engine.nn.optimizers import Adam
from engine.nn.recurrent import GRU

UNITS = 12
UNKNOWN = "<unk>"

POSITIVE = (
    "The soup was warm and delicious.",
    "I loved every minute of this film.",
    "The staff were friendly and helpful.",
    "What a great little phone.",
    "The room was clean and quiet.",
    "Best pizza I have had in years.",
    "The battery lasts for days, wonderful.",
    "A beautiful and moving story.",
    "Our waiter was kind and quick.",
    "I would happily stay here again.",
    "The cake was fresh and tasty.",
    "Excellent acting from the whole cast.",
    "This laptop is fast and light.",
    "The view from our room was lovely.",
    "Great value and excellent service.",
    "The music was lovely and fun all night.",
    "Such a comfortable bed, I slept well.",
    "The headphones sound clear and rich.",
    "A fun film for the whole family.",
    "The bread was perfect and still warm.",
    "I really enjoyed the friendly hotel.",
    "The camera takes sharp, lovely pictures.",
    "Everything arrived early and worked well.",
    "The ending was clever and satisfying.",
    "Tasty food and a happy, relaxed crowd.",
    "The screen is bright and beautiful.",
    "We had a wonderful time at the hotel.",
    "Excellent film, I recommend it.",
    "The coffee was rich and delicious.",
    "A great keyboard, quiet and solid.",
    "The pool was clean and the staff friendly.",
    "This speaker is great and fun.",
    "A warm, funny and clever story.",
    "The pasta was excellent, we will return.",
    "Setup was easy and it works perfectly.",
    "Lovely breakfast and a great view.",
    "The actors were superb and the plot gripping.",
    "This is the best phone I have owned.",
    "Fresh fish, kind staff, perfect evening.",
    "The tablet is fast, light and fun.",
)

NEGATIVE = (
    "The soup was cold and bland.",
    "I hated every minute of this film.",
    "The staff were rude and slow.",
    "What a terrible little phone.",
    "The room was dirty and noisy.",
    "Worst pizza I have had in years.",
    "The battery dies in an hour, awful.",
    "A boring and pointless story.",
    "Our waiter was rude and careless.",
    "I would never stay here again.",
    "The cake was stale and dry.",
    "Awful acting from the whole cast.",
    "This laptop is slow and heavy.",
    "The view from our room was ugly.",
    "Poor value and terrible service.",
    "The music was loud and awful all night.",
    "Such a hard bed, I slept badly.",
    "The headphones sound thin and harsh.",
    "A boring film I cannot recommend.",
    "The bread was burnt and hard.",
    "I really disliked the noisy hotel.",
    "The camera takes blurry, dark pictures.",
    "Everything arrived late and broken.",
    "The ending was silly and disappointing.",
    "Cold food and a grumpy, tired waiter.",
    "The screen is dim and scratched.",
    "We had a miserable time at the hotel.",
    "Terrible film, avoid it.",
    "The coffee was terrible and bitter.",
    "A cheap keyboard, loud and flimsy.",
    "The pool was dirty and the staff rude.",
    "This speaker is awful and dull.",
    "A slow, dull and predictable story.",
    "The pasta was awful, we will not return.",
    "Setup was painful and it crashed twice.",
    "Sad breakfast and a terrible view.",
    "The actors were bored and the plot silly.",
    "This is the worst phone I have owned.",
    "Old fish, rude staff, awful evening.",
    "The tablet is slow, heavy and useless.",
)


# Reviews outside both sets that test more than the words: a negation, mixed feelings.
PROBES: tuple[tuple[str, int], ...] = (
    ("The soup was not delicious.", 0),
    ("The staff were not rude at all.", 1),
    ("I expected a boring film but it was great.", 1),
    ("Great phone, awful battery, rude staff.", 0),
)


def words(sentence: str) -> list[str]:
    """Lower-case words without punctuation."""
    return re.findall(r"[a-z']+", sentence.lower())


@dataclass(frozen=True)
class Reviews:
    """The split reviews, the training vocabulary and the padded one-hot inputs."""

    train_text: tuple[str, ...]
    test_text: tuple[str, ...]
    y_train: np.ndarray  # 1 = positive
    y_test: np.ndarray
    vocab: tuple[str, ...]  # index 0 is UNKNOWN
    length: int

    def encode(self, sentence: str) -> np.ndarray:
        """One review as (length, vocab) one-hot rows, front-padded with zero rows."""
        index = {w: i for i, w in enumerate(self.vocab)}
        ids = [index.get(w, 0) for w in words(sentence)][-self.length :]
        x = np.zeros((self.length, len(self.vocab)), dtype=np.float32)
        for k, i in enumerate(ids):
            x[self.length - len(ids) + k, i] = 1.0
        return x

    def inputs(self, texts: tuple[str, ...]) -> np.ndarray:
        return np.stack([self.encode(t) for t in texts])

    def unknown(self, sentence: str) -> list[str]:
        """The words of ``sentence`` the net never saw in training."""
        known = set(self.vocab)
        return [w for w in words(sentence) if w not in known]


@cache
def reviews() -> Reviews:
    """Every fourth review of each kind held out (10 + 10), the other 60 to
    train on."""
    train: list[tuple[str, int]] = []
    test: list[tuple[str, int]] = []
    for label, group in ((1, POSITIVE), (0, NEGATIVE)):
        for i, sentence in enumerate(group):
            (test if i % 4 == 3 else train).append((sentence, label))
    vocab = sorted({w for s, _ in train for w in words(s)})
    length = max(len(words(s)) for s, _ in (*train, *test, *PROBES))
    return Reviews(
        tuple(s for s, _ in train),
        tuple(s for s, _ in test),
        np.array([y for _, y in train], dtype=np.float32),
        np.array([y for _, y in test], dtype=np.float32),
        (UNKNOWN, *vocab),
        length,
    )


def classifier(seed: int, rate: float) -> Sequential:
    """GRU(UNITS) -> Dense(1, sigmoid) over one-hot words, compiled with Adam."""
    r = reviews()
    model = Sequential(
        [GRU(UNITS, name="gru"), Dense(1, activation="sigmoid", name="positive")], seed=seed
    )
    model.build((None, r.length, len(r.vocab)))
    model.compile(Adam(rate), "binary_crossentropy")
    return model


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    """Share of reviews where P(positive) > 0.5 agrees with the label."""
    return float(np.mean((np.asarray(p).reshape(-1) > 0.5) == (y > 0.5)))


@dataclass(frozen=True)
class Reading:
    """One review read by the net: its words, h after each word, P(positive) after each."""

    words: list[str]
    hidden: np.ndarray  # (n_words, UNITS)
    p_after: np.ndarray  # (n_words,)

    @property
    def p_positive(self) -> float:
        return float(self.p_after[-1]) if len(self.p_after) else float("nan")


def read(model: Sequential, sentence: str) -> Reading:
    """Run the engine's GRU on the padded review up to each of its words (the states the
    layer passes through) and the output layer on each state."""
    r = reviews()
    x = r.encode(sentence)[None]
    rnn, head = model.layers[0], model.layers[1]
    assert isinstance(rnn, GRU) and isinstance(head, Dense)
    shown = words(sentence)[-r.length :]
    first = r.length - len(shown)
    states, probs = [], []
    for t in range(first + 1, r.length + 1):
        h, _ = rnn.call_with_state(x[:, :t])
        states.append(np.asarray(h.data[0], dtype=np.float64))
        probs.append(float(head(Tensor(h.data)).data[0, 0]))
    return Reading(shown, np.array(states).reshape(len(shown), UNITS), np.array(probs))
