"""Lesson 6.4: four landmark CNNs counted by the engine, two blocks run, gradients with skips.

LeNet-5, AlexNet, GoogLeNet and ResNet-18 are drawn from the engine's specs (output shape and
parameter count of every layer, no weights made) and their totals compared with the published
ones; an inception module and a residual block are opened up; a tiny inception block and a tiny
residual block run on a seeded input; last, a deep plain conv net and the same net with skip
connections each take one backward pass on real digits, and their gradient norms per layer are
compared.  Every number comes from ``model``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from engine.nn.blocks import InceptionBlock, ResidualBlock
from lessons.ch6_convnets.architectures import model as m
from lessons.ch6_convnets.architectures import texts as tx
from lessons.ch6_convnets.architectures import views as v
from lessons.core.base import Lesson, Plot, PlotData, Series, Slider, Step, Table, TableData, Values
from lessons.core.panels import Graph
from lessons.shared import colors


def _arch_step(name: str, title: str, text: str, notes: str) -> Step:
    boxes = m.groups(name)
    s = m.architecture(name)
    fact = tx.FACTS[name]
    caption = f"{fact.short}: total {s.total_params:,} parameters"
    return Step(
        title,
        text,
        {
            "diagram": v.chain_graph(boxes, caption),
            "table": v.layer_table(s),
            "plot": v.params_plot(boxes),
        },
        titles={
            "diagram": f"{fact.title}: output shape · parameters",
            "table": f"{fact.title}, every layer (engine)",
            "plot": "Parameters per box (log scale)",
        },
        notes=notes,
        figures={"total": float(s.total_params), "published": float(s.published_params or 0)},
    )


def _channel_table(run: m.BlockRun) -> TableData:
    """Per output channel: its path, mean and largest value over the 6x6 image, zeros."""
    rows = []
    channel = 0
    for role, out in run.paths.items():
        for k in range(out.shape[1]):
            a = out[0, k]
            zeros = int(np.count_nonzero(a == 0))
            rows.append(
                (channel, role.removesuffix("_conv"), float(a.mean()), float(a.max()), zeros)
            )
            channel += 1
    return TableData(("channel", "path", "mean", "max", "zeros of 36"), tuple(rows))


def reversed_paths() -> tuple[list[int], list[int], list[str]]:
    """``model.inception_paths`` in the order ``views.reduction_plot`` takes."""
    names, built, direct = m.inception_paths()
    return built, direct, names


class Architectures(Lesson):
    """LeNet-5, AlexNet, GoogLeNet, ResNet-18; an inception and a residual block; skips."""

    id = "architectures"
    chapter = 6
    number = "6.4"
    title = "Architectures"
    summary = (
        "LeNet-5, AlexNet, GoogLeNet and ResNet-18 drawn with every layer's output shape and "
        "parameter count, computed by the engine and compared with the published totals. An "
        "inception block and a residual block run on a small input. Last, one backward pass "
        "through a deep plain net and the same net with skip connections: the gradient per layer."
    )
    controls = (
        Slider(
            "blocks",
            "Last step: depth (conv pairs)",
            1,
            20,
            default=12,
            integer=True,
            help="The gradient step: 1 + 2 × this many 3×3 convolutions in each of the two nets.",
        ),
    )
    panels = (  # a wide diagram: four parallel paths keep their shapes readable at 1280x720
        Graph("diagram", "Diagram", stretch=5),
        Plot("plot", "Plot", legend=True, stretch=2),
        Table("table", "Layers", stretch=1),
    )
    layout = (2, 1)
    quiz = tx.QUIZ
    seed = 64

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        yield _arch_step("lenet5", "LeNet-5 (1998)", tx.lenet_text(), tx.LENET_NOTES)
        yield _arch_step("alexnet", "AlexNet (2012)", tx.alexnet_text(), tx.ALEXNET_NOTES)
        yield _arch_step("googlenet", "GoogLeNet (2014)", tx.googlenet_text(), tx.GOOGLENET_NOTES)
        rows = m.module_rows("googlenet")
        yield Step(
            "Inside an inception module",
            tx.inception_text(),
            {
                "diagram": v.inception_graph(rows, "module 3a of GoogLeNet (torchvision form)"),
                "table": v.rows_table(rows),
                "plot": v.reduction_plot(*reversed_paths()),
            },
            titles={
                "diagram": "Inception module 3a: four paths, concatenated",
                "table": "Module 3a, sub-layer by sub-layer (engine)",
                "plot": "Parameters per path (log scale)",
            },
            notes=tx.INCEPTION_NOTES,
            figures={"module_params": float(sum(r[2] for r in rows))},
        )
        yield _arch_step("resnet18", "ResNet-18 (2015)", tx.resnet_text(), tx.RESNET_NOTES)
        rows = m.module_rows("resnet18")
        yield Step(
            "Inside a residual block",
            tx.residual_text(),
            {
                "diagram": v.residual_graph(rows, "ResNet-18, block 2 (identity shortcut)"),
                "table": v.rows_table(rows),
                "plot": v.closed_form_plot(*m.identity_blocks()),
            },
            titles={
                "diagram": "Residual block: y = ReLU(F(x) + x)",
                "table": "Block 2, sub-layer by sub-layer (engine)",
                "plot": "Identity blocks: engine vs 18c² + 4c",
            },
            notes=tx.RESIDUAL_NOTES,
            figures={"block_params": float(sum(r[2] for r in rows))},
        )
        yield self._totals_step()
        x = m.small_input(rng)
        inc = m.run_inception(x, self.seed)
        yield Step(
            "Run a small inception block",
            tx.inception_run_text(inc),
            {
                "diagram": v.inception_graph(
                    m.block_rows(InceptionBlock(*m.INCEPTION_WIDTHS), (None, *x.shape[1:])),
                    f"output {m.shape_text(inc.out.shape[1:])}",
                ),
                "table": _channel_table(inc),
                "plot": self._channel_plot(inc),
            },
            titles={
                "diagram": "A small inception block (3×6×6 input)",
                "table": "Its 9 output channels (each 6×6)",
                "plot": f"Channel means ({self._spans(inc)})",
            },
            notes=tx.RUN_NOTES,
            figures={"params": float(inc.params), "channels": float(inc.out.shape[1])},
        )
        res = m.run_residual(x, self.seed)
        yield Step(
            "Run a small residual block",
            tx.residual_run_text(res),
            {
                "diagram": v.residual_graph(
                    m.block_rows(ResidualBlock(3, batch_norm=False), (None, *x.shape[1:])),
                    f"{res.params} parameters, no batch norm",
                ),
                "table": self._residual_table(res),
                "plot": self._row_plot(res),
            },
            titles={
                "diagram": "A small residual block (3×6×6 input)",
                "table": "Row 3 of channel 0: x, F(x), output",
                "plot": "Row 3 of channel 0",
            },
            notes=tx.RESRUN_NOTES,
            figures={"params": float(res.params)},
        )
        blocks = int(c["blocks"])
        g = m.gradient_norms(blocks, self.seed)
        yield Step(
            "Gradients with and without skip connections",
            tx.gradient_text(blocks, g),
            {
                "diagram": v.residual_graph(
                    m.block_rows(ResidualBlock(m.CHANNELS, batch_norm=False), (None, 4, 8, 8)),
                    f"one of the {blocks} blocks of the net with skips",
                ),
                "table": v.gradient_table(g),
                "plot": v.gradient_plot(g),
            },
            titles={
                "diagram": "What the second net adds: the skip",
                "table": "Gradient norm per convolution",
                "plot": "Gradient norm per convolution (log scale)",
            },
            notes=tx.GRAD_NOTES,
            figures={
                "ratio": g.ratio,
                "plain_first": float(g.plain[0]),
                "residual_first": float(g.residual[0]),
            },
            last=True,
        )

    @staticmethod
    def _totals_step() -> Step:
        totals: dict[str, tuple[int, int | None]] = {}
        rows = []
        for name in m.NAMES:
            s, f = m.architecture(name), tx.FACTS[name]
            totals[name] = (s.total_params, s.published_params)
            pub = s.published_params or 0
            rows.append((f.title, f.year, f.authors, f"{s.total_params:,}", f"{pub:,}", f.source))
        years = [tx.FACTS[n].year for n in m.NAMES]
        return Step(
            "Four networks side by side",
            tx.totals_text(totals),
            {
                "diagram": v.totals_graph(
                    [(tx.FACTS[n].title, tx.FACTS[n].year, totals[n][0]) for n in m.NAMES],
                    "totals counted by the engine",
                ),
                "table": TableData(
                    ("network", "year", "authors", "engine", "published", "source"), tuple(rows)
                ),
                "plot": v.totals_plot(
                    [tx.FACTS[n].title for n in m.NAMES],
                    years,
                    [t for t, _ in totals.values()],
                    [p or t for t, p in totals.values()],
                ),
            },
            titles={
                "diagram": "Four networks in time order",
                "table": "Parameter totals: engine vs published",
                "plot": "Parameters against year (log scale)",
            },
            notes=tx.TOTALS_NOTES,
        )

    @staticmethod
    def _spans(run: m.BlockRun) -> str:
        """ "0-1 1x1, 2-4 3x3, ...": which output channels each path fills."""
        spans, start = [], 0
        for role, out in run.paths.items():
            spans.append(f"{start}-{start + out.shape[1] - 1} {role.removesuffix('_conv')}")
            start += out.shape[1]
        return ", ".join(spans)

    @staticmethod
    def _channel_plot(run: m.BlockRun) -> PlotData:
        means = run.out[0].mean(axis=(1, 2))
        x = np.arange(len(means), dtype=np.float64)
        return PlotData(
            (Series("channel mean", x, means, "marker", colors.MODEL, size=10.0),),
            axis_labels=("output channel", "mean value"),
        )

    @staticmethod
    def _row_plot(run: m.BlockRun) -> PlotData:
        cols = np.arange(run.x.shape[3], dtype=np.float64)
        row = (0, 0, 3)
        return PlotData(
            (
                Series("x", cols, run.x[row], "marker", colors.DATA),
                Series("F(x)", cols, run.paths["F(x)"][row], "line", colors.COMPARISON),
                Series("ReLU(F(x) + x)", cols, run.out[row], "line", colors.MODEL),
            ),
            axis_labels=("column", "value"),
        )

    @staticmethod
    def _residual_table(run: m.BlockRun) -> TableData:
        row = (0, 0, 3)
        fx, out = run.paths["F(x)"][row], run.out[row]
        body = tuple(
            (j, float(run.x[row][j]), float(fx[j]), float(fx[j] + run.x[row][j]), float(out[j]))
            for j in range(len(out))
        )
        return TableData(("column", "x", "F(x)", "F(x) + x", "output"), body)
