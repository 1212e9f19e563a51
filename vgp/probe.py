"""Per-layer gradient norms and activation statistics of any ``torch.nn.Module``.

A *layer* here is a module with a weight matrix: ``nn.Linear`` or a convolution.
Gradients are read with autograd as the true ``dL/dW`` of one backward pass,
never inferred from how much the weights moved.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from vgp import activations
from vgp._checks import (
    check_inputs,
    check_int,
    check_module,
)
from vgp.groups import ROOT, CallOrder, ParameterGroup, resolve_params, trainable_groups
from vgp.losses import (  # noqa: F401  (public here too: vgp.probe.default_loss)
    Loss,
    _check_loss,
    check_loss_value,
    check_targets,
    default_loss,
    loss_of,
)
from vgp.through_time import StepInput, time_gradients  # noqa: F401


def weight_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` of every ``nn.Linear`` and convolution, in registration order.

    Examples
    --------
    >>> import vgp
    >>> [name for name, _ in vgp.probe.weight_layers(vgp.mlp(depth=3, width=4, residual=True))]
    ['fc1', 'block2.block.fc2', 'block3.block.fc3', 'out']
    """
    return [
        (name, module)
        for name, module in model.named_modules()
        if isinstance(module, nn.Linear | nn.modules.conv._ConvNd)
    ]


_EXACT = (torch.float32, torch.float64)
"""Dtypes whose norms are taken as they are; half precision is widened to float32
first, since a norm can overflow float16 (largest 65504) when no entry does."""

TINY = 1e-15
"""Below this a float32 norm is taken again in float64: its squares (entries
below about 1e-19) underflow float32, and a norm of entries of 1e-24 would
come out as exactly 0."""


def _norm(t: Tensor) -> Tensor:
    """The Frobenius norm of ``t``, exact for tiny entries too (see :data:`TINY`)."""
    n = (t if t.dtype in _EXACT else t.float()).norm()
    if t.dtype != torch.float64 and n < TINY:
        n = t.double().norm()
    return n


def _norms(tensors: list[torch.Tensor | None]) -> list[float]:
    """The norm of each tensor (0.0 for ``None``), read in one batched call (see :data:`TINY`)."""
    present = [t for t in tensors if t is not None]
    values = (
        torch.stack(
            [n.double() for n in torch._foreach_norm([t if t.dtype in _EXACT else t.float() for t in present])]
        ).tolist()
        if present
        else []
    )
    values = [
        t.double().norm().item() if v < TINY and t.dtype != torch.float64 else v
        for v, t in zip(values, present, strict=True)
    ]
    found = iter(values)
    return [0.0 if t is None else next(found) for t in tensors]


