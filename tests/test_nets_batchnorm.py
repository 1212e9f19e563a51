"""vgp.nets.BatchNorm against torch.nn.BatchNorm1d, and mlp's norm placement."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import vgp
from vgp.data import Dataset
from vgp.nets import BatchNorm

ATOL = 1e-6
RTOL = 1e-6


def pair(num_features: int = 5, **kw: float) -> tuple[BatchNorm, nn.BatchNorm1d]:
    """Our batch norm and torch's, with the same (non-trivial) gamma and beta."""
    ours, theirs = BatchNorm(num_features, **kw), nn.BatchNorm1d(num_features, **kw)
    with torch.no_grad():
        gamma = torch.linspace(0.5, 2.0, num_features)
        beta = torch.linspace(-1.0, 1.0, num_features)
        for module in (ours, theirs):
            module.weight.copy_(gamma)
            module.bias.copy_(beta)
    return ours, theirs


@pytest.mark.parametrize("momentum", [0.1, 0.5])
@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_training_mode_matches_torch_including_running_statistics(
    momentum: float, eps: float
) -> None:
    ours, theirs = pair(momentum=momentum, eps=eps)
    generator = torch.Generator().manual_seed(0)
    for step in range(6):
        x = 3 * torch.randn(8 + step, 5, generator=generator) + torch.arange(5.0)
        torch.testing.assert_close(ours(x), theirs(x), atol=ATOL, rtol=RTOL)
        torch.testing.assert_close(ours.running_mean, theirs.running_mean, atol=ATOL, rtol=RTOL)
        torch.testing.assert_close(ours.running_var, theirs.running_var, atol=ATOL, rtol=RTOL)


def test_eval_mode_matches_torch_after_training_steps() -> None:
    ours, theirs = pair()
    generator = torch.Generator().manual_seed(1)
    for _ in range(4):
        x = torch.randn(16, 5, generator=generator) * 2 - 1
        ours(x), theirs(x)
    ours.eval(), theirs.eval()
    x = torch.randn(3, 5, generator=generator)
    torch.testing.assert_close(ours(x), theirs(x), atol=ATOL, rtol=RTOL)
    # one sample is fine in evaluation mode
    torch.testing.assert_close(ours(x[:1]), theirs(x[:1]), atol=ATOL, rtol=RTOL)


def test_gradients_match_torch() -> None:
    ours, theirs = pair()
    x = torch.randn(10, 5, generator=torch.Generator().manual_seed(2))
    xa, xb = x.clone().requires_grad_(), x.clone().requires_grad_()
    weights = torch.randn(10, 5, generator=torch.Generator().manual_seed(3))
    (ours(xa) * weights).sum().backward()
    (theirs(xb) * weights).sum().backward()
    torch.testing.assert_close(xa.grad, xb.grad, atol=1e-5, rtol=0)
    torch.testing.assert_close(ours.weight.grad, theirs.weight.grad, atol=1e-5, rtol=0)
    torch.testing.assert_close(ours.bias.grad, theirs.bias.grad, atol=1e-5, rtol=0)


def test_two_samples_normalise_to_plus_and_minus_one() -> None:
    # the mechanism behind the tiny-batch pitfall: (x - mean) / std of two values is -1, +1
    x = torch.tensor([[0.3, -7.0, 100.0], [2.0, 5.0, 101.0]])
    y = BatchNorm(3, eps=1e-12)(x).detach()
    torch.testing.assert_close(y, torch.tensor([[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]]))


