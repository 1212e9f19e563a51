"""The parameters of any ``torch.nn.Module``, grouped the way a reader thinks of them.

A *group* is the parameters one module owns: a ``Linear``'s weight and bias,
one layer of an ``LSTM`` (``weight_ih_l0, weight_hh_l0, bias_ih_l0,
bias_hh_l0``), a ``MultiheadAttention``'s input projection (``in_proj_weight``,
``in_proj_bias``; its ``out_proj`` is a group of its own), an embedding, a
norm layer's scale and shift, the bare ``nn.Parameter`` of a custom module. A
weight under ``torch.nn.utils.parametrizations`` (``weight_norm``,
``spectral_norm``) is reported through the parameters that really train,
``parametrizations.weight.original0`` and ``original1`` (or ``original``).

Two views, chosen with ``params``:

``"weights"``
    One group per ``nn.Linear`` and convolution, holding its weight matrix only
    (no bias): the view of every table on the site's MLP pages.
``"all"``
    Every parameter, grouped by the module that owns it.
``"auto"`` (the default of :func:`vgp.gradient_norms`, :class:`vgp.Probe` and :func:`vgp.diagnose`)
    ``"weights"`` for a model built only of ``nn.Linear``, convolution and
    normalisation layers (every ``vgp.mlp``, a plain CNN), ``"all"`` for any
    other model (recurrent, attention, embedding, a bare parameter, a
    parametrization).

Groups are ordered as the forward pass reaches their modules, input to output
(:class:`CallOrder`), not as they were registered; a module that a parent calls
functionally (attention's ``out_proj``) comes right after that parent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from torch import nn
from torch.nn.utils import parametrize

from vgp._checks import check_choice, trainable_parameters
from vgp.nets import BatchNorm

PARAMS: tuple[str, ...] = ("auto", "weights", "all")
"""The values ``params`` accepts: see the module's description."""

_WEIGHT_LAYERS = (nn.Linear, nn.modules.conv._ConvNd)
_NORM_LAYERS = (
    nn.modules.batchnorm._NormBase,
    nn.LayerNorm,
    nn.GroupNorm,
    nn.RMSNorm,
    BatchNorm,
)
_RNN_PARAMETER = re.compile(r"(?:weight|bias)_(?:ih|hh|hr)_l(\d+)(_reverse)?$")
ROOT = "(model)"
"""The name of the group of parameters the model itself owns."""


@dataclass
class ParameterGroup:
    """The parameters one module owns (for a recurrent module: one of its layers).

    ``path`` is the owning module's name in the model (``""`` for the model
    itself), ``parameters`` the ``(name within the module, parameter)`` pairs,
    and ``sees_output`` whether the module's output belongs to this group (not
    so for the lower layers of a multi-layer ``nn.LSTM``, whose outputs are
    internal).

    Examples
    --------
    >>> import torch
    >>> from vgp.groups import parameter_groups
    >>> group = parameter_groups(torch.nn.Sequential(torch.nn.LayerNorm(3)))[0]
    >>> group.name, [name for name, _ in group.parameters], group.sees_output
    ('0', ['weight', 'bias'], True)
    """

    name: str
    path: str
    module: nn.Module
    parameters: list[tuple[str, nn.Parameter]] = field(default_factory=list)
    sees_output: bool = True


def resolve_params(model: nn.Module, params: str) -> str:
    """``"weights"`` or ``"all"``: what ``params`` (one of :data:`PARAMS`) means for ``model``.

    Examples
    --------
    >>> import torch
    >>> import vgp
    >>> from vgp.groups import resolve_params
    >>> resolve_params(vgp.mlp(depth=2, width=4, norm="batch"), "auto")
    'weights'
    >>> resolve_params(torch.nn.Sequential(torch.nn.Embedding(5, 3), torch.nn.Linear(3, 1)), "auto")
    'all'
    """
    check_choice("params", params, PARAMS)
    if params != "auto":
        return params
    if not any(isinstance(m, _WEIGHT_LAYERS) for m in model.modules()):
        return "all"
    for module in model.modules():
        own = [name for name, _ in module.named_parameters(recurse=False)]
        if not own or isinstance(module, _NORM_LAYERS):
            continue
        plain = isinstance(module, _WEIGHT_LAYERS) and not parametrize.is_parametrized(module)
        if not (plain and set(own) <= {"weight", "bias"}):
            return "all"
    return "weights"


