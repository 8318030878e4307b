"""Part 1 of lesson 7.5 as steps: the sunspot data, the forecaster's checkpoints, the verdict."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch7_recurrent.sequences import forecast as fc
from lessons.ch7_recurrent.sequences import texts as tx
from lessons.ch7_recurrent.sequences import views as v
from lessons.ch7_recurrent.sequences.views import Show
from lessons.core.base import PanelData, Step, TableData, Values
from lessons.shared import colors


def forecast_steps(c: Values, seed: int, rate: float, show: Show) -> Iterator[Step]:
    cell, window, total = str(c.cell), int(c.window), int(c.sun_epochs)
    w = fc.windows(window)
    te, va = w.part("test"), w.part("val")
    base = (fc.mae(w.last[te], w.y[te]), fc.rmse(w.last[te], w.y[te]))
    base_val = fc.mae(w.last[va], w.y[va])
    years = len(fc.sunspots().values)
    yield show(
        c,
        Step(
            "Sunspots, 1700-2008",
            tx.data_text(years, int(w.part("train").sum()), int(va.sum()), int(te.sum()), base[0]),
            {
                "plot": v.forecast_plot(w, None, cell),
                "heat": v.windows_image(w),
                "bars": v.error_bars(None, base[0], "test"),
                "table": _split_table(w),
            },
            notes=tx.DATA_NOTES,
            titles={"heat": "What the net reads: windows of past years", "table": "The split"},
        ),
    )
    held = w.part("test")
    run: fc.ForecastRun | None = None
    for point in fc.checkpoints(cell, window, total, rate, seed):
        if point.diverged:
            yield show(
                c,
                Step("Forecaster diverged", tx.forecast_diverged(point.epochs + 1), stop=True),
            )
            return
        run = point.run(cell, window, seed)
        done = point.epochs
        fitted = run.predict(np.ones(len(w.years), dtype=bool))
        e = fc.errors(run)
        yield show(
            c,
            Step(
                f"Forecaster: epoch {done} of {total}",
                tx.training_text(
                    cell, fc.UNITS, window, done, total, e.val_mae, base_val, run.best_epoch
                )
                + tx.overfit_text(
                    run.best_epoch,
                    done,
                    run.val_mse,
                    run.train_mse,
                    min(run.val_mse) < _base_mse(w),
                ),
                {
                    "plot": v.forecast_plot(w, fitted, cell),
                    "curves": _sun_curves(run, total),
                    "heat": v.hidden_years(w, run.hidden(held), held),
                    "bars": v.error_bars(e.val_mae, base_val, "validation"),
                    "table": _error_table(e, validation_only=True),
                },
                figures={"epoch": float(done), "val_mae": e.val_mae},
                notes=tx.FORECAST_NOTES,
                titles={"heat": "Hidden state h for each test year", "table": "Errors"},
            ),
        )
    assert run is not None  # there is always a first checkpoint
    run.model.set_weights(run.best_weights)
    e = fc.errors(run)
    fitted = run.predict(np.ones(len(w.years), dtype=bool))
    yield show(
        c,
        Step(
            "Does it beat 'same as last year'?",
            tx.verdict_text(
                cell,
                run.best_epoch,
                (e.model_mae, e.base_mae),
                (e.model_rmse, e.base_rmse),
                e.beats,
            ),
            {
                "plot": v.forecast_plot(w, fitted, cell),
                "heat": v.hidden_years(w, run.hidden(held), held),
                "bars": v.error_bars(e.model_mae, e.base_mae, "test"),
                "table": _error_table(e, validation_only=False),
            },
            figures={
                "best_epoch": float(run.best_epoch),
                "model_mae": e.model_mae,
                "model_rmse": e.model_rmse,
                "base_mae": e.base_mae,
                "base_rmse": e.base_rmse,
            },
            notes=tx.VERDICT_NOTES,
            titles={"plot": f"Forecasts of the epoch-{run.best_epoch} {cell}"},
        ),
    )


def _sun_curves(run: fc.ForecastRun, total: int) -> PanelData:
    return v.loss_curves(
        run.epochs,
        run.train_mse,
        run.val_mse,
        colors.CELL_COLORS[run.cell],
        total,
        run.best_epoch,
    )


def _split_table(w: fc.Windows) -> PanelData:
    rows = []
    for name, part in (("training", "train"), ("validation", "val"), ("test", "test")):
        m = w.part(part)
        yrs = w.years[m]
        rows.append((name, f"{yrs.min()}-{yrs.max()}", int(m.sum()), fc.mae(w.last[m], w.y[m])))
    return TableData(("part", "years", "n", "last-year MAE"), tuple(rows), number_format="{:.1f}")


def _error_table(e: fc.Errors, validation_only: bool) -> PanelData:
    rows: list[tuple[object, ...]] = [("validation MAE", e.val_mae, e.val_base_mae)]
    if not validation_only:
        rows += [
            ("test MAE", e.model_mae, e.base_mae),
            ("test RMSE", e.model_rmse, e.base_rmse),
        ]
    return TableData(("error", "net", "last year"), tuple(rows), number_format="{:.2f}")


def _base_mse(w: fc.Windows) -> float:
    """The baseline's mean squared error on the validation years, standardised like the
    net's loss."""
    va = w.part("val")
    return float(np.mean(((w.last[va] - w.y[va]) / w.scale) ** 2))
