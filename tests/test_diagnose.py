"""vgp.diagnose: each verdict on a model built to have it, checked against the
quantity measured independently (autograd, the pre-activations themselves)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import vgp
from vgp.data import Dataset
from vgp.diagnose import (
    DEAD_FRACTION,
    EXPLODING_RATIO,
    SATURATED_FRACTION,
    VANISHING_RATIO,
    VERDICTS,
    findings_of,
)
from vgp.probe import LayerStats, default_loss, weight_layers


@pytest.fixture(scope="module")
def circles() -> Dataset:
    return vgp.datasets.circles()


def autograd_norms(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    grads = torch.autograd.grad(default_loss(net(X), y), [m.weight for _, m in weight_layers(net)])
    return [g.norm().item() for g in grads]


def pre_activations(net: nn.Sequential, X: torch.Tensor) -> list[torch.Tensor]:
    """The input of every activation module, by running the layers one by one."""
    out, h = [], X
    with torch.no_grad():
        for module in net:
            if vgp.activations.name_of(module) is not None:
                out.append(h)
            h = module(h)
    return out


def test_vanishing(circles: Dataset) -> None:
    net = vgp.mlp(11, 10, activation="sigmoid")
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    norms = autograd_norms(net, circles.X_train, circles.y_train)
    assert diagnosis.verdict == "vanishing"
    finding = diagnosis.findings[0]
    assert finding.layer == "fc1" and finding.threshold == VANISHING_RATIO
    assert finding.value == pytest.approx(norms[0] / norms[-1], rel=1e-4)
    assert finding.value < VANISHING_RATIO


def test_exploding(circles: Dataset) -> None:
    net = vgp.mlp(30, 64, activation="tanh", init="normal", gain=3.0)  # chi_1 far above 1
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    norms = autograd_norms(net, circles.X_train, circles.y_train)
    assert max(norms) / norms[-1] > EXPLODING_RATIO
    assert diagnosis.verdict == "exploding"
    assert diagnosis.findings[0].value == pytest.approx(max(norms) / norms[-1], rel=1e-4)


def test_non_finite_weight_is_reported_not_raised(circles: Dataset) -> None:
    net = vgp.mlp(3, 10)
    with torch.no_grad():
        net.fc2.weight[0, 0] = math.inf
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    assert diagnosis.verdict == "non-finite"
    assert diagnosis.verdicts == ("non-finite",)
    assert (
        str(diagnosis.findings[0]) == "non-finite: fc2 activations are NaN or infinite (loss nan)"
    )


def test_non_finite_input_is_reported(circles: Dataset) -> None:
    X = circles.X_train.clone()
    X[3, 1] = math.nan
    diagnosis = vgp.diagnose(vgp.mlp(2, 10, activation="tanh"), X, circles.y_train)
    assert diagnosis.verdict == "non-finite"
    assert str(diagnosis.findings[0]) == "non-finite: X holds 1 NaN or infinite entries of 1340"
    assert diagnosis.findings[1].layer == "fc1"  # where it first shows inside the net


def test_non_finite_loss_is_reported(circles: Dataset) -> None:
    def broken(output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return output.sum() * math.nan

    diagnosis = vgp.diagnose(vgp.mlp(2, 10), circles.X_train, circles.y_train, loss=broken)
    assert diagnosis.verdict == "non-finite" and diagnosis.findings[0].layer is None


def test_dead_units(circles: Dataset) -> None:
    net = vgp.mlp(3, 10, activation="relu", init="he_normal")
    with torch.no_grad():
        net.fc2.bias[:8] = -100.0  # these units can never fire
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    z = pre_activations(net, circles.X_train)[1]
    dead = (z <= 0).all(dim=0).float().mean().item()
    assert dead >= DEAD_FRACTION
    finding = next(f for f in diagnosis.findings if f.verdict == "dead units")
    assert finding.layer == "fc2" and finding.value == pytest.approx(dead)


def test_saturated(circles: Dataset) -> None:
    net = vgp.mlp(2, 10, activation="sigmoid", init="normal", gain=40.0)
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    shares = [
        (z.abs() > vgp.theory.good_region("sigmoid")).float().mean().item()
        for z in pre_activations(net, circles.X_train)
    ]
    assert max(shares) >= SATURATED_FRACTION
    finding = next(f for f in diagnosis.findings if f.verdict == "saturated")
    assert finding.value == pytest.approx(max(shares))


def test_healthy(circles: Dataset) -> None:
    net = vgp.mlp(3, 16, activation="relu", init="he_normal")
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    norms = autograd_norms(net, circles.X_train, circles.y_train)
    assert VANISHING_RATIO < min(norms) / norms[-1] and max(norms) / norms[-1] < EXPLODING_RATIO
    assert diagnosis.verdict == "healthy" and diagnosis.verdicts == ("healthy",)


def test_works_on_a_conv_net() -> None:
    data = vgp.datasets.digits()
    net = nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, 4, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 6 * 6, 10),
    )
    diagnosis = vgp.diagnose(net, data.X_train, data.y_train)
    assert [s.name for s in diagnosis.stats] == ["1", "4"]
    # by hand: autograd's dL/dW, and the channels whose pre-activation is <= 0 at
    # every sample and position (ReLU's slope is 0 there: dead)
    norms = autograd_norms(net, data.X_train, data.y_train)
    with torch.no_grad():
        z = net[1](net[0](data.X_train))
    dead = (z <= 0).all(dim=3).all(dim=2).all(dim=0).float().mean().item()
    assert [s.grad_norm for s in diagnosis.stats] == pytest.approx(norms, rel=1e-5)
    assert diagnosis.stats[0].dead_fraction == pytest.approx(dead)
    ratio = norms[0] / norms[-1]
    if ratio < VANISHING_RATIO:  # two layers: no signal check, so the rules reduce to these
        expected = "vanishing"
    elif ratio > EXPLODING_RATIO:
        expected = "exploding"
    elif dead >= DEAD_FRACTION:
        expected = "dead units"
    else:
        expected = "healthy"
    assert diagnosis.verdict == expected
    with torch.no_grad():  # and with every channel killed, the verdict must follow
        net[1].bias.fill_(-100.0)
    killed = vgp.diagnose(net, data.X_train, data.y_train)
    assert killed.stats[0].dead_fraction == 1.0
    assert killed.verdict == "vanishing" and "dead units" in killed.verdicts


def test_gradients_and_weights_are_left_as_they_were(circles: Dataset) -> None:
    net = vgp.mlp(3, 10)
    marker = [torch.full_like(p, 7.0) for p in net.parameters()]
    for p, g in zip(net.parameters(), marker, strict=True):
        p.grad = g
    weights = [p.detach().clone() for p in net.parameters()]
    vgp.diagnose(net, circles.X_train, circles.y_train)
    for p, g, w in zip(net.parameters(), marker, weights, strict=True):
        assert p.grad is g and torch.equal(p.detach(), w)


def stats(grads: list[float], saturated: float | None = None, dead: float | None = None) -> tuple:
    return tuple(
        LayerStats(f"fc{k}", g, 1.0, 0.0, 0.5, 0.1, saturated, dead, "sigmoid")
        for k, g in enumerate(grads, start=1)
    )


def test_thresholds_are_strict_bounds() -> None:
    at_edge = findings_of(stats([VANISHING_RATIO, 1.0]), loss=0.7)
    assert [f.verdict for f in at_edge] == ["healthy"]
    below = findings_of(stats([VANISHING_RATIO * 0.99, 1.0]), loss=0.7)
    assert [f.verdict for f in below] == ["vanishing"]
    above = findings_of(stats([EXPLODING_RATIO * 1.01, 1.0]), loss=0.7)
    assert [f.verdict for f in above] == ["exploding"]
    assert [f.verdict for f in findings_of(stats([0.0, 0.0]), loss=0.7)] == ["vanishing"]


def test_every_finding_is_listed_most_urgent_first() -> None:
    found = findings_of(stats([1e-5, 1.0], saturated=0.9, dead=0.6), loss=0.7)
    assert [f.verdict for f in found] == ["vanishing", "dead units", "saturated"]
    assert [VERDICTS.index(f.verdict) for f in found] == sorted(
        VERDICTS.index(f.verdict) for f in found
    )


def test_printed_diagnosis(circles: Dataset) -> None:
    text = str(
        vgp.diagnose(vgp.mlp(11, 10, activation="sigmoid"), circles.X_train, circles.y_train)
    )
    assert text.splitlines()[0].startswith("layer  grad_norm  weight_norm")
    assert "verdict: vanishing: fc1 gradient norm" in text


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("net", "X", "y"), TypeError, "model must be a torch.nn.Module, got str"),
        ((None, torch.zeros(4, 3), torch.zeros(4)), ValueError, "X must have 2 features"),
        ((None, torch.zeros(4, 2), torch.zeros(3)), ValueError, "one label per row of X"),
        ((None, torch.zeros(4, 2, dtype=torch.long), torch.zeros(4)), TypeError, "floating-point"),
    ],
)
def test_bad_arguments_are_named(args, error, message) -> None:
    model, X, y = args
    with pytest.raises(error, match=message):
        vgp.diagnose(vgp.mlp(2, 4) if model is None else model, X, y)


def test_loss_must_be_callable(circles: Dataset) -> None:
    with pytest.raises(TypeError, match="loss must be callable"):
        vgp.diagnose(vgp.mlp(2, 4), circles.X_train, circles.y_train, loss="mse")
