"""vgp.train against autograd, the SGD update rule and clipping's bound."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.data import Dataset
from vgp.probe import default_loss, weight_layers
from vgp.train import OPTIMIZERS


@pytest.fixture(scope="module")
def moons() -> Dataset:
    return vgp.datasets.moons()


def weights_of(net: torch.nn.Module) -> list[torch.Tensor]:
    return [m.weight.detach().clone() for _, m in weight_layers(net)]


def test_history_shape(moons: Dataset) -> None:
    net = vgp.mlp(3, 8, activation="tanh")
    history = vgp.train(net, moons, lr=0.1, epochs=4, batch_size=64)
    assert history.layer_names == ("fc1", "fc2", "fc3", "out")
    assert history.epochs == 4 and not history.diverged
    for table in (history.grad_norms, history.update_ratios):
        assert len(table) == 5 and all(len(row) == 4 for row in table)
    assert history.update_ratios[0] == (0.0, 0.0, 0.0, 0.0)
    assert len(history.weight_change) == 4


def test_first_entry_is_the_gradient_of_the_first_batch(moons: Dataset) -> None:
    net = vgp.mlp(3, 8, activation="sigmoid", seed=3)
    reference = vgp.mlp(3, 8, activation="sigmoid", seed=3)
    first = torch.randperm(len(moons.X_train), generator=torch.Generator().manual_seed(5))[:32]
    loss = default_loss(reference(moons.X_train[first]), moons.y_train[first])
    grads = torch.autograd.grad(loss, [m.weight for _, m in weight_layers(reference)])
    history = vgp.train(net, moons, lr=0.1, epochs=1, batch_size=32, seed=5)
    assert history.grad_norms[0] == pytest.approx([g.norm().item() for g in grads], rel=1e-5)
    whole = default_loss(reference(moons.X_train), moons.y_train).item()
    assert history.train_loss[0] == pytest.approx(whole, rel=1e-6)


def test_full_batch_sgd_moves_each_layer_by_lr_times_its_gradient(moons: Dataset) -> None:
    net = vgp.mlp(2, 16, activation="tanh", seed=1)
    before = weights_of(net)
    grads = torch.autograd.grad(
        default_loss(net(moons.X_train), moons.y_train), [m.weight for _, m in weight_layers(net)]
    )
    lr = 0.3
    history = vgp.train(net, moons, lr=lr, epochs=1, batch_size=len(moons.X_train))
    expected = [lr * g.norm().item() / w.norm().item() for g, w in zip(grads, before, strict=True)]
    assert history.update_ratios[1] == pytest.approx(expected, rel=1e-4)
    assert history.grad_norms[1] == pytest.approx([g.norm().item() for g in grads], rel=1e-5)


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_optimisers_are_bit_identical_to_torch_optim(moons: Dataset, optimizer: str) -> None:
    """vgp.train's written-out update rules take exactly torch.optim's steps."""
    net = vgp.mlp(3, 8, activation="tanh", norm="batch", seed=2)
    reference = vgp.mlp(3, 8, activation="tanh", norm="batch", seed=2)
    vgp.train(net, moons, optimizer=optimizer, lr=0.05, epochs=2, batch_size=64, seed=4)

    params = list(reference.parameters())
    opt = {
        "sgd": lambda: torch.optim.SGD(params, lr=0.05),
        "momentum": lambda: torch.optim.SGD(params, lr=0.05, momentum=0.9),
        "adam": lambda: torch.optim.Adam(params, lr=0.05),
    }[optimizer]()
    generator = torch.Generator().manual_seed(4)
    for _ in range(2):
        order = torch.randperm(len(moons.X_train), generator=generator)
        for start in range(0, len(order), 64):
            idx = order[start : start + 64]
            opt.zero_grad()
            default_loss(reference(moons.X_train[idx]), moons.y_train[idx]).backward()
            opt.step()
    for ours, theirs in zip(net.parameters(), reference.parameters(), strict=True):
        assert torch.equal(ours, theirs)


def test_weight_change_is_measured_from_the_start(moons: Dataset) -> None:
    net = vgp.mlp(2, 8, activation="relu", seed=2)
    before = weights_of(net)
    history = vgp.train(net, moons, optimizer="adam", lr=0.01, epochs=3, batch_size=32)
    after = weights_of(net)
    expected = [((a - b).norm() / b.norm()).item() for a, b in zip(after, before, strict=True)]
    assert history.weight_change == pytest.approx(expected, rel=1e-6)


def test_float32_rounding_leaves_a_vanishing_layer_exactly_unchanged() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(11, 10, activation="sigmoid")
    first = net.fc1.weight.detach().clone()
    history = vgp.train(net, data, lr=0.01, epochs=1, batch_size=32)
    # every step's update lr * g is below half a float32 ulp of every weight
    assert 0.01 * max(row[0] for row in history.grad_norms) < first.abs().min().item() * 2**-24
    assert torch.equal(net.fc1.weight.detach(), first)
    assert history.weight_change[0] == 0.0


def test_clipping_bounds_the_step_but_not_the_recorded_gradient(moons: Dataset) -> None:
    net = vgp.mlp(2, 16, activation="tanh", seed=4)
    params = [p.detach().clone() for p in net.parameters()]
    clip, lr = 1e-3, 0.5
    history = vgp.train(net, moons, lr=lr, epochs=1, batch_size=len(moons.X_train), clip=clip)
    moved = torch.sqrt(
        sum((p.detach() - q).pow(2).sum() for p, q in zip(net.parameters(), params, strict=True))
    )
    assert moved.item() <= lr * clip * (1 + 1e-4)  # float32 rounding of the step
    assert max(history.grad_norms[1]) > 10 * clip  # the true gradient, before clipping


def test_training_is_deterministic(moons: Dataset) -> None:
    runs = [
        vgp.train(
            vgp.mlp(2, 8), moons, optimizer="momentum", lr=0.05, epochs=2, batch_size=16, seed=7
        )
        for _ in range(2)
    ]
    assert runs[0] == runs[1]


def test_divergence_is_reported_not_raised(moons: Dataset) -> None:
    net = vgp.mlp(2, 8, activation="relu", seed=0)
    history = vgp.train(net, moons, lr=1e30, epochs=5, batch_size=len(moons.X_train))
    assert history.diverged and history.nonfinite_epoch is not None
    assert history.epochs == history.nonfinite_epoch < 5
    assert not math.isfinite(history.train_loss[-1]) or not all(
        map(math.isfinite, history.grad_norms[-1])
    )
    # the step that would have spread the NaN was not taken
    assert all(torch.isfinite(p).all() for p in net.parameters())


def test_a_nan_weight_is_reported_in_the_first_epoch(moons: Dataset) -> None:
    net = vgp.mlp(2, 8, seed=0)
    with torch.no_grad():
        net.fc2.weight[0, 0] = math.nan
    history = vgp.train(net, moons, lr=0.1, epochs=3, batch_size=64)
    assert history.nonfinite_epoch == 1 and history.epochs == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"optimizer": "rmsprop"}, ValueError, "unknown optimizer 'rmsprop'; choose one of: sgd"),
        ({"lr": 0.0}, ValueError, "lr must be > 0.0"),
        ({"lr": "0.1"}, TypeError, "lr must be a number"),
        ({"epochs": -1}, ValueError, "epochs must be an integer >= 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
        ({"clip": -1.0}, ValueError, "clip must be > 0.0"),
    ],
)
def test_bad_arguments_are_named(moons: Dataset, kwargs, error, message) -> None:
    arguments = {"lr": 0.1, "epochs": 1, "batch_size": 32} | kwargs
    with pytest.raises(error, match=message):
        vgp.train(vgp.mlp(2, 4), moons, **arguments)


def test_data_must_be_a_dataset(moons: Dataset) -> None:
    with pytest.raises(TypeError, match="data must be a vgp.data.Dataset, got tuple"):
        vgp.train(vgp.mlp(2, 4), (moons.X_train, moons.y_train), lr=0.1, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="X must have 64 features"):
        vgp.train(vgp.mlp(2, 4, in_features=64), moons, lr=0.1, epochs=1, batch_size=8)