def gradient_norms(
    model: nn.Module,
    X: Tensor,
    y: Tensor,
    loss: Loss | None = None,
    *,
    params: str = "auto",
    named: bool = False,
) -> list[float] | dict[str, float]:
    """Frobenius norm of ``dL/dθ`` for every parameter group, input to output.

    One forward and one backward pass on ``(X, y)``. The gradients are taken with
    ``torch.autograd.grad``, so the model's ``.grad`` fields are left untouched.
    The default loss is binary cross-entropy with logits for one output and
    cross-entropy for several (:func:`vgp.losses.default_loss`; ``y`` is checked against
    the output first, :func:`vgp.losses.check_targets`).

    ``params`` chooses the groups (:mod:`vgp.groups`): ``"weights"``, the weight
    matrix of every ``nn.Linear`` and convolution (0.0 for one the pass does
    not use); ``"all"``, every parameter that receives a gradient, grouped by
    the module that owns it, a group's norm taken over all its entries; the
    default ``"auto"`` is ``"weights"`` for a model of Linear, convolution and
    norm layers only, else ``"all"``. Groups are ordered as the forward pass
    reaches them. Frozen parameters (``requires_grad=False``) are left out with
    a warning that names them. With ``named=True`` the result is a dict from
    group name to norm, in the same order.

    Inputs are checked at the call, each failure a ``ValueError`` or
    ``TypeError`` that names the argument: ``X`` is a non-empty, finite tensor
    on the model's device with the model's dtype (it is not converted: a
    float64 ``X`` into a float32 net is an error), or integer token ids for a
    model with an ``nn.Embedding``; its width must suit the first layer that
    receives it; ``y`` has one target per row of ``X`` and, with the default
    loss, fits the output (:func:`vgp.losses.check_targets`: labels in [0, 1] for one
    output, whole labels ``0..C-1`` for ``C``; a net with more than two outputs
    given only labels 0 and 1 gets a warning); a custom loss must return a
    scalar tensor that depends on the parameters.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.circles()
    >>> net = vgp.mlp(depth=11, width=10, activation="sigmoid")
    >>> norms = vgp.gradient_norms(net, data.X_train, data.y_train)
    >>> len(norms), norms[0] < 1e-4 * norms[-1]
    (12, True)

    On an LSTM every layer's four parameters form one group:

    >>> import torch
    >>> class Reader(torch.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.lstm = torch.nn.LSTM(2, 8, num_layers=2, batch_first=True)
    ...         self.head = torch.nn.Linear(8, 1)
    ...     def forward(self, x):
    ...         return self.head(self.lstm(x)[0][:, -1])
    >>> _ = torch.manual_seed(0)
    >>> X = torch.randn(16, 20, 2)
    >>> norms = vgp.gradient_norms(Reader(), X, (X[:, 0, 0] > 0).float(), named=True)
    >>> list(norms)
    ['lstm.l0', 'lstm.l1', 'head']
    """
    check_module("model", model)
    view = resolve_params(model, params)
    if not isinstance(named, bool):
        raise TypeError(f"named must be True or False, got {named!r}")
    check_inputs(model, X, y)
    groups, frozen = trainable_groups(model, view)
    loss = _check_loss(loss)
    with CallOrder(model) as order:
        value = loss_of(model, X, y, loss)
    groups = [groups[i] for i in order.ranks(groups)]
    tensors = [p for g in groups for _, p in g.parameters]
    grads = iter(torch.autograd.grad(value, tensors, allow_unused=True))
    rows = [[next(grads) for _ in g.parameters] for g in groups]
    if view == "all":
        used = [i for i, row in enumerate(rows) if any(t is not None for t in row)]
        groups, rows = [groups[i] for i in used], [rows[i] for i in used]
    norms = [_combine(_norms(row)) for row in rows]
    if frozen:
        warnings.warn(
            f"gradient_norms: frozen parameters (requires_grad=False) left out: {', '.join(frozen)}",
            UserWarning,
            stacklevel=2,
        )
    return dict(zip((g.name for g in groups), norms, strict=True)) if named else norms


def _combine(norms: list[float]) -> float:
    """The norm of several tensors taken together, from their norms."""
    return norms[0] if len(norms) == 1 else math.sqrt(sum(n * n for n in norms))


@dataclass(frozen=True)
class Histogram:
    """Counts of values in consecutive bins.

    ``counts[i]`` counts the values in ``[edges[i], edges[i + 1])`` (the last bin
    includes its right edge). A histogram of gradients bins ``log10 |g|``, and
    entries that are exactly 0 have no logarithm: ``zeros`` counts them.
    Non-finite values are left out.

    Examples
    --------
    >>> from vgp.probe import Histogram
    >>> h = Histogram(edges=(0.0, 0.5, 1.0), counts=(3, 1))
    >>> h.fractions, h.centres
    ((0.75, 0.25), (0.25, 0.75))
    """

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    zeros: int = 0

    @property
    def total(self) -> int:
        """Every value counted, the zeros included."""
        return sum(self.counts) + self.zeros

    @property
    def fractions(self) -> tuple[float, ...]:
        """``counts`` as shares of :attr:`total`."""
        total = self.total
        return tuple(c / total if total else 0.0 for c in self.counts)

    @property
    def centres(self) -> tuple[float, ...]:
        """The middle of each bin."""
        return tuple((a + b) / 2 for a, b in zip(self.edges[:-1], self.edges[1:], strict=True))


_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
"""Output ranges of bounded activations: their histograms share fixed bins."""


