"""Lesson 5.3: graphs of operations and the GPU.

The lecture's smallest TensorFlow program (a = 1, b = 2, f = a + b) is built as a graph with no
values, its variables are initialised, and it is run node by node with the engine's Tensors.  A
dense layer is the same kind of graph, Y = XW + b, run on a small batch.  Its matrix product is
a set of independent dot products, 2mnk FLOPs in all, which is why GPUs suit it; the lesson then
times square products on this machine with NumPy, and with CuPy where the engine's backend finds
a usable GPU (otherwise it says why there is none).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from lessons.ch5_real_data.graphs_gpu import graph as gg
from lessons.ch5_real_data.graphs_gpu import texts
from lessons.ch5_real_data.graphs_gpu import timing as tm
from lessons.ch5_real_data.graphs_gpu.views import (
    COMPARISON,
    FEATURES,
    MAX_BATCH,
    MODEL,
    UNITS,
    X_LABEL,
    batch_plot,
    layer_data,
    size_plot,
)
from lessons.core.base import (
    Choice,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Plot,
    Slider,
    Step,
    Table,
    TableData,
    Values,
    Vector,
)
from lessons.core.panels import Graph
from lessons.markup.numbers import plain

SUM_LABELS = {"a": "a (variable)", "b": "b (variable)", "f": "f"}
DENSE_LABELS = {"X": "X (placeholder)", "W": "W (variable)", "XW": "XW", "b": "b (variable)"}
DENSE_KINDS = {"X": "placeholder", "W": "variable", "XW": "X @ W", "b": "variable", "Y": "XW + b"}


class GraphsGpu(Lesson):
    """Build a graph, initialise, run; a layer as a matrix product; matrix products on CPU/GPU."""

    id = "graphs_gpu"
    chapter = 5
    number = "5.3"
    title = "Graphs and the GPU"
    summary = (
        "A TensorFlow-style graph is built first and run later: a = 1, b = 2, f = a + b gets its "
        "value only when it runs. A dense layer is such a graph, a matrix product plus a bias. "
        "Matrix products are many independent dot products (2mnk FLOPs), which suits GPUs; "
        "their time is measured live on this machine."
    )
    controls = (
        Vector(
            "ab",
            "Variables a, b",
            default=(1.0, 2.0),
            labels=("a", "b"),
            min_length=2,
            max_length=2,
            help="The initial values of the two variables of f = a + b.",
        ),
        Slider(
            "batch",
            "Batch size m",
            1,
            MAX_BATCH,
            default=4,
            integer=True,
            help="How many samples (rows of X) the dense layer gets.",
        ),
        Choice(
            "dtype",
            "Number type (timings)",
            options=("float32", "float64"),
            default="float32",
            help="The floating-point type of the timed matrices.",
        ),
    )
    panels = (
        Graph("graph", "Graph of operations", stretch=3),
        Table("numbers", "Every number", stretch=3),
        Plot("speed", "Matrix product n×n · n×n", x_label=X_LABEL, log_y=True, stretch=2),
    )
    layout = (1, 2)
    quiz = (
        MultipleChoice(
            "before_run",
            "A graph f = a + b has been built but not run yet. What is f?",
            ("3", "A node with no value yet", "0 until the variables are initialised"),
            answer=1,
            explanations=(
                "Only running the graph computes 3.",
                "Right: building describes the computation; the value exists after a run.",
                "f gets no value at all before it runs, not even 0.",
            ),
        ),
        NumericQuestion(
            "flops",
            "How many FLOPs does a (64×128)·(128×32) matrix product take (2mnk)?",
            answer=float(tm.flops(64, 128, 32)),
            tolerance=0.5,
            explanation="2 · 64 · 128 · 32 = 524 288: 64·32 dot products of length 128.",
        ),
        MultipleChoice(
            "why_gpu",
            "Why do matrix products suit GPUs?",
            (
                "Each output entry is a dot product that needs no other entry's result",
                "GPUs compute every single number faster than a CPU core",
                "Matrix products need fewer FLOPs on a GPU",
            ),
            answer=0,
            explanations=(
                "Right: thousands of cores can each take dot products at the same time.",
                "A GPU core is slower than a CPU core; there are just very many of them.",
                "The count 2mnk is the same on any device; only the speed differs.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        yield from self._sum_steps(float(c.ab[0]), float(c.ab[1]))
        x, w, b = layer_data(rng, int(c.batch))
        yield from self._dense_steps(x, w, b)
        yield from self._speed_steps(rng, str(c.dtype), x, w)

    # -- f = a + b ------------------------------------------------------------------------------

    def _sum_steps(self, a: float, b: float) -> Iterator[Step]:
        s = gg.Session(gg.SUM)

        def table() -> TableData:
            rows = tuple(
                (n.id, "operation a + b" if n.kind == "add" else n.kind, _cell(s.value(n.id)))
                for n in gg.SUM.nodes
            )
            return TableData(("node", "kind", "value"), rows)

        yield Step(
            "Build the graph",
            texts.BUILD,
            {"graph": s.snapshot("Built, not run: no values yet", SUM_LABELS), "numbers": table()},
            notes=texts.BUILD_NOTES,
        )
        s.initialise({"a": a, "b": b})
        yield Step(
            "Initialise the variables",
            f"The initialiser gives each variable its starting value: $a = {plain(a)}$, "
            f"$b = {plain(b)}$. Variables keep their values from one run of the graph to the "
            "next, which is where a network keeps its weights. $f$ is still empty: no "
            "operation has run.",
            {
                "graph": s.snapshot("Variables initialised; f not run", SUM_LABELS, ("a", "b")),
                "numbers": table(),
            },
        )
        f = float(s.run_node("f")[()])
        yield Step(
            "Run the graph",
            "Asking for $f$ runs every node it needs, inputs first. Here that is one addition, "
            f"done by the engine's Tensor: $$f = a + b = {plain(a)} + {plain(b)} = {plain(f)}$$ "
            "Only now does $f$ have a value. A large graph runs the same way, node after node.",
            {"graph": s.snapshot("Run: f computed", SUM_LABELS, ("f",)), "numbers": table()},
            figures={"f": f},
        )

    # -- the dense layer ------------------------------------------------------------------------

    def _dense_steps(self, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> Iterator[Step]:
        m = len(x)
        s = gg.Session(gg.DENSE)
        shapes = {"X": (m, 3), "W": (3, 2), "XW": (m, 2), "b": (2,), "Y": (m, 2)}
        rows = tuple(
            (n.id, DENSE_KINDS[n.id], " × ".join(map(str, shapes[n.id]))) for n in gg.DENSE.nodes
        )
        yield Step(
            "A layer is a graph too",
            texts.DENSE,
            {
                "graph": s.snapshot(
                    f"Dense layer, {FEATURES} inputs → {UNITS} neurons", DENSE_LABELS
                ),
                "numbers": TableData(("node", "kind", "shape"), rows),
            },
        )
        s.initialise({"W": w, "b": b})
        s.feed({"X": x})
        inputs = [(f"sample x⁽{_sup(i + 1)}⁾", *row, "") for i, row in enumerate(x)]
        inputs += [
            (f"neuron {j + 1}: W col {j + 1}, b{j + 1}", *w[:, j], b[j]) for j in range(UNITS)
        ]
        yield Step(
            "Initialise W and b, feed X",
            f"The variables get their values and the placeholder gets a batch of $m = {m}$ "
            f"sample{'s' if m > 1 else ''}, one row of $X$ each, {FEATURES} features per row. "
            "Each neuron owns one column of $W$ (a weight per feature) and one bias; the "
            "table lists them below the samples. The operation nodes are still empty.",
            {
                "graph": s.snapshot(
                    f"X fed with {m} rows; W, b initialised", DENSE_LABELS, ("X", "W", "b")
                ),
                "numbers": TableData(("", "1", "2", "3", "bias"), tuple(inputs)),
            },
        )
        z = s.run_node("XW")
        dot = " + ".join(f"({plain(x[0, k])})({plain(w[k, 0])})" for k in range(FEATURES))
        yield Step(
            "Run: the matrix product",
            "The engine's matrix product computes every entry of $XW$ as a dot product of a row "
            f"of $X$ with a column of $W$. The first: $$z_{{11}} = {dot} = {plain(z[0, 0])}$$ "
            f"That is ${m} \\times {UNITS}$ dot products of length {FEATURES}: "
            f"$2 \\cdot {m} \\cdot {FEATURES} \\cdot {UNITS} = {tm.flops(m, FEATURES, UNITS)}$ "
            "floating-point operations (FLOPs).",
            {
                "graph": s.snapshot("Run: X @ W", DENSE_LABELS, ("XW",)),
                "numbers": TableData(
                    ("sample", "z₁", "z₂"), tuple((f"{i + 1}", *r) for i, r in enumerate(z))
                ),
                "speed": batch_plot(m),
            },
            titles={"speed": "FLOPs of this product against batch size"},
            figures={"z11": float(z[0, 0]), "layer_flops": float(tm.flops(m, FEATURES, UNITS))},
        )
        y = s.run_node("Y")
        yield Step(
            "Run: add the bias",
            f"The last node adds the bias vector $b = ({plain(b[0])}, {plain(b[1])})$ to every "
            f"row: $y_{{11}} = {plain(z[0, 0])} + {plain(b[0])} = {plain(y[0, 0])}$. The table "
            "shows $XW$ and the layer's output $Y$ for each sample. A whole batch passed through "
            "the layer in two operations.",
            {
                "graph": s.snapshot("Run: Y = XW + b", {**DENSE_LABELS, "Y": "Y"}, ("Y",)),
                "numbers": TableData(
                    ("sample", "z₁", "z₂", "y₁", "y₂"),
                    tuple(
                        (f"{i + 1}", *zr, *yr) for i, (zr, yr) in enumerate(zip(z, y, strict=True))
                    ),
                ),
            },
            figures={"y11": float(y[0, 0]), "y_sum": float(y.sum())},
        )

    # -- why GPUs, and the measurements -----------------------------------------------------------

    def _speed_steps(
        self, rng: np.random.Generator, dtype: str, x: np.ndarray, w: np.ndarray
    ) -> Iterator[Step]:
        rows = min(len(x), 3)
        dots = gg.dot_products(rows, UNITS)
        s = gg.Session(dots)
        s.feed({f"x{i}": x[i] for i in range(rows)})
        s.initialise({f"w{j}": w[:, j] for j in range(UNITS)})
        for node in dots.operations():
            s.run_node(node.id)
        labels = {f"x{i}": f"x⁽{_sup(i + 1)}⁾" for i in range(rows)}
        labels |= {f"w{j}": f"W col {j + 1}" for j in range(UNITS)}
        labels |= {f"z{i}{j}": f"z{i + 1}{j + 1}" for i in range(rows) for j in range(UNITS)}
        sizes = tm.SIZES
        work = tuple(float(tm.flops(n, n, n)) for n in sizes)
        big = sizes[-1]
        yield Step(
            "Why GPUs like matrix products",
            "Drawn as dot products, the layer's product falls apart: each $z_{ij}$ uses only its "
            "own row and column, and no arrow joins two of them, so all can run at once. An "
            "$(m \\times k)(k \\times n)$ product has $mn$ such dot products and costs $2mnk$ "
            f"FLOPs. For $n = {big}$ square matrices: {big * big:,} independent dot products, "
            f"${plain(work[-1] / 1e6, 4)}$ million FLOPs: work for thousands of GPU cores at once.",
            {
                "graph": s.snapshot(
                    f"First {rows} rows: {rows * UNITS} independent dot products", labels
                ),
                "numbers": TableData(
                    ("n", "FLOPs 2n³", "dot products n²", "length of each"),
                    tuple(
                        (n, f"{int(f):,}", f"{n * n:,}", n)
                        for n, f in zip(sizes, work, strict=True)
                    ),
                ),
                "speed": size_plot(sizes, {"FLOPs 2n³": (work, MODEL)}, "FLOPs"),
            },
            titles={"speed": "FLOPs of an n×n · n×n product"},
            notes=texts.DOTS_NOTES,
            figures={"flops_largest": work[-1]},
        )
        status = tm.gpu_status()
        cpu = tm.measure(np, tm.cpu_description(), rng, dtype)
        gpu = (
            None
            if status.gpu is None
            else tm.measure(status.gpu.xp, status.gpu.description, rng, dtype)
        )
        yield from self._measured(cpu, gpu, status, dtype)

    def _measured(
        self, cpu: tm.Timing, gpu: tm.Timing | None, status: tm.GpuStatus, dtype: str
    ) -> Iterator[Step]:
        columns = ["n", "FLOPs", "NumPy ms", "NumPy GFLOP/s"]
        if gpu is not None:
            columns += ["CuPy ms", "CuPy GFLOP/s"]
        rows = []
        for i, n in enumerate(cpu.sizes):
            row: list[object] = [n, f"{tm.flops(n, n, n):,}", cpu.seconds[i] * 1e3, cpu.gflops[i]]
            if gpu is not None:
                row += [gpu.seconds[i] * 1e3, gpu.gflops[i]]
            rows.append(tuple(row))
        table = TableData(tuple(columns), tuple(rows))
        times = {"NumPy (CPU)": (tuple(t * 1e3 for t in cpu.seconds), MODEL)}
        speed = {"NumPy (CPU)": (cpu.gflops, MODEL)}
        if gpu is not None:
            times["CuPy (GPU)"] = (tuple(t * 1e3 for t in gpu.seconds), COMPARISON)
            speed["CuPy (GPU)"] = (gpu.gflops, COMPARISON)
        yield Step(
            "Measured here: time against size",
            f"These times were just measured on this machine ({cpu.device}, {dtype}): the median "
            "of a few runs of each product. Another computer, or another run, gives other "
            f"numbers. Both axes are logarithmic, so $t \\propto n^3$ is a straight line. "
            + texts.growth(cpu),
            {"numbers": table, "speed": size_plot(cpu.sizes, times, "time (ms)")},
            titles={"speed": "Measured time (ms) of one product"},
        )
        yield Step(
            "Measured here: FLOPs per second",
            "Dividing the FLOPs by the time gives the rate, in billions of FLOPs per second: "
            "$$\\text{GFLOP/s} = \\frac{2n^3}{t \\cdot 10^9}$$ "
            + texts.rates(cpu, gpu, status.message),
            {"numbers": table, "speed": size_plot(cpu.sizes, speed, "GFLOP/s")},
            titles={"speed": "Measured rate (GFLOP/s)"},
            figures={"gpu_available": float(gpu is not None)},
        )
        yield Step("Summary", texts.SUMMARY, {"numbers": table})


def _cell(value: np.ndarray | None) -> str:
    return "not yet" if value is None else plain(float(value.reshape(())))


def _sup(k: int) -> str:
    """A sample number as superscript digits (x⁽¹²⁾)."""
    return str(k).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
