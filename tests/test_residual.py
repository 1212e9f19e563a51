"""vgp.experiments.residual, checked against autograd on a hand-walked forward pass."""

from __future__ import annotations

import pytest
import torch

import vgp
from vgp.experiments import residual


def test_state_gradients_match_autograd_by_hand() -> None:
    configs = (("tanh", False, None), ("tanh", True, None))
    result = residual.residual_profiles(depth=6, width=8, configs=configs)
    data = vgp.datasets.circles()
    X, y = data.X_train.double(), data.y_train.double()
    for row, (_, skip, _) in enumerate(configs):
        net = vgp.mlp(6, 8, activation="tanh", residual=skip).double()
        plain = vgp.mlp(6, 8, activation="tanh").double()  # same weights, walked by hand
        states = [torch.tanh(plain.fc1(X))]
        for i in range(2, 7):
            branch = torch.tanh(getattr(plain, f"fc{i}")(states[-1]))
            states.append(states[-1] + branch if skip else branch)
        out = plain.out(states[-1])
        grads = torch.autograd.grad(vgp.probe.default_loss(out, y), states)
        assert result.state_grads[row] == pytest.approx([g.norm().item() for g in grads], rel=1e-9)
        expected = vgp.gradient_norms(net, X, y)
        assert result.weight_grads[row] == pytest.approx(expected, rel=1e-9)
        assert result.logit_std[row] == pytest.approx(out.std().item(), rel=1e-9)


def test_skips_keep_the_gradient_reaching_the_first_layer() -> None:
    configs = (("sigmoid", False, None), ("sigmoid", True, None))
    result = residual.residual_profiles(depth=20, width=8, configs=configs)
    assert result.state_ratio("sigmoid", False) < 1e-8
    assert 0.1 < result.state_ratio("sigmoid", True) < 10
    assert result.labels == ("sigmoid, plain", "sigmoid, residual")


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        residual.residual_profiles(configs=(("sigmod", True, None),))
    with pytest.raises(TypeError, match="residual must be True or False, got 'yes'"):
        residual.residual_profiles(configs=(("relu", "yes", None),))
    result = residual.residual_profiles(depth=3, width=4, configs=(("relu", True, None),))
    with pytest.raises(ValueError, match="no row for"):
        result.state_ratio("relu", False)
