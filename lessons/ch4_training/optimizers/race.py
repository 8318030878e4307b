"""The race: the engine's optimizers step their own 2-element parameter on one loss surface.

Each racer owns a ``Tensor`` of two weights and one engine optimizer (``engine.nn.optimizers``).
At every update the racers' tensors are joined into one graph (``concatenate``), the surface's
loss is summed over them and one ``backward()`` gives each tensor its own gradient: the sum's
gradient with respect to one racer's weights is the surface's gradient at that racer's point.
On the noisy bowl a seeded noise vector, the same for every racer, is added to each gradient.
Then every optimizer updates its own tensor, and the lesson reads what it did back from the
optimizer itself: the new weights, and its state (``Optimizer.state_of``) with its iteration
count.  A racer that leaves the map by far (or reaches inf/NaN) has diverged and stops there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from engine.core.tensor import Tensor
from engine.data.synthetic.surfaces import Surface, surface
from engine.nn.blocks import concatenate
from engine.nn.optimizers import SGD, Adam, Momentum, Nesterov, Optimizer, RMSprop
from lessons.shared.colors import OPTIMIZER_COLORS

KEYS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
LABELS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}
FAR = 1e3  # a weight beyond this (or inf/NaN) has left every map: the racer diverged
REACHED = 1e-3  # a racer has settled once its loss stays within this of the minimum


@dataclass(frozen=True)
class Course:
    """A surface to race on: the engine's surface, its formula and the gradient noise."""

    key: str  # the control's option: "bowl", "ravine", "Rosenbrock", "saddle", "noisy bowl"
    surface: Surface
    formula: str  # the loss in the lesson's math markup
    name: str  # in a sentence: "the long, narrow ravine"
    noisy: bool = False

    @property
    def title(self) -> str:
        """The name as a title: "The long, narrow ravine"."""
        return self.name[0].upper() + self.name[1:]

    @property
    def j_min(self) -> float:
        """The loss at the surface's global minimum."""
        a, b = self.surface.minima[0]
        return float(self.surface(a, b))

    def loss(self, w: np.ndarray) -> float:
        """The loss at one point (inf for a point off every map)."""
        if not (np.all(np.isfinite(w)) and np.max(np.abs(w)) <= FAR):
            return float("inf")
        return float(self.surface(float(w[0]), float(w[1])))


COURSES: dict[str, Course] = {
    c.key: c
    for c in (
        Course("bowl", surface("bowl"), "J = w_1^2 + w_2^2", "round bowl"),
        Course("ravine", surface("ravine"), "J = 0.05\\,w_1^2 + 2\\,w_2^2", "long, narrow ravine"),
        Course(
            "Rosenbrock",
            surface("rosenbrock"),
            "J = (w_1 - 1)^2 + 100\\,(w_2 - w_1^2)^2",
            "banana valley of Rosenbrock",
        ),
        Course(
            "saddle",
            surface("saddle"),
            "J = w_1^2 + \\frac{w_2^4}{4} - \\frac{w_2^2}{2}",
            "saddle between two valleys",
        ),
        Course("noisy bowl", surface("bowl"), "J = w_1^2 + w_2^2", "noisy round bowl", noisy=True),
    )
}


@dataclass(frozen=True)
class Settings:
    """The learner's hyper-parameters: a learning rate per optimizer and the decay rates."""

    rates: Mapping[str, float]  # optimizer key -> learning rate
    beta: float = 0.9  # momentum coefficient (Momentum and Nesterov)
    rho: float = 0.9  # RMSprop's decay of the squared-gradient average
    beta_1: float = 0.9  # Adam's first-moment decay
    beta_2: float = 0.999  # Adam's second-moment decay

    def build(self, key: str) -> Optimizer:
        """A fresh engine optimizer for racer ``key`` with these settings."""
        rate = float(self.rates[key])
        if key == "sgd":
            return SGD(learning_rate=rate)
        if key == "momentum":
            return Momentum(learning_rate=rate, momentum=self.beta)
        if key == "nesterov":
            # The engine refuses Nesterov without momentum: with beta = 0 it is plain SGD.
            return Nesterov(rate, self.beta) if self.beta > 0 else SGD(learning_rate=rate)
        if key == "rmsprop":
            return RMSprop(learning_rate=rate, rho=self.rho)
        if key == "adam":
            return Adam(learning_rate=rate, beta_1=self.beta_1, beta_2=self.beta_2)
        raise ValueError(f"unknown optimizer {key!r}; choose from {', '.join(KEYS)}")


