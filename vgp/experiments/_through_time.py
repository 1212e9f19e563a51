"""Gradient-through-time profiles shared by the recurrent chapters' experiments.

Private to :mod:`vgp.experiments`: one net's ``||dL/dx_t||`` against the lag on
the long-lag task, and the median of several such profiles.
"""

from __future__ import annotations

import statistics

from vgp.data import long_lag
from vgp.nets import rnn
from vgp.probe import time_gradients


def profile(kind: str, hidden: int, seed: int, lag: int, n: int, **options: object) -> tuple[float, ...]:
    """``||dL/dx_t||`` of a fresh ``vgp.rnn(kind, hidden, seed=seed, **options)`` on
    ``long_lag(lag, n, seed)``'s training set, lag 0 (the last step) first."""
    data = long_lag(lag, n, seed)
    net = rnn(kind, hidden, seed=seed, **options)
    return tuple(reversed(time_gradients(net, data.X_train, data.y_train)))


def median(rows: tuple[tuple[float, ...], ...]) -> tuple[float, ...]:
    """The median over rows (runs) of each column (lag)."""
    return tuple(statistics.median(column) for column in zip(*rows, strict=True))
