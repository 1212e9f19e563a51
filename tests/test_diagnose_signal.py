"""vgp.diagnose sees a badly scaled init through the forward signal, where the
gradient ratios of a positively homogeneous net (ReLU, GELU near 0) are blind.
Every activation std is measured again here by running the layers one by one."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import vgp
from vgp.data import Dataset
from vgp.diagnose import EXPLODING_RATIO, SIGNAL_RATIO, VANISHING_RATIO, findings_of
from vgp.probe import LayerStats, default_loss, weight_layers


@pytest.fixture(scope="module")
def circles() -> Dataset:
    return vgp.datasets.circles()


def hidden_stds(net: nn.Sequential, X: torch.Tensor) -> dict[str, float]:
    """The std of each hidden layer's activation output, by name of its weight layer."""
    stds, h, layer = {}, X, None
    with torch.no_grad():
        for name, module in net.named_children():
            h = module(h)
            if isinstance(module, nn.Linear):
                layer = name
            elif vgp.activations.name_of(module) is not None:
                stds[layer] = h.std().item()
    return stds


def gradient_ratios(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> list[float]:
    """Every layer's ||dL/dW|| over the output layer's, by autograd."""
    weights = [m.weight for _, m in weight_layers(net)]
    norms = [g.norm().item() for g in torch.autograd.grad(default_loss(net(X), y), weights)]
    return [n / norms[-1] for n in norms]


@pytest.mark.parametrize(
    ("activation", "init", "gain", "verdict", "layer"),
    [
        ("relu", "xavier_normal", 1.0, "vanishing", "fc20"),
        ("gelu", "xavier_normal", 1.0, "vanishing", "fc20"),
        ("relu", "he_normal", 2 * math.sqrt(2), "exploding", "fc20"),  # chi_1 = 4
    ],
    ids=["relu-xavier", "gelu-xavier", "relu-chi4"],
)
def test_a_badly_scaled_homogeneous_net_is_caught_by_its_signal(
    circles, activation, init, gain, verdict, layer
) -> None:
    X, y = circles.X_train, circles.y_train
    net = vgp.mlp(20, 64, activation=activation, init=init, gain=gain)
    ratios = gradient_ratios(net, X, y)
    assert VANISHING_RATIO < min(ratios) and max(ratios) < EXPLODING_RATIO  # gradients blind
    stds = hidden_stds(net, X)
    signal = {name: std / stds["fc1"] for name, std in stds.items()}
    worst = (min if verdict == "vanishing" else max)(signal, key=signal.__getitem__)
    assert worst == layer

    diagnosis = vgp.diagnose(net, X, y)
    assert diagnosis.verdicts == (verdict,)
    finding = diagnosis.findings[0]
    assert finding.layer == layer
    assert finding.value == pytest.approx(signal[layer], rel=1e-3)
    if verdict == "vanishing":
        assert finding.value < 1 / SIGNAL_RATIO and finding.threshold == 1 / SIGNAL_RATIO
    else:
        assert finding.value > SIGNAL_RATIO and finding.threshold == SIGNAL_RATIO
    assert finding.reason.startswith(f"{layer} activation std {stds[layer]:.2e} is ")
    assert finding.reason.endswith("fc1's (< 1e-01)" if verdict == "vanishing" else "(> 1e+01)")


@pytest.mark.parametrize(("activation", "init"), [("relu", "he_normal"), ("tanh", "xavier_normal")])
def test_a_well_scaled_deep_net_stays_healthy(circles, activation, init) -> None:
    net = vgp.mlp(20, 64, activation=activation, init=init)
    stds = hidden_stds(net, circles.X_train)
    assert len(stds) == 20
    assert all(1 / SIGNAL_RATIO < s / stds["fc1"] < SIGNAL_RATIO for s in stds.values())
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    assert diagnosis.verdicts == ("healthy",)
    assert diagnosis.findings[0].reason.endswith(
        "; every hidden layer's activation std is within 1e-01 to 1e+01 of fc1's"
    )


def layers(grads: list[float], stds: list[float]) -> tuple[LayerStats, ...]:
    return tuple(
        LayerStats(f"fc{k}", g, 1.0, 0.0, 0.0, s, None, None, "relu")
        for k, (g, s) in enumerate(zip(grads, stds, strict=True), start=1)
    )


def test_findings_of_hand_made_stats() -> None:
    vanishing = findings_of(layers([1.0] * 4, [2.0, 1.0, 0.04, 1.0]), 0.7)
    assert [str(f) for f in vanishing] == [
        "vanishing: fc3 activation std 4.00e-02 is 2.00e-02 of fc1's (< 1e-01)"
    ]
    assert (vanishing[0].layer, vanishing[0].value) == ("fc3", pytest.approx(0.02))
    exploding = findings_of(layers([1.0] * 4, [0.5, 30.0, 60.0, 1.0]), 0.7)
    assert [str(f) for f in exploding] == [
        "exploding: fc3 activation std 6.00e+01 is 1.20e+02 times fc1's (> 1e+01)"
    ]


def test_thresholds_are_strict_bounds() -> None:
    def verdicts(stds: list[float]) -> list[str]:
        return [f.verdict for f in findings_of(layers([1.0] * len(stds), stds), 0.7)]

    assert verdicts([1.0, SIGNAL_RATIO, 1.0]) == ["healthy"]
    assert verdicts([1.0, 1 / SIGNAL_RATIO, 1.0]) == ["healthy"]
    assert verdicts([1.0, SIGNAL_RATIO * 1.01, 1.0]) == ["exploding"]
    assert verdicts([1.0, 0.99 / SIGNAL_RATIO, 1.0]) == ["vanishing"]
    assert verdicts([1.0, 20.0, 0.05, 1.0]) == ["exploding", "vanishing"]


def test_the_gradient_finding_takes_precedence() -> None:
    both = findings_of(layers([1e-6, 1e-3, 1.0, 1.0], [1.0, 1e-2, 1e-4, 1.0]), 0.7)
    assert [(f.verdict, f.layer) for f in both] == [("vanishing", "fc1")]
    assert both[0].reason.startswith("fc1 gradient norm 1.00e-06")
    # different verdicts from the two checks are both reported, most urgent first
    mixed = findings_of(layers([1e-6, 1e-3, 1.0, 1.0], [1.0, 30.0, 1.0, 1.0]), 0.7)
    assert [(f.verdict, f.layer) for f in mixed] == [("exploding", "fc2"), ("vanishing", "fc1")]


def test_the_output_layer_is_not_a_hidden_layer() -> None:
    assert [f.verdict for f in findings_of(layers([1.0] * 3, [1.0, 1.0, 1e-6]), 0.7)] == ["healthy"]


@pytest.mark.parametrize(
    "stds", [[1.0, 1e-6], [0.0, 5.0, 1.0]], ids=["one-hidden-layer", "first-std-zero"]
)
def test_the_signal_check_is_skipped(stds) -> None:
    (finding,) = findings_of(layers([1.0] * len(stds), stds), 0.7)
    assert finding.verdict == "healthy" and "activation std" not in finding.reason


def test_a_non_finite_first_std_has_its_own_verdict() -> None:
    found = findings_of(layers([1.0] * 3, [math.nan, 1.0, 1.0]), 0.7)
    assert [(f.verdict, f.layer) for f in found] == [("non-finite", "fc1")]


def test_one_hidden_layer_is_not_judged_by_its_signal(circles) -> None:
    net = vgp.mlp(1, 64, init="normal", gain=1e-3)
    diagnosis = vgp.diagnose(net, circles.X_train, circles.y_train)
    assert len(diagnosis.stats) == 2
    assert "activation std" not in " ".join(f.reason for f in diagnosis.findings)
