"""Deep fully-connected nets, a from-scratch batch norm, a residual block and
a small transformer encoder.

:func:`mlp` builds every fully-connected net on the site. Its layers are named
so that a per-layer table reads naturally: ``fc1, act1, fc2, act2, ..., out``,
with ``bn1, ...`` (batch norm), ``ln1, ...`` (layer norm) or ``rms1, ...``
(RMS norm) when normalised and ``block2, ...`` when residual.
:func:`transformer` builds the encoders of the page on layer norm.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import Tensor, nn

from vgp._checks import check_choice, check_int, check_number
from vgp.activations import ACTIVATIONS
from vgp.activations import activation as make_activation
from vgp.init import SCHEMES, check_gain, initialise

NORMS: tuple[str, ...] = ("batch", "layer", "rms")
"""The values :func:`mlp` accepts for ``norm`` (besides ``None``): batch norm
(Ioffe and Szegedy 2015), layer norm (Ba, Kiros and Hinton 2016) or RMS norm
(Zhang and Sennrich 2019)."""

NORM_PREFIXES: dict[str, str] = {"batch": "bn", "layer": "ln", "rms": "rms"}
"""The name of each norm's layers in :func:`mlp`: ``bn1``, ``ln1``, ``rms1``."""

NORM_POSITIONS: tuple[str, ...] = ("before", "after")
"""Where :func:`mlp` puts the normalisation: before the activation (Ioffe and
Szegedy 2015) or after it."""


