"""Lesson 5.3's narrative: the fixed explanations, and the sentences built from measured times.

Every sentence about speed is computed from this run's :class:`~.timing.Timing`, so the text
never claims a trend the table does not show; times are called measurements of this machine.
"""

from __future__ import annotations

from lessons.ch5_real_data.graphs_gpu.timing import Timing, flops
from lessons.markup.numbers import plain

BUILD = (
    "TensorFlow 1 splits a program in two: first <b>build</b> a graph of operations, then "
    "<b>run</b> it. Here $a$ and $b$ are variables and $f = a + b$ is an operation node. "
    "Building computes nothing: every box is still empty, and $f$ has no value to ask for."
)
BUILD_NOTES = (
    "The lecture's smallest TensorFlow program creates two variables a = 1 and b = 2, the "
    "node f = a + b, an initialiser for the variables, and a session that runs the "
    "initialiser and then evaluates f. Until the session runs, f is only a description. "
    "A graph described in advance can be optimised as a whole and split across machines or "
    "GPUs before anything runs. DeepStep's engine, like TensorFlow 2 and PyTorch, computes "
    "eagerly instead (a + b is summed at once); this lesson keeps the graph as a description "
    "and runs each node with the engine's Tensor operations."
)
DENSE = (
    "A layer of neurons is a graph too. Every input feeds every neuron with its own weight, "
    "and all those weighted sums together are one matrix product, with the biases added after: "
    "$$Y = XW + b$$ $X$ is a <b>placeholder</b>: the batch of inputs, given only when the graph "
    "runs, so one graph serves training and testing. $W$ and $b$ are <b>variables</b>: the "
    "weights and biases that training changes."
)
DOTS_NOTES = (
    "A CPU has a few cores, each fast and able to run any program; a GPU has thousands of "
    "simpler cores that run the same instructions on different data. A matrix product fits "
    "the GPU: every output entry is the same small computation (a dot product) on different "
    "numbers, and none waits for another. Deep-learning libraries therefore write layers as "
    "matrix products of whole batches, not as loops over neurons."
)
SUMMARY = (
    "<ul><li>Build the graph, initialise the variables, run: values exist only after the "
    "run.</li><li>Placeholders take data at run time; variables keep the weights.</li>"
    "<li>A dense layer: $Y = XW + b$.</li><li>$2mnk$ FLOPs in $mn$ independent dot products: "
    "work for many cores at once.</li><li>Speed is measured, never assumed: the table is this "
    "machine's.</li></ul>"
)


def ms(seconds: float) -> str:
    return plain(seconds * 1e3, 3)


def growth(timing: Timing) -> str:
    """How the time grew between the two largest sizes, against the growth of the work."""
    n0, n1 = timing.sizes[-2], timing.sizes[-1]
    t0, t1 = timing.seconds[-2], timing.seconds[-1]
    work = flops(n1, n1, n1) / flops(n0, n0, n0)
    ratio = t1 / t0
    if ratio < 1:
        verdict = (
            "less time for more work: the smaller run was slowed by other work on this "
            "machine, a reminder that single measurements are noisy"
        )
    elif ratio < 0.8 * work:
        verdict = "less than the work grew: the bigger product kept the CPU busier per FLOP"
    elif ratio > 1.25 * work:
        verdict = "more than the work grew: the bigger product ran fewer FLOPs per second"
    else:
        verdict = "about as much as the work grew"
    return (
        f"From $n = {n0}$ to $n = {n1}$ the work grows ${plain(work)}\\times$ "
        f"(it goes as $n^3$) and the measured time grew ${plain(ratio, 3)}\\times$, {verdict}."
    )


def rates(cpu: Timing, gpu: Timing | None, gpu_message: str) -> str:
    """The GFLOP/s verdict from the measured rates, and the GPU comparison or its absence."""
    g = cpu.gflops
    best = max(range(len(g)), key=g.__getitem__)
    text = (
        f"NumPy reached its highest rate, ${plain(g[best], 3)}$ GFLOP/s, at $n = {cpu.sizes[best]}$"
    )
    if best > 0:
        text += (
            f"; at $n = {cpu.sizes[0]}$ it managed ${plain(g[0], 3)}$: a small product is too "
            "little work to hide the fixed cost of each call."
        )
    else:
        text += "."
    if best < len(g) - 1 and g[-1] < 0.75 * g[best]:
        text += (
            f" At $n = {cpu.sizes[-1]}$ it fell to ${plain(g[-1], 3)}$: restart the lesson to "
            "measure again and see how much one measurement varies on this machine."
        )
    if gpu is None:
        return text + f" <b>{gpu_message}</b>"
    n = cpu.sizes[-1]
    speedup = cpu.seconds[-1] / gpu.seconds[-1]
    faster = "faster" if speedup >= 1 else "slower"
    factor = speedup if speedup >= 1 else 1 / speedup
    return text + (
        f" {gpu_message} At $n = {n}$ CuPy took {ms(gpu.seconds[-1])} ms against NumPy's "
        f"{ms(cpu.seconds[-1])} ms: ${plain(factor, 3)}\\times$ {faster}, measured here."
    )
