"""vgp.diagnose tells a gradient spread that grows toward the input (exploding)
from one that shrinks toward it (vanishing)."""

from __future__ import annotations

import vgp
from vgp.diagnose import _findings
from vgp.probe import LayerStats


def stats(grads: list[float]) -> tuple[LayerStats, ...]:
    return tuple(
        LayerStats(f"fc{i}", g, 1.0, 0.0, 0.0, 1.0, None, None, None)
        for i, g in enumerate(grads, start=1)
    )


def test_shrinking_toward_the_input_is_vanishing() -> None:
    (verdict, reason), *_ = _findings(stats([1e-6, 1e-3, 1.0, 1.0]), 0.7)
    assert verdict == "vanishing" and reason.startswith("fc1 gradient norm")


def test_growing_toward_the_input_is_exploding_even_if_the_output_layer_is_large() -> None:
    # first/last is only 1e2 here, but the hidden layers span 1e5
    (verdict, reason), *rest = _findings(stats([1e2, 1e3, 1.0, 1e-2, 1.0]), 0.7)
    assert verdict == "exploding" and reason.startswith("fc2 gradient norm")
    assert not rest


def test_a_chaotic_tanh_net_is_diagnosed_exploding() -> None:
    data = vgp.datasets.circles()
    net = vgp.mlp(30, 100, activation="tanh", init="normal", gain=3.0)
    assert vgp.diagnose(net, data.X_train, data.y_train).verdict == "exploding"
