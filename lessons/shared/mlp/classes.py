"""The playground's per-class view: each class's accuracy and the confusion matrix (test points).

The confusion matrix counts, for every true class (a row) and predicted class (a column), the
test points of that class the network put there; the diagonal holds the correct ones.  Each
class's accuracy, the share of its points on the diagonal (also called its recall), goes into
the "Every number" table under the overall accuracies.  The counts come from the engine's
``confusion_matrix`` of the network's predictions.
"""

from __future__ import annotations

import numpy as np

from engine.analysis.metrics import confusion_matrix
from lessons.core.base import TableData
from lessons.shared.mlp.net import PlaneData, Trainer
from lessons.shared.mlp.views import class_label

CORNER = "true \\ predicted"


def confusion(trainer: Trainer, data: PlaneData) -> np.ndarray:
    """Counts[i, j] of test points of class i that the network puts in class j."""
    true = data.y_test[:, 0].astype(np.int64)
    predicted = trainer.predict(data.x_test)
    counts: np.ndarray = confusion_matrix(true, predicted, num_classes=data.classes)
    return counts


def class_accuracies(counts: np.ndarray) -> np.ndarray:
    """Each class's share of correctly classified points (NaN for a class without points)."""
    totals = counts.sum(axis=1).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares: np.ndarray = np.where(totals > 0, np.diag(counts) / totals, np.nan)
    return shares


def _short(data: PlaneData, c: int) -> str:
    return data.class_names[c] if data.class_names else f"class {c}"


def with_class_rows(table: TableData, counts: np.ndarray, data: PlaneData) -> TableData:
    """The numbers table with each class's test accuracy right under the overall one."""
    shares = class_accuracies(counts)
    extra = tuple(
        (f"   · {_short(data, c)}", "–" if np.isnan(shares[c]) else f"{100 * shares[c]:.1f} %")
        for c in range(data.classes)
    )
    rows = list(table.rows)
    at = next((i + 1 for i, row in enumerate(rows) if row[0] == "Test accuracy"), len(rows))
    rows[at:at] = extra
    return TableData(table.columns, tuple(rows), number_format=table.number_format)


def confusion_table(counts: np.ndarray, data: PlaneData) -> TableData:
    """The confusion matrix as a table: a row per true class, a column per predicted class;
    the diagonal (the correct predictions) highlighted."""
    k = data.classes
    names = tuple(_short(data, c) for c in range(k))
    rows = tuple((class_label(data, c), *(int(v) for v in counts[c])) for c in range(k))
    return TableData((CORNER, *names), rows, highlight_cells=tuple((c, c + 1) for c in range(k)))
