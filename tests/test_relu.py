"""vgp.experiments.relu, checked against direct forward passes, vgp.Probe and
direct counts of born-dead nets."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import vgp
from vgp.experiments import relu


def test_preactivations_are_the_inputs_of_each_activation() -> None:
    net = vgp.mlp(depth=3, width=6, activation="tanh", seed=1)
    X = torch.randn(10, 2)
    expected, h = [], X
    with torch.no_grad():
        for i in (1, 2, 3):
            z = getattr(net, f"fc{i}")(h)
            expected.append(z)
            h = torch.tanh(z)
    for got, want in zip(relu.preactivations(net, X), expected, strict=True):
        torch.testing.assert_close(got, want)


def test_preactivations_remove_their_hooks_when_the_forward_pass_fails() -> None:
    net = vgp.mlp(depth=2, width=4)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(3x5 and 2x4\)"):
        relu.preactivations(net, torch.zeros(3, 5))
    assert all(not m._forward_hooks for m in net.modules())


def test_inactive_fractions_of_relu_are_probes_dead_fractions() -> None:
    data = vgp.datasets.digits()
    net = vgp.mlp(4, 32, in_features=64, out_features=10, seed=3)
    with torch.no_grad():
        net.fc2.bias -= 1.0  # kill some units
    with vgp.Probe(net) as probe:
        net(data.X_train)
    expected = [s.dead_fraction for s in probe.stats[:-1]]
    assert relu.inactive_fractions(net, data.X_train) == pytest.approx(expected)
    assert max(expected) > 0


def test_relu_net_uses_the_asked_slope() -> None:
    net = relu.relu_net(2, 5, negative_slope=0.3, seed=0)
    x = torch.randn(7, 2)
    with torch.no_grad():
        expected = net.out(
            nn.functional.leaky_relu(net.fc2(nn.functional.leaky_relu(net.fc1(x), 0.3)), 0.3)
        )
        torch.testing.assert_close(net(x), expected)
    assert isinstance(relu.relu_net(2, 5, negative_slope=0.0, seed=0).act1, nn.ReLU)
    with pytest.raises(ValueError, match="negative_slope must be >= 0.0, got -0.1"):
        relu.relu_net(2, 5, negative_slope=-0.1, seed=0)


def adam_by_hand(lr: float, seed: int, depth: int = 2, width: int = 8, batch_size: int = 128):
    """One epoch of torch.optim.Adam on digits over the mini-batches vgp.train
    documents, with the dead units counted by a forward pass by hand before and
    after; returns (inactive at init, inactive after, test accuracy, mean first-
    layer update ratio)."""
    data = vgp.datasets.digits(seed)
    net = relu.relu_net(depth, width, negative_slope=0.0, seed=seed, in_features=64, out_features=10)

    def inactive() -> tuple[float, ...]:
        fractions, h = [], data.X_train
        with torch.no_grad():
            for i in range(1, depth + 1):
                z = getattr(net, f"fc{i}")(h)
                fractions.append((z <= 0).all(dim=0).float().mean().item())
                h = torch.relu(z)
        return tuple(fractions)

    at_init = inactive()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr, foreach=False)
    order = torch.randperm(len(data.X_train), generator=torch.Generator().manual_seed(seed))
    ratios = []
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        optimizer.zero_grad()
        nn.functional.cross_entropy(net(data.X_train[idx]), data.y_train[idx]).backward()
        before = net.fc1.weight.detach().clone()
        optimizer.step()
        ratios.append(((net.fc1.weight - before).norm() / before.norm()).item())
    with torch.no_grad():
        accuracy = (net(data.X_test).argmax(dim=1) == data.y_test).float().mean().item()
    return at_init, inactive(), accuracy, sum(ratios) / len(ratios)


@pytest.mark.parametrize(("lr", "seed"), [(1e-3, 0), (1e-1, 1)])
def test_dying_run_is_adam_and_a_count_by_hand(lr: float, seed: int) -> None:
    run = relu.dying_run(lr, 0.0, seed, depth=2, width=8, epochs=1)
    at_init, after, accuracy, ratio = adam_by_hand(lr, seed)
    assert run.inactive_at_init == at_init
    assert run.inactive == after
    assert run.test_accuracy == pytest.approx(accuracy, abs=1e-6)
    assert run.update_ratio == pytest.approx(ratio, rel=1e-5)


def test_a_high_learning_rate_kills_units_that_were_alive() -> None:
    """The chapter's claim at the size of this test: Adam at 0.1 leaves more units
    dead than Adam at 0.001 (each seed, counted by hand)."""
    for seed in (0, 1):
        slow, fast = adam_by_hand(1e-3, seed)[1], adam_by_hand(1e-1, seed)[1]
        assert sum(fast) > sum(slow)


def test_learning_rate_sweep_gathers_the_runs() -> None:
    runs = {
        lr: [relu.dying_run(lr, 0.0, s, depth=2, width=8, epochs=1) for s in (0, 1)]
        for lr in (1e-3, 1e-1)
    }
    sweep = relu.LearningRateSweep((1e-3, 1e-1), (0.0,), (0, 1), tuple(runs[1e-3] + runs[1e-1]))
    for lr, pair in runs.items():
        assert sweep.accuracies(lr) == tuple(r.test_accuracy for r in pair)
        expected = [(a + b) / 2 for a, b in zip(pair[0].inactive, pair[1].inactive, strict=True)]
        assert sweep.mean_inactive(lr) == pytest.approx(expected)
        assert all(len(r.inactive) == 2 and 0 <= min(r.inactive) for r in pair)
    with pytest.raises(ValueError, match="no runs for lr=0.5"):
        sweep.select(0.5)


def test_dying_run_rejects_a_bad_learning_rate() -> None:
    with pytest.raises(ValueError, match="lr must be > 0.0, got 0.0"):
        relu.dying_run(0.0)


def test_random_relu_nets_are_drawn_like_torch_default_linear() -> None:
    nets = relu.random_relu_nets(width=8, depth=30, trials=200)
    hidden = nets.hidden.flatten()
    assert hidden.abs().max() <= 1 / math.sqrt(8)
    reference = torch.cat([nn.Linear(8, 8).weight.detach().flatten() for _ in range(500)])
    assert hidden.var().item() == pytest.approx(reference.var().item(), rel=0.05)
    assert nets.first.abs().max() <= 1.0
    assert hidden.mean().item() == pytest.approx(0.0, abs=3e-3)


def direct_first_dead_layer(net: nn.Sequential, X: torch.Tensor) -> int:
    """Forward layer by layer through an nn.Sequential; the first all-zero ReLU output."""
    h, layer = X, 0
    with torch.no_grad():
        for module in net:
            h = module(h)
            if isinstance(module, nn.ReLU):
                layer += 1
                if not h.any():
                    return layer
    return layer + 1


@pytest.mark.parametrize(("width", "depth"), [(2, 3), (2, 8), (3, 6), (4, 10)])
def test_first_dead_layer_matches_a_direct_count(width: int, depth: int) -> None:
    nets = relu.random_relu_nets(width, depth, trials=40, seed=width * depth)
    X = relu.domain()
    vectorised = relu.first_dead_layer(nets, X).tolist()
    direct = [direct_first_dead_layer(nets.layers(t), X) for t in range(40)]
    assert vectorised == direct
    assert 0 < sum(d <= depth for d in direct) < 40


def test_born_dead_means_a_constant_output() -> None:
    """With any output layer, a net is constant on the domain iff a layer died."""
    nets = relu.random_relu_nets(3, 8, trials=40, seed=5)
    X = relu.domain(101)
    first = relu.first_dead_layer(nets, X)
    for t in range(40):
        net = nn.Sequential(nets.layers(t), nn.Linear(3, 1)).double()
        with torch.no_grad():
            y = net(X.double())
        assert bool((y == y[0]).all()) == bool(first[t] <= 8)


def test_born_dead_estimate_matches_a_direct_count_of_vgp_mlp_nets() -> None:
    """vgp.mlp nets, drawn by torch's own nn.Linear, counted one by one."""
    width, depth, count = 3, 6, 200
    X = relu.domain().double()
    constant = 0
    for seed in range(count):
        net = vgp.mlp(depth, width, in_features=1, seed=seed).double()
        with torch.no_grad():
            y = net(X)
        constant += bool((y == y[0]).all())
    estimate = relu.born_dead(widths=(width,), depths=(depth,), trials=3000).at(width, depth)
    se = math.sqrt(estimate * (1 - estimate) / count)
    assert constant / count == pytest.approx(estimate, abs=4 * se)


def test_born_dead_estimate_stays_below_the_bound() -> None:
    estimate = relu.born_dead()
    for width in estimate.widths:
        curve = [estimate.at(width, d) for d in range(1, 51)]
        assert curve == sorted(curve)
        for depth in estimate.depths:
            p = vgp.theory.born_dead_bound(width, depth)
            assert (
                estimate.at(width, depth) <= p + 4 * math.sqrt(p * (1 - p) / estimate.trials) + 1e-3
            )


def test_born_dead_table_and_lookup() -> None:
    estimate = relu.born_dead(widths=(2, 3), depths=(5, 10), trials=50)
    lines = estimate.table().splitlines()
    assert lines[0] == "| width | depth 5 | depth 10 |"
    assert lines[2].startswith("| 2 | ")
    with pytest.raises(ValueError, match="no estimate for width=7"):
        estimate.at(7, 5)


def test_born_dead_examples_flag_exactly_the_constant_nets() -> None:
    examples = relu.born_dead_examples(width=2, depth=6, count=10)
    for outputs, flat in zip(examples.outputs, examples.constant, strict=True):
        assert flat == (max(outputs) == min(outputs))
    assert 0 < sum(examples.constant) < 10
