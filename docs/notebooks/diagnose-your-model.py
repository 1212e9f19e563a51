# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Diagnose your own model
#
# `vgp.Probe` and `vgp.diagnose` work on any `torch.nn.Module`, not only on the
# nets `vgp` builds. This notebook defines a small convolutional net the way you
# would define your own, finds out what is wrong with its gradients, applies one
# fix, and checks the fix twice: with a second diagnosis, and by training both
# nets.
#
# [Download this notebook](diagnose-your-model.ipynb) (or as a
# [Python script](diagnose-your-model.py)).
#
# ## A model of your own
#
# Six 3×3 convolutions of 8 channels with sigmoid activations, then a linear
# classifier, for the 8×8 digits of scikit-learn. `nn.Unflatten` turns each row of
# 64 pixels back into a one-channel image, so the model takes the dataset as it
# comes. Naming the layers makes the tables below easy to read.

# %%
# %matplotlib inline
from collections import OrderedDict

import torch
from torch import nn

import vgp

torch.set_num_threads(1)  # nets this small run fastest on one thread


def conv_net(depth=6, channels=8, batch_norm=False, activation=nn.Sigmoid, seed=0):
    """``depth`` convolutions, each followed (optionally) by batch norm and ``activation``."""
    torch.manual_seed(seed)
    layers = OrderedDict(image=nn.Unflatten(1, (1, 8, 8)))
    for i in range(1, depth + 1):
        layers[f"conv{i}"] = nn.Conv2d(1 if i == 1 else channels, channels, 3, padding=1)
        if batch_norm:
            layers[f"bn{i}"] = nn.BatchNorm2d(channels)
        layers[f"act{i}"] = activation()
    layers["flat"] = nn.Flatten()
    layers["out"] = nn.Linear(channels * 8 * 8, 10)
    return nn.Sequential(layers)


data = vgp.datasets.digits()
X, y = data.X_train[:256], data.y_train[:256]  # one batch: the first 256 training images
model = conv_net()
model

# %% [markdown]
# ## Probe one backward pass
#
# Inside a `with vgp.Probe(model)` block, every forward and backward pass is
# recorded per weight layer (every `nn.Linear` and convolution): the gradient
# norm $\|\partial L / \partial W\|$ read with autograd, the weights' norm, the
# mean and spread of the activations that follow the layer, and the share of them
# that are saturated (sigmoid's slope below a tenth of its maximum) or dead (zero
# slope for every input). The hooks are gone when the block ends.

# %%
loss_fn = nn.CrossEntropyLoss()
with vgp.Probe(model) as probe:
    loss = loss_fn(model(X), y)
    loss.backward()
print(probe)

# %% [markdown]
# The `grad_norm` column is the whole story: it falls by a factor of about ten
# per layer on the way down from `out` to `conv1`. A sigmoid multiplies the
# gradient that passes through it by $\sigma'(z) \le 1/4$, six times over, and
# small default weights shrink it further. Nothing is saturated (the `saturated`
# column is zero): the gradient vanishes even in sigmoid's good region, because
# its best slope is already a quarter.

# %% alt="Gradient norm per layer of the sigmoid conv net, log scale: it rises by about a factor of ten per layer, from about 1e-6 at conv1 to about 1 at the output layer."
vgp.plot.gradient_profile(
    {"sigmoid conv net": [s.grad_norm for s in probe.stats]},
    title="a small conv net, one backward pass",
)

# %% [markdown]
# ## The diagnosis
#
# `vgp.diagnose` runs the same probe on one batch (restoring the model's `.grad`
# afterwards), prints the same table, and turns it into a verdict. It calls the gradient
# *vanishing* when some layer's norm is below `VANISHING_RATIO` of the output
# layer's, or when some hidden layer's `act_std` is below `1 / SIGNAL_RATIO` of the
# first hidden layer's (both constants are in the module `vgp.diagnose`); the
# message gives the numbers behind the verdict.

# %%
diagnosis = vgp.diagnose(model, X, y)
print(diagnosis)

