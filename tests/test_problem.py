"""vgp.experiments.problem: one SGD step, checked against autograd and float32."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import EXPERIMENTS, load_all
from vgp.experiments.problem import gradient_profile, one_step
from vgp.probe import default_loss, weight_layers


def test_registered() -> None:
    load_all()
    assert {"problem.gradient_profile", "problem.one_step"} <= set(EXPERIMENTS)


def test_one_step_gradients_are_autograd_gradients() -> None:
    result = one_step(depth=4, width=8, activations=("tanh", "sigmoid"))
    data = vgp.datasets.circles()
    for row, activation in enumerate(result.activations):
        net = vgp.mlp(4, 8, activation=activation)
        weights = [m.weight for _, m in weight_layers(net)]
        grads = torch.autograd.grad(default_loss(net(data.X_train), data.y_train), weights)
        assert result.grad_norms[row] == pytest.approx([g.norm().item() for g in grads], rel=1e-5)
        assert result.weight_norms[row] == pytest.approx([w.norm().item() for w in weights])


def test_step_ratio_is_the_measured_update_unless_float32_rounds_it_away() -> None:
    result = one_step()
    for step, measured in zip(result.step_ratios, result.update_ratios, strict=True):
        for s, m in zip(step, measured, strict=True):
            if s > 1e-5:  # far above float32's resolution: SGD moves by exactly lr * g
                assert m == pytest.approx(s, rel=1e-3)
            elif s < 2**-24 / 100:  # far below it: the update is lost
                assert m == 0.0


def test_the_lost_update_really_is_lost() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(11, 10, activation="sigmoid")
    default_loss(net(data.X_train), data.y_train).backward()
    w = net.fc1.weight.detach()
    assert torch.equal(w - 0.1 * net.fc1.weight.grad, w)
    assert one_step().update_ratios[one_step().row("sigmoid")][0] == 0.0


def test_decay_per_layer_is_the_geometric_mean_factor() -> None:
    profile = gradient_profile()
    row = profile.norms[profile.configs.index(("sigmoid", "default"))]
    factors = [row[k] / row[k + 1] for k in range(len(row) - 1)]
    expected = math.exp(sum(map(math.log, factors)) / len(factors))
    assert profile.decay_per_layer("sigmoid") == pytest.approx(expected, rel=1e-9)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        one_step(activations=("sigmod",))
    with pytest.raises(ValueError, match="lr must be > 0.0"):
        one_step(lr=0.0)
    with pytest.raises(ValueError, match="unknown activation 'gelu'; choose one of: sigmoid, tanh"):
        one_step().row("gelu")