@dataclass(frozen=True, eq=False)  # holds arrays
class Track:
    """One racer's run, as its optimizer reported it.

    ``points`` (n + 1, 2) are the weights before the first update and after each of the ``n``
    updates taken; ``grads`` (n, 2) the gradient each update received (noise included);
    ``states[t - 1]`` the optimizer's state after update t (``state_of``, host copies) and
    ``iterations[t - 1]`` its iteration counter then; ``losses`` (n + 1) the loss at each point.
    ``diverged_at`` is the update that took it off the map, or None.
    """

    key: str
    points: np.ndarray
    grads: np.ndarray
    states: tuple[dict[str, np.ndarray], ...]
    iterations: tuple[int, ...]
    losses: np.ndarray
    diverged_at: int | None
    hyper: Mapping[str, float]  # the optimizer's own settings: learning_rate, momentum, ...

    @property
    def base(self) -> str:
        """The optimizer's key without a variant ("momentum:best" -> "momentum")."""
        return self.key.split(":")[0]

    @property
    def label(self) -> str:
        return LABELS.get(self.base, self.base)

    @property
    def color(self) -> int:
        return OPTIMIZER_COLORS.get(self.base, 6)

    @property
    def updates(self) -> np.ndarray:
        """Each update's step Δw = w_t − w_{t−1} (n, 2)."""
        steps: np.ndarray = np.diff(self.points, axis=0)
        return steps

    @property
    def taken(self) -> int:
        return len(self.grads)


@dataclass(frozen=True, eq=False)
class Race:
    """All racers on one course for ``steps`` updates, with the noise they shared."""

    course: Course
    steps: int
    tracks: dict[str, Track]
    noise: np.ndarray  # (steps, 2), zeros on a noise-free course
    start: tuple[float, float]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.tracks)

    @property
    def noisy(self) -> bool:
        """Whether the gradients carried noise (a noisy course with σ > 0)."""
        return self.course.noisy and bool(np.any(self.noise != 0))


@dataclass
class _Log:
    """What one racer did so far (lists grown update by update)."""

    points: list[np.ndarray]
    grads: list[np.ndarray] = field(default_factory=list)
    states: list[dict[str, np.ndarray]] = field(default_factory=list)
    iterations: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)