class BatchNorm(nn.Module):
    r"""Batch normalisation over the features of a ``(batch, features)`` input.

    In training mode each feature is normalised with the mean and the biased
    variance of the current mini-batch, then scaled and shifted:
    :math:`y = \gamma (x - \mu_B) / \sqrt{\sigma_B^2 + \epsilon} + \beta`
    (Ioffe and Szegedy 2015, algorithm 1). The running estimates used in
    evaluation mode are updated as ``running = (1 - momentum) running +
    momentum batch``, the running variance with the unbiased batch variance,
    exactly as ``torch.nn.BatchNorm1d`` does.

    Examples
    --------
    >>> import torch
    >>> from vgp.nets import BatchNorm
    >>> x = torch.tensor([[1.0, 10.0], [3.0, 30.0]])
    >>> BatchNorm(2)(x)
    tensor([[-1.0000, -1.0000],
            [ 1.0000,  1.0000]], grad_fn=<AddBackward0>)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__()
        self.num_features = check_int("num_features", num_features)
        self.eps = check_number("eps", eps, minimum=0.0, strict=True)
        self.momentum = check_number("momentum", momentum, minimum=0.0, maximum=1.0)
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    # --8<-- [start:forward]
    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm expects input of shape (batch, {self.num_features}), "
                f"got {tuple(x.shape)}"
            )
        if self.training:
            if x.shape[0] < 2:
                raise ValueError(
                    "BatchNorm needs at least 2 samples per batch in training mode, got 1"
                )
            var, mean = torch.var_mean(x, dim=0, unbiased=False)
            with torch.no_grad():
                n = x.shape[0]
                self.running_mean.lerp_(mean, self.momentum)
                self.running_var.lerp_(var * n / (n - 1), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        x_hat = (x - mean) * torch.rsqrt(var + self.eps)
        return self.weight * self.perturb(x_hat) + self.bias
    # --8<-- [end:forward]

    def perturb(self, x_hat: Tensor) -> Tensor:
        """Hook between normalising and scaling: the identity here.

        A subclass may override it to disturb the normalised values, as the
        "noisy" batch norm of Santurkar et al. (2018) does.
        """
        return x_hat

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class Residual(nn.Module):
    """``x + block(x)``: a block with an identity path around it.

    Its Jacobian is ``I + d block / dx``, so the gradient reaching ``x`` is the
    incoming gradient ``g`` plus ``(d block / dx)^T g``: the identity term does not
    shrink however small the block's own Jacobian is, but the second term can
    point against it, so the sum can be shorter than ``g`` (He et al. 2016b,
    *Identity Mappings in Deep Residual Networks*).

    Examples
    --------
    >>> import torch
    >>> from vgp.nets import Residual
    >>> Residual(torch.nn.Linear(3, 3))(torch.zeros(1, 3)).shape
    torch.Size([1, 3])
    """

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: Tensor) -> Tensor:
        return x + self.block(x)


def norm_layer(norm: str, width: int) -> nn.Module:
    """A normalisation layer over ``width`` features: one of :data:`NORMS`.

    Examples
    --------
    >>> from vgp.nets import norm_layer
    >>> [type(norm_layer(n, 4)).__name__ for n in ("batch", "layer", "rms")]
    ['BatchNorm', 'LayerNorm', 'RMSNorm']
    """
    check_choice("norm", norm, NORMS)
    if norm == "batch":
        return BatchNorm(width)
    if norm == "layer":
        return nn.LayerNorm(width)
    return nn.RMSNorm(width)


def mlp(
    depth: int,
    width: int,
    *,
    activation: str = "relu",
    init: str = "default",
    norm: str | None = None,
    residual: bool = False,
    in_features: int = 2,
    out_features: int = 1,
    seed: int = 0,
    gain: float | None = None,
    norm_position: str = "before",
) -> nn.Sequential:
    """A deep fully-connected net: ``depth`` hidden layers of ``width`` units.

    Each hidden layer is ``Linear -> [BatchNorm] -> activation`` (or ``Linear ->
    activation -> BatchNorm`` with ``norm_position="after"``); the output layer
    is a plain ``Linear`` producing logits. With ``residual=True`` every hidden
    layer after the first (whose input has another width) is wrapped in
    :class:`Residual`. The weights are drawn with ``torch.manual_seed(seed)``
    inside a forked random state, so building a net never disturbs the
    caller's random numbers and the same seed always gives the same net.

    Parameters
    ----------
    depth
        Number of hidden layers (the net has ``depth + 1`` linear layers).
    width
        Units in each hidden layer.
    activation
        One of :data:`vgp.ACTIVATIONS`.
    init
        One of :data:`vgp.init.SCHEMES`; ``"default"`` is PyTorch's own.
    norm
        ``None``, ``"batch"`` (the from-scratch :class:`BatchNorm`, as in
        Ioffe and Szegedy 2015: each unit standardised over the mini-batch),
        ``"layer"`` (``torch.nn.LayerNorm``: each sample standardised over its
        units, Ba, Kiros and Hinton 2016) or ``"rms"`` (``torch.nn.RMSNorm``:
        each sample divided by the root mean square of its units, Zhang and
        Sennrich 2019).
    residual
        Add identity skips around hidden layers 2 to ``depth``.
    in_features, out_features
        Widths of the input and of the output (1 for binary classification).
    seed
        Seed of the initial weights.
    gain
        Passed to :func:`vgp.init.initialise` (weight scale ``sigma_w``).
    norm_position
        ``"before"`` (the default) or ``"after"`` the activation: where the
        norm goes. Ignored without a norm.

    Examples
    --------
    >>> import vgp
    >>> net = vgp.mlp(depth=2, width=4, activation="tanh", norm="batch")
    >>> print(net)
    Sequential(
      (fc1): Linear(in_features=2, out_features=4, bias=True)
      (bn1): BatchNorm(4, eps=1e-05, momentum=0.1)
      (act1): Tanh()
      (fc2): Linear(in_features=4, out_features=4, bias=True)
      (bn2): BatchNorm(4, eps=1e-05, momentum=0.1)
      (act2): Tanh()
      (out): Linear(in_features=4, out_features=1, bias=True)
    )
    >>> after = vgp.mlp(depth=1, width=4, norm="batch", norm_position="after")
    >>> list(dict(after.named_children()))
    ['fc1', 'act1', 'bn1', 'out']
    >>> list(dict(vgp.mlp(depth=1, width=4, norm="layer").named_children()))
    ['fc1', 'ln1', 'act1', 'out']
    >>> vgp.mlp(depth=0, width=4)
    Traceback (most recent call last):
    ...
    ValueError: depth must be an integer >= 1, got 0
    """
    depth = check_int("depth", depth)
    width = check_int("width", width)
    in_features = check_int("in_features", in_features)
    out_features = check_int("out_features", out_features)
    check_int("seed", seed, minimum=0)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("init", init, SCHEMES)
    if norm is not None:
        check_choice("norm", norm, NORMS)
    check_gain(init, gain)
    check_choice("norm_position", norm_position, NORM_POSITIONS)
    if not isinstance(residual, bool):
        raise TypeError(f"residual must be True or False, got {residual!r}")

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        for i in range(1, depth + 1):
            fan_in = in_features if i == 1 else width
            parts = [(f"fc{i}", nn.Linear(fan_in, width)), (f"act{i}", make_activation(activation))]
            if norm is not None:
                parts.insert(1 if norm_position == "before" else 2,
                             (f"{NORM_PREFIXES[norm]}{i}", norm_layer(norm, width)))
            if residual and i > 1:
                layers[f"block{i}"] = Residual(nn.Sequential(OrderedDict(parts)))
            else:
                layers.update(parts)
        layers["out"] = nn.Linear(width, out_features)
        model = nn.Sequential(layers)
        if init != "default":
            initialise(model, init, gain=gain)
    return model



FIXES: tuple[str, ...] = ("batch", "group", "fixup", "rezero")
"""The values :func:`resnet` accepts for ``fix`` (besides ``None``): what keeps
each residual branch small, or normalised, at initialisation."""


class Scale(nn.Module):
    """Multiply by one learnable scalar, ``alpha``, set to ``init`` at the start.

    At the end of a residual branch, ``init=0`` makes the block the identity
    at initialisation (SkipInit, De and Smith 2020; ReZero, Bachlechner et al.
    2021); Fixup (Zhang, Dauphin and Ma 2019) puts one there with ``init=1``.

    Examples
    --------
    >>> import torch
    >>> from vgp.nets import Scale
    >>> Scale(0.0)(torch.ones(2, 3)).sum().item(), Scale(2.0)(torch.ones(1)).item()
    (0.0, 2.0)
    """

    def __init__(self, init: float) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.tensor(check_number("init", init)))

    def forward(self, x: Tensor) -> Tensor:
        return self.alpha * x

    def extra_repr(self) -> str:
        return f"alpha={self.alpha.item():g}"


class Shift(nn.Module):
    """Add one learnable scalar (a bias shared by every unit), zero at the start:
    Fixup's scalar bias before each linear layer and activation.

    Examples
    --------
    >>> import torch
    >>> from vgp.nets import Shift
    >>> Shift()(torch.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(()))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.bias


