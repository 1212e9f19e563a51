"""vgp.rnn, vgp.datasets.long_lag, the through-time bound and the experiments of
docs/recurrent.md, checked against back-propagation through time written out by
hand and against autograd."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import recurrent


def test_time_gradients_are_the_product_of_jacobians_written_out():
    # dL/dx_t = U^T diag(phi'_t) (prod_s diag(phi'_s) W)^T dL/dh_T, with phi' = 1 - h^2
    data = vgp.datasets.long_lag(lag=12, n=20, seed=3)
    X, y = data.X_train, data.y_train
    net = vgp.rnn("rnn", 6, init="orthogonal", gain=1.3, seed=3)
    W, U = net.cell.weight_hh_l0.detach(), net.cell.weight_ih_l0.detach()
    with torch.no_grad():
        states, _ = net.cell(X)
        out = net(X).reshape(-1)
        delta = ((torch.sigmoid(out) - y) / len(y))[:, None] * net.out.weight  # dL/dh_T
    expected = []
    for t in reversed(range(X.shape[1])):
        slope = 1 - states[:, t] ** 2
        expected.append(((delta * slope) @ U).norm().item())  # dL/dx_t
        delta = (delta * slope) @ W  # one step back
    measured = vgp.time_gradients(net, X, y)
    assert measured == pytest.approx(expected[::-1], rel=1e-4)


def test_every_measured_profile_lies_under_its_bound():
    result = recurrent.through_time(hidden=8, lag=20, gains=(0.7, 1.6), seeds=(0, 1), n=60)
    for gain, bound, runs in zip(result.gains, result.bound, result.norms, strict=True):
        assert bound[5] / bound[0] == pytest.approx(vgp.theory.through_time_bound(5, gain), rel=1e-5)
        for run in runs:
            assert len(run) == 21
            assert all(n <= b * (1 + 1e-5) for n, b in zip(run, bound, strict=True))
    # orthogonal weights: every singular value is the gain
    assert result.sigma_max == pytest.approx(result.gains, rel=1e-5)
    assert result.radius == pytest.approx(result.gains, rel=1e-5)


def test_profiles_are_vgp_time_gradients_lag_zero_first():
    result = recurrent.init_profiles(hidden=8, lag=10, seeds=(2,), n=40)
    data = vgp.datasets.long_lag(10, 40, 2)
    for (activation, init), runs in zip(result.settings, result.norms, strict=True):
        net = vgp.rnn("rnn", 8, activation=activation, init=init, seed=2)
        assert runs[0] == pytest.approx(vgp.time_gradients(net, data.X_train, data.y_train)[::-1])


def test_identity_relu_rnn_keeps_its_gradient_where_the_default_loses_it():
    result = recurrent.init_profiles(hidden=16, lag=30, seeds=(0, 1), n=100)
    median = dict(zip(result.settings, result.median, strict=True))
    assert median[("relu", "identity")][30] > 0.1 * median[("relu", "identity")][0]
    assert median[("relu", "default")][30] < 1e-6 * median[("relu", "default")][0]


def test_clipping_runs_start_from_the_same_gradient_and_clipping_keeps_them_finite():
    result = recurrent.clipping_through_time(hidden=8, lag=10, steps=6, seed=1)
    assert result.runs == recurrent.CLIP_RUNS
    assert result.grad_norm[0][0] == pytest.approx(result.grad_norm[1][0])
    # the first gradient, recomputed with backward() on the same batch
    data = vgp.datasets.long_lag(10, seed=1)
    net = vgp.rnn("rnn", 8, init="orthogonal", gain=3.0, seed=1)
    idx = torch.randint(0, len(data.X_train), (32,), generator=torch.Generator().manual_seed(1))
    vgp.probe.default_loss(net(data.X_train[idx]), data.y_train[idx]).backward()
    total = math.sqrt(sum(p.grad.norm().item() ** 2 for p in net.parameters()))
    assert result.grad_norm[0][0] == pytest.approx(total, rel=1e-5)
    assert all(math.isfinite(v) for v in result.loss[1] + result.grad_norm[1])


def test_rnn_kinds_shapes_and_layers():
    X = torch.randn(5, 7, 3)
    for kind in vgp.nets.KINDS:
        net = vgp.rnn(kind, 4, layers=2, in_features=3, out_features=2)
        assert net(X).shape == (5, 2)
        assert net.cell.num_layers == 2


def test_rnn_seed_is_reproducible_and_leaves_the_callers_generator_alone():
    torch.manual_seed(7)
    expected = torch.rand(1)
    torch.manual_seed(7)
    a = vgp.rnn("lstm", 4, seed=3)
    assert torch.rand(1).item() == expected.item()
    b, c = vgp.rnn("lstm", 4, seed=3), vgp.rnn("lstm", 4, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.cell.weight_hh_l0, c.cell.weight_hh_l0)


def test_rnn_inits_set_the_recurrent_weights():
    irnn = vgp.rnn("rnn", 5, activation="relu", init="identity", gain=0.5)
    assert torch.equal(irnn.cell.weight_hh_l0, 0.5 * torch.eye(5))
    assert not irnn.cell.bias_hh_l0.any() and not irnn.cell.bias_ih_l0.any()
    lstm = vgp.rnn("lstm", 6, init="orthogonal", gain=2.0)
    for gate in lstm.cell.weight_hh_l0.detach().split(6):
        assert torch.linalg.svdvals(gate) == pytest.approx(torch.full((6,), 2.0), rel=1e-5)
    normal = vgp.rnn("rnn", 400, init="normal", gain=1.5)
    assert normal.cell.weight_hh_l0.std().item() == pytest.approx(1.5 / 20, rel=0.02)


@pytest.mark.parametrize(("kind", "gate"), [("lstm", 1), ("gru", 1)])
def test_forget_bias_shifts_the_keep_gate_only(kind, gate):
    plain, shifted = vgp.rnn(kind, 4), vgp.rnn(kind, 4, forget_bias=2.5)
    difference = (shifted.cell.bias_ih_l0 - plain.cell.bias_ih_l0).detach()
    expected = torch.zeros_like(difference)
    expected[gate * 4 : (gate + 1) * 4] = 2.5
    assert torch.allclose(difference, expected)
    assert torch.equal(shifted.cell.bias_hh_l0, plain.cell.bias_hh_l0)


def test_long_lag_labels_are_the_sign_of_the_first_step():
    data = vgp.datasets.long_lag(lag=30, n=2000, seed=5, signal=1.5, noise=0.5)
    X = torch.cat([data.X_train, data.X_test])
    y = torch.cat([data.y_train, data.y_test])
    assert X.shape == (2000, 31, 1)
    assert torch.equal(X[:, 0, 0], 1.5 * (2 * y - 1))
    assert X[:, 1:].std().item() == pytest.approx(0.5, rel=0.02)
    assert 0.45 < y.mean().item() < 0.55
    again = vgp.datasets.long_lag(lag=30, n=2000, seed=5, signal=1.5, noise=0.5)
    assert torch.equal(again.X_train, data.X_train)
