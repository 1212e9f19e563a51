"""vgp.theory.gaussian_mean and batchnorm_gain, against closed forms, sampling and a net."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.theory import batchnorm_gain, gaussian_mean


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        (lambda z: torch.ones_like(z), 1.0),
        (lambda z: z**2, 1.0),
        (lambda z: z**4, 3.0),
        (torch.relu, 1 / math.sqrt(2 * math.pi)),
        (lambda z: (z > 0).double(), 0.5),
    ],
)
def test_gaussian_mean_of_known_moments(fn, expected: float) -> None:
    assert gaussian_mean(fn) == pytest.approx(expected, abs=1e-7)


def test_relu_gain_is_yang_et_al_closed_form() -> None:
    assert batchnorm_gain("relu") == pytest.approx(math.sqrt(math.pi / (math.pi - 1)), abs=1e-7)


def test_linear_gain_is_one_and_every_nonlinear_gain_is_above() -> None:
    # Gaussian Poincare inequality: Var phi(z) <= E phi'(z)^2, equality only if phi is linear
    assert batchnorm_gain("identity") == pytest.approx(1.0, abs=1e-8)
    for name in vgp.ACTIVATIONS:
        if name != "identity":
            assert batchnorm_gain(name) > 1.0


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "gelu"])
def test_gain_matches_sampling_with_autograd_slopes(name: str) -> None:
    z = torch.randn(2_000_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    z.requires_grad_()
    h = vgp.activation(name)(z)
    (slope,) = torch.autograd.grad(h.sum(), z)
    sampled = math.sqrt((slope**2).mean().item() / h.detach().var().item())
    assert batchnorm_gain(name) == pytest.approx(sampled, rel=2e-3)


def test_relu_gain_matches_a_wide_batchnorm_net() -> None:
    # per-layer growth of dL/dW in the middle of a 24-layer ReLU net with batch norm
    torch.manual_seed(0)
    X = torch.randn(256, 2, dtype=torch.float64)
    y = (X[:, 0] > 0).double()
    net = vgp.mlp(24, 128, norm="batch", seed=0).double()
    norms = vgp.gradient_norms(net, X, y)
    measured = (norms[4] / norms[20]) ** (1 / 16)
    assert measured == pytest.approx(batchnorm_gain("relu"), rel=0.02)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        batchnorm_gain("sigmod")
    with pytest.raises(ValueError, match="points must be an integer >= 2"):
        gaussian_mean(torch.exp, points=1)
    with pytest.raises(ValueError, match="limit must be > 0.0"):
        gaussian_mean(torch.exp, limit=0.0)