def test_bad_inputs_raise_at_the_call() -> None:
    bn = BatchNorm(4)
    with pytest.raises(ValueError, match=r"at least 2 samples"):
        bn(torch.zeros(1, 4))
    with pytest.raises(ValueError, match=r"shape \(batch, 4\), got \(2, 3\)"):
        bn(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(4, momentum=1.5)
    with pytest.raises(ValueError, match="eps"):
        BatchNorm(4, eps=0.0)


@pytest.mark.parametrize(
    ("position", "order"),
    [
        ("before", ["fc1", "bn1", "act1", "fc2", "bn2", "act2", "out"]),
        ("after", ["fc1", "act1", "bn1", "fc2", "act2", "bn2", "out"]),
    ],
)
def test_norm_position_orders_the_layers(position: str, order: list[str]) -> None:
    net = vgp.mlp(2, 6, activation="tanh", norm="batch", norm_position=position)
    assert [name for name, _ in net.named_children()] == order


def test_norm_position_after_computes_linear_activation_then_torch_batchnorm() -> None:
    net = vgp.mlp(2, 6, activation="sigmoid", norm="batch", norm_position="after", seed=3)
    x = torch.randn(9, 2, generator=torch.Generator().manual_seed(4))
    h = x
    for i in (1, 2):
        reference = nn.BatchNorm1d(6)
        h = reference(torch.sigmoid(getattr(net, f"fc{i}")(h)))
    torch.testing.assert_close(net(x), net.out(h), atol=ATOL, rtol=RTOL)


def test_norm_position_keeps_the_weights_of_the_seed() -> None:
    before = vgp.mlp(3, 5, norm="batch", seed=7)
    after = vgp.mlp(3, 5, norm="batch", norm_position="after", seed=7)
    for name in ("fc1", "fc2", "fc3", "out"):
        assert torch.equal(getattr(before, name).weight, getattr(after, name).weight)


def test_norm_position_is_validated() -> None:
    with pytest.raises(
        ValueError, match="unknown norm_position 'middle'; choose one of: before, after"
    ):
        vgp.mlp(2, 4, norm="batch", norm_position="middle")
    with pytest.raises(TypeError, match="norm_position must be a string"):
        vgp.mlp(2, 4, norm="batch", norm_position=1)


def sgd_skipping_batches_of_one(net, X, y, *, lr, epochs, batch_size, seed) -> int:
    """Plain SGD by hand over the mini-batches vgp.train documents (a permutation
    per epoch from one generator seeded with ``seed``), leaving out every batch of
    a single sample; returns the number of steps taken."""
    params = list(net.parameters())
    generator = torch.Generator().manual_seed(seed)
    steps = 0
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            if len(idx) < 2:
                continue
            out = net(X[idx]).reshape(-1)
            loss = nn.functional.binary_cross_entropy_with_logits(out, y[idx])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p.sub_(lr * g)
            steps += 1
    return steps


@pytest.mark.parametrize("norm", ["batch", "torch"])
def test_train_skips_a_last_batch_of_one_and_only_that(norm: str) -> None:
    """Seven training samples in batches of 3: two steps per epoch on 3 samples
    each, the last batch (one sample, which batch norm cannot normalise) left
    out; the weights are exactly those of SGD by hand over the same batches."""
    moons = vgp.datasets.moons()
    data = Dataset("moons", moons.X_train[:7], moons.y_train[:7], moons.X_test, moons.y_test)

    def net() -> nn.Module:
        model = vgp.mlp(2, 8, norm="batch", seed=4)
        if norm == "torch":  # torch's own batch norm refuses a batch of one too
            for i in (1, 2):
                setattr(model, f"bn{i}", nn.BatchNorm1d(8))
        return model

    trained, by_hand = net(), net()
    history = vgp.train(trained, data, lr=0.05, epochs=2, batch_size=3, seed=5)
    steps = sgd_skipping_batches_of_one(
        by_hand, data.X_train, data.y_train, lr=0.05, epochs=2, batch_size=3, seed=5
    )
    assert steps == 4 and history.epochs == 2 and not history.diverged
    for (name, got), want in zip(trained.named_parameters(), by_hand.parameters(), strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=1e-6, msg=name)
    with pytest.raises(ValueError, match="BatchNorm"):  # what the skip avoids
        vgp.mlp(2, 8, norm="batch").train()(data.X_train[:1])
