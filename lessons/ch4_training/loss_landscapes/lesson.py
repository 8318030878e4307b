"""Lesson 4.7: loss landscapes: slices through the loss of a real network, and what they show.

A small network learns noisy XOR points.  The lesson then looks at its loss from several
angles: a 2-D slice along two filter-normalised random directions around the trained weights
(a contour map and a 3-D surface), the lengths that make those directions fair, the 1-D line
from the initial to the trained weights, the training path projected onto the random plane
(which keeps almost nothing of it) and onto the plane of the path's own principal directions
(which keeps almost all of it), and finally the minima reached with small and large batches:
their sharpness, measured by the loss rise at a fixed filter-normalised distance, against
their generalisation gap, at the same number of updates and at the same training loss.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from engine.analysis.landscape import losses_at
from lessons.ch4_training.loss_landscapes import model as m
from lessons.ch4_training.loss_landscapes import slices as sl
from lessons.ch4_training.loss_landscapes import texts
from lessons.ch4_training.loss_landscapes import views as v
from lessons.ch4_training.loss_landscapes.quiz import QUIZ
from lessons.core.base import (
    Lesson,
    PanelData,
    Plot,
    Series,
    Slider,
    Step,
    Table,
    TableData,
    Values,
)
from lessons.core.panels import Surface3D
from lessons.markup.numbers import plain

PCA_AXES = ("α (1st principal direction)", "β (2nd principal direction)")
FILTER_ROWS = ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1))  # (layer, neuron) shown


class LossLandscapes(Lesson):
    """Slices through a trained network's loss: lines, planes, the path, sharp and flat minima."""

    id = "loss_landscapes"
    chapter = 4
    number = "4.7"
    title = "Loss landscapes"
    summary = (
        "The loss of a network is a surface over all its weights. Look at it through slices: "
        "a plane along two filter-normalised random directions (contours and a 3-D surface), "
        "the straight line from the initial to the trained weights, the training path "
        "projected onto a plane, and the minima that small and large batches find."
    )
    seed = 6
    controls = (
        Slider(
            "batch",
            "Small batch size",
            10,
            75,
            default=15,
            step=5,
            integer=True,
            help="Points per update of the small-batch run; the large-batch run takes all 150.",
        ),
        Slider(
            "resolution",
            "Grid points per side",
            9,
            41,
            default=17,
            step=4,
            integer=True,
            help="How finely the slices are sampled (more points take longer).",
        ),
        Slider(
            "extent",
            "Slice half-width",
            0.25,
            2.0,
            default=1.0,
            step=0.25,
            help="How far the random slices reach in filter-normalised units.",
        ),
        Slider(
            "directions",
            "Random directions (seed)",
            0,
            9,
            default=0,
            step=1,
            integer=True,
            help="Draw another pair of random directions.",
        ),
    )
    panels = (
        Plot(
            "map",
            "Training loss on a random slice",
            x_label="α (along δ)",
            y_label="β (along η)",
            stretch=1,
            help="Colour: training loss; lines: equal loss; star: the trained weights.",
        ),
        Surface3D(
            "surface",
            "The same slice in 3-D",
            x_label="α",
            y_label="β",
            z_label="loss",
            stretch=1,
            help="Height and colour: training loss. Drag to turn, wheel or +/- to zoom.",
        ),
        Plot("curves", "Loss per epoch", x_label="epoch", y_label="loss", stretch=1),
        Table("numbers", "What was trained", stretch=1),
    )
    layout = (2, 2)
    quiz = QUIZ

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        data_seed, model_seed = (int(x) for x in rng.integers(2**31, size=2))
        ex = m.experiment(data_seed, model_seed, int(c.batch))
        net = m.new_model(model_seed)  # the architecture and loss the slices evaluate
        data, small = ex.data, ex.small
        extent, res, seed = float(c.extent), int(c.resolution), int(c.directions)
        params = m.parameter_count(small.final)

        plane = sl.random_slice(net, data, small.final, seed, extent, res)
        bounds = v.levels(plane.losses)
        yield Step(
            "The loss around the trained weights",
            texts.intro(ex, params, plane),
            {
                "map": v.contour_map(plane, bounds),
                "surface": v.surface(plane, bounds),
                "curves": v.epoch_curves(small.train, small.val),
                "numbers": _setup_table(ex, params, plane, res),
            },
            figures={
                "params": float(params),
                "train_loss": small.end.train,
                "val_loss": small.end.val,
                "center_loss": plane.center_loss,
            },
            notes=texts.INTRO_NOTES,
        )

        d, e = plane.directions
        along = np.linspace(-extent, extent, 41)
        coeffs = along[:, None]
        cut_d = losses_at(net, data.x_train, data.y_train, small.final, [d], coeffs)
        cut_e = losses_at(net, data.x_train, data.y_train, small.final, [e], coeffs)
        norms = {(r[0], r[1]): r for r in sl.filter_norms(small.final, d)}
        norms_e = {(r[0], r[1]): r for r in sl.filter_norms(small.final, e)}
        rows = [(*norms[k][:3], norms[k][3], norms_e[k][3]) for k in FILTER_ROWS]
        axes = (
            Series("_δ axis", along, np.zeros_like(along), color=v.CUTS[0], width=1.5),
            Series("_η axis", np.zeros_like(along), along, color=v.CUTS[1], width=1.5),
        )
        yield Step(
            "Directions scaled filter by filter",
            texts.cuts(rows, extent),
            {
                "map": v.contour_map(plane, bounds, extra=axes),
                "curves": v.cuts_plot(along, cut_d, cut_e),
                "numbers": v.filter_table(rows),
            },
            figures={"cut_delta_end": float(cut_d[-1]), "cut_eta_end": float(cut_e[-1])},
            notes=texts.CUTS_NOTES,
            titles={"curves": "The two axes of the slice", "numbers": "Filter lengths"},
        )

        line = sl.interpolation(net, data, small.initial, small.final)
        text, figures = texts.line(line)
        yield Step(
            "From the initial to the trained weights",
            text,
            {
                "map": v.contour_map(plane, bounds),
                "curves": v.line_plot(line),
                "numbers": _line_table(line),
            },
            figures=figures,
            notes=texts.LINE_NOTES,
            titles={"curves": "Loss along the line θ₀ → θ₁", "numbers": "Along the line"},
        )

        proj = sl.project(small.path, small.final, plane.directions)
        on_plane = sl.plane_losses(net, data, plane, proj.coords)
        path3d = np.column_stack([proj.coords, small.train])
        yield Step(
            "The training path on the random slice",
            texts.random_path(proj, params, float(np.mean(small.train > on_plane))),
            {
                "map": v.contour_map(plane, bounds, proj.coords, labels=False),
                "surface": v.surface(plane, bounds, path3d, "Path height: real training loss."),
                "curves": v.path_distances(proj),
                "numbers": v.path_table(proj, small.train, on_plane, shares=True),
            },
            figures={"random_plane_share": proj.total},
            notes=texts.RANDOM_PATH_NOTES,
            titles={"curves": "How far the path is from θ₁", "numbers": "The path, epoch by epoch"},
        )

        dirs = sl.path_plane(small.path, small.final)
        pca = sl.project(small.path, small.final, dirs)
        pca_plane = sl.plane_slice(net, data, small.final, dirs, sl.path_ranges(pca.coords), res)
        pca_bounds = v.levels(pca_plane.losses)
        below = sl.plane_losses(net, data, pca_plane, pca.coords)
        first = sl.project(small.path, small.final, (dirs[0], dirs[0])).total
        mismatch = float(np.max(np.abs(below - small.train)))
        yield Step(
            "A plane that holds the path",
            texts.pca_path(pca, first, mismatch, float(np.ptp(small.train))),
            {
                "map": v.contour_map(pca_plane, pca_bounds, pca.coords, axis_labels=PCA_AXES),
                "surface": v.surface(
                    pca_plane, pca_bounds, np.column_stack([pca.coords, small.train])
                ),
                "curves": v.path_losses(small.train, below),
                "numbers": v.path_table(pca, small.train, below, shares=False),
            },
            figures={
                "pca_plane_share": pca.total,
                "pca_first_share": first,
                "pca_mismatch": mismatch,
            },
            notes=texts.PCA_NOTES,
            titles={
                "map": "Loss on the plane of the path",
                "surface": "The plane of the path in 3-D",
                "curves": "Real loss and the plane's loss",
            },
        )

        sharp_small = sl.sharpness(net, data, small.final, seed)
        sharp_large = sl.sharpness(net, data, ex.large.final, seed)
        large_plane = sl.random_slice(net, data, ex.large.final, seed, extent, res)
        early_plane = (
            sl.random_slice(net, data, ex.large.matched, seed, extent, res)
            if ex.large.matched is not None
            else None
        )
        # One colour scale for the three minima: from the lowest of them to the first top.
        lows = [p.losses for p in (plane, large_plane, early_plane) if p is not None]
        shared = (min(v.levels(z)[0] for z in lows), bounds[1])
        text, figures = texts.batches(ex, sharp_small, sharp_large)
        yield Step(
            "Small batches, large batches",
            text,
            {
                "map": v.contour_map(large_plane, shared),
                "surface": v.surface(large_plane, shared),
                "curves": v.sharpness_plot(
                    [
                        (f"batch {small.batch}", v.SMALL, sharp_small),
                        (f"batch {data.n_train}", v.LARGE, sharp_large),
                    ]
                ),
                "numbers": _batch_table(ex, sharp_small, sharp_large, None),
            },
            figures=figures,
            notes=texts.BATCH_NOTES,
            titles={
                "map": "Large batch: the same random slice",
                "surface": "The large-batch slice in 3-D",
                "curves": "Slices through each minimum",
                "numbers": "Small and large batches",
            },
        )

        early = None
        data_m: dict[str, PanelData] = {}
        if ex.large.matched is not None and early_plane is not None:
            early = sl.sharpness(net, data, ex.large.matched, seed)
            data_m = {
                "map": v.contour_map(early_plane, shared),
                "surface": v.surface(early_plane, shared),
            }
        text, figures = texts.matched(ex, sharp_small, sharp_large, early)
        runs = [
            (f"batch {small.batch}", v.SMALL, sharp_small),
            (f"batch {data.n_train}", v.LARGE, sharp_large),
        ]
        if early is not None:
            runs.append((f"batch {data.n_train}, stopped early", v.MATCHED, early))
        yield Step(
            "Same depth, same sharpness?",
            text,
            {
                **data_m,
                "curves": v.sharpness_plot(runs),
                "numbers": _batch_table(ex, sharp_small, sharp_large, early),
            },
            figures=figures,
            notes=texts.MATCHED_NOTES,
            titles={
                "map": "Large batch, stopped early",
                "surface": "The same slice in 3-D",
            }
            if early is not None
            else {},
        )