class StandardisedLinear(nn.Linear):
    r"""A linear layer whose weights are standardised before use (Qiao et al. 2019):
    each row (one unit's fan-in) has mean 0 and variance 1,
    :math:`\hat W_{ij} = (W_{ij} - \mu_i) / \sqrt{\sigma_i^2 + \epsilon}`.

    The gradient flows through the standardisation to ``weight``, which is
    what the optimiser updates.

    Examples
    --------
    >>> import torch
    >>> from vgp.nets import StandardisedLinear
    >>> layer = StandardisedLinear(50, 3)
    >>> w = layer.standardised_weight()
    >>> bool(w.mean(1).abs().max() < 1e-6), f"{w.var(1, unbiased=False).mean().item():.2f}"
    (True, '1.00')
    """

    eps: float = 1e-5

    def standardised_weight(self) -> Tensor:
        var, mean = torch.var_mean(self.weight, dim=1, keepdim=True, unbiased=False)
        return (self.weight - mean) * torch.rsqrt(var + self.eps)

    def forward(self, x: Tensor) -> Tensor:
        return nn.functional.linear(x, self.standardised_weight(), self.bias)


def resnet(
    blocks: int,
    width: int,
    *,
    fix: str | None = None,
    activation: str = "relu",
    groups: int = 8,
    in_features: int = 2,
    out_features: int = 1,
    seed: int = 0,
) -> nn.Sequential:
    """A residual MLP: a linear stem, ``blocks`` residual blocks, a linear output.

    Block ``i`` computes ``h + F_i(h)`` with the two-layer branch
    ``F(h) = W2 phi(W1 h + b1) + b2`` (the shape of a ResNet block and of a
    transformer's feed-forward block: the branch ends in a linear layer, the
    stream has no activation). Every weight is drawn with He's normal init
    (``N(0, 2 / fan_in)``), every bias is zero. ``fix`` says what keeps the
    stream from growing block after block:

    - ``None``: nothing; the stream's variance grows by a constant factor per
      block, exponentially with depth.
    - ``"batch"``: batch norm (``torch.nn.BatchNorm1d``, which computes what
      :class:`BatchNorm` does, faster) after each of the branch's linear layers
      (the ResNet recipe, He et al. 2016).
    - ``"group"``: weight standardisation (:class:`StandardisedLinear`) with
      ``torch.nn.GroupNorm`` of ``groups`` groups after each of the branch's
      linear layers (Qiao et al. 2019; Wu and He 2018): no batch statistics.
    - ``"fixup"``: Fixup (Zhang, Dauphin and Ma 2019): ``W1`` scaled by
      ``blocks ** -1/2`` (their ``L^{-1/(2m-2)}`` with ``m = 2`` layers per
      branch), ``W2`` and the output layer zero, a scalar multiplier
      (:class:`Scale`, 1) at the end of each branch and a scalar bias
      (:class:`Shift`, 0) before each linear layer and activation, in place of
      the per-unit biases inside the branch.
    - ``"rezero"``: a learnable scalar (:class:`Scale`) set to 0 multiplies each
      branch, ``h + alpha F(h)`` (ReZero, Bachlechner et al. 2021; SkipInit, De
      and Smith 2020, is the same multiplier at the end of the branch).

    The weights are drawn with ``torch.manual_seed(seed)`` inside a forked random
    state; nets with the same seed share their weight draws (before Fixup's
    rescaling), whatever ``fix``.

    Parameters
    ----------
    blocks
        Number of residual blocks.
    width
        Units of the stream and of each branch's hidden layer.
    fix
        ``None`` or one of :data:`FIXES`.
    activation
        One of :data:`vgp.ACTIVATIONS`, inside each branch.
    groups
        Groups of ``torch.nn.GroupNorm`` when ``fix="group"``; must divide ``width``.
    in_features, out_features
        Widths of the input and of the output (1 for binary classification).
    seed
        Seed of the initial weights.

    Examples
    --------
    >>> import vgp
    >>> net = vgp.resnet(blocks=2, width=4, fix="rezero")
    >>> print(net.block1)
    Residual(
      (block): Sequential(
        (fc1): Linear(in_features=4, out_features=4, bias=True)
        (act): ReLU()
        (fc2): Linear(in_features=4, out_features=4, bias=True)
        (scale): Scale(alpha=0)
      )
    )
    >>> [name for name, _ in vgp.probe.weight_layers(net)]
    ['stem', 'block1.block.fc1', 'block1.block.fc2', 'block2.block.fc1', 'block2.block.fc2', 'out']
    >>> vgp.resnet(2, 4, fix="layer")
    Traceback (most recent call last):
    ...
    ValueError: unknown fix 'layer'; choose one of: batch, group, fixup, rezero
    """
    blocks = check_int("blocks", blocks)
    width = check_int("width", width)
    in_features = check_int("in_features", in_features)
    out_features = check_int("out_features", out_features)
    groups = check_int("groups", groups)
    check_int("seed", seed, minimum=0)
    check_choice("activation", activation, ACTIVATIONS)
    if fix is not None:
        check_choice("fix", fix, FIXES)
    if fix == "group" and width % groups:
        raise ValueError(f"groups must divide width; got groups={groups} for width={width}")

    linear = StandardisedLinear if fix == "group" else nn.Linear

    def norm() -> nn.Module:
        return nn.BatchNorm1d(width) if fix == "batch" else nn.GroupNorm(groups, width)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: OrderedDict[str, nn.Module] = OrderedDict(stem=nn.Linear(in_features, width))
        for i in range(1, blocks + 1):
            parts: list[tuple[str, nn.Module]] = [
                ("fc1", linear(width, width, bias=fix != "fixup")),
                ("act", make_activation(activation)),
                ("fc2", linear(width, width, bias=fix != "fixup")),
            ]
            if fix in ("batch", "group"):
                parts.insert(1, ("norm1", norm()))
                parts.append(("norm2", norm()))
            elif fix == "fixup":
                parts = [("shift1", Shift()), parts[0], ("shift2", Shift()), parts[1],
                         ("shift3", Shift()), parts[2], ("scale", Scale(1.0)), ("shift4", Shift())]
            elif fix == "rezero":
                parts.append(("scale", Scale(0.0)))
            layers[f"block{i}"] = Residual(nn.Sequential(OrderedDict(parts)))
        layers["out"] = nn.Linear(width, out_features)
        model = nn.Sequential(layers)
        torch.manual_seed(seed)  # the same draws whatever the layers consumed when built
        initialise(model, "he_normal")
    if fix == "fixup":
        with torch.no_grad():
            for i in range(1, blocks + 1):
                branch = model.get_submodule(f"block{i}.block")
                branch.fc1.weight.mul_(blocks ** -0.5)
                branch.fc2.weight.zero_()
            model.out.weight.zero_()
    return model


