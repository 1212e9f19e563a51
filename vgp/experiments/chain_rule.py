"""Experiments of "Chain-rule decay": measured gradient norms beside mean-field theory."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from vgp import theory
from vgp._checks import check_choice, check_inputs, check_int, check_module, check_number
from vgp.activations import ACTIVATIONS
from vgp.data import circles
from vgp.experiments import experiment
from vgp.nets import mlp
from vgp.probe import default_loss, weight_layers
from vgp.train import _BATCH_NORMS


def _geometric_mean(values: tuple[float, ...] | list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


@dataclass(frozen=True)
class DepthProfile:
    """Per-layer gradient norms of deep nets with PyTorch's default init, in float64.

    ``norms[a][s][l]`` is the root mean square over single examples of
    ``||dL/dW||`` of weight layer ``l`` (the last is the output layer), for
    activation ``activations[a]`` and seed ``seeds[s]``. ``theory[a][l]`` is the
    mean-field prediction of ``||dL/dW_l|| / ||dL/dW_out||``
    (:func:`vgp.theory.mean_field_gradients`, ``nan`` for layer 1) with
    ``sigma_w2 = 1/3`` and ``sigma_b2 = 1/(3 width)``, the variances of
    PyTorch's default init.
    """

    depth: int
    width: int
    samples: int
    activations: tuple[str, ...]
    seeds: tuple[int, ...]
    norms: tuple[tuple[tuple[float, ...], ...], ...]
    theory: tuple[tuple[float, ...], ...]

    def row(self, activation: str) -> int:
        """Index of ``activation`` in :attr:`activations`."""
        check_choice("activation", activation, self.activations)
        return self.activations.index(activation)

    def typical(self, activation: str) -> tuple[float, ...]:
        """Per-layer geometric mean over the seeds of the measured norms."""
        runs = self.norms[self.row(activation)]
        return tuple(_geometric_mean(layer) for layer in zip(*runs, strict=True))

    def predicted(self, activation: str) -> tuple[float, ...]:
        """The theory line in absolute units: :attr:`theory` times the typical
        measured norm of the output layer."""
        out = self.typical(activation)[-1]
        return tuple(out * r for r in self.theory[self.row(activation)])

    def decay_per_layer(self, activation: str) -> tuple[float, float]:
        """``(measured, predicted)`` average factor per layer between weight layer
        2 and the output layer."""
        measured, predicted = self.typical(activation), self.predicted(activation)
        layers = len(measured) - 2
        return (
            (measured[1] / measured[-1]) ** (1 / layers),
            (predicted[1] / predicted[-1]) ** (1 / layers),
        )


def example_norms(net: torch.nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, ...]:
    """Per layer, the root mean square over the rows of ``X`` of the single-example
    gradient norm ``||dL/dW||``: the quantity mean-field theory predicts.

    One forward and one backward pass serve every row. For one example,
    ``dL/dW = delta h^T`` is an outer product, whose norm is ``||delta|| ||h||``;
    ``h`` is the layer's input and ``delta = dL/dz`` its output's gradient, read
    with autograd from the sum of the rows' losses (the rows of a net without
    batch norm do not interact, so each row's ``delta`` is its own loss's).

    Examples
    --------
    >>> import torch
    >>> from vgp.experiments.chain_rule import example_norms
    >>> from vgp.nets import mlp
    >>> net = mlp(depth=3, width=4, activation="tanh").double()
    >>> X = torch.randn(8, 2, dtype=torch.float64)
    >>> norms = example_norms(net, X, (X[:, 0] > 0).double())
    >>> len(norms), all(n > 0 for n in norms)
    (4, True)
    """
    check_module("net", net)
    check_inputs(net, X, y)
    layers = [module for _, module in weight_layers(net)]
    if not layers or not all(isinstance(m, torch.nn.Linear) for m in layers):
        raise ValueError("net must hold nn.Linear layers only (no convolution) to measure")
    if any(isinstance(m, _BATCH_NORMS) for m in net.modules()):
        raise ValueError("net must not use batch norm: it mixes the rows of X")
    inputs, outputs = [], []

    def keep(module: torch.nn.Module, args: tuple, output: torch.Tensor) -> None:
        inputs.append(args[0].detach())
        outputs.append(output)

    handles = [m.register_forward_hook(keep) for m in layers]
    try:
        total = default_loss(net(X), y) * len(X)  # the default loss is a mean over rows
    finally:
        for handle in handles:
            handle.remove()
    deltas = torch.autograd.grad(total, outputs)
    return tuple(
        (d.norm(dim=1) * h.norm(dim=1)).pow(2).mean().sqrt().item()
        for d, h in zip(deltas, inputs, strict=True)
    )


@experiment
def depth_profile(
    depth: int = 50,
    width: int = 100,
    activations: tuple[str, ...] = ("sigmoid", "tanh", "relu"),
    seeds: tuple[int, ...] = (0, 1, 2),
    samples: int = 16,
) -> DepthProfile:
    """Gradient norm of every layer of a ``depth``-layer net at initialisation, on
    ``samples`` examples of ``circles``, for several activations and seeds, in
    float64 (in float32 the sigmoid net's lowest layers would read exactly 0).

    Examples
    --------
    >>> from vgp.experiments.chain_rule import depth_profile
    >>> result = depth_profile()
    >>> for activation in result.activations:
    ...     measured, predicted = result.decay_per_layer(activation)
    ...     print(f"{activation:8} per layer: measured {measured:.3f}, theory {predicted:.3f}")
    sigmoid  per layer: measured 0.142, theory 0.141
    tanh     per layer: measured 0.599, theory 0.596
    relu     per layer: measured 0.420, theory 0.427
    """
    depth = check_int("depth", depth, minimum=2)
    width = check_int("width", width)
    samples = check_int("samples", samples)
    for activation in activations:
        check_choice("activation", activation, ACTIVATIONS)
    if not seeds:
        raise ValueError("seeds must name at least one seed, got ()")
    sigma_w2, sigma_b2 = 1 / 3, 1 / (3 * width)
    norms, predictions = [], []
    for activation in activations:
        runs, q1s = [], []
        for seed in seeds:
            data = circles(check_int("seed", seed, minimum=0))
            X, y = data.X_train[:samples].double(), data.y_train[:samples].double()
            net = mlp(depth, width, activation=activation, seed=seed).double()
            runs.append(example_norms(net, X, y))
            # Layer 1 of the default init: Var[W] = Var[b] = 1 / (3 fan_in).
            q1s.append((X.pow(2).sum(dim=1).mean().item() + 1) / (3 * X.shape[1]))
        norms.append(tuple(runs))
        q1 = sum(q1s) / len(q1s)
        predictions.append(
            theory.mean_field_gradients(activation, depth, sigma_w2, sigma_b2, q1=q1)
        )
    return DepthProfile(
        depth, width, samples, tuple(activations), tuple(seeds), tuple(norms), tuple(predictions)
    )


@dataclass(frozen=True)
class PhaseProfile:
    """Wide tanh nets at three weight scales: ``chi_1`` from theory and measured.

    ``norms[p][l]`` is the per-layer gradient norm for ``sigma_w2s[p]``
    (:func:`example_norms`), ``theory[p][l]`` the
    mean-field prediction relative to the output layer, and ``chi_theory[p]``
    and ``chi_measured[p]`` the per-layer factor of the squared gradient norm.
    """

    depth: int
    width: int
    sigma_b2: float
    sigma_w2s: tuple[float, ...]
    norms: tuple[tuple[float, ...], ...]
    theory: tuple[tuple[float, ...], ...]
    chi_theory: tuple[float, ...]
    chi_measured: tuple[float, ...]

    @property
    def phases(self) -> tuple[str, ...]:
        """``"ordered"``, ``"critical"`` or ``"chaotic"`` for each weight scale, by
        its theoretical ``chi_1`` (critical within 1%)."""
        return tuple(
            "critical" if abs(chi - 1) < 0.01 else "ordered" if chi < 1 else "chaotic"
            for chi in self.chi_theory
        )


@experiment
def tanh_phases(
    sigma_w2s: tuple[float, ...] = (1.0, 1.761, 3.0),
    sigma_b2: float = 0.05,
    depth: int = 20,
    width: int = 300,
    samples: int = 32,
    seed: int = 0,
) -> PhaseProfile:
    """Measure ``chi_1`` on wide, deep tanh nets with weights ``N(0, sigma_w2 /
    fan_in)`` and biases ``N(0, sigma_b2)``, whose inputs are scaled so that every
    layer's pre-activations start at the fixed-point variance ``q*``.

    For one sample, ``||dL/dW_l|| = ||delta_l|| ||h_{l-1}||`` and ``||h||`` is the
    same in every layer at ``q*``, so the measured ``chi_1`` is the average factor
    ``(||dL/dW_2|| / ||dL/dW_depth||)^(2 / (depth - 2))``, from ``samples``
    single-example gradients (:func:`example_norms`; a batch would mix in the
    correlations between examples).

    Examples
    --------
    >>> from vgp.experiments.chain_rule import tanh_phases
    >>> result = tanh_phases()
    >>> for s, phase, a, b in zip(result.sigma_w2s, result.phases, result.chi_theory,
    ...                           result.chi_measured):
    ...     print(f"sigma_w2 {s:5.3f} {phase:8}  chi_1 theory {a:.2f}  measured {b:.2f}")
    sigma_w2 1.000 ordered   chi_1 theory 0.76  measured 0.77
    sigma_w2 1.761 critical  chi_1 theory 1.00  measured 1.00
    sigma_w2 3.000 chaotic   chi_1 theory 1.21  measured 1.21
    """
    for s in sigma_w2s:
        check_number("sigma_w2s", s, minimum=0.0, strict=True)
    sigma_b2 = check_number("sigma_b2", sigma_b2, minimum=0.0)
    depth = check_int("depth", depth, minimum=3)
    width = check_int("width", width)
    samples = check_int("samples", samples)
    check_int("seed", seed, minimum=0)
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(samples, width, generator=generator, dtype=torch.float64)
    labels = torch.randint(0, 2, (samples,), generator=generator).double()
    norms, predictions, chis, measured = [], [], [], []
    for sigma_w2 in sigma_w2s:
        net = mlp(
            depth,
            width,
            activation="tanh",
            init="normal",
            gain=math.sqrt(sigma_w2),
            in_features=width,
            seed=seed,
        ).double()
        with torch.no_grad():
            for _, layer in weight_layers(net):
                layer.bias.normal_(0.0, math.sqrt(sigma_b2), generator=generator)
        q_star = theory.fixed_point("tanh", sigma_w2, sigma_b2)
        X = noise * math.sqrt((q_star - sigma_b2) / sigma_w2)
        typical = example_norms(net, X, labels)
        norms.append(typical)
        predictions.append(theory.mean_field_gradients("tanh", depth, sigma_w2, sigma_b2))
        chis.append(theory.chi_1("tanh", sigma_w2, sigma_b2))
        measured.append((typical[1] / typical[depth - 1]) ** (2 / (depth - 2)))
    return PhaseProfile(
        depth,
        width,
        sigma_b2,
        tuple(sigma_w2s),
        tuple(norms),
        tuple(predictions),
        tuple(chis),
        tuple(measured),
    )