# %% [markdown]
# ## One fix: batch norm
#
# Which fix fits this diagnosis? The activations are not saturated and the units
# are not dead, so the problem is the size of each layer's factor in the chain
# rule. Batch norm after every convolution
# ([Ioffe and Szegedy 2015](../../bibliography/#ioffe2015)) rescales each
# channel's pre-activations to mean 0 and variance 1 on every batch, and its
# backward pass divides the gradient by the batch's standard deviation, so a
# layer whose inputs are small no longer passes on a small gradient. Same net,
# same seed, one keyword:

# %%
fixed = conv_net(batch_norm=True)
after = vgp.diagnose(fixed, X, y)
print(after)

# %% [markdown]
# Every layer's gradient is now of the same order, and the verdict is
# *healthy*. Side by side:

# %% alt="Gradient norm per layer before and after adding batch norm, log scale: without it the norms span six orders of magnitude; with it every convolution's gradient is between about 0.05 and 0.3, and the output layer's about 2."
vgp.plot.gradient_profile(
    {
        "sigmoid": [s.grad_norm for s in diagnosis.stats],
        "sigmoid + batch norm": [s.grad_norm for s in after.stats],
    },
    title="gradient norm per layer, before and after the fix",
)

# %% [markdown]
# ## Does the diagnosis predict training?
#
# A verdict read from one backward pass at initialisation is a prediction. Train
# both nets for two epochs, with the same optimiser, batches and seed, and check
# it. `vgp.train` takes any model and records the true per-layer gradient norms
# as it goes.

# %% alt="Training loss per epoch of the two conv nets, log scale: the sigmoid net stays at log 10, about 2.3; the net with batch norm falls below 1 in two epochs."
histories = {
    name: vgp.train(net, data, optimizer="adam", lr=0.005, epochs=2, batch_size=64, seed=0)
    for name, net in {"sigmoid": model, "sigmoid + batch norm": fixed}.items()
}
for name, h in histories.items():
    print(f"{name:22} test accuracy {h.test_accuracy[0]:.2f} -> {h.test_accuracy[-1]:.2f}")

vgp.plot.loss_curves(
    {name: h.train_loss for name, h in histories.items()},
    title="the two conv nets, Adam",
)

# %% [markdown]
# The diagnosis was right: the net it called vanishing stays at the loss of a
# guess, $\log 10 \approx 2.30$, and the net it called healthy learns.
#
# ## A fix can bring its own problem
#
# The popular fix is to swap sigmoid for ReLU. Diagnose before you train:

# %%
relu_net = conv_net(activation=nn.ReLU)
print(vgp.diagnose(relu_net, X, y))

# %% [markdown]
# The gradient no longer vanishes past the threshold, but the probe finds a
# different problem: in some layers at least half of the channels are *dead*,
# zero for every image, so their weights get no gradient at all. The
# [ReLU chapter](../../relu/) explains why, and the
# [cheat sheet](../../cheatsheet/) lists each verdict with its likely cause and
# fixes.

# %% [markdown]
# ## A recurrent model
#
# Nothing above depended on the model being convolutional. Here is an LSTM of
# your own: it reads a sequence of standard-normal numbers, one per step, and
# must say whether the *first* was positive, so the gradient has to travel back
# through every step. The forget gates' bias is a keyword, so we can break it on
# purpose (a strongly negative bias closes the gate that carries the cell state
# from step to step).

