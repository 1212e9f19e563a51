# ---
# jupyter:
#   allow_numbers:
#     - 64     # pixels of a digits image
#     - 6      # sigmoid convolutions the gradient passes through
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
# norm $\|\partial \mathcal{L} / \partial W\|$ read with autograd, the weights' norm, the
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

# %% alt="Gradient norm per layer of the sigmoid conv net, log scale: it rises by about a factor of ten per layer, from about 9e-7 at conv1 to about 1.5 at the output layer."
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
#
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
