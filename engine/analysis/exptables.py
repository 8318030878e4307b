"""The first layer's logistic carrier over a grid of settings, from per-direction exp tables.

On shared inputs the first Dense layer's (scaled) pre-activation is linear in the coefficients:
z = P_0 + sum_d c_d P_d (P_d = x @ W_d + b_d). When each coefficient takes few distinct values
(a 51 x 51 grid has 51 per direction), exp(z) factors into table rows, one table per direction,
and the carrier 1 / (1 + exp(z)) is

    R / (R + B_2 * ... * B_D),   R = exp(-(P_0 + c_1 P_1)),   B_d = exp(c_d P_d),

two passes (an add and a divide, for two directions) per setting instead of an exp: 102 table
rows of exps for 2,601 settings. Each factor is within a unit in the last place, so the result
is as accurate as exp of the rounded z (more, as z itself is not rounded). Tables are used only
where the exponents of all factors of a setting add up to at most `BOUND` in size, so no factor,
product or sum overflows or underflows.
"""

from __future__ import annotations

import itertools

import numpy as np

from engine.core import backend
from engine.core.tensor import Array

__all__ = ["BOUND", "ExpTables", "grid_levels"]

BOUND = 80.0  # e^80 and e^-80 are finite and normal in float32 (up to e^88, from e^-87)


def grid_levels(coefficients: np.ndarray) -> tuple[list[np.ndarray], np.ndarray] | None:
    """(the distinct values of each coefficient, each row's index into them) when tables pay
    off (at most a quarter as many distinct values as rows), else None."""
    if coefficients.shape[1] == 0:
        return None
    levels, columns = [], []
    for column in coefficients.T:
        values, index = np.unique(column, return_inverse=True)
        levels.append(values)
        columns.append(index.reshape(-1))
    if 4 * sum(len(v) for v in levels) > len(coefficients):
        return None
    return levels, np.stack(columns, axis=1)


class ExpTables:
    """exp(-(P_0 + c_1 P_1)) and exp(c_d P_d) for d >= 2, for each distinct value of c_d."""

    def __init__(self, tables: list[Array]) -> None:
        self.tables = tables  # tables[d - 1][j]: (batch * units) values for c_d = level j

    @classmethod
    def build(cls, parts: Array, levels: list[np.ndarray]) -> ExpTables | None:
        """The tables for `parts` (1 + D, batch, ..., units), or None if the exponents are too
        large (the caller then takes exp of each pre-activation)."""
        xp = backend.xp()
        flat = parts.reshape(parts.shape[0], -1)
        tables = []
        for d, values in enumerate(levels, start=1):
            exponents = xp.asarray(values, dtype=flat.dtype)[:, None] * flat[d]
            if d == 1:
                exponents += flat[0]
                xp.negative(exponents, out=exponents)
            tables.append(exponents)
        largest = xp.stack([xp.abs(t).max() for t in tables]).max()
        if not float(backend.to_numpy(largest)) * len(tables) <= BOUND:  # NaN fails too
            return None
        for t in tables:
            xp.exp(t, out=t)
        return cls(tables)

    def fill(self, out: Array, rows: np.ndarray) -> None:
        """out[r] (flattened) = 1 / (1 + exp(z)) for the setting with level indices rows[r], by
        runs of rows where the first index steps by one and the others stay (in a grid, a row
        of it: one broadcast add and one divide)."""
        xp = backend.xp()
        flat = out.reshape(len(out), -1)
        first = self.tables[0]
        starts = np.flatnonzero(
            (np.diff(rows[:, 0]) != 1) | (np.diff(rows[:, 1:], axis=0) != 0).any(axis=1)
        )
        bounds = [0, *(starts + 1).tolist(), len(rows)]
        for r0, r1 in itertools.pairwise(bounds):
            i0 = int(rows[r0, 0])
            run, rest, part = first[i0 : i0 + r1 - r0], rows[r0, 1:].tolist(), flat[r0:r1]
            if not rest:  # R / (R + 1)
                xp.add(run, 1, out=part)
            else:
                xp.add(run, self._product(rest), out=part)
            xp.divide(run, part, out=part)

    def _product(self, rest: list[int]) -> Array:
        """B_2 * ... * B_D for the levels `rest` of directions 2..D."""
        product: Array = self.tables[1][rest[0]]
        for d, j in enumerate(rest[1:], start=2):
            product = product * self.tables[d][j]
        return product