KINDS: tuple[str, ...] = ("rnn", "lstm", "gru")
"""The values :func:`rnn` accepts for ``kind``."""

RNN_INITS: tuple[str, ...] = ("default", "normal", "orthogonal", "identity")
"""The values :func:`rnn` accepts for ``init``: PyTorch's own, or the recurrent
weights drawn from ``N(0, gain^2 / hidden)``, as ``gain`` times a random
orthogonal matrix, or as ``gain`` times the identity (Le et al. 2015)."""

_RNN_ACTIVATIONS = {"rnn": ("tanh", "relu"), "lstm": ("tanh",), "gru": ("tanh",)}
_GATES = {"rnn": 1, "lstm": 4, "gru": 3}
# the gate whose bias ``forget_bias`` shifts: PyTorch orders the LSTM's gates
# (input, forget, cell, output) and the GRU's (reset, update, new)
_KEEP_GATE = {"lstm": 1, "gru": 1}


class Recurrent(nn.Module):
    """A recurrent layer (``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``) read out at its
    last step by a linear layer: ``(batch, time, features) -> (batch, out)``.

    Examples
    --------
    >>> import torch
    >>> from vgp.nets import Recurrent
    >>> net = Recurrent(torch.nn.GRU(2, 8, batch_first=True), torch.nn.Linear(8, 3))
    >>> net(torch.zeros(5, 7, 2)).shape
    torch.Size([5, 3])
    """

    def __init__(self, cell: nn.RNNBase, out: nn.Linear) -> None:
        super().__init__()
        if not cell.batch_first:
            raise ValueError("Recurrent needs a batch_first recurrent layer")
        self.cell = cell
        self.out = out

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[-1] != self.cell.input_size:
            raise ValueError(
                f"a recurrent net expects input of shape (batch, time, {self.cell.input_size}), "
                f"got {tuple(x.shape)}"
            )
        states, _ = self.cell(x)
        return self.out(states[:, -1])


