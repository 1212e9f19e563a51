"""Experiments of "LSTM and GRU" (``docs/lstm.md``): the gradient through time of
LSTMs at several forget-gate biases, of a GRU and of a tanh RNN, and a long-lag
task in miniature trained over several seeds."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import torch

from vgp._checks import check_int, check_number
from vgp.data import long_lag
from vgp.experiments import experiment
from vgp.experiments._through_time import median
from vgp.nets import rnn
from vgp.probe import time_gradients
from vgp.train import train

GATE_SETTINGS: tuple[tuple[str, float], ...] = (
    ("lstm", 0.0),
    ("lstm", 1.0),
    ("lstm", 3.0),
    ("gru", 0.0),
    ("rnn", 0.0),
)
"""``(kind, forget_bias)`` of each net of :func:`gate_profiles`, PyTorch's init otherwise."""


@dataclass(frozen=True)
class GateProfiles:
    """``||dL/dx_t||`` against the lag for each net of :data:`GATE_SETTINGS`.

    ``norms[i][s][k]`` is the gradient norm at lag ``k`` for setting ``i`` and
    seed ``seeds[s]``, ``median[i][k]`` its median over the seeds.
    ``forget_gate[i]`` is the mean value of the LSTM's forget gates over every
    unit, step and sample (``nan`` for the GRU and the RNN), and
    ``output_gradient[i][s]`` the median over samples of
    ``|d output / d x_0|``: how much the net's last output moves with the input
    ``lag`` steps before it.
    """

    hidden: int
    lag: int
    settings: tuple[tuple[str, float], ...]
    seeds: tuple[int, ...]
    norms: tuple[tuple[tuple[float, ...], ...], ...]
    median: tuple[tuple[float, ...], ...]
    forget_gate: tuple[float, ...]
    output_gradient: tuple[tuple[float, ...], ...]


@experiment
def gate_profiles(
    hidden: int = 32,
    lag: int = 50,
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4),
    n: int = 300,
) -> GateProfiles:
    """One-layer nets of ``hidden`` units at initialisation on
    :func:`vgp.datasets.long_lag`, one net and data set per seed:
    :func:`vgp.time_gradients` on the training set, the LSTMs' forget gates, and
    the gradient of the last output with respect to the first input.

    Examples
    --------
    >>> from vgp.experiments.lstm import gate_profiles
    >>> result = gate_profiles()
    >>> for (kind, bias), f in zip(result.settings[:3], result.forget_gate):
    ...     print(f"{kind} forget bias {bias:g}: mean forget gate {f:.2f}")
    lstm forget bias 0: mean forget gate 0.49
    lstm forget bias 1: mean forget gate 0.72
    lstm forget bias 3: mean forget gate 0.95
    """
    hidden = check_int("hidden", hidden)
    lag = check_int("lag", lag)
    norms, gates, outputs = [], [], []
    for kind, bias in GATE_SETTINGS:
        rows, seed_gates, seed_outputs = [], [], []
        for seed in seeds:
            data = long_lag(lag, n, seed)
            net = rnn(kind, hidden, forget_bias=bias, seed=seed)
            rows.append(tuple(reversed(time_gradients(net, data.X_train, data.y_train))))
            x = data.X_train.clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(net(x).sum(), x)  # row b depends on sample b only
            seed_outputs.append(grad[:, 0, 0].abs().median().item())
            if kind == "lstm":
                seed_gates.append(_forget_gates(net.cell, data.X_train).mean().item())
        norms.append(tuple(rows))
        outputs.append(tuple(seed_outputs))
        gates.append(statistics.fmean(seed_gates) if seed_gates else float("nan"))
    return GateProfiles(
        hidden, lag, GATE_SETTINGS, tuple(seeds), tuple(norms),
        tuple(median(rows) for rows in norms), tuple(gates), tuple(outputs),
    )