# %%
class Reader(nn.Module):
    """An LSTM read out at its last step."""

    def __init__(self, forget_bias=0.0, hidden=32, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        with torch.no_grad():  # PyTorch stacks the gates as (input, forget, cell, output)
            self.lstm.bias_ih_l0[hidden : 2 * hidden] += forget_bias

    def forward(self, x):
        return self.head(self.lstm(x)[0][:, -1])


torch.manual_seed(0)
sequences = torch.randn(64, 100, 1)  # 64 sequences of 100 steps
first_positive = (sequences[:, 0, 0] > 0).float()
broken = Reader(forget_bias=-3.0)
with vgp.Probe(broken) as lstm_probe:
    vgp.probe.default_loss(broken(sequences), first_positive).backward()
print(lstm_probe.params)
print(lstm_probe)

# %% [markdown]
# The probe switched to its `"all"` view: an LSTM's parameters are not the weight
# matrix of a `Linear` layer, so every parameter is reported, grouped by the
# module that owns it. `lstm.l0` is the LSTM's layer 0: its input and recurrent
# weights and its two biases, measured together. The activation columns show the
# LSTM's output sequence (the first of the tensors it returns).
#
# The per-layer gradients look harmless. The damage is along the time axis, and
# `vgp.diagnose` checks that too when the input has one: the norm of
# $\partial L / \partial x_t$ for every step $t$ (`vgp.time_gradients`), against
# the last step's.

# %% alt="Norm of the loss's gradient with respect to each input step of the LSTM, log scale, first step left, for the broken forget-gate bias and a positive one: with the broken bias the gradient falls steeply from the last step towards the first, and the line stops where it is exactly zero; with the positive bias it stays within the diagnosis threshold at every step."
from matplotlib.figure import Figure

for bias in (-3.0, 3.0):
    verdict = vgp.diagnose(Reader(forget_bias=bias), sequences, first_positive).findings[0]
    print(f"forget bias {bias:+.0f}: {verdict}")

through_time = {
    bias: vgp.time_gradients(Reader(forget_bias=bias), sequences, first_positive)
    for bias in (-3.0, 3.0)
}
print("steps whose gradient is exactly 0:", {bias: sum(g == 0 for g in grads) for bias, grads in through_time.items()})

fig = Figure(figsize=(6.4, 3.8), layout="constrained")
ax = fig.subplots()
for bias, grads in through_time.items():  # a zero has no logarithm: the line leaves a gap
    ax.semilogy([g if g > 0 else float("nan") for g in grads], label=f"forget bias {bias:+.0f}")
ax.set(xlabel="input step $t$", ylabel=r"$\|\partial L / \partial x_t\|$",
       title="gradient reaching each input step")
ax.legend()
fig

# %% [markdown]
# With the broken bias the earliest steps receive no gradient at all in float32
# (the count is printed above): whatever the first number was, the loss cannot
# tell the model. Opening the
# forget gate at initialisation (a positive bias) is the fix the diagnosis
# points to.
#
# ## A small transformer encoder
#
# The same call works on attention. The digits again, read as a sequence of
# their rows; a linear layer embeds each row, a post-norm transformer encoder
# (PyTorch's default) mixes them, and the first row's output is classified.

# %%
class RowTransformer(nn.Module):
    def __init__(self, layers=4, width=32, norm_first=False, seed=0):
        super().__init__()
        torch.manual_seed(seed)
        self.embed = nn.Linear(8, width)
        block = nn.TransformerEncoderLayer(
            width, 4, 2 * width, dropout=0.0, batch_first=True, norm_first=norm_first
        )
        self.encoder = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.out = nn.Linear(width, 10)

    def forward(self, x):
        rows = x.reshape(len(x), 8, 8)
        return self.out(self.encoder(self.embed(rows))[:, 0])


encoder = RowTransformer()
encoder_diagnosis = vgp.diagnose(encoder, X, y)
print(encoder_diagnosis)

# %% [markdown]
# Each encoder layer shows up as its attention's input projection
# (`self_attn`), its output projection (`self_attn.out_proj`, which attention
# calls as a function: its gradient is read from its parameters, its output is
# never seen, hence the `-`), the feed-forward pair and the two layer norms, in
# the order the forward pass runs them. `X` has no time axis here (the model
# splits each image into rows itself), so the diagnosis judges the parameter
# groups only, against `out`, the group nearest the output.

# %% [markdown]
# ## On your own model
#
# Three lines, for any model, inputs `X` and targets `y` (pass `loss=` if yours is
# not cross-entropy):
#
# ```python
# import vgp
#
# print(vgp.diagnose(model, X, y))
# ```
