"""Analytic derivatives against autograd; registry and saturation."""

import math

import pytest
import torch

import vgp
from vgp import activations

X = torch.linspace(-6, 6, 1201, dtype=torch.float64)
X = X[X != 0]  # ReLU's kink: autograd's choice there is a convention, tested below


@pytest.mark.parametrize("name", vgp.ACTIVATIONS)
def test_derivative_matches_autograd(name):
    x = X.clone().requires_grad_(True)
    module = vgp.activation(name).double()
    (grad,) = torch.autograd.grad(module(x).sum(), x)
    torch.testing.assert_close(vgp.derivative(name, X), grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("name", "kw"), [("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.5})])
def test_derivative_with_parameters_matches_autograd(name, kw):
    x = X.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(vgp.activation(name, **kw)(x).sum(), x)
    torch.testing.assert_close(vgp.derivative(name, X, **kw), grad)


def test_relu_kink_follows_pytorch():
    x = torch.zeros(1, requires_grad=True)
    (grad,) = torch.autograd.grad(torch.relu(x).sum(), x)
    assert vgp.derivative("relu", torch.zeros(1)).item() == grad.item() == 0.0


@pytest.mark.parametrize("name", vgp.ACTIVATIONS)
def test_max_slope_is_the_maximum_of_the_derivative(name):
    grid = torch.linspace(-10, 10, 200001, dtype=torch.float64)
    assert vgp.derivative(name, grid).max().item() == pytest.approx(activations.MAX_SLOPE[name], rel=1e-4)


def test_registry_names_round_trip():
    for name in vgp.ACTIVATIONS:
        assert activations.name_of(vgp.activation(name)) == name
    assert activations.name_of(torch.nn.Linear(1, 1)) is None


def test_saturation_threshold_matches_its_definition():
    z = torch.linspace(-8, 8, 10001)
    for name in activations.SATURATING:
        mask = activations.saturated(name, z)
        slope = vgp.derivative(name, z)
        expected = slope < activations.SATURATION_THRESHOLD * activations.MAX_SLOPE[name]
        assert torch.equal(mask, expected)
        assert mask.any() and not mask.all()
    assert not activations.saturated("relu", z).any()


def test_sigmoid_good_region_edge():
    # sigma'(z) = 0.025 exactly at the edge of the good region
    edge = vgp.theory.good_region("sigmoid")
    s = 1 / (1 + math.exp(-edge))
    assert s * (1 - s) == pytest.approx(0.025)


def test_unknown_activation_names_the_argument_and_choices():
    with pytest.raises(ValueError, match=r"unknown activation 'sigmod'; choose one of: sigmoid, tanh"):
        vgp.activation("sigmod")
    with pytest.raises(ValueError, match="unknown activation"):
        vgp.derivative("Relu", torch.zeros(1))


def test_wrong_types_and_keywords():
    with pytest.raises(TypeError, match="activation must be a string"):
        vgp.activation(torch.nn.ReLU)
    with pytest.raises(TypeError, match="takes no keyword 'alpha'"):
        vgp.activation("relu", alpha=1.0)
    with pytest.raises(ValueError, match="negative_slope must be >= 0"):
        vgp.activation("leaky_relu", negative_slope=-1)
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        vgp.derivative("tanh", [0.0, 1.0])