def activation_histogram(values: Tensor, bins: int, activation: str | None = None) -> Histogram:
    """Histogram of activations in ``bins`` equal bins: over the activation's range
    for sigmoid and tanh, else from the smallest to the largest value.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import activation_histogram
    >>> activation_histogram(torch.tensor([0.1, 0.2, 0.9]), bins=2, activation="sigmoid").counts
    (2, 1)
    """
    bins = check_int("bins", bins)
    v = values.detach().double().flatten().numpy()
    v = v[np.isfinite(v)]
    if activation in _RANGES:
        low, high = _RANGES[activation]
    elif v.size:
        low, high = float(v.min()), float(v.max())
    else:
        low, high = 0.0, 1.0
    if high <= low:
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(v, bins=bins, range=(low, high))
    return Histogram(tuple(edges.tolist()), tuple(counts.tolist()))


def gradient_histogram(values: Tensor, bins: int) -> Histogram:
    """Histogram of ``log10 |g|`` in ``bins`` equal bins between whole decades that
    hold every non-zero entry; exact zeros are counted in ``zeros``.

    Examples
    --------
    >>> import torch
    >>> from vgp.probe import gradient_histogram
    >>> h = gradient_histogram(torch.tensor([1e-3, 2e-3, 0.5, 0.0]), bins=3)
    >>> h.edges, h.counts, h.zeros
    ((-3.0, -2.0, -1.0, 0.0), (2, 0, 1), 1)
    """
    bins = check_int("bins", bins)
    v = np.abs(values.detach().double().flatten().numpy())
    v = v[np.isfinite(v)]
    zeros = int((v == 0).sum())
    logs = np.log10(v[v > 0])
    if not logs.size:
        return Histogram((), (), zeros)
    low, high = math.floor(logs.min()), math.ceil(logs.max())
    if high <= low:
        high = low + 1
    counts, edges = np.histogram(logs, bins=bins, range=(low, high))
    return Histogram(tuple(edges.tolist()), tuple(counts.tolist()), zeros)


@dataclass(frozen=True)
class LayerStats:
    """What :class:`Probe` recorded for one parameter group (a layer).

    A group is the parameters one module owns (:mod:`vgp.groups`): in the
    ``"weights"`` view the weight matrix of one ``nn.Linear`` or convolution,
    in the ``"all"`` view every parameter of one module (one layer of a
    recurrent module). Norms over several parameters are the norm of all their
    entries together.

    Attributes
    ----------
    name
        The owning module's name in the model (``"fc3"``, ``"features.0"``;
        ``"rnn.l1"`` for layer 1 of a recurrent module ``rnn``; ``"(model)"``
        for the model's own parameters).
    grad_norm
        Frobenius norm of ``dL/dθ`` over the group in the last backward pass
        (NaN if none ran).
    weight_norm
        Frobenius norm of the group's parameters when the probe closed.
    update_ratio
        ``||θ_exit - θ_enter|| / ||θ_enter||``: how far an optimiser step inside
        the probe moved the parameters, relative to their size (0 without a step).
    act_mean, act_std
        Mean and standard deviation of the layer's activations: the output of
        the activation module that follows it, else of the module itself (its
        first output if it returns a tuple, e.g. an ``nn.LSTM``'s output
        sequence or attention's output; the data of a ``PackedSequence``).
        ``None`` when the module's output was never seen: its forward hook did
        not run (attention calls ``out_proj`` functionally) or the output is
        internal (the lower layers of a multi-layer ``nn.LSTM``).
    saturated_fraction
        Share of activations where a sigmoid or tanh is saturated
        (:func:`vgp.activations.saturated`); ``None`` for other activations.
    dead_fraction
        Share of units whose activation has zero slope for every sample of the
        batch (dead ReLUs); ``None`` if no activation module follows the layer.
    activation
        The registry name of the following activation, or ``None``.
    activation_histogram, gradient_histogram
        With ``Probe(model, bins=...)``: a :class:`Histogram` of the layer's
        activations (:func:`activation_histogram`) and of ``log10 |dL/dθ|``
        (:func:`gradient_histogram`); ``None`` otherwise, or if no backward
        pass ran.
    parameters
        The names of the group's parameters within the module
        (``("weight",)``, ``("weight_ih_l0", "weight_hh_l0", ...)``).

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.circles()
    >>> net = vgp.mlp(depth=2, width=10, activation="sigmoid")
    >>> first = vgp.diagnose(net, data.X_train, data.y_train).stats[0]
    >>> first.name, first.activation, f"{first.grad_norm:.2e}", first.dead_fraction
    ('fc1', 'sigmoid', '1.73e-04', 0.0)
    """

    name: str
    grad_norm: float
    weight_norm: float
    update_ratio: float
    act_mean: float | None
    act_std: float | None
    saturated_fraction: float | None
    dead_fraction: float | None
    activation: str | None
    activation_histogram: Histogram | None = field(default=None, repr=False)
    gradient_histogram: Histogram | None = field(default=None, repr=False)
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutputStats:
    """The output of one leaf module (a module without children) in the last forward pass.

    ``mean`` and ``std`` are those of its output, the first tensor of it when it
    returns several (see :class:`LayerStats`); ``shape`` is that tensor's shape.
    :class:`Probe` records them with ``leaves=True``.

    Examples
    --------
    >>> from vgp.probe import OutputStats
    >>> OutputStats("drop", "Dropout", 0.0, 1.0, (4, 3)).module
    'Dropout'
    """

    name: str
    module: str
    mean: float
    std: float
    shape: tuple[int, ...]