def _setup_table(ex: m.Experiment, params: int, plane: sl.Plane, res: int) -> TableData:
    s = ex.small
    lo, hi = plane.alphas[0], plane.alphas[-1]
    rows = (
        ("network", f"2 → {m.HIDDEN[0]} → {m.HIDDEN[1]} → 1, {params} weights and biases"),
        ("points", f"{ex.data.n_train} training, {len(ex.data.x_val)} validation"),
        (
            "training",
            f"Adam {plain(m.RATE)}, batch {s.batch}, {m.EPOCHS} epochs, {s.updates} updates",
        ),
        ("loss: training, validation", f"{plain(s.end.train, 4)}, {plain(s.end.val, 4)}"),
        ("accuracy", f"{100 * s.end.train_acc:.1f}%, {100 * s.end.val_acc:.1f}%"),
        ("grid", f"{res} × {res} settings, α and β from {plain(lo)} to {plain(hi)}"),
        ("loss at α = β = 0", plain(plane.center_loss, 4)),
    )
    return TableData(("", "value"), rows, highlight_rows=(6,))


def _line_table(line: sl.Line) -> TableData:
    a = line.alphas
    names = {
        int(np.argmin(np.abs(a))): "θ₀",
        int(np.argmin(np.abs(a - 1))): "θ₁",
        int(np.argmin(line.train)): "lowest training",
        int(np.argmin(line.val)): "lowest validation",
    }
    picks = sorted({0, len(a) // 2, len(a) - 1} | set(names))
    rows = tuple(
        (
            plain(float(a[i])),
            plain(float(line.train[i]), 4),
            plain(float(line.val[i]), 4),
            names.get(i, ""),
        )
        for i in picks
    )
    marked = tuple(k for k, i in enumerate(picks) if i in names)
    return TableData(("a", "training", "validation", ""), rows, highlight_rows=marked)


def _batch_table(
    ex: m.Experiment, small: sl.Sharpness, large: sl.Sharpness, early: sl.Sharpness | None
) -> TableData:
    s, lb, n = ex.small, ex.large, ex.data.n_train
    header = ("run", "training", "validation", "gap", f"rise at {plain(sl.RADIUS)}")

    def row(name: str, sc: m.Scores, sh: sl.Sharpness) -> tuple[str, ...]:
        return (name, plain(sc.train, 3), plain(sc.val, 3), plain(sc.gap, 3), plain(sh.rise, 3))

    rows = [row(f"batch {s.batch}", s.end, small), row(f"batch {n}", lb.end, large)]
    if early is not None and lb.matched_scores is not None:
        rows.append(row(f"{n}, {lb.matched_update} upd.", lb.matched_scores, early))
    return TableData(header, tuple(rows), highlight_rows=(len(rows) - 1,))
