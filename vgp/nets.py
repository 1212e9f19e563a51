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

    Its Jacobian is ``I + d block / dx``, so the gradient reaching ``x`` is never
    smaller than the identity would carry, however small the block's own is.

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