def weight_parameters(module: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """The parameters that make ``module.weight``: itself, or its parametrization's originals.

    Examples
    --------
    >>> import torch
    >>> from vgp.groups import weight_parameters
    >>> layer = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(3, 2))
    >>> [name for name, _ in weight_parameters(layer)]
    ['parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    if parametrize.is_parametrized(module, "weight"):
        originals = module.parametrizations.weight
        return [(f"parametrizations.weight.{n}", p) for n, p in originals.named_parameters(recurse=False)]
    return [("weight", module.weight)]


def parameter_groups(model: nn.Module, params: str = "all") -> list[ParameterGroup]:
    """The groups of ``model``'s parameters in registration order (frozen ones included).

    ``params`` is ``"weights"`` or ``"all"`` (see :func:`resolve_params`).

    Examples
    --------
    >>> import torch
    >>> from vgp.groups import parameter_groups
    >>> lstm = torch.nn.LSTM(3, 8, num_layers=2)
    >>> for group in parameter_groups(torch.nn.Sequential(lstm, torch.nn.Linear(8, 1))):
    ...     print(group.name, [name for name, _ in group.parameters])
    0.l0 ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    0.l1 ['weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']
    1 ['weight', 'bias']
    """
    if params == "weights":
        return [
            ParameterGroup(name, name, module, weight_parameters(module))
            for name, module in model.named_modules()
            if isinstance(module, _WEIGHT_LAYERS)
        ]
    modules = dict(model.named_modules())
    groups: dict[str, ParameterGroup] = {}
    for full, parameter in model.named_parameters():
        cut = ("." + full).find(".parametrizations.")
        if cut >= 0:
            path, local = full[: max(cut - 1, 0)] if cut else "", full[cut:]
        else:
            path, _, local = full.rpartition(".")
        module = modules[path]
        key, sees = path, True
        layer = _RNN_PARAMETER.match(local) if isinstance(module, nn.RNNBase) else None
        if layer:
            key = f"{path}.l{layer[1]}{layer[2] or ''}".lstrip(".")
            sees = int(layer[1]) == module.num_layers - 1
        group = groups.setdefault(key, ParameterGroup(key or ROOT, path, module, [], sees))
        group.parameters.append((local, parameter))
    return list(groups.values())


class CallOrder:
    """While open, record the order in which the forward pass first calls each module.

    Each module gets a forward pre-hook that removes itself the first time it
    runs, so a module costs one call of a hook per probe, whatever the number
    of passes. :meth:`ranks` orders groups by it.

    Examples
    --------
    >>> import torch
    >>> from vgp.groups import CallOrder, parameter_groups
    >>> class Backwards(torch.nn.Module):   # registers its output layer first
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.out = torch.nn.Linear(4, 1)
    ...         self.inp = torch.nn.Linear(2, 4)
    ...     def forward(self, x):
    ...         return self.out(self.inp(x))
    >>> model = Backwards()
    >>> groups = parameter_groups(model)
    >>> with CallOrder(model) as order:
    ...     _ = model(torch.zeros(1, 2))
    >>> [groups[i].name for i in order.ranks(groups)]
    ['inp', 'out']
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.order: dict[nn.Module, int] = {}
        self.handles: list = []

    def __enter__(self) -> CallOrder:
        for module in self.model.modules():
            self.handles.append(module.register_forward_pre_hook(self._hook(len(self.handles))))
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []

    def _hook(self, index: int):
        def hook(module: nn.Module, inputs: tuple) -> None:
            self.order.setdefault(module, len(self.order))
            self.handles[index].remove()

        return hook

    def ranks(self, groups: list[ParameterGroup]) -> list[int]:
        """The indices of ``groups`` input to output: by the first call of the owning
        module; a module never called comes right after everything its nearest
        called ancestor ran (attention's ``out_proj`` after the attention); ties
        keep registration order."""
        modules = dict(self.model.named_modules())

        def position(group: ParameterGroup) -> tuple[float, int]:
            path = group.path
            if modules[path] in self.order:
                return (self.order[modules[path]], 0)
            while path:  # never called: right after everything its nearest called ancestor ran
                path = path.rpartition(".")[0]
                if modules[path] in self.order:
                    inside = [
                        self.order[m] for name, m in modules.items()
                        if m in self.order and (not path or name == path or name.startswith(path + "."))
                    ]
                    return (max(inside), 1)
            return (math.inf, 0)

        return sorted(range(len(groups)), key=lambda i: (*position(groups[i]), i))


def trainable_groups(model: nn.Module, params: str) -> tuple[list[ParameterGroup], tuple[str, ...]]:
    """The groups of ``params`` (``"weights"`` or ``"all"``) without their frozen
    parameters, and the names of the frozen ones (``requires_grad=False``).

    A named error if nothing is left to measure.

    Examples
    --------
    >>> import vgp
    >>> from vgp.groups import trainable_groups
    >>> net = vgp.mlp(depth=2, width=4)
    >>> _ = net.fc1.requires_grad_(False)
    >>> groups, frozen = trainable_groups(net, "weights")
    >>> [g.name for g in groups], frozen
    (['fc2', 'out'], ('fc1.weight',))
    """
    trainable_parameters(model)
    kept, frozen = [], []
    for group in parameter_groups(model, params):
        prefix = f"{group.path}." if group.path else ""
        frozen += [prefix + local for local, p in group.parameters if not p.requires_grad]
        group.parameters = [(local, p) for local, p in group.parameters if p.requires_grad]
        if group.parameters:
            kept.append(group)
    if not kept:
        what = "nn.Linear or convolution weight" if params == "weights" else "parameter"
        raise ValueError(
            f"model has no {what} that requires grad to measure"
            + ("; params='all' measures every parameter" if params == "weights" else "")
        )
    return kept, tuple(frozen)