class _Record:
    """Mutable scratch space for one parameter group while the probe is open."""

    def __init__(self, group: ParameterGroup) -> None:
        self.group = group
        self.name = group.name
        self.module = group.module
        self.locals = [local for local, _ in group.parameters]
        self.tensors = [p for _, p in group.parameters]
        self.at_enter = [p.detach().clone() for p in self.tensors]
        self.versions = [p._version for p in self.tensors]  # bumped by every in-place change
        self.grad_norms: list[Tensor | None] = [None] * len(self.tensors)
        self.output: Tensor | None = None
        self.activation: str | None = None
        self.act_stats: tuple[float, float, float | None, float | None] | None = None
        self.values: Tensor | None = None
        self.grads: list[Tensor | None] = [None] * len(self.tensors)
        self.unit = 1 if isinstance(group.module, nn.modules.conv._ConvNd) else -1

    def current(self) -> list[Tensor]:
        """The group's parameters now (one may have been replaced inside the block)."""
        return [self.module.get_parameter(local) for local in self.locals]


_ONE = torch.ones(())
"""A 0-dim 1 that broadcasts (and keeps ``h``'s dtype) in ``1 - h^2``."""


def _mean_std(x: Tensor) -> tuple[float, float]:
    """Mean and (unbiased) standard deviation from two BLAS-speed reductions."""
    flat = x.reshape(-1).float()
    n = flat.numel()
    if n == 0:
        return math.nan, math.nan
    if n < 2:
        return flat.mean().item(), 0.0
    total = flat.sum().item()
    squares = torch.dot(flat, flat).item()
    mean = total / n
    var = max(squares - n * mean * mean, 0.0) / (n - 1)
    return mean, math.sqrt(var)


def _fraction_below(slope: Tensor, limit: float) -> float:
    """Share of the entries of ``slope`` (all in [0, 1]) below ``limit`` (in (0, 1)).

    ``ceil(limit - s)`` is exactly 1 where ``s < limit`` and 0 elsewhere: ``limit - s``
    lies in (-1, 1), and the difference of two different floats is never 0. Its
    sum is the count, taken in float32 below 2**24 entries and in float64 above,
    so that it is exact whatever the activations' dtype (half precision included).
    On a CPU this is about twice as fast as ``count_nonzero(slope < limit)``,
    whose comparison to booleans is the slowest step of the whole probe.
    """
    n = slope.numel()
    marks = torch.rsub(slope, limit).ceil_()
    count = marks.sum(dtype=torch.float64 if n >= 2**24 else torch.float32).item()
    if math.isnan(count):  # a NaN slope: NaN < limit is False, as the comparison counts it
        count = torch.count_nonzero(slope < limit).item()
    return count / n if n else 0.0


