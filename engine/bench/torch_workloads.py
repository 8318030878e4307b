"""W1-W4 in PyTorch, for `python -m engine.bench --compare torch` (the optional `compare` extra).

Each builder makes what the engine's workload makes: the same layer shapes, float32, the same
seeded data (`classification_data`, `sequence_data`), Adam with the engine's defaults
(learning rate 1e-3, epsilon 1e-7), the same batch size and a reshuffle every epoch, with the
epoch's mean loss read once at its end as the engine's `fit` does. Softmax and cross-entropy
are PyTorch's fused `cross_entropy` on logits, as a PyTorch user writes it. W4 evaluates the
2-D loss slice in chunks of weight settings with stacked matrix products and `tanh`, as a
PyTorch user would; the engine computes the same losses by another route (exp tables and a
logistic form of tanh, `engine.analysis.logistic`), so W4's ratio compares two algorithms.

PyTorch is imported only by `load`, never by the engine, the lessons or the app; it uses as many
threads as the engine's BLAS, so both run on the same cores.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from engine.bench.rival import Rival, RivalUnavailableError
from engine.bench.workloads import SEED, Sizes, classification_data, sequence_data

__all__ = ["TARGETS", "load"]

TARGETS = {"W1": 0.8, "W2": 1.2, "W3": 1.2}  # engine / PyTorch on the CPU, at most
W4_ELEMENTS_PER_CHUNK = 1 << 19  # the engine's activation-buffer size for W4's chunks

Run = Callable[[], object]


def load(threads: int | None) -> Rival:
    """PyTorch's W1-W4, with `threads` intra-op threads (its default where None); raises
    `RivalUnavailableError` if PyTorch cannot be imported."""
    try:
        torch: Any = importlib.import_module("torch")
    except ImportError as err:
        raise RivalUnavailableError(
            f"--compare torch: PyTorch is not importable ({err}); install the optional extra: "
            "pip install 'deepstep[compare]'"
        ) from None
    if threads is not None:
        torch.set_num_threads(threads)
    builders: dict[str, Callable[[Any, Sizes], Run]] = {"W1": _w1, "W2": _w2, "W3": _w3, "W4": _w4}
    return Rival(
        "torch",
        str(torch.__version__),
        int(torch.get_num_threads()),
        {key: _bind(torch, build) for key, build in builders.items()},
        TARGETS,
    )


def _bind(torch: Any, build: Callable[[Any, Sizes], Run]) -> Callable[[Sizes], Run]:
    return lambda sizes: build(torch, sizes)


def _epoch(
    torch: Any,
    forward: Callable[[Any], Any],
    params: Sequence[Any],
    loss_fn: Callable[[Any, Any], Any],
    data: tuple[Any, Any],
    batch: int,
) -> Run:
    """One epoch of Adam over shuffled mini-batches; the mean loss is read at the end."""
    x, y = (torch.from_numpy(a) for a in data)
    optimizer = torch.optim.Adam(params, lr=1e-3, eps=1e-7)
    order = torch.Generator().manual_seed(SEED)

    def run() -> float:
        total = torch.zeros(())
        permutation = torch.randperm(len(x), generator=order)
        for start in range(0, len(x), batch):
            index = permutation[start : start + batch]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(forward(x[index]), y[index])
            loss.backward()
            optimizer.step()
            total += loss.detach()
        return float(total) * batch / len(x)

    return run


def _w1(torch: Any, sizes: Sizes) -> Run:
    nn = torch.nn
    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    data = classification_data((sizes.w1_samples, 784), 10)
    return _epoch(torch, model, list(model.parameters()), nn.functional.cross_entropy, data, 128)


def _w2(torch: Any, sizes: Sizes) -> Run:
    nn = torch.nn
    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )
    data = classification_data((sizes.w2_samples, 1, 28, 28), 10)
    return _epoch(torch, model, list(model.parameters()), nn.functional.cross_entropy, data, 64)


def _w3(torch: Any, sizes: Sizes) -> Run:
    nn = torch.nn
    torch.manual_seed(SEED)
    lstm, head = nn.LSTM(1, 64, batch_first=True), nn.Linear(64, 1)

    def forward(x: Any) -> Any:
        states, _ = lstm(x)
        return head(states[:, -1])  # the last time step's state

    params = [*lstm.parameters(), *head.parameters()]
    data = sequence_data(sizes.w3_samples, sizes.w3_steps)
    return _epoch(torch, forward, params, nn.functional.mse_loss, data, 32)


def _w4(torch: Any, sizes: Sizes) -> Run:
    """The loss of an MLP 2-16-16-2 (tanh, softmax) on a resolution^2 grid of weight settings
    along two filter-normalised random directions, chunk by chunk of settings."""
    torch.manual_seed(SEED)
    layers = [torch.nn.Linear(a, b) for a, b in ((2, 16), (16, 16), (16, 2))]
    x, y = (torch.from_numpy(a) for a in classification_data((sizes.w4_points, 2), 2))
    res = sizes.w4_resolution
    chunk = max(1, W4_ELEMENTS_PER_CHUNK // (len(x) * 16))

    def run() -> Any:
        with torch.no_grad():
            rng = torch.Generator().manual_seed(SEED)
            kernels = [layer.weight.T.contiguous() for layer in layers]  # (inputs, units)
            biases = [layer.bias for layer in layers]
            d1, d2 = ([_filter_normalized(torch, k, rng) for k in kernels] for _ in range(2))
            axis = torch.linspace(-1.0, 1.0, res)
            beta, alpha = torch.meshgrid(axis, axis, indexing="ij")
            alpha, beta = alpha.reshape(-1, 1, 1), beta.reshape(-1, 1, 1)
            losses = torch.empty(res * res)
            rows = torch.arange(len(x))
            for start in range(0, res * res, chunk):
                a, b = alpha[start : start + chunk], beta[start : start + chunk]
                h = x
                for i, (k, bias) in enumerate(zip(kernels, biases, strict=True)):
                    h = torch.matmul(h, k + a * d1[i] + b * d2[i]) + bias
                    if i < len(kernels) - 1:
                        h = torch.tanh(h)
                log_p = torch.log_softmax(h, dim=-1)
                losses[start : start + len(a)] = -log_p[:, rows, y].mean(dim=1)
            return losses.reshape(res, res)

    return run


def _filter_normalized(torch: Any, kernel: Any, rng: Any) -> Any:
    """A Gaussian direction whose every column (a unit's weights) has that column's norm."""
    d = torch.randn(kernel.shape, generator=rng)
    return d * kernel.norm(dim=0, keepdim=True) / d.norm(dim=0, keepdim=True).clamp_min(1e-12)