@torch.no_grad()
def _forget_gates(cell: torch.nn.LSTM, X: torch.Tensor) -> torch.Tensor:
    """The forget gates ``f_t`` of a one-layer ``nn.LSTM`` on ``X``, (batch, time, hidden),
    recomputed from its hidden states: ``f_t = sigmoid(W_if x_t + b_if + W_hf h_{t-1} + b_hf)``."""
    h = cell.hidden_size
    states, _ = cell(X)
    previous = torch.cat([torch.zeros_like(states[:, :1]), states[:, :-1]], dim=1)
    rows = slice(h, 2 * h)  # PyTorch orders the gates input, forget, cell, output
    z = (X @ cell.weight_ih_l0[rows].T + cell.bias_ih_l0[rows]
         + previous @ cell.weight_hh_l0[rows].T + cell.bias_hh_l0[rows])
    return torch.sigmoid(z)


TRAIN_SETTINGS: tuple[tuple[str, float], ...] = (
    ("rnn", 0.0),
    ("lstm", 0.0),
    ("lstm", 1.0),
    ("lstm", 3.0),
)
"""``(kind, forget_bias)`` of each net of :func:`long_lag_training`, PyTorch's init otherwise."""


@dataclass(frozen=True)
class LongLagTraining:
    """Test accuracy after training on :func:`vgp.datasets.long_lag`.

    ``accuracy[i][j][s]`` is the test accuracy of setting ``settings[i]`` at lag
    ``lags[j]`` with seed ``seeds[s]`` after ``epochs`` epochs (``steps``
    optimiser steps in all); 0.5 is chance.
    """

    hidden: int
    lags: tuple[int, ...]
    settings: tuple[tuple[str, float], ...]
    seeds: tuple[int, ...]
    epochs: int
    steps: int
    accuracy: tuple[tuple[tuple[float, ...], ...], ...]


@experiment
def long_lag_training(
    hidden: int = 16,
    lags: tuple[int, ...] = (10, 20, 40),
    seeds: tuple[int, ...] = (0, 1, 2),
    n: int = 600,
    epochs: int = 7,
    lr: float = 0.01,
    clip: float = 1.0,
    batch_size: int = 32,
) -> LongLagTraining:
    """Each net of :data:`TRAIN_SETTINGS`, ``hidden`` units, trained with
    :func:`vgp.train` (Adam at ``lr``, mini-batches of ``batch_size``, gradients
    clipped to norm ``clip``) on ``long_lag(lag, n, seed)`` for every lag and seed.

    The one experiment of the site allowed up to 5 s on one core.

    Examples
    --------
    >>> from vgp.experiments.lstm import long_lag_training
    >>> result = long_lag_training()
    >>> for (kind, bias), rows in zip(result.settings, result.accuracy):
    ...     learned = [sum(a > 0.9 for a in row) for row in rows]
    ...     print(f"{kind} forget bias {bias:g}: seeds above 90% at lags {result.lags}: {learned}")
    rnn forget bias 0: seeds above 90% at lags (10, 20, 40): [3, 2, 1]
    lstm forget bias 0: seeds above 90% at lags (10, 20, 40): [3, 0, 0]
    lstm forget bias 1: seeds above 90% at lags (10, 20, 40): [3, 3, 0]
    lstm forget bias 3: seeds above 90% at lags (10, 20, 40): [3, 3, 3]
    """
    hidden = check_int("hidden", hidden)
    epochs = check_int("epochs", epochs)
    lr = check_number("lr", lr, minimum=0.0, strict=True)
    for lag in lags:
        check_int("lag", lag)
    accuracy = []
    for kind, bias in TRAIN_SETTINGS:
        rows = []
        for lag in lags:
            row = []
            for seed in seeds:
                data = long_lag(lag, n, seed)
                net = rnn(kind, hidden, forget_bias=bias, seed=seed)
                history = train(net, data, optimizer="adam", lr=lr, epochs=epochs,
                                batch_size=batch_size, seed=seed, clip=clip)
                row.append(history.test_accuracy[-1])
            rows.append(tuple(row))
        accuracy.append(tuple(rows))
    steps = epochs * -(-len(long_lag(lags[0], n, seeds[0]).X_train) // batch_size)
    return LongLagTraining(
        hidden, tuple(lags), TRAIN_SETTINGS, tuple(seeds), epochs, steps, tuple(accuracy)
    )
