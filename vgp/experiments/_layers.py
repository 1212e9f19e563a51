"""What the chapter experiments read from inside a net: each activation's input.

Private to :mod:`vgp.experiments`; the public way to look inside a model is
:class:`vgp.Probe`, which summarises each layer, while the experiments here need
the raw values (histograms, percentiles, mean slopes).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from vgp import activations


def activation_modules(model: nn.Module) -> list[nn.Module]:
    """Every activation module of ``model`` (those :mod:`vgp.activations` names), in order."""
    return [m for m in model.modules() if activations.name_of(m) is not None]


def activation_inputs(model: nn.Module, X: Tensor) -> list[Tensor]:
    """The input of every activation module in one forward pass on ``X``, first first.

    The pass runs without gradients and in the model's current mode; the hooks
    are removed afterwards, also if the pass raises.
    """
    inputs: list[Tensor] = []
    handles = [
        m.register_forward_hook(lambda _m, args, _out: inputs.append(args[0].detach()))
        for m in activation_modules(model)
    ]
    try:
        with torch.no_grad():
            model(X)
    finally:
        for handle in handles:
            handle.remove()
    return inputs
