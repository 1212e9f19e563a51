"""vgp.nets.Residual and mlp(residual=True), against autograd and a direct computation."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import vgp
from vgp.experiments.residual import hidden_outputs
from vgp.nets import Residual


def test_jacobian_is_identity_plus_the_blocks() -> None:
    torch.manual_seed(0)
    block = nn.Sequential(nn.Linear(4, 4), nn.Tanh())
    x = torch.randn(4)
    jacobian = torch.autograd.functional.jacobian(Residual(block), x)
    expected = torch.eye(4) + torch.autograd.functional.jacobian(block, x)
    torch.testing.assert_close(jacobian, expected)


def test_gradient_through_a_dead_block_is_the_identity() -> None:
    block = nn.Linear(3, 3)
    nn.init.zeros_(block.weight)
    x = torch.randn(2, 3, requires_grad=True)
    Residual(block)(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.ones(2, 3))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_residual_mlp_is_the_plain_mlp_with_skips(activation: str) -> None:
    plain = vgp.mlp(4, 6, activation=activation, seed=1)
    skips = vgp.mlp(4, 6, activation=activation, residual=True, seed=1)
    phi = vgp.activation(activation)
    x = torch.randn(5, 2, generator=torch.Generator().manual_seed(2))
    h = phi(plain.fc1(x))
    for i in range(2, 5):
        h = h + phi(getattr(plain, f"fc{i}")(h))
    torch.testing.assert_close(skips(x), plain.out(h))


def test_first_layer_has_no_skip_because_its_width_changes() -> None:
    net = vgp.mlp(3, 5, residual=True)
    names = [name for name, _ in net.named_children()]
    assert names == ["fc1", "act1", "block2", "block3", "out"]
    assert all(isinstance(getattr(net, f"block{i}"), Residual) for i in (2, 3))


def test_residual_with_batchnorm_puts_the_norm_inside_each_block() -> None:
    net = vgp.mlp(3, 5, residual=True, norm="batch")
    assert [name for name, _ in net.block2.block.named_children()] == ["fc2", "bn2", "act2"]


def test_residual_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="residual must be True or False, got 1"):
        vgp.mlp(3, 5, residual=1)


@pytest.mark.parametrize("residual", [False, True])
def test_hidden_outputs_are_the_hidden_states(residual: bool) -> None:
    net = vgp.mlp(3, 4, activation="tanh", residual=residual)
    x = torch.randn(6, 2)
    outputs: list[torch.Tensor] = []
    handles = [
        m.register_forward_hook(lambda _m, _a, out: outputs.append(out))
        for m in hidden_outputs(net)
    ]
    net(x)
    for handle in handles:
        handle.remove()
    assert len(outputs) == 3
    # the last hidden state is what the output layer reads
    torch.testing.assert_close(net.out(outputs[-1]), net(x))


def test_hidden_outputs_with_batchnorm_after_the_activation() -> None:
    net = vgp.mlp(2, 4, norm="batch", norm_position="after")
    assert hidden_outputs(net) == [net.bn1, net.bn2]
