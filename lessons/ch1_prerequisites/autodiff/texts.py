"""Narrative for lesson 1.2: each forward and reverse step written out with the engine's numbers."""

from __future__ import annotations

from collections.abc import Sequence

from engine.core.autodiff import BackwardStep, topological_order
from engine.core.tensor import Tensor
from lessons.ch1_prerequisites.autodiff.graphs import Layout, display_op, scalar
from lessons.markup.numbers import ptex, tex

_WHAT = {
    "add": "adds its two inputs",
    "sub": "subtracts its second input from its first",
    "mul": "multiplies its two inputs",
    "sigmoid": "squashes its input into the range 0 to 1 with the sigmoid",
    "square": "squares its input, so the error counts positive and big misses count more",
}

_LOCAL = {
    "add": "A sum passes the gradient on unchanged: its local derivative is 1 for each input.",
    "sub": "A difference has local derivative +1 for the first input and −1 for the second.",
    "mul": "A product's local derivative for one input is the value of the other input.",
    "sigmoid": "The sigmoid's local derivative is $\\sigma(z)\\,(1 - \\sigma(z))$.",
    "square": "Squaring has local derivative twice its input.",
}


def _name(t: Tensor) -> str:
    return t.name or t.op


def forward_text(t: Tensor) -> str:
    """The forward computation of one operation node, with its numbers."""
    op, n, v = display_op(t), _name(t), t.item()
    names = [_name(p) for p in t.parents]
    vals = [p.item() for p in t.parents]
    if op in ("add", "sub", "mul") and len(vals) == 2:
        sign = {"add": "+", "sub": "-", "mul": r"\cdot"}[op]
        times = {"add": "+", "sub": "-", "mul": r"\times"}[op]
        math = (
            f"{n} = {names[0]} {sign} {names[1]} = {tex(vals[0])} {times} {ptex(vals[1])} "
            f"= {tex(v)}"
        )
    elif op == "sigmoid":
        math = (
            f"{n} = \\sigma({names[0]}) = \\frac{{1}}{{1 + e^{{-{names[0]}}}}} = "
            f"\\frac{{1}}{{1 + e^{{{tex(-vals[0])}}}}} = {tex(v)}"
        )
    elif op == "square":
        math = f"{n} = {names[0]}^2 = {ptex(vals[0])}^2 = {tex(v)}"
    else:
        math = f"{n} = \\mathrm{{{op}}}({', '.join(names)}) = {tex(v)}"
    what = _WHAT.get(op, f"applies {op}")
    return (
        f"Node ${n}$ {what}: $${math}$$ Its inputs were ready, so it can be computed now; "
        "its value is stored, because the reverse pass will need it."
    )


Shares = dict[str, list[tuple[str, float]]]  # node id -> (sending node, its share), in order


def _summed(t: Tensor, o: str, g: float, lay: Layout, shares: Shares) -> str:
    """``∂o/∂t = g``, written as the sum of its shares when several paths reach ``t``."""
    got = shares.get(lay.id(t), [])
    total = f"\\frac{{\\partial {o}}}{{\\partial {_name(t)}}}"
    if len(got) < 2:
        return f"{total} = {tex(g)}"
    terms = " + ".join(ptex(v) if i else tex(v) for i, (_, v) in enumerate(got))
    return f"{total} = {terms} = {tex(g)}"


def _paths(t: Tensor, lay: Layout, shares: Shares) -> str:
    got = shares.get(lay.id(t), [])
    if len(got) < 2:
        return ""
    return f" (the shares from ${'$ and $'.join(src for src, _ in got)}$ add up)"


def reverse_text(
    group: Sequence[BackwardStep],
    out: Tensor,
    *,
    first: bool,
    lay: Layout,
    shares: Shares | None = None,
) -> str:
    """One reverse step: the gradient at a node and the chain-rule product for each input.

    ``shares`` collects, across the steps of one reverse pass, what each node received from
    each operation that uses it; a node reached by several paths shows its gradient as their sum.
    """
    shares = {} if shares is None else shares
    head = group[0]
    node, o = head.node, _name(out)
    n, g = _name(node), scalar(head.upstream)
    if first:
        text = (
            f"The reverse pass starts at the output ${o}$ with "
            f"$\\frac{{\\partial {o}}}{{\\partial {o}}} = 1$. "
        )
    else:
        text = (
            f"Node ${n}$ has received its complete gradient{_paths(node, lay, shares)}: "
            f"${_summed(node, o, g, lay, shares)}$. "
        )
    op = display_op(node)
    text += _LOCAL.get(op, "")
    if op == "sigmoid":
        a = node.item()
        text += f" Here that is ${tex(a)} \\times {tex(1 - a)} = {tex(a * (1 - a))}$."
    elif op == "square":
        e = node.parents[0].item()
        text += f" Here that is $2 \\times {ptex(e)} = {tex(2 * e)}$."
    inside = {lay.id(t) for t in topological_order(out)}
    for pg in head.parents:
        p = _name(pg.parent)
        local = scalar(pg.local) if pg.local is not None else float("nan")
        sent = scalar(pg.contribution) if pg.contribution is not None else g * local
        shares.setdefault(lay.id(pg.parent), []).append((n, sent))
        users = sum(1 for src, dst in lay.edges if src == lay.id(pg.parent) and dst in inside)
        if users > 1:
            text += (
                f" ${p}$ feeds {users} operations, so this is only its share from ${n}$; the "
                "shares add up."
            )
        lhs = f"\\frac{{\\partial {o}}}{{\\partial {p}}}"
        if users > 1:
            lhs = f"\\text{{share of }} {lhs}"
        text += (
            f"$${lhs} = "
            f"\\frac{{\\partial {o}}}{{\\partial {n}}} \\cdot "
            f"\\frac{{\\partial {n}}}{{\\partial {p}}} = {tex(g)} \\times {ptex(local)} = "
            f"{tex(sent)}$$"
        )
    done = [s.node for s in group[1:]]
    if done:
        # an input reached by one path has the gradient just shown; only sums are written out
        summed = [t for t in done if len(shares.get(lay.id(t), [])) > 1]
        listed = ", ".join(
            f"${_summed(t, o, scalar(t.grad), lay, shares)}${_paths(t, lay, shares)}"
            for t in summed
        )
        text += (
            f"Nothing feeds {'this input' if len(done) == 1 else 'these inputs'}, so "
            f"{'its gradient is' if len(done) == 1 else 'their gradients are'} final"
            + (f": {listed}." if summed else ".")
        )
    return text
