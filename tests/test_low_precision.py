"""vgp.experiments.low_precision, checked against torch.finfo, direct casts and
a float32 reference."""

from __future__ import annotations

import pytest
import torch

import vgp
from vgp.experiments import low_precision


def test_the_subnormal_floor_is_smallest_normal_times_eps() -> None:
    for dtype, exponent in [(torch.float16, -24), (torch.bfloat16, -133), (torch.float32, -149)]:
        info = torch.finfo(dtype)
        floor = info.smallest_normal * info.eps
        assert floor == 2.0**exponent
        assert torch.tensor(floor, dtype=dtype).item() == floor
        assert torch.tensor(floor * 0.49, dtype=dtype).item() == 0.0


def test_float32_mode_is_the_plain_backward_pass_and_loses_nothing() -> None:
    result = low_precision.underflow(depth=6, width=8)
    data = vgp.datasets.circles()
    net = vgp.mlp(6, 8, activation="sigmoid")
    vgp.probe.default_loss(net(data.X_train), data.y_train).backward()
    grads = [m.weight.grad.abs() for _, m in vgp.probe.weight_layers(net)]
    assert result.median_entry == pytest.approx([g.median().item() for g in grads])
    assert result.largest_entry == pytest.approx([g.max().item() for g in grads])
    assert result.shares("float32") == (0.0,) * 7
    assert result.relative_error[0] == (0.0,) * 7


def test_float16_loses_the_vanishing_layers_first_and_loss_scaling_recovers_some() -> None:
    result = low_precision.underflow()
    half = result.shares("float16")
    scaled = result.shares("float16 + loss scaling")
    # zero shares fall from the input toward the output
    assert half[0] == 1.0 and half[-1] == 0.0
    assert all(a >= b for a, b in zip(half, half[1:], strict=False))
    # every layer whose float32 median entry is below float16's floor is all but lost
    floor = torch.finfo(torch.float16).smallest_normal * torch.finfo(torch.float16).eps
    for share, median in zip(half, result.median_entry, strict=True):
        if median < floor / 2:
            assert share > 0.5
    assert sum(scaled) < sum(half) and all(s <= h for s, h in zip(scaled, half, strict=True))
    assert result.scale == 2.0**16 and not result.scaled_overflow
    assert result.shares("bfloat16") == result.shares("float32")
    assert max(result.relative_error[result.modes.index("bfloat16")]) < 0.2


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ValueError, match="unknown activation 'sigmod'"):
        low_precision.underflow(activation="sigmod")
    with pytest.raises(ValueError, match="depth must be an integer >= 1, got 0"):
        low_precision.underflow(depth=0)
    with pytest.raises(ValueError, match="unknown mode 'float8'"):
        low_precision.underflow(depth=2, width=4).shares("float8")
