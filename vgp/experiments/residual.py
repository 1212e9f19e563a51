"""Experiments of "Residual connections": a deep plain net against the same net
with identity skips, at initialisation."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from vgp._checks import check_choice, check_int
from vgp.activations import ACTIVATIONS
from vgp.data import circles
from vgp.experiments import experiment
from vgp.nets import NORMS, Residual, mlp
from vgp.probe import default_loss, weight_layers


def hidden_outputs(model: nn.Sequential) -> list[nn.Module]:
    """The modules of a :func:`vgp.mlp` whose outputs are the hidden states ``h_1 ... h_L``.

    For a plain net these are the activations; in a residual net, from layer 2
    on, the :class:`~vgp.nets.Residual` blocks, whose output is ``h + F(h)``.
    A batch norm placed after the activation belongs to its layer.

    Examples
    --------
    >>> import vgp
    >>> from vgp.experiments.residual import hidden_outputs
    >>> [type(m).__name__ for m in hidden_outputs(vgp.mlp(3, 4, residual=True))]
    ['ReLU', 'Residual', 'Residual']
    """
    outputs: list[nn.Module] = []
    for name, module in model.named_children():
        if name == "out":
            break
        if isinstance(module, Residual) or name.startswith("act"):
            outputs.append(module)
        elif name.startswith("bn") and outputs and not isinstance(outputs[-1], Residual):
            outputs[-1] = module
    return outputs


CONFIGS: tuple[tuple[str, bool, str | None], ...] = (
    ("sigmoid", False, None),
    ("sigmoid", True, None),
    ("relu", False, None),
    ("relu", True, None),
    ("relu", True, "batch"),
)
"""(activation, residual, norm) of the nets of :func:`residual_profiles`: each
activation plain and with skips, and ReLU with skips and batch norm in every
block (the ResNet recipe)."""


@dataclass(frozen=True)
class ResidualProfiles:
    """Per-layer gradients of plain and residual nets, one row per config of :data:`CONFIGS`.

    ``weight_grads[r][l]`` is ``||dL/dW_l||`` (every weight layer, output
    included); ``state_grads[r][l]`` is ``||dL/dh_l||``, the gradient reaching
    the hidden state that layer ``l`` outputs; ``logit_std[r]`` is the standard
    deviation of the net's output over the data, a measure of the forward scale.
    """

    depth: int
    width: int
    configs: tuple[tuple[str, bool, str | None], ...]
    weight_grads: tuple[tuple[float, ...], ...]
    state_grads: tuple[tuple[float, ...], ...]
    logit_std: tuple[float, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """``"sigmoid, plain"``, ``"relu, residual"``, ``"relu, residual + batch norm"``."""
        return tuple(
            f"{a}, {'residual' if r else 'plain'}" + (" + batch norm" if n else "")
            for a, r, n in self.configs
        )

    def row(self, activation: str, residual: bool, norm: str | None = None) -> int:
        """Index of the row of (activation, residual, norm)."""
        key = (activation, residual, norm)
        if key not in self.configs:
            raise ValueError(f"no row for {key}; rows: {self.configs}")
        return self.configs.index(key)

    def state_ratio(self, activation: str, residual: bool, norm: str | None = None) -> float:
        """``||dL/dh_1|| / ||dL/dh_L||``: the gradient reaching the first hidden state,
        relative to the one reaching the last."""
        grads = self.state_grads[self.row(activation, residual, norm)]
        return grads[0] / grads[-1]


@experiment
def residual_profiles(
    depth: int = 50,
    width: int = 32,
    configs: tuple[tuple[str, bool, str | None], ...] = CONFIGS,
    seed: int = 0,
) -> ResidualProfiles:
    """``depth`` hidden layers of ``width`` units on ``circles``, PyTorch's default
    init, at initialisation, for each (activation, residual, norm) of ``configs``:
    the residual nets have identity skips around layers 2 to ``depth`` and the
    same weights as the plain ones. Computed in float64 (the plain nets' first
    gradients underflow float32).

    Examples
    --------
    >>> from vgp.experiments.residual import residual_profiles
    >>> result = residual_profiles()
    >>> for label, config in zip(result.labels, result.configs):
    ...     print(f"{label:30} dL/dh_1 / dL/dh_50 = {result.state_ratio(*config):.0e}")
    sigmoid, plain                 dL/dh_1 / dL/dh_50 = 2e-42
    sigmoid, residual              dL/dh_1 / dL/dh_50 = 1e+00
    relu, plain                    dL/dh_1 / dL/dh_50 = 6e-20
    relu, residual                 dL/dh_1 / dL/dh_50 = 9e+03
    relu, residual + batch norm    dL/dh_1 / dL/dh_50 = 3e+01
    """
    depth = check_int("depth", depth, minimum=2)
    width = check_int("width", width)
    check_int("seed", seed, minimum=0)
    for activation, residual, norm in configs:
        check_choice("activation", activation, ACTIVATIONS)
        if not isinstance(residual, bool):
            raise TypeError(f"residual must be True or False, got {residual!r}")
        if norm is not None:
            check_choice("norm", norm, NORMS)
    data = circles(seed)
    X, y = data.X_train.double(), data.y_train.double()
    weight_grads, state_grads, logit_std = [], [], []
    for activation, residual, norm in configs:
        net = mlp(
            depth, width, activation=activation, residual=residual, norm=norm, seed=seed
        ).double()
        states: list[Tensor] = []

        def keep(_module: nn.Module, _args: tuple, out: Tensor, states: list = states) -> None:
            out.retain_grad()
            states.append(out)

        handles = [m.register_forward_hook(keep) for m in hidden_outputs(net)]
        try:
            out = net(X)
        finally:
            for handle in handles:
                handle.remove()
        default_loss(out, y).backward()
        weight_grads.append(tuple(m.weight.grad.norm().item() for _, m in weight_layers(net)))
        state_grads.append(tuple(h.grad.norm().item() for h in states))
        logit_std.append(out.std().item())
    return ResidualProfiles(
        depth, width, tuple(configs), tuple(weight_grads), tuple(state_grads), tuple(logit_std)
    )
