"""The playground's points beyond the two-class sets: k-class sets and the learner's own table.

``k_class_data`` draws the engine's seeded blobs or k-arm spiral, stretched to the plane like
the two-class sets.  ``user_data`` puts an imported table with exactly two numeric features on
the plane: each feature is standardised with the training rows' mean and standard deviation
and multiplied by ``SPREAD``, so three standard deviations reach the plane's edge at 6.  When
the imported set cannot go on the plane (not two features, too many classes, no set at all)
it returns an :class:`Unusable` that says why and what to do instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.data.synthetic.sets import MultiClass, make_multiclass
from engine.data.user.table import UserTable
from lessons.core.escape import escape_markup
from lessons.core.userdata import UserSet
from lessons.shared.mlp.net import SCALE, PlaneData
from lessons.shared.mlp.views import COLOURS

MAX_CLASSES = 6  # colours of the Okabe-Ito palette the regions use
SPREAD = SCALE / 3.0  # standardised values times this: mean +- 3 std spans the plane
K_CLASS_POINTS = 600


@dataclass(frozen=True)
class Unusable:
    """Why the chosen data cannot be trained on in the playground, for the learner."""

    title: str
    text: str


def k_class_data(
    name: MultiClass, classes: int, noise: float, train_share: float, seed: int | Sequence[int]
) -> PlaneData:
    """Blobs or a k-arm spiral with ``classes`` classes on the plane [-6, 6]^2."""
    rng = np.random.default_rng(seed)
    test = min(max(1.0 - train_share, 0.02), 0.98)
    ps = make_multiclass(name, K_CLASS_POINTS, classes, noise=noise, test_fraction=test, seed=rng)
    column = np.float32
    return PlaneData(
        ps.x_train * np.float32(SCALE),
        ps.y_train.reshape(-1, 1).astype(column),
        ps.x_test * np.float32(SCALE),
        ps.y_test.reshape(-1, 1).astype(column),
        name,
        classes,
        COLOURS[:classes],
    )


NO_SET = Unusable(
    "No data imported yet",
    "You chose <b>your data</b>, but no table has been imported yet. Use "
    "<b>Data ▸ Import CSV…</b> (or drop a .csv file onto the window): pick two numeric "
    "feature columns and a label column, and the playground trains on your points. Until "
    "then, choose one of the built-in data sets.",
)


def user_data(entry: UserSet | None) -> PlaneData | Unusable:
    """The playground's imported set on the plane, or why it cannot go there."""
    if entry is None:
        return NO_SET
    table = entry.table
    if table is None:
        why = entry.problem or "it is a folder of images, and the playground needs a table"
        return Unusable(
            "Your data cannot be used here",
            f"The imported set <b>{escape_markup(entry.title)}</b> cannot be used: "
            f"{escape_markup(why)}",
        )
    if len(table.feature_names) != 2:
        return Unusable("The playground needs two features", _two_features_text(table))
    if len(table.class_names) > MAX_CLASSES:
        return Unusable(
            "Too many classes for the playground",
            f"<b>{escape_markup(table.name)}</b> has {len(table.class_names)} classes; "
            f"the playground colours up to {MAX_CLASSES}, one colour-blind-safe colour each. "
            "Choose a label with fewer classes in <b>Data ▸ Import CSV…</b>.",
        )
    mean = table.x_train.astype(np.float64).mean(axis=0)
    std = table.x_train.astype(np.float64).std(axis=0)
    scale = np.where(std > 0, std, 1.0) / SPREAD

    def plane(x: np.ndarray) -> np.ndarray:
        placed: np.ndarray = ((x - mean) / scale).astype(np.float32)
        return placed

    column = np.float32
    return PlaneData(
        plane(table.x_train),
        table.y_train.reshape(-1, 1).astype(column),
        plane(table.x_test),
        table.y_test.reshape(-1, 1).astype(column),
        "user",
        len(table.class_names),
        table.class_names,
        (f"x₁: {table.feature_names[0]}", f"x₂: {table.feature_names[1]}"),
    )


def _two_features_text(table: UserTable) -> str:
    names = ", ".join(f"<b>{escape_markup(n)}</b>" for n in table.feature_names)
    count = len(table.feature_names)
    return (
        f"The playground draws its points on a plane, so it needs exactly two numeric features; "
        f"your set <b>{escape_markup(table.name)}</b> has {count}: {names}. "
        "Pick two of them: in <b>Data ▸ Browse data sets</b>, choose your set and press "
        "<b>Use in the playground…</b>, or import the file again with two feature columns "
        "ticked. Your set with all its features stays in the data browser."
    )


def user_intro(table: UserTable, data: PlaneData) -> str:
    """What the plane shows for an imported table: which feature is which axis, how placed."""
    a, b = (escape_markup(n) for n in table.feature_names)
    points = np.concatenate([data.x_train, data.x_test])
    outside = int(np.sum(np.any(np.abs(points) > SCALE, axis=1)))
    beyond = (
        f" {outside} points lie beyond the plane's edge: they train and test as usual but are "
        "not drawn."
        if outside
        else ""
    )
    return (
        f"Your file <b>{escape_markup(table.name)}</b>: $x_1$ is <b>{a}</b> and $x_2$ is "
        f"<b>{b}</b>, the label is <b>{escape_markup(table.choices.label)}</b>. "
        "To place the rows on the plane, "
        "each feature is shifted by the training rows' mean and divided by their standard "
        f"deviation, then multiplied by {SPREAD:g}: the mean is at 0 and three standard "
        f"deviations reach the edge at 6.{beyond} The split into {len(data.x_train)} training "
        f"and {len(data.x_test)} test rows is the one chosen when the file was imported; "
        "noise, training share and regenerate apply to the built-in sets only."
    )