def run_race(
    course: Course,
    racers: Sequence[tuple[str, Optimizer]],
    steps: int,
    noise: np.ndarray | None = None,
) -> Race:
    """Race ``racers`` (key, engine optimizer) for ``steps`` updates on ``course``."""
    begin = np.array(course.surface.start, dtype=np.float64)
    shared = np.zeros((steps, 2)) if noise is None else np.asarray(noise, dtype=np.float64)
    if shared.shape != (steps, 2):
        raise ValueError(f"noise must have shape ({steps}, 2), got {shared.shape}")
    opts = dict(racers)
    params = {key: Tensor(begin.copy(), True, key, "float64") for key in opts}
    logs = {key: _Log([begin.copy()]) for key in opts}
    stopped: dict[str, int] = {}
    for t in range(1, steps + 1):
        active = [key for key in opts if key not in stopped]
        if not active:
            break
        for key in active:
            params[key].zero_grad()
        joined = concatenate([params[key] for key in active], axis=0).reshape(len(active), 2)
        losses = course.surface(joined[:, 0], joined[:, 1])
        losses.sum().backward()  # each racer's tensor gets the surface's gradient at its point
        values = losses.numpy()
        for i, key in enumerate(active):
            p, log = params[key], logs[key]
            if p.grad is None:
                raise RuntimeError(f"racer {key!r} got no gradient")
            p.grad = p.grad + shared[t - 1]
            log.losses.append(float(values[i]))
            log.grads.append(np.array(p.grad, dtype=np.float64))
            opts[key].step([p])
            w = p.numpy().copy()
            log.points.append(w)
            log.states.append(opts[key].state_of(p))
            log.iterations.append(opts[key].iterations)
            if not (np.all(np.isfinite(w)) and np.max(np.abs(w)) <= FAR):
                stopped[key] = t
    tracks = {
        key: Track(
            key=key,
            points=np.array(log.points),
            grads=np.array(log.grads).reshape(-1, 2),
            states=tuple(log.states),
            iterations=tuple(log.iterations),
            losses=np.array([*log.losses, course.loss(log.points[-1])]),
            diverged_at=stopped.get(key),
            hyper=_hyper(opts[key]),
        )
        for key, log in logs.items()
    }
    return Race(course, steps, tracks, shared, (float(begin[0]), float(begin[1])))


HYPER = ("learning_rate", "momentum", "rho", "beta_1", "beta_2", "epsilon")


def _hyper(opt: Optimizer) -> dict[str, float]:
    """The settings an engine optimizer holds (those of HYPER it has)."""
    return {name: float(getattr(opt, name)) for name in HYPER if hasattr(opt, name)}


def race_all(course: Course, settings: Settings, steps: int, noise: np.ndarray) -> Race:
    """The five optimizers with the learner's settings (noise only on the noisy course)."""
    racers = [(key, settings.build(key)) for key in KEYS]
    return run_race(course, racers, steps, noise if course.noisy else None)


# ---- reading a race ------------------------------------------------------------------------


def gap(track: Track, course: Course) -> np.ndarray:
    """The loss above the surface's minimum at every point of a track."""
    return track.losses - course.j_min


def arrival(track: Track, course: Course) -> int | None:
    """The update from which the loss stays within REACHED of the minimum to the end of the
    race, or None (never, or not for good)."""
    g = gap(track, course)
    above = np.flatnonzero(~(g < REACHED))
    if above.size == 0:
        return 0
    last = int(above[-1])
    return last + 1 if last + 1 < g.size else None


def distance(track: Track, course: Course) -> float:
    """How far the last point lies from the nearest minimum of the surface."""
    w = track.points[-1]
    if not np.all(np.isfinite(w)):
        return float("inf")
    return float(min(np.hypot(w[0] - a, w[1] - b) for a, b in course.surface.minima))


def jitter(track: Track, course: Course, last: int = 50) -> float:
    """The mean distance to the minimum over the last ``last`` points (for the noisy bowl)."""
    w = track.points[-last:]
    a, b = course.surface.minima[0]
    return float(np.mean(np.hypot(w[:, 0] - a, w[:, 1] - b)))


def curvature(course: Course, w: Sequence[float], h: float = 1e-5) -> np.ndarray:
    """The Hessian at ``w`` by central differences of the engine's gradient (2 x 2)."""
    at = np.asarray(w, dtype=np.float64)
    cols = [
        (engine_gradient(course, at + h * e) - engine_gradient(course, at - h * e)) / (2 * h)
        for e in np.eye(2)
    ]
    hess = np.array(cols).T
    out: np.ndarray = (hess + hess.T) / 2
    return out


def engine_gradient(course: Course, w: Sequence[float] | np.ndarray) -> np.ndarray:
    """The surface's gradient at ``w`` by the engine's backward pass (no noise)."""
    p = Tensor(np.array(w, dtype=np.float64), True, "w", "float64")
    course.surface(p[0], p[1]).backward()
    if p.grad is None:
        raise RuntimeError("the surface gave no gradient")
    return np.array(p.grad, dtype=np.float64)
