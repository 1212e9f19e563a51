"""Each scheme's empirical weight variance against its formula."""

import math

import pytest
import torch

import vgp
from vgp.init import SCHEMES, fans, initialise, weight_variance

FAN_IN, FAN_OUT = 300, 200


def sample(scheme, gain=None):
    torch.manual_seed(0)
    layer = torch.nn.Linear(FAN_IN, FAN_OUT)
    initialise(layer, scheme, gain=gain)
    return layer


FORMULAS = {
    "default": 1 / (3 * FAN_IN),
    "normal": 1 / FAN_IN,
    "xavier_uniform": 2 / (FAN_IN + FAN_OUT),
    "xavier_normal": 2 / (FAN_IN + FAN_OUT),
    "he_uniform": 2 / FAN_IN,
    "he_normal": 2 / FAN_IN,
    "lecun_normal": 1 / FAN_IN,
    "orthogonal": 1 / FAN_IN,
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_variance_matches_formula(scheme):
    weight = sample(scheme).weight.detach()
    assert weight.var().item() == pytest.approx(FORMULAS[scheme], rel=0.03)
    assert weight_variance(scheme, FAN_IN, FAN_OUT) == pytest.approx(FORMULAS[scheme])
    assert abs(weight.mean().item()) < 3 * math.sqrt(FORMULAS[scheme] / weight.numel())


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s != "default"])
def test_biases_are_zero_except_default(scheme):
    assert torch.count_nonzero(sample(scheme).bias) == 0


def test_default_is_pytorch_reset():
    bound = 1 / math.sqrt(FAN_IN)
    layer = sample("default")
    assert layer.weight.abs().max() <= bound and layer.bias.abs().max() <= bound
    assert layer.bias.abs().max() > 0.9 * bound


def test_uniform_bounds():
    weight = sample("xavier_uniform").weight
    assert weight.abs().max().item() <= math.sqrt(6 / (FAN_IN + FAN_OUT))
    assert weight.abs().max().item() > 0.99 * math.sqrt(6 / (FAN_IN + FAN_OUT))


def test_orthogonal_rows_are_orthonormal():
    w = sample("orthogonal").weight.detach().double()
    torch.testing.assert_close(w @ w.T, torch.eye(FAN_OUT, dtype=torch.float64), atol=1e-5, rtol=0)


def test_gain_scales_the_variance():
    weight = sample("normal", gain=2.0).weight
    assert weight.var().item() == pytest.approx(4 / FAN_IN, rel=0.03)


def test_conv_fans_count_the_kernel():
    conv = torch.nn.Conv2d(3, 8, kernel_size=5)
    assert fans(conv.weight) == (3 * 25, 8 * 25)
    initialise(conv, "he_normal")
    assert conv.weight.var().item() == pytest.approx(2 / 75, rel=0.15)


def test_bad_input():
    with pytest.raises(ValueError, match="unknown init 'kaiming'; choose one of: default"):
        initialise(torch.nn.Linear(2, 2), "kaiming")
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        initialise(torch.zeros(2, 2), "he_normal")
    with pytest.raises(ValueError, match="gain must be > 0"):
        initialise(torch.nn.Linear(2, 2), "normal", gain=0)
    with pytest.raises(ValueError, match="init 'default' has a fixed scale and takes no gain"):
        vgp.mlp(2, 4, gain=2.0)
