"""Lesson 5.2: a Keras-style binary classifier on the 1984 House votes, judged by k-fold.

The seed's model (Dense 6 relu, Dense 4 relu, Dense 1 sigmoid; binary cross-entropy; Adam) is
built with the engine's ``Sequential`` and predicts a member's party from 16 recorded votes.
The steps show the data (y / n / ? and how '?' is encoded), the model summary with its
parameter counts, one split's training curves, k-fold cross-validation with a score per fold,
and the mean and spread of those scores.  Two text panels write the model with the current
settings as Keras code and as PyTorch code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from engine.models.sequential import Sequential
from lessons.ch5_real_data.keras_kfold import code as cd
from lessons.ch5_real_data.keras_kfold import model as md
from lessons.ch5_real_data.keras_kfold import texts
from lessons.ch5_real_data.keras_kfold import views as vw
from lessons.core.base import (
    Lesson,
    MultipleChoice,
    NumericQuestion,
    PanelData,
    Plot,
    Slider,
    Step,
    Table,
    Text,
    TextData,
    Values,
)
from lessons.shared.code import model_code

CODE_TITLES = {
    "model": "The model in code: Keras (left), PyTorch (right)",
    "fit": "Training in code: Keras (left), PyTorch (right)",
    "kfold": "k-fold in code: Keras and scikit-learn (left), PyTorch (right)",
}


class KerasKFold(Lesson):
    """The seed's Sequential classifier on the 1984 votes; k-fold scores, mean and spread."""

    id = "keras_kfold"
    chapter = 5
    number = "5.2"
    title = "A Keras-style model and k-fold"
    summary = (
        "A small Keras-style network (Dense 6 relu, Dense 4 relu, Dense 1 sigmoid, binary "
        "cross-entropy, Adam) guesses a congressman's party from 16 votes of 1984. One split "
        "gives one score; k-fold cross-validation trains k fresh models, validates every member "
        "exactly once, and reports the mean and spread of the k scores. The same model is "
        "written out as Keras code and as PyTorch code."
    )
    seed = 52
    controls = (
        Slider("k", "Folds k", 3, 10, default=5, step=1, integer=True,
               help="How many folds: k models, each validated on one fold."),
        Slider("epochs", "Epochs", 5, 40, default=30, step=5, integer=True,
               help="Passes over the training rows of each fold (batch size 32)."),
        Slider("rate", "Learning rate", 1e-4, 0.3, default=0.01, log=True,
               help="Adam's learning rate (Keras's default is 0.001)."),
        Slider("hidden1", "Units, first hidden layer", 1, 16, default=6, step=1, integer=True,
               help="The seed's model has 6."),
        Slider("hidden2", "Units, second hidden layer", 1, 16, default=4, step=1, integer=True,
               help="The seed's model has 4."),
    )  # fmt: skip
    panels = (
        Table("table", "The data", stretch=3),
        Plot("plot", "Yea share per bill", stretch=2),
        Text("code", CODE_TITLES["model"]),
    )
    layout = (2, 1)
    quiz = (
        MultipleChoice(
            "once",
            "In 5-fold cross-validation on 435 rows, how often is each row used for validation?",
            ("Never", "Exactly once", "Five times", "It depends on the shuffle"),
            answer=1,
            explanations=(
                "Every row lies in one fold, and every fold is held out once.",
                "Right: the folds cut the rows into k disjoint parts, each held out once.",
                "It is used for training four times and for validation once.",
                "The shuffle decides which fold, not how many times.",
            ),
        ),
        NumericQuestion(
            "params",
            "How many parameters has a Dense layer of 6 units on 16 inputs (weights and biases)?",
            answer=102,
            tolerance=0.0,
            explanation="16·6 weights plus 6 biases = 102, as the model summary shows.",
        ),
        MultipleChoice(
            "report",
            "What do you report after k-fold cross-validation?",
            (
                "The best fold's score",
                "The mean of the k scores, with their standard deviation",
                "The first fold's score",
            ),
            answer=1,
            explanations=(
                "The best fold is the luckiest split: it flatters the model.",
                "Right: the mean uses every row once; the spread says how much one split wobbles.",
                "Fold 1 is one split like any other.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        s = md.Settings(
            hidden1=int(c.hidden1),
            hidden2=int(c.hidden2),
            rate=float(c.rate),
            epochs=int(c.epochs),
            k=int(c.k),
            seed=int(rng.integers(2**31)),
        )
        v = md.votes()
        model = md.build(s, v.x.shape[1], s.seed + 1)
        code = _code(model, s, "model")
        as_code = model_code(model, s.epochs, md.BATCH)  # copyable: "Show as code"
        missing = float((v.codes == 2).mean())
        yield replace(
            Step(
                f"{v.size} members, 16 votes",
                texts.data(v, missing),
                {"table": vw.data_table(v), "plot": vw.yes_plot(v), **code},
                figures={
                    "members": float(v.size),
                    "republicans": float((v.y == 1).sum()),
                    "missing_share": missing,
                },
                notes=texts.DATA_NOTES,
                titles={
                    "code": CODE_TITLES["model"],
                    "table": f"The first {vw.SLICE} of {v.size} members (shaded: a '?')",
                    "plot": "Share voting yea on each bill",
                },
            ),
            code=as_code,
        )
        layers = cd.dense_layers(model)
        rows = [
            (r.name, r.kind, str(r.output_shape), r.params, f"{a}·{b} + {b}")
            for r, (a, b, _) in zip(model.summary_rows(), layers, strict=True)
        ]
        y_all = v.y.astype(np.float32)[:, None]
        loss0 = model.evaluate(v.x, y_all)["loss"]
        p0 = model.predict(v.x)[:, 0]
        yield replace(
            Step(
                f"The model: {model.count_params()} parameters",
                texts.summary(layers, model.count_params(), loss0),
                {
                    "table": vw.summary_table(rows, model.count_params()),
                    "plot": vw.untrained_plot(v, p0),
                    **code,
                },
                figures={
                    **{f"params_{i + 1}": float(r[3]) for i, r in enumerate(rows)},
                    "params": float(model.count_params()),
                    "untrained_loss": float(loss0),
                },
                notes=texts.SUMMARY_NOTES,
                titles={
                    "table": "model.summary()",
                    "plot": "Untrained: p(republican) per member",
                    "code": CODE_TITLES["model"],
                },
            ),
            code=as_code,
        )
        cv = md.cross_validate(s)
        first = cv.folds[0]
        baseline = md.majority_share(v)
        yield replace(
            Step(
                "One split: fold 1 held out",
                texts.split(first, len(first.val_idx), baseline, s.rate),
                {
                    "table": vw.split_table(first),
                    "plot": vw.split_curves(first),
                    **_code(model, s, "fit"),
                },
                figures={
                    "fold1_val_acc": first.score,
                    "fold1_best_epoch": float(first.best_epoch),
                    "fold1_val_loss": float(first.val_loss[-1]),
                },
                notes=texts.SPLIT_NOTES,
                titles={
                    "table": "Fold 1: losses and accuracies",
                    "plot": "Fold 1: loss per epoch",
                    "code": CODE_TITLES["fit"],
                },
                stop=first.diverged,
            ),
            code=as_code,
        )
        kcode = _code(model, s, "kfold")
        counts = np.bincount(np.concatenate([f.val_idx for f in cv.folds]), minlength=v.size)
        once = bool(np.all(counts == 1))
        yield replace(
            Step(
                f"{s.k} folds, {s.k} fresh models",
                texts.folds(s.k, [len(f.val_idx) for f in cv.folds], v.size, once),
                {"table": vw.fold_table(cv), "plot": vw.fold_curves(cv), **kcode},
                figures={
                    **{f"fold{f.fold + 1}_score": f.score for f in cv.folds},
                    "validated_once": float(once),
                },
                notes=texts.FOLDS_NOTES,
                titles={
                    "table": "Per fold (shaded: highest and lowest score)",
                    "code": CODE_TITLES["kfold"],
                    "plot": "Validation accuracy per epoch, every fold (dashed)",
                },
            ),
            code=as_code,
        )
        yield replace(
            Step(
                "The score: mean and spread",
                texts.spread(cv, baseline),
                {
                    "table": vw.summary_scores(cv, baseline),
                    "plot": vw.score_plot(cv),
                    **kcode,
                },
                figures={"mean": cv.mean, "std": cv.std, "baseline": baseline},
                notes=texts.SPREAD_NOTES,
                titles={
                    "table": "Cross-validation result",
                    "plot": f"Mean {vw.percent(cv.mean)} (line), ± 1 std (dotted)",
                },
            ),
            code=as_code,
        )


def _code(model: Sequential, s: md.Settings, part: str) -> dict[str, PanelData]:
    """The code panel: Keras beside PyTorch for one ``part`` ("model", "fit" or "kfold")."""
    if part == "model":
        pair = cd.keras_model(model), cd.torch_model(model)
    elif part == "fit":
        pair = cd.keras_fit(s.epochs, md.BATCH), cd.torch_fit(s.epochs, md.BATCH)
    else:
        pair = cd.keras_kfold(s.k, s.epochs, md.BATCH), cd.torch_kfold()
    return {"code": TextData(cd.as_markup(cd.side_by_side(*pair)))}
