"""mlp structure, seeding, options, and errors."""

import pytest
import torch

import vgp
from vgp.nets import BatchNorm, Residual


def test_depth_counts_hidden_layers():
    net = vgp.mlp(depth=11, width=10)
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert len(linears) == 12
    assert linears[0].in_features == 2 and linears[-1].out_features == 1
    assert all(isinstance(m, torch.nn.ReLU) for n, m in net.named_children() if n.startswith("act"))


def test_same_seed_same_net_and_caller_rng_untouched():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    a = vgp.mlp(3, 8, seed=5, init="he_normal")
    assert torch.rand(1).item() == expected.item()
    b = vgp.mlp(3, 8, seed=5, init="he_normal")
    c = vgp.mlp(3, 8, seed=6, init="he_normal")
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.fc1.weight, c.fc1.weight)


def test_residual_wraps_layers_after_the_first():
    net = vgp.mlp(4, 6, residual=True, in_features=3, out_features=5)
    assert [type(m) for m in net.children()].count(Residual) == 3
    assert net(torch.zeros(7, 3)).shape == (7, 5)
    block = net.block2
    x = torch.randn(2, 6)
    torch.testing.assert_close(block(x), x + block.block(x))


def test_batch_norm_sits_before_the_activation():
    names = [n for n, _ in vgp.mlp(2, 4, norm="batch").named_children()]
    assert names == ["fc1", "bn1", "act1", "fc2", "bn2", "act2", "out"]
    assert isinstance(vgp.mlp(2, 4, norm="batch").bn1, BatchNorm)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"depth": 0, "width": 4}, ValueError, "depth must be an integer >= 1, got 0"),
        ({"depth": 3, "width": -2}, ValueError, "width must be an integer >= 1, got -2"),
        ({"depth": 2.5, "width": 4}, TypeError, "depth must be an integer"),
        ({"depth": 2, "width": 4, "activation": "sigmod"}, ValueError, "unknown activation 'sigmod'"),
        ({"depth": 2, "width": 4, "init": "glorot"}, ValueError, "unknown init 'glorot'"),
        ({"depth": 2, "width": 4, "norm": "group"}, ValueError, "choose one of: batch, layer, rms"),
        ({"depth": 2, "width": 4, "residual": "yes"}, TypeError, "residual must be True or False"),
        ({"depth": 2, "width": 4, "in_features": 0}, ValueError, "in_features must be an integer >= 1"),
        ({"depth": 2, "width": 4, "seed": -1}, ValueError, "seed must be an integer >= 0"),
    ],
)
def test_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        vgp.mlp(**kwargs)


def test_batchnorm_rejects_wrong_width_and_single_sample():
    bn = BatchNorm(3)
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 3\), got \(4, 2\)"):
        bn(torch.zeros(4, 2))
    with pytest.raises(ValueError, match="at least 2 samples per batch in training mode"):
        bn(torch.zeros(1, 3))
    bn.eval()
    assert bn(torch.zeros(1, 3)).shape == (1, 3)
