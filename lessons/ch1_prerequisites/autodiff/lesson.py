"""Lesson 1.2: reverse-mode autodiff, one graph node at a time, checked by finite differences.

The graph on screen is the engine's own: the preset expression is built from Tensors, walked
with ``topological_order`` for the forward pass and with ``backward_steps`` for the reverse
pass, whose local derivatives and chain-rule products are the numbers shown.  Counting the
traversals gives outputs + 1; finite differences need one more evaluation per input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from engine.core.autodiff import BackwardStep, backward_steps
from engine.core.tensor import Tensor
from lessons.ch1_prerequisites.autodiff import graphs as cg
from lessons.ch1_prerequisites.autodiff.texts import Shares, forward_text, reverse_text
from lessons.core.base import (
    Choice,
    Lesson,
    MultipleChoice,
    NumericQuestion,
    Step,
    Table,
    TableData,
    Values,
    Vector,
)
from lessons.core.panels import Graph
from lessons.markup.numbers import plain, tex

STEP_H = 1e-6  # the nudge of the finite differences


class Autodiff(Lesson):
    """Reverse-mode autodiff: forward values, then gradients flowing back node by node."""

    id = "autodiff"
    chapter = 1
    number = "1.2"
    title = "Reverse-mode autodiff"
    summary = (
        "An expression is a graph of small operations. A forward pass fills in every value; "
        "one reverse pass per output applies the chain rule node by node and yields the "
        "gradient with respect to every input at once: outputs + 1 traversals in all, "
        "however many inputs there are."
    )
    controls = (
        Choice(
            "expression",
            "Expression",
            options=tuple(cg.PRESETS),
            default="one neuron, squared error",
            help="The expression whose graph is differentiated.",
        ),
        Vector(
            "data",
            "Data",
            default=(1.5, -2.0, 1.0),
            minimum=-5.0,
            maximum=5.0,
            min_length=3,
            max_length=3,
            help="x₁, x₂ and the target y for the neuron; x, y and z for the other expressions.",
        ),
        Vector(
            "weights",
            "Weights",
            default=(0.5, 0.75, 0.1),
            minimum=-5.0,
            maximum=5.0,
            min_length=3,
            max_length=3,
            help="w₁, w₂ and the bias b of the neuron (the other expressions have none).",
        ),
    )
    panels = (
        Graph("graph", "Computation graph"),
        Table("numbers", "Every number"),
    )
    quiz = (
        MultipleChoice(
            "sum_times",
            "For f = (x + y) · z, what is ∂f/∂z?",
            ("z", "x + y", "1"),
            answer=1,
            explanations=(
                "That is ∂f/∂(x + y): the derivative of a product is the other factor.",
                "Right: f is a product, and each factor's derivative is the other factor.",
                "Only a sum passes its gradient on unchanged.",
            ),
        ),
        NumericQuestion(
            "chain",
            "f = q · z with q = x + y, z = −4. The reverse pass reaches q with ∂f/∂q = −4. "
            "What is ∂f/∂x?",
            answer=-4.0,
            tolerance=1e-6,
            explanation="∂f/∂x = ∂f/∂q · ∂q/∂x = −4 × 1 = −4: an addition passes the gradient on.",
        ),
        MultipleChoice(
            "traversals",
            "A network has a million weights and one loss. How many graph traversals does "
            "reverse mode need for all million gradients?",
            ("2", "1,000,001", "1,000,000"),
            answer=0,
            explanations=(
                "Right: one forward pass and one reverse pass (outputs + 1).",
                "That is what finite differences cost: one evaluation per weight, plus one.",
                "The count does not grow with the number of inputs.",
            ),
        ),
        MultipleChoice(
            "fan_out",
            "A value feeds two later operations. What is its gradient?",
            (
                "The sum of the gradients both operations send back",
                "The larger of the two",
                "Their product",
            ),
            answer=0,
            explanations=(
                "Right: each use is a separate path to the output, and paths add up.",
                "Both paths change the output, so both count.",
                "Along one path factors multiply; separate paths add.",
            ),
        ),
    )

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        preset = cg.PRESETS[c.expression]
        values = cg.input_values(preset, c.data, c.weights)
        leaves, outputs = cg.build(preset, values)
        lay = cg.layout(outputs)
        state = cg.GraphState(lay)
        names = [o.name or "f" for o in outputs]
        traversals = 0

        def table(active: str | None = None) -> TableData:
            cols = ("node", "value", *(f"∂{cg.label(o)}/∂node" for o in outputs))
            rows = tuple(
                (
                    cg.label(t),
                    state.values.get(lay.id(t), ""),
                    *(grads[k].get(lay.id(t), "") for k in range(len(outputs))),
                )
                for t in lay.nodes
            )
            hl = tuple(i for i, t in enumerate(lay.nodes) if lay.id(t) == active)
            return TableData(cols, rows, highlight_rows=hl)

        grads: list[dict[str, str]] = [{} for _ in outputs]
        inputs = ", ".join(f"${n} = {tex(v)}$" for n, v in zip(preset.inputs, values, strict=True))
        n_ops = sum(1 for t in lay.nodes if t.parents)
        yield Step(
            "An expression is a graph",
            f"The expression $${preset.formula}$$ is broken into {n_ops} small operations. "
            "Each box is a node: an input or one operation; each arrow carries a value to the "
            "operation that uses it. The engine records exactly this graph while it computes, "
            "so that it can later send gradients back along the arrows. Inputs: "
            f"{inputs}.",
            {"graph": state.snapshot("Traversals so far: 0"), "numbers": table()},
            figures={"nodes": float(len(lay.nodes)), "outputs": float(len(outputs))},
        )

        # ---- forward pass: the values, one node per step ----------------------------------
        for t in lay.nodes:
            if not t.parents:
                state.values[lay.id(t)] = cg.fmt(t.item())
                state.done.add(lay.id(t))
        yield Step(
            "The inputs get their values",
            "The forward pass starts at the inputs, the boxes in the top row. Each input's value "
            "is known: " + inputs + ". Next, every operation is computed as soon as all of its "
            "inputs are ready, in the order the engine's topological sort gives.",
            {"graph": state.snapshot("Traversal 1: forward pass"), "numbers": table()},
        )
        ops = [t for t in lay.nodes if t.parents]
        traversals += 1
        for i, t in enumerate(ops):
            n = lay.id(t)
            state.values[n] = cg.fmt(t.item())
            state.done.add(n)
            last = i == len(ops) - 1
            text = forward_text(t)
            if last:
                text += (
                    " The forward pass is complete: one traversal of the graph gave every "
                    "value, and the output"
                    + (f"s {names[0]} and {names[1]} are" if len(outputs) > 1 else " is")
                    + " known."
                )
            yield Step(
                f"Forward: {cg.label(t)}",
                text,
                {
                    "graph": state.snapshot(
                        f"Traversals so far: {traversals} (forward)"
                        if last
                        else "Traversal 1: forward pass",
                        active=(n,),
                        lit=[(lay.id(p), n) for p in t.parents],
                    ),
                    "numbers": table(n),
                },
                figures={f"value_{t.name}": t.item()} if t.name else {},
            )

        # ---- reverse passes: one per output -------------------------------------------------
        reverse: list[dict[str, float]] = []
        for k, out in enumerate(outputs):
            for t in lay.nodes:
                t.grad = None
            state.grads.clear()
            state.done = set()
            state.edge_labels.clear()
            traversals += 1
            caption = f"Traversal {traversals}: reverse pass from {cg.label(out)}"
            shares: Shares = {}  # what each node received from each of its users, this pass
            for group in _groups(list(backward_steps(out))):
                active = [lay.id(s.node) for s in group]
                lit: list[tuple[str, str]] = []
                for s in group:
                    node = lay.id(s.node)
                    state.grads[node] = cg.fmt(cg.scalar(s.node.grad))
                    grads[k][node] = state.grads[node]
                    state.done.add(node)
                    for pg in s.parents:
                        edge = (lay.id(pg.parent), node)
                        lit.append(edge)
                        local = cg.scalar(pg.local) if pg.local is not None else float("nan")
                        state.edge_labels[edge] = f"× {plain(local)}"
                yield Step(
                    f"Reverse: {cg.label(group[0].node)}"
                    + (f" (output {cg.label(out)})" if len(outputs) > 1 else ""),
                    reverse_text(group, out, first=group[0].node is out, lay=lay, shares=shares),
                    {
                        "graph": state.snapshot(caption, active=active, lit=lit),
                        "numbers": table(active[0]),
                    },
                )
            reverse.append({leaf.name or "": cg.scalar(leaf.grad) for leaf in leaves})

        state.done = {lay.id(t) for t in lay.nodes}
        yield from _closing_steps(
            preset, values, outputs, leaves, reverse, traversals, state, table()
        )


def _groups(steps: Sequence[BackwardStep]) -> list[list[BackwardStep]]:
    """One group per operation node, with the input nodes whose gradient it completed."""
    groups: list[list[BackwardStep]] = []
    for s in steps:
        if s.node.parents or not groups:
            groups.append([s])
        else:
            groups[-1].append(s)
    return groups


def _closing_steps(
    preset: cg.Preset,
    values: tuple[float, ...],
    outputs: tuple[Tensor, ...],
    leaves: list[Tensor],
    reverse: list[dict[str, float]],
    traversals: int,
    state: cg.GraphState,
    numbers: TableData,
) -> Iterator[Step]:
    """The traversal count, the finite-difference check and the summary."""
    k, n = len(outputs), len(leaves)
    caption = f"Traversals: {traversals} = {k} output{'s' if k > 1 else ''} + 1"
    yield Step(
        "Counting traversals: outputs + 1",
        f"That was all: one forward pass and {k} reverse pass{'es' if k > 1 else ''}, "
        f"<b>{traversals} traversals</b> of the graph, and the gradient of every output with "
        f"respect to all {n} inputs is known. The count is the number of outputs plus one, "
        "whatever the number of inputs. A neuron, and a whole network with its single loss, "
        "has many inputs and one output, which is why training uses reverse mode.",
        {"graph": state.snapshot(caption), "numbers": numbers},
        figures={"traversals": float(traversals)},
    )

    base = cg.evaluate(preset, values)
    rows = []
    worst = 0.0
    for i, leaf in enumerate(leaves):
        nudged = list(values)
        nudged[i] += STEP_H
        slope = (cg.evaluate(preset, nudged) - base) / STEP_H
        for j, out in enumerate(outputs):
            exact = reverse[j][leaf.name or ""]
            worst = max(worst, abs(exact - float(slope[j])))
            rows.append(
                (
                    f"∂{cg.label(out)}/∂{cg.label(leaf)}",
                    exact,
                    float(slope[j]),
                    f"{abs(exact - float(slope[j])):.1e}".replace("-", "−"),
                )
            )
    evaluations = n + 1
    yield Step(
        "Check: finite differences",
        "Another way to get a gradient: nudge one input by a tiny $h = 10^{-6}$, evaluate "
        "the expression again and divide the change by $h$: "
        "$$\\frac{\\partial f}{\\partial x} \\approx \\frac{f(x + h) - f(x)}{h}$$ "
        f"That needs one extra evaluation <i>per input</i>: {evaluations} evaluations for "
        f"{n} inputs, against {traversals} traversals for reverse mode. The table puts both "
        f"side by side; the largest disagreement is ${tex(worst, 2)}$, the small error of "
        "the nudge.",
        {
            "numbers": TableData(
                ("gradient", "reverse mode", "finite diff.", "difference"),
                tuple(rows),
                number_format="{:.7f}",
            )
        },
        notes="For a million weights finite differences would need a million and one "
        "evaluations, against two traversals for reverse mode: that is why they are only used "
        "to test autodiff.",
        figures={
            "evaluations": float(evaluations),
            "fd_worst": worst,
            **{
                f"grad_{out.name}_{leaf.name}": reverse[j][leaf.name or ""]
                for j, out in enumerate(outputs)
                for leaf in leaves
            },
        },
    )

    yield Step(
        "Summary",
        "<ul><li>The engine records every operation as a node of a graph.</li>"
        "<li>The forward pass computes the values, inputs first.</li>"
        "<li>The reverse pass starts with gradient 1 at an output; each node multiplies "
        "what arrives by its local derivative (the chain rule); gradients that meet add up."
        "</li><li>Traversals: outputs + 1, however many inputs.</li><li>Finite differences "
        "agree, but cost one evaluation per input.</li></ul>Try another expression.",
        {"graph": state.snapshot(f"Traversals: {traversals}")},
    )
