"""The experiments of docs/lstm.md and vgp.theory.forget_gate_decay, checked
against an LSTM written out by hand, autograd and vgp.train."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import lstm


def lstm_by_hand(cell: torch.nn.LSTM, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The LSTM equations step by step: the forget gates and the outputs h_t."""
    n = cell.hidden_size
    h = c = torch.zeros(X.shape[0], n)
    forgets, outputs = [], []
    for t in range(X.shape[1]):
        z = X[:, t] @ cell.weight_ih_l0.T + cell.bias_ih_l0 + h @ cell.weight_hh_l0.T + cell.bias_hh_l0
        i, f, g, o = z.split(n, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        forgets.append(f)
        outputs.append(h)
    return torch.stack(forgets, 1), torch.stack(outputs, 1)


def test_forget_gates_are_those_of_the_lstm_equations():
    net = vgp.rnn("lstm", 5, forget_bias=1.0, seed=4)
    X = vgp.datasets.long_lag(15, 40, 4).X_train
    with torch.no_grad():
        forgets, outputs = lstm_by_hand(net.cell, X)
        torch.testing.assert_close(outputs, net.cell(X)[0], rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(lstm._forget_gates(net.cell, X), forgets, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bias", [0.0, 1.0, 3.0])
def test_cell_path_decay_is_the_product_of_forget_gates(bias):
    # no weights into the gates: every forget gate is sigmoid(bias), and dc_T/dc_0 = sigmoid(bias)^T
    cell = torch.nn.LSTM(1, 3, batch_first=True)
    with torch.no_grad():
        for p in cell.parameters():
            p.zero_()
        cell.bias_ih_l0[3:6] = bias
    c0 = torch.randn(1, 2, 3, requires_grad=True)
    _, (_, c) = cell(torch.zeros(2, 20, 1), (torch.zeros(1, 2, 3), c0))
    (grad,) = torch.autograd.grad(c.sum(), c0)
    assert grad == pytest.approx(torch.full_like(grad, vgp.theory.forget_gate_decay(20, bias)), rel=1e-5)


def test_gate_profiles_match_direct_measurements_and_sigmoid_of_the_bias():
    result = lstm.gate_profiles(hidden=16, lag=12, seeds=(1,), n=60)
    data = vgp.datasets.long_lag(12, 60, 1)
    for (kind, bias), runs, f, outputs in zip(
        result.settings, result.norms, result.forget_gate, result.output_gradient, strict=True
    ):
        net = vgp.rnn(kind, 16, forget_bias=bias, seed=1)
        assert runs[0] == pytest.approx(vgp.time_gradients(net, data.X_train, data.y_train)[::-1])
        x = data.X_train.clone().requires_grad_(True)
        net(x)[3].sum().backward()  # sample 3 alone
        assert x.grad[[i for i in range(len(x)) if i != 3]].abs().max() == 0
        if kind == "lstm":
            assert f == pytest.approx(1 / (1 + math.exp(-bias)), abs=0.04)
        else:
            assert math.isnan(f)
        assert outputs[0] > 0


def test_long_lag_training_is_vgp_train():
    result = lstm.long_lag_training(hidden=4, lags=(3,), seeds=(2,), n=80, epochs=2)
    data = vgp.datasets.long_lag(3, 80, 2)
    for (kind, bias), rows in zip(result.settings, result.accuracy, strict=True):
        net = vgp.rnn(kind, 4, forget_bias=bias, seed=2)
        history = vgp.train(net, data, optimizer="adam", lr=0.01, epochs=2, batch_size=32,
                            seed=2, clip=1.0)
        assert rows == ((history.test_accuracy[-1],),)
    assert result.steps == 2 * math.ceil(len(data.X_train) / 32)