def rnn(
    kind: str,
    hidden: int,
    *,
    layers: int = 1,
    activation: str = "tanh",
    init: str = "default",
    forget_bias: float = 0.0,
    in_features: int = 1,
    out_features: int = 1,
    seed: int = 0,
    gain: float | None = None,
) -> Recurrent:
    r"""A recurrent net: ``layers`` stacked ``kind`` layers of ``hidden`` units,
    read out from the last step by a linear layer.

    ``kind="rnn"`` is :math:`h_t = \phi(W h_{t-1} + U x_t + b)` with ``phi``
    tanh or ReLU (``torch.nn.RNN``); ``"lstm"`` and ``"gru"`` are
    ``torch.nn.LSTM`` and ``torch.nn.GRU``. The input is ``(batch, time,
    in_features)``, the output ``(batch, out_features)``: logits from the last
    hidden state. Weights are drawn inside a forked random state seeded with
    ``seed``, as :func:`mlp` does.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    hidden
        Units per recurrent layer.
    layers
        Stacked recurrent layers.
    activation
        ``"tanh"`` or ``"relu"`` for ``kind="rnn"``; LSTM and GRU take only ``"tanh"``.
    init
        One of :data:`RNN_INITS`. ``"default"`` keeps PyTorch's own draw of every
        weight and bias, ``U(-1/sqrt(hidden), 1/sqrt(hidden))``. The others set
        the recurrent weights (each gate's block of ``weight_hh``) to
        ``N(0, gain^2 / hidden)`` (``"normal"``), ``gain`` times a random
        orthogonal matrix (``"orthogonal"``) or ``gain`` times the identity
        (``"identity"``, for ``kind="rnn"`` only: the IRNN of Le et al. 2015), set
        every bias to zero and keep PyTorch's draw of the input weights.
    forget_bias
        Added to the bias of the gate that keeps the old state: the forget gate
        of an LSTM, the update gate of a GRU (0 for an RNN, which has none). With
        ``init="default"`` it shifts PyTorch's random bias; otherwise the bias is
        exactly ``forget_bias``.
    in_features, out_features
        Features per input step; outputs (1 for binary classification).
    seed
        Seed of the initial weights.
    gain
        Scale of the recurrent weights for ``"normal"``, ``"orthogonal"`` and
        ``"identity"`` (default 1); ``"default"`` takes none.

    Examples
    --------
    >>> import torch, vgp
    >>> net = vgp.rnn("lstm", 32, forget_bias=1.0)
    >>> net
    Recurrent(
      (cell): LSTM(1, 32, batch_first=True)
      (out): Linear(in_features=32, out_features=1, bias=True)
    )
    >>> net(torch.zeros(4, 50, 1)).shape
    torch.Size([4, 1])
    >>> irnn = vgp.rnn("rnn", 8, activation="relu", init="identity")
    >>> torch.equal(irnn.cell.weight_hh_l0, torch.eye(8))
    True
    >>> vgp.rnn("lstm", 8, activation="relu")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'relu'; choose one of: tanh
    """
    check_choice("kind", kind, KINDS)
    hidden = check_int("hidden", hidden)
    layers = check_int("layers", layers)
    check_choice("activation", activation, _RNN_ACTIVATIONS[kind])
    check_choice("init", init, RNN_INITS)
    forget_bias = check_number("forget_bias", forget_bias)
    in_features = check_int("in_features", in_features)
    out_features = check_int("out_features", out_features)
    check_int("seed", seed, minimum=0)
    if gain is not None:
        check_number("gain", gain, minimum=0.0, strict=True)
        if init == "default":
            raise ValueError(f"init 'default' has a fixed scale and takes no gain; got gain={gain}")
    if init == "identity" and kind != "rnn":
        raise ValueError(f"init 'identity' is for kind 'rnn' (Le et al. 2015); got kind {kind!r}")
    if forget_bias != 0.0 and kind == "rnn":
        raise ValueError(
            f"forget_bias is for kind 'lstm' or 'gru' (an RNN has no gate); got {forget_bias}"
        )

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        options = {"nonlinearity": activation} if kind == "rnn" else {}
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
        cell = layer(in_features, hidden, num_layers=layers, batch_first=True, **options)
        out = nn.Linear(hidden, out_features)
        if init != "default":
            _init_recurrent(cell, kind, init, 1.0 if gain is None else gain)
        if forget_bias:
            gate = _KEEP_GATE[kind]
            with torch.no_grad():
                for i in range(layers):
                    getattr(cell, f"bias_ih_l{i}")[gate * hidden : (gate + 1) * hidden] += forget_bias
    return Recurrent(cell, out)