def _share_zero(peaks: Tensor, units: int | None = None) -> float:
    """Share of ``units`` (default: all of ``peaks``) whose largest slope is exactly 0."""
    return torch.count_nonzero(peaks == 0).item() / (peaks.numel() if units is None else units)


def _unit_dim(z: Tensor, unit: int) -> int | None:
    """The dimension of ``z`` that indexes units (``None`` for a 1-d, unbatched ``z``):
    dimension 1 (channels) after a convolution, the last one after anything else."""
    return None if z.dim() < 2 else unit % z.dim()


def _units(z: Tensor, unit: int) -> int:
    dim = _unit_dim(z, unit)
    return 1 if dim is None else z.shape[dim]


def _unit_dims(z: Tensor, unit: int) -> tuple[int, ...]:
    """Dimensions to reduce over so that one unit is one feature or channel."""
    dim = _unit_dim(z, unit)
    return (0,) if dim is None else tuple(d for d in range(z.dim()) if d != dim)


def _first_tensor(output: object) -> Tensor | None:
    """The output a probe summarises: a tensor itself, the first tensor of a tuple
    or list (an RNN's output sequence, attention's output), a PackedSequence's data."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, nn.utils.rnn.PackedSequence):
        return output.data
    if isinstance(output, tuple | list):
        for item in output:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def _group_norms(records: list[_Record], tensors: list[list[Tensor | None]]) -> list[float]:
    """The norm of each row of tensors taken together, NaN where none is there."""
    norms = iter(_norms([t for row in tensors for t in row]))
    result = []
    for row in tensors:
        values = [next(norms) for _ in row]
        present = [v for v, t in zip(values, row, strict=True) if t is not None]
        result.append(_combine(present) if present else math.nan)
    return result


class Probe:
    """Record per-layer statistics of the passes run inside a ``with`` block.

    Works on any ``nn.Module``. It reports one row per parameter group
    (:mod:`vgp.groups`), input to output in the order the forward pass reaches
    them: with ``params="weights"`` the weight matrix of every ``nn.Linear`` and
    convolution, with ``params="all"`` every parameter that trains, grouped by
    the module that owns it (an LSTM layer's ``weight_ih``, ``weight_hh`` and
    biases; attention's input and output projections; an embedding; a norm
    layer's scale and shift; a bare ``nn.Parameter``; a parametrization's
    originals). The default ``"auto"`` is ``"weights"`` for a model built only
    of Linear, convolution and norm layers and ``"all"`` otherwise; ``probe.params``
    says which view it chose. Frozen parameters (``requires_grad=False``) are
    left out and listed in ``probe.frozen``; with ``"all"``, a group that
    receives no gradient in a backward pass (a module the pass did not use) is
    left out too.

    Gradients come from a hook on every parameter, activations from a forward
    hook on each group's module and on the activation modules that follow it
    (see :class:`LayerStats` for which output is summarised). With
    ``leaves=True`` the probe also summarises the output of every leaf module,
    parameters or not (dropout, a custom block, a flatten): ``probe.outputs``. Statistics are
    those of the *last* forward and backward pass inside the block. Every hook
    is removed when the block exits, also when it raises.

    Examples
    --------
    >>> import vgp
    >>> data = vgp.datasets.circles()
    >>> net = vgp.mlp(depth=3, width=10, activation="tanh")
    >>> with vgp.Probe(net) as probe:
    ...     vgp.probe.default_loss(net(data.X_train), data.y_train).backward()
    >>> probe.params, [s.name for s in probe.stats]
    ('weights', ['fc1', 'fc2', 'fc3', 'out'])
    >>> print(probe)
    layer  grad_norm  weight_norm  update_ratio  act_mean  act_std  saturated  dead
    fc1     2.70e-03     1.62e+00      0.00e+00     0.036    0.433      0.000 0.000
    fc2     2.30e-02     1.88e+00      0.00e+00     0.111    0.245      0.000 0.000
    fc3     2.59e-02     1.82e+00      0.00e+00    -0.095    0.276      0.000 0.000
    out     5.09e-02     5.84e-01      0.00e+00    -0.239    0.055          -     -

    With ``bins``, every layer also gets a histogram of its activations and of
    its weight gradient's entries (on a log scale):

    >>> with vgp.Probe(net, bins=4) as probe:
    ...     vgp.probe.default_loss(net(data.X_train), data.y_train).backward()
    >>> probe.stats[0].activation_histogram.counts   # tanh: 4 bins over [-1, 1]
    (853, 2388, 2297, 1162)

    ``params="all"`` adds the biases, which changes the norms:

    >>> with vgp.Probe(net, params="all") as probe:
    ...     vgp.probe.default_loss(net(data.X_train), data.y_train).backward()
    >>> probe.stats[0].parameters, f"{probe.stats[0].grad_norm:.2e}"
    (('weight', 'bias'), '1.16e-02')
    """

    def __init__(
        self,
        model: nn.Module,
        *,
        bins: int | None = None,
        params: str = "auto",
        leaves: bool = False,
    ) -> None:
        self.model = check_module("model", model)
        self.bins = None if bins is None else check_int("bins", bins)
        self.params = resolve_params(model, params)
        if not isinstance(leaves, bool):
            raise TypeError(f"leaves must be True or False, got {leaves!r}")
        self.leaves = leaves
        self._leaf_outputs: dict[str, tuple[nn.Module, Tensor]] = {}
        self._outputs: list[OutputStats] | None = None
        self.frozen: tuple[str, ...] = ()
        self._records: list[_Record] = []
        self._handles: list[torch.utils.hooks.RemovableHandle] = []
        self._order: CallOrder | None = None
        self._stats: list[LayerStats] | None = None
        self._current: _Record | None = None

    def __enter__(self) -> Probe:
        if self._handles:
            raise RuntimeError("this Probe is already open; a Probe cannot be nested in itself")
        groups, self.frozen = trainable_groups(self.model, self.params)
        self._records = [_Record(group) for group in groups]
        self._stats = None
        self._order = CallOrder(self.model)
        try:
            owners: dict[nn.Module, list[_Record]] = {}
            for record in self._records:
                if record.group.sees_output:
                    owners.setdefault(record.module, []).append(record)
                for i, tensor in enumerate(record.tensors):
                    self._handles.append(tensor.register_hook(self._grad_hook(record, i)))
            for module, records in owners.items():
                self._handles.append(module.register_forward_hook(self._layer_hook(records)))
            for module in self.model.modules():
                if activations.name_of(module) is not None:
                    self._handles.append(module.register_forward_hook(self._activation_hook))
            self._leaf_outputs = {}
            self._outputs = None
            if self.leaves:
                for name, module in self.model.named_modules():
                    if next(module.children(), None) is None:
                        self._handles.append(module.register_forward_hook(self._leaf_hook(name)))
            self._order.__enter__()
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                records = [self._records[i] for i in self._order.ranks([r.group for r in self._records])]
                if self.params == "all" and any(g is not None for r in records for g in r.grad_norms):
                    records = [r for r in records if any(g is not None for g in r.grad_norms)]
                grads = [
                    torch.stack([g for g in r.grad_norms if g is not None]).tolist()
                    if any(g is not None for g in r.grad_norms) else []
                    for r in records
                ]
                current = [r.current() for r in records]
                weights = _group_norms(records, [[t.detach() for t in row] for row in current])
                self._stats = [
                    self._finish(r, g, w, c)
                    for r, g, w, c in zip(records, grads, weights, current, strict=True)
                ]
                broken = [st.name for st in self._stats
                          if st.grad_norm is not None and not math.isfinite(st.grad_norm)]
                if broken:
                    warnings.warn(
                        f"Probe: the gradient norm of {', '.join(broken)} is not finite "
                        "(NaN or inf in X, in the loss or in the weights); vgp.diagnose "
                        "names the first such layer",
                        RuntimeWarning,
                        stacklevel=2,
                    )
                if self.leaves:
                    ranked = sorted(
                        self._leaf_outputs.items(), key=lambda item: self._order.order[item[1][0]]
                    )
                    self._outputs = [
                        OutputStats(name or ROOT, type(m).__name__, *_mean_std(out), tuple(out.shape))
                        for name, (m, out) in ranked
                    ]
        finally:
            self._remove()
            self._leaf_outputs = {}
            self._current = None
            for record in self._records:
                record.output = None

    def _remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []
        if self._order is not None:
            self._order.__exit__()

    def _leaf_hook(self, name: str) -> Callable:
        def hook(module: nn.Module, inputs: tuple, output: object) -> None:
            out = _first_tensor(output)
            if out is not None:
                self._leaf_outputs[name] = (module, out.detach())

        return hook

    def _layer_hook(self, records: list[_Record]) -> Callable:
        def hook(module: nn.Module, inputs: tuple, output: object) -> None:
            out = _first_tensor(output)
            if out is None:
                return
            if out.numel() == 0:
                raise ValueError(
                    f"Probe: {records[-1].name}'s output is empty (shape {tuple(out.shape)}): "
                    "a batch without samples has no statistics; run the model on at least one"
                )
            for record in records:
                record.output = out.detach()  # summarised at exit if no activation follows
                record.activation = None
                record.act_stats = None
                record.values = record.output if self.bins else None
            self._current = records[-1]

        return hook

    def _activation_hook(self, module: nn.Module, inputs: tuple, output: Tensor) -> None:
        record = self._current
        if record is None or record.act_stats is not None:
            return
        name = activations.name_of(module)
        z = inputs[0].detach()
        h = output.detach()
        # Sigmoid's and tanh's slopes follow from their outputs: no second pass of exp/tanh.
        if name in activations.SATURATING:
            if name == "sigmoid":
                slope = torch.addcmul(h, h, h, value=-1.0)  # h - h^2
            else:
                slope = torch.addcmul(_ONE, h, h, value=-1.0)  # 1 - h^2, no tensor of ones
            limit = activations.SATURATION_THRESHOLD * activations.MAX_SLOPE[name]
            sat = _fraction_below(slope, limit)
            # A slope of 0 is below the limit: with nothing saturated, no unit is dead.
            dead = 0.0 if sat == 0.0 else _share_zero(slope.amax(dim=_unit_dims(z, record.unit)))
        else:
            sat = None
            dead = self._dead_share(module, name, z, record.unit)
        record.activation = name
        record.act_stats = (*_mean_std(h), sat, dead)
        record.output = None  # summarised: let the layer's output go when autograd is done with it
        if self.bins:
            record.values = h

    @staticmethod
    def _dead_share(module: nn.Module, name: str, z: Tensor, unit: int) -> float:
        """Share of units whose slope is 0 on every sample, for an activation that
        does not saturate.

        Each of these has slope at least 1/2 wherever ``z > 0``, so a unit with a
        positive pre-activation on some sample is alive (for ReLU every other unit
        is dead: its slope is 0 there, by PyTorch's convention at 0 too). A unit
        whose slope is non-zero at its largest pre-activation is alive as well;
        only the units whose slope is 0 there are checked on every sample. GELU's
        slope can be negative: its magnitude counts.
        """
        dims = _unit_dims(z, unit)
        peaks = z.amax(dim=dims).reshape(-1)
        if peaks.isnan().any():  # amax passes a NaN on and would hide a positive sample
            peaks = z.nan_to_num(nan=-math.inf).amax(dim=dims).reshape(-1)
        maybe_dead = torch.nonzero(~(peaks > 0)).flatten()
        if name == "relu" or maybe_dead.numel() == 0:
            return maybe_dead.numel() / _units(z, unit)
        kwargs = activations.module_kwargs(module)
        at_peak = activations.derivative(name, peaks.index_select(0, maybe_dead), **kwargs)
        maybe_dead = maybe_dead[at_peak == 0]
        if maybe_dead.numel() == 0:
            return 0.0
        dim = _unit_dim(z, unit)
        rest = z if dim is None else z.index_select(dim, maybe_dead)
        slope = activations.derivative(name, rest, **kwargs)
        magnitude = slope.abs() if name == "gelu" else slope
        return _share_zero(magnitude.amax(dim=dims), _units(z, unit))

    def _grad_hook(self, record: _Record, index: int) -> Callable:
        def hook(grad: Tensor) -> None:
            g = grad.detach()
            record.grad_norms[index] = _norm(g)
            if self.bins:
                record.grads[index] = g.clone()

        return hook

    def _finish(
        self, record: _Record, grads: list[float], weight_norm: float, current: list[Tensor]
    ) -> LayerStats:
        unchanged = all(
            now is then and now._version == version
            for now, then, version in zip(current, record.tensors, record.versions, strict=True)
        )
        if unchanged:
            # Untouched in the block (no optimiser step): it moved by exactly 0.
            before, moved = weight_norm, 0.0
        else:
            before = _group_norms([record], [record.at_enter])[0]
            moved = _group_norms(
                [record], [[(t.detach() - b) for t, b in zip(current, record.at_enter, strict=True)]]
            )[0]
        if record.act_stats is not None:
            act_mean, act_std, sat, dead = record.act_stats
        elif record.output is not None:
            act_mean, act_std, sat, dead = (*_mean_std(record.output), None, None)
        else:
            act_mean, act_std, sat, dead = None, None, None, None
        present = [g for g in record.grads if g is not None]
        return LayerStats(
            name=record.name,
            grad_norm=_combine(grads) if grads else math.nan,
            weight_norm=weight_norm,
            update_ratio=moved / before if before > 0 else math.nan,
            act_mean=act_mean,
            act_std=act_std,
            saturated_fraction=sat,
            dead_fraction=dead,
            activation=record.activation,
            activation_histogram=None
            if record.values is None
            else activation_histogram(record.values, self.bins, record.activation),
            gradient_histogram=None
            if not present
            else gradient_histogram(torch.cat([g.flatten() for g in present]), self.bins),
            parameters=tuple(record.locals),
        )

    @property
    def outputs(self) -> list[OutputStats]:
        """With ``leaves=True``: one :class:`OutputStats` per leaf module that ran, in
        the order the forward pass first called them (a module whose output holds
        no tensor is left out)."""
        if not self.leaves:
            raise RuntimeError("no leaf outputs recorded: open the probe as Probe(model, leaves=True)")
        if self._outputs is None:
            raise RuntimeError("no statistics yet: use the Probe as `with Probe(model) as probe:`")
        return list(self._outputs)

    @property
    def stats(self) -> list[LayerStats]:
        """One :class:`LayerStats` per parameter group, input to output."""
        if self._stats is None:
            raise RuntimeError("no statistics yet: use the Probe as `with Probe(model) as probe:`")
        return list(self._stats)

    def __str__(self) -> str:
        return format_table(self.stats)


def _fraction(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _statistic(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.3f}"


def format_table(stats: list[LayerStats]) -> str:
    """The per-layer table that ``print(probe)`` shows.

    Examples
    --------
    >>> import vgp
    >>> from vgp.probe import LayerStats, format_table
    >>> row = LayerStats("fc1", 1e-3, 2.0, 0.0, 0.5, 0.1, 0.25, 0.0, "sigmoid")
    >>> print(format_table([row]))
    layer  grad_norm  weight_norm  update_ratio  act_mean  act_std  saturated  dead
    fc1     1.00e-03     2.00e+00      0.00e+00     0.500    0.100      0.250 0.000
    """
    width = max(5, *(len(s.name) for s in stats))
    head = (
        f"{'layer':<{width}}  grad_norm  weight_norm  update_ratio  act_mean  act_std"
        "  saturated  dead"
    )
    rows = [
        f"{s.name:<{width}}  {s.grad_norm:9.2e}  {s.weight_norm:11.2e}  {s.update_ratio:12.2e}"
        f"  {_statistic(s.act_mean, 8)}  {_statistic(s.act_std, 7)}  {_fraction(s.saturated_fraction):>9}"
        f" {_fraction(s.dead_fraction):>5}"
        for s in stats
    ]
    return "\n".join([head, *rows])
