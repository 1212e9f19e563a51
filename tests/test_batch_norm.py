"""vgp.experiments.batch_norm, checked against direct computations."""

from __future__ import annotations

import pytest
import torch
from _reference import accuracy, sgd_by_hand

import vgp
from vgp.experiments import batch_norm


def sigmoid_inputs(net: torch.nn.Sequential, X: torch.Tensor) -> list[torch.Tensor]:
    """The input of every sigmoid, by walking the layers by hand."""
    inputs, h = [], X
    with torch.no_grad():
        for name, module in net.named_children():
            if name.startswith("act"):
                inputs.append(h)
            h = module(h)
    return inputs


def test_preactivations_match_a_forward_pass_by_hand() -> None:
    result = batch_norm.preactivations(depth=3, width=20, sigma_ws=(1.0, 6.0), bins=30, limit=10.0)
    X = vgp.datasets.circles().X_train
    assert result.good_region == pytest.approx(vgp.theory.good_region("sigmoid"))
    for i, sigma_w in enumerate(result.sigma_ws):
        for norm, counts, saturated in (
            (None, result.plain[i], result.saturated_plain[i]),
            ("batch", result.batch[i], result.saturated_batch[i]),
        ):
            net = vgp.mlp(3, 20, activation="sigmoid", init="normal", gain=sigma_w, norm=norm)
            z = sigmoid_inputs(net, X)[-1]
            assert sum(counts) == z.numel()
            assert saturated == pytest.approx((z.abs() >= result.good_region).float().mean().item())
            inside = ((z > -10) & (z < -10 + 20 / 30)).sum().item()
            assert counts[0] >= inside  # the outer bin also holds what lies beyond the edge


def test_batch_norm_keeps_sigmoid_inputs_in_the_good_region() -> None:
    result = batch_norm.preactivations(depth=3, width=20, sigma_ws=(8.0,))
    assert result.saturated_plain[0] > 0.3
    assert result.saturated_batch[0] < 0.01


def test_depth_profiles_match_gradient_norms() -> None:
    configs = (("sigmoid", "default", None), ("relu", "he_normal", "batch"))
    result = batch_norm.depth_profiles(depth=8, width=16, configs=configs)
    data = vgp.datasets.circles()
    for (activation, init, norm), norms in zip(configs, result.norms, strict=True):
        net = vgp.mlp(8, 16, activation=activation, init=init, norm=norm).double()
        expected = vgp.gradient_norms(net, data.X_train.double(), data.y_train.double())
        assert norms == pytest.approx(expected, rel=1e-9)


def test_slope_and_rest_multiply_to_the_end_to_end_gradient_ratio() -> None:
    net = vgp.mlp(6, 12, activation="sigmoid", norm="batch").double()
    data = vgp.datasets.circles()
    X, y = data.X_train.double(), data.y_train.double()
    slopes, rest = batch_norm._slope_and_rest(net, X, y)
    # independent: dL/dz_1 and dL/dh_6 by autograd on a hand-walked forward pass
    z1 = net.bn1(net.fc1(X))
    h, state = net.act1(z1), None
    for i in range(2, 7):
        h = getattr(net, f"act{i}")(getattr(net, f"bn{i}")(getattr(net, f"fc{i}")(h)))
    state = h
    loss = vgp.probe.default_loss(net.out(state), y)
    g_z1, g_h6 = torch.autograd.grad(loss, [z1, state])
    assert slopes * rest == pytest.approx((g_z1.norm() / g_h6.norm()).item(), rel=1e-9)
    # the sigmoid's slope is at most 1/4 per layer
    assert slopes <= 0.25**6


def test_placement_is_plain_sgd_by_hand_for_every_combination() -> None:
    """Every accuracy curve against SGD written out with torch.optim (lr 0.1,
    full batches of 64 on digits, the test accuracy before training and after
    each epoch of 1203 // 64 steps), on the net each placement names."""
    result = batch_norm.placement(depth=2, width=8, activations=("tanh",), epochs=2, seeds=(0, 1))
    assert result.placements == ("none", "before", "after")
    data = vgp.datasets.digits()
    per_epoch = len(data.X_train) // 64
    for where, runs in zip(result.placements, result.accuracy[0], strict=True):
        assert len(runs) == 2
        for seed, run in zip((0, 1), runs, strict=True):
            net = vgp.mlp(
                2, 8, activation="tanh", norm=None if where == "none" else "batch",
                norm_position="before" if where == "none" else where,
                in_features=64, out_features=10, seed=seed,
            )
            curve = [accuracy(net, data.X_test, data.y_test)]
            for step in sgd_by_hand(net, data.X_train, data.y_train, lr=0.1, batch_size=64,
                                    steps=2 * per_epoch, seed=seed):
                if step % per_epoch == 0:
                    curve.append(accuracy(net, data.X_test, data.y_test))
            assert run == pytest.approx(curve, abs=1e-6), (where, seed)
        assert result.final("tanh", where) == tuple(run[-1] for run in runs)


def test_small_batches_are_plain_sgd_by_hand() -> None:
    """Each accuracy against SGD written out with torch.optim on the He-initialised
    ReLU net, without and with batch norm, for a third of an epoch."""
    result = batch_norm.small_batches(batch_sizes=(4, 16), depth=2, width=8)
    assert result.batch_sizes == (4, 16)
    data = vgp.datasets.digits(0)
    for b, plain, batch in zip(result.batch_sizes, result.plain, result.batch, strict=True):
        for norm, got in ((None, plain), ("batch", batch)):
            net = vgp.mlp(2, 8, init="he_normal", norm=norm, in_features=64, out_features=10)
            steps = int((len(data.X_train) // b) / 3)
            for _ in sgd_by_hand(net, data.X_train, data.y_train, lr=0.05, batch_size=b,
                                 steps=steps, seed=0):
                pass
            assert got == pytest.approx(accuracy(net, data.X_test, data.y_test), abs=1e-6), (b, norm)


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        batch_norm.depth_profiles(configs=(("sigmod", "default", None),))
    with pytest.raises(ValueError, match="unknown norm 'group'"):
        batch_norm.depth_profiles(configs=(("relu", "default", "group"),))
    with pytest.raises(ValueError, match="batch_size must be an integer >= 2, got 1"):
        batch_norm.small_batches(batch_sizes=(1,))
    with pytest.raises(ValueError, match="epochs must be > 0.0, got 0.0"):
        batch_norm.small_batches(epochs=0)
    with pytest.raises(ValueError, match="sigma_w must be > 0.0"):
        batch_norm.preactivations(sigma_ws=(0.0,))
    result = batch_norm.placement(depth=1, width=4, activations=("relu",), epochs=1, seeds=(0,))
    with pytest.raises(ValueError, match="unknown placement 'middle'"):
        result.final("relu", "middle")
