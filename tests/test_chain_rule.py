"""vgp.experiments.chain_rule: the measurements against autograd and the theory."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp import theory
from vgp.experiments.chain_rule import depth_profile, example_norms, tanh_phases


def test_example_norms_of_the_output_layer_are_closed_form() -> None:
    """For one example, dL/dW_out = (sigmoid(o) - y) h^T: its norm needs no autograd."""
    data = vgp.datasets.circles()
    X, y = data.X_train[:6].double(), data.y_train[:6].double()
    net = vgp.mlp(3, 12, activation="tanh").double()
    with torch.no_grad():
        h = net[:-1](X)
        o = net.out(h).squeeze(1)
        per_example = (torch.sigmoid(o) - y).abs() * h.norm(dim=1)
    expected = per_example.pow(2).mean().sqrt().item()
    assert example_norms(net, X, y)[-1] == pytest.approx(expected, rel=1e-10)


def test_example_norms_are_those_of_single_example_backward_passes() -> None:
    """One batched pass gives each row's ||dL/dW||, as a backward pass per row does."""
    data = vgp.datasets.circles()
    X, y = data.X_train[:5].double(), data.y_train[:5].double()
    net = vgp.mlp(4, 12, activation="sigmoid", residual=True).double()
    single = [vgp.gradient_norms(net, X[i : i + 1], y[i : i + 1]) for i in range(len(X))]
    expected = [
        math.sqrt(sum(g * g for g in layer) / len(X)) for layer in zip(*single, strict=True)
    ]
    assert example_norms(net, X, y) == pytest.approx(expected, rel=1e-12)


def test_example_norms_refuse_nets_that_mix_rows() -> None:
    X = torch.zeros(4, 2)
    with pytest.raises(ValueError, match="net must not use batch norm"):
        example_norms(vgp.mlp(2, 4, norm="batch"), X, torch.zeros(4))


def test_depth_profile_shape_and_theory() -> None:
    result = depth_profile(depth=6, width=32, seeds=(0, 1), samples=3)
    assert len(result.norms) == 3 and all(len(runs) == 2 for runs in result.norms)
    assert all(len(run) == 7 for runs in result.norms for run in runs)
    for activation, predicted in zip(result.activations, result.theory, strict=True):
        assert math.isnan(predicted[0]) and predicted[-1] == 1.0
        typical = result.typical(activation)
        runs = result.norms[result.row(activation)]
        assert typical[2] == pytest.approx(math.sqrt(runs[0][2] * runs[1][2]))


def test_default_depth_profile_follows_theory() -> None:
    """Mean-field theory predicts the per-layer factor within a few percent."""
    result = depth_profile()
    for activation in result.activations:
        measured, predicted = result.decay_per_layer(activation)
        assert measured == pytest.approx(predicted, rel=0.03)


def test_chi_measured_on_wide_nets_matches_theory() -> None:
    result = tanh_phases()
    assert result.phases == ("ordered", "critical", "chaotic")
    assert result.chi_theory == pytest.approx(
        [theory.chi_1("tanh", s, 0.05) for s in result.sigma_w2s]
    )
    assert result.chi_measured == pytest.approx(result.chi_theory, rel=0.05)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="seeds must name at least one seed"):
        depth_profile(seeds=())
    with pytest.raises(ValueError, match="sigma_w2s must be > 0.0"):
        tanh_phases(sigma_w2s=(0.0,))
    with pytest.raises(ValueError, match="depth must be an integer >= 3"):
        tanh_phases(depth=2)
    with pytest.raises(
        ValueError, match="unknown activation 'elu'; choose one of: sigmoid, tanh, relu"
    ):
        depth_profile().row("elu")