@torch.no_grad()
def _init_recurrent(cell: nn.RNNBase, kind: str, init: str, gain: float) -> None:
    hidden = cell.hidden_size
    for i in range(cell.num_layers):
        for name in (f"bias_ih_l{i}", f"bias_hh_l{i}"):
            getattr(cell, name).zero_()
        weight = getattr(cell, f"weight_hh_l{i}")
        for g in range(_GATES[kind]):
            block = weight[g * hidden : (g + 1) * hidden]
            if init == "normal":
                block.normal_(0.0, gain / hidden**0.5)
            elif init == "orthogonal":
                nn.init.orthogonal_(block, gain=gain)
            else:
                block.copy_(gain * torch.eye(hidden))


class Transformer(nn.Module):
    """A transformer encoder that classifies sequences: built by :func:`transformer`.

    ``(batch, time, in_features)`` -> ``embed`` (a linear map to ``d_model``)
    -> the encoder ``layers`` -> ``norm`` (a final layer norm, pre-norm only;
    the identity for post-norm, whose every layer already ends with one) ->
    the mean over time -> ``out`` (a linear map to ``out_features`` logits).

    Examples
    --------
    >>> import vgp
    >>> net = vgp.transformer(depth=3, d_model=8, heads=2, norm_first=False)
    >>> type(net).__name__, [name for name, _ in net.named_children()]
    ('Transformer', ['embed', 'layers', 'norm', 'out'])
    """

    def __init__(self, embed: nn.Linear, layers: list[nn.TransformerEncoderLayer],
                 norm: nn.Module, out: nn.Linear) -> None:
        super().__init__()
        self.embed = embed
        self.layers = nn.ModuleList(layers)
        self.norm = norm
        self.out = out

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[2] != self.embed.in_features:
            raise ValueError(
                f"the transformer expects input of shape (batch, time, {self.embed.in_features}), "
                f"got {tuple(x.shape)}"
            )
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h)
        return self.out(self.norm(h).mean(dim=1))


