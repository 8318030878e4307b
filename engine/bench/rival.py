"""What `--compare` needs from another framework: its versions of the workloads.

A `Rival` maps workload ids to builders: given the run's `Sizes`, a builder makes the same model
and the same seeded data as the engine's workload and returns one run (an epoch, a grid) to time.
`Context.time_against` times it in turn with the engine's run and reports the ratio.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.bench.workloads import Sizes

__all__ = ["Rival", "RivalUnavailableError"]


class RivalUnavailableError(Exception):
    """The framework to compare with cannot be imported here."""


@dataclass(frozen=True)
class Rival:
    """A framework's versions of the workloads, and the engine/rival ratio each should meet."""

    name: str
    version: str
    threads: int
    workloads: Mapping[str, Callable[[Sizes], Callable[[], object]]]
    targets: Mapping[str, float] = field(default_factory=dict)
