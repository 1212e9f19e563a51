"""vgp.diagnose tells a gradient that grows toward the input (exploding) from one
that shrinks toward it (vanishing)."""

from __future__ import annotations

import vgp
from vgp.diagnose import findings_of
from vgp.probe import LayerStats


def stats(grads: list[float]) -> tuple[LayerStats, ...]:
    return tuple(
        LayerStats(
            name=f"fc{i}", grad_norm=g, weight_norm=1.0, update_ratio=0.0, act_mean=0.0,
            act_std=1.0, saturated_fraction=None, dead_fraction=None, activation=None,
            activation_histogram=None, gradient_histogram=None,
        )
        for i, g in enumerate(grads, start=1)
    )


def test_shrinking_toward_the_input_is_vanishing() -> None:
    first, *_ = findings_of(stats([1e-6, 1e-3, 1.0, 1.0]), 0.7)
    assert first.verdict == "vanishing" and first.reason.startswith("fc1 gradient norm")


def test_growing_toward_the_input_is_exploding() -> None:
    first, *rest = findings_of(stats([1e5, 1e3, 1.0, 1.0]), 0.7)
    assert first.verdict == "exploding" and first.reason.startswith("fc1 gradient norm")
    assert not rest


def test_a_chaotic_tanh_net_is_diagnosed_exploding() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(30, 100, activation="tanh", init="normal", gain=3.0)
    assert vgp.diagnose(net, data.X_train, data.y_train).verdict == "exploding"
