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


def hand_step(activation: str, lr: float = 0.1) -> tuple[list[float], list[float]]:
    """One SGD step on the whole of circles by hand, in float32 as the weights are
    stored: the exact ratio lr ||g|| / ||W|| (in float64) and the update that
    float32 really makes, ||fl(W - lr g) - W|| / ||W||, for every weight layer."""
    data = vgp.datasets.circles()
    net = vgp.mlp(11, 10, activation=activation)
    weights = [m.weight for _, m in weight_layers(net)]
    grads = torch.autograd.grad(default_loss(net(data.X_train), data.y_train), weights)
    exact, made = [], []
    for w, g in zip(weights, grads, strict=True):
        w = w.detach()
        exact.append(lr * g.double().norm().item() / w.double().norm().item())
        made.append(((w - lr * g) - w).norm().item() / w.norm().item())
    return exact, made


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_every_step_and_update_ratio_is_the_one_made_by_hand(activation: str) -> None:
    """All 36 ratios (12 layers of 3 nets), each against the step taken by hand."""
    result = one_step()
    row = result.row(activation)
    exact, made = hand_step(activation)
    assert result.step_ratios[row] == pytest.approx(exact, rel=1e-5)
    assert result.update_ratios[row] == pytest.approx(made, rel=1e-5, abs=0)
    for s, m in zip(exact, made, strict=True):
        if s > 1e-5:  # far above float32's resolution: SGD moves by about lr * g
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