def transformer(
    depth: int,
    d_model: int,
    *,
    heads: int,
    norm_first: bool,
    seed: int = 0,
    in_features: int = 1,
    out_features: int = 1,
    ff_width: int | None = None,
) -> Transformer:
    """A small transformer encoder, post-norm or pre-norm, that classifies sequences.

    ``depth`` blocks of ``torch.nn.TransformerEncoderLayer`` (self-attention
    with ``heads`` heads, then a ReLU feed-forward net of ``ff_width`` units,
    default ``4 * d_model``, each with a residual connection; no dropout),
    between a linear embedding of the input and a linear read-out of the mean
    over time. With ``norm_first=False`` each block normalises after adding the
    residual, ``x <- LN(x + F(x))``, as in Vaswani et al. (2017): post-norm.
    With ``norm_first=True`` it normalises the branch's input, ``x <- x +
    F(LN(x))``, and a final layer norm precedes the read-out: pre-norm (Xiong
    et al. 2020). Weights are PyTorch's default initialisation, drawn with
    ``torch.manual_seed(seed)`` inside a forked random state.

    Parameters
    ----------
    depth
        Number of encoder blocks.
    d_model
        Width of the residual stream; a multiple of ``heads``.
    heads
        Attention heads per block.
    norm_first
        ``False`` for post-norm, ``True`` for pre-norm.
    seed
        Seed of the initial weights.
    in_features, out_features
        Features per time step of the input; logits of the output.
    ff_width
        Hidden units of each block's feed-forward net (default ``4 * d_model``).

    Examples
    --------
    >>> import torch, vgp
    >>> net = vgp.transformer(depth=2, d_model=8, heads=2, norm_first=True, in_features=3)
    >>> net(torch.randn(5, 7, 3)).shape     # 5 sequences of 7 steps -> 5 logits
    torch.Size([5, 1])
    >>> len(net.layers), net.layers[0].norm_first, type(net.norm).__name__
    (2, True, 'LayerNorm')
    >>> vgp.transformer(depth=2, d_model=10, heads=4, norm_first=False)
    Traceback (most recent call last):
    ...
    ValueError: d_model must be a multiple of heads: got d_model=10, heads=4
    """
    depth = check_int("depth", depth)
    d_model = check_int("d_model", d_model)
    heads = check_int("heads", heads)
    check_int("seed", seed, minimum=0)
    in_features = check_int("in_features", in_features)
    out_features = check_int("out_features", out_features)
    ff_width = 4 * d_model if ff_width is None else check_int("ff_width", ff_width)
    if not isinstance(norm_first, bool):
        raise TypeError(f"norm_first must be True or False, got {norm_first!r}")
    if d_model % heads:
        raise ValueError(f"d_model must be a multiple of heads: got d_model={d_model}, heads={heads}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        embed = nn.Linear(in_features, d_model)
        layers = [
            nn.TransformerEncoderLayer(d_model, heads, ff_width, dropout=0.0,
                                       batch_first=True, norm_first=norm_first)
            for _ in range(depth)
        ]
        norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        out = nn.Linear(d_model, out_features)
    return Transformer(embed, layers, norm, out)
