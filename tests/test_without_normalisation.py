"""vgp.resnet and vgp.experiments.without_normalisation, checked against the
papers' recipes, hand-walked forward passes and the variance formulas."""

from __future__ import annotations

import math

import pytest
import torch

import vgp
from vgp.experiments import without_normalisation as nonorm
from vgp.nets import Scale, Shift, StandardisedLinear
from vgp.probe import default_loss


def test_every_fix_shares_the_weight_draws_and_fixup_rescales_them() -> None:
    plain = vgp.resnet(6, 8, seed=3)
    for fix in vgp.nets.FIXES:
        net = vgp.resnet(6, 8, fix=fix, seed=3)
        assert torch.equal(net.stem.weight, plain.stem.weight)
        for i in range(1, 7):
            mine, theirs = net.get_submodule(f"block{i}.block"), plain.get_submodule(f"block{i}.block")
            if fix == "fixup":
                # Zhang et al.: W1 times L^(-1/(2m-2)) with m = 2, W2 and the classifier zero
                assert torch.allclose(mine.fc1.weight, theirs.fc1.weight * 6 ** -0.5)
                assert not mine.fc2.weight.any() and mine.fc1.bias is None
                assert [type(m) for m in mine] == [Shift, torch.nn.Linear, Shift, torch.nn.ReLU,
                                                   Shift, torch.nn.Linear, Scale, Shift]
                assert mine.scale.alpha.item() == 1.0
            else:
                assert torch.equal(mine.fc1.weight, theirs.fc1.weight)
                assert torch.equal(mine.fc2.weight, theirs.fc2.weight)
        assert (not net.out.weight.any()) == (fix == "fixup")


def test_he_init_draws_variance_two_over_fan_in() -> None:
    net = vgp.resnet(4, 256, seed=0)
    w = torch.cat([net.get_submodule(f"block{i}.block.fc2").weight.flatten() for i in range(1, 5)])
    assert w.var().item() * 256 == pytest.approx(2.0, rel=0.02)
    assert not net.block1.block.fc1.bias.any()


def test_rezero_and_fixup_nets_start_as_the_identity_and_rezero_gates_every_branch() -> None:
    X = vgp.datasets.moons().X_train
    for fix in ("rezero", "fixup"):
        net = vgp.resnet(5, 8, fix=fix)
        expected = net.out(net.stem(X))
        assert torch.equal(net(X), expected)
    net = vgp.resnet(3, 8, fix="rezero")
    scales = [m for m in net.modules() if isinstance(m, Scale)]
    assert len(scales) == 3 and all(s.alpha.item() == 0.0 for s in scales)
    with torch.no_grad():
        for s in scales:
            s.alpha.fill_(0.5)
    h = net.stem(X)
    for i in range(1, 4):
        branch = net.get_submodule(f"block{i}.block")
        h = h + 0.5 * branch.fc2(torch.relu(branch.fc1(h)))
    assert torch.allclose(net(X), net.out(h))


def test_weight_standardisation_and_group_norm_by_hand() -> None:
    layer = StandardisedLinear(6, 3)
    x = torch.randn(4, 6)
    w = layer.weight
    w_hat = (w - w.mean(1, keepdim=True)) / torch.sqrt(w.var(1, unbiased=False, keepdim=True) + 1e-5)
    assert torch.allclose(layer(x), x @ w_hat.T + layer.bias, atol=1e-6)
    net = vgp.resnet(2, 8, fix="group", groups=2)
    norm = net.block1.block.norm1
    assert isinstance(norm, torch.nn.GroupNorm) and norm.num_groups == 2
    assert isinstance(net.block1.block.fc1, StandardisedLinear)


def test_stream_and_gradients_match_a_hand_walked_pass() -> None:
    result = nonorm.initial_profiles(blocks=4, width=8, fixes=(None, "rezero"))
    data = vgp.datasets.moons()
    for row, fix in enumerate((None, "rezero")):
        net = vgp.resnet(4, 8, fix=fix)
        h = net.stem(data.X_train)
        stds = [h.std().item()]
        for i in range(1, 5):
            h = net.get_submodule(f"block{i}")(h)
            stds.append(h.std().item())
        assert result.stream_std[row] == pytest.approx(stds, rel=1e-5)
        assert result.weight_grads[row] == pytest.approx(
            vgp.gradient_norms(net, data.X_train, data.y_train, params="weights"), rel=1e-5)
        assert result.loss[row] == pytest.approx(
            default_loss(net.out(h), data.y_train).item(), rel=1e-5)


def test_the_stream_follows_the_variance_formulas_on_a_wide_net() -> None:
    # no fix: q_l = 3 q_(l-1), the std grows by sqrt(3) per block;
    # batch norm after the branch's last layer: q_l = q_(l-1) + 1
    result = nonorm.initial_profiles(blocks=12, width=512, fixes=(None, "batch"))
    assert result.growth_per_block(None) == pytest.approx(math.sqrt(3), rel=0.03)
    stds = result.stream_std[result.row("batch")]
    assert stds[-1] ** 2 == pytest.approx(stds[0] ** 2 + 12, rel=0.05)


def test_training_run_starts_from_the_nets_loss_and_the_plain_net_turns_nan() -> None:
    data = vgp.datasets.moons()
    run = nonorm.training_run("fixup", blocks=4, width=8, steps=20, every=5)
    assert len(run.loss) == 5
    assert run.loss[0] == pytest.approx(math.log(2))  # a zero output layer: logits 0
    assert run.loss[-1] < run.loss[0]
    assert len(run.weight_grads) == 2 + 2 * 4 and all(g > 0 for g in run.weight_grads)
    plain = nonorm.training_run(None, blocks=30, width=16, steps=10, every=5)
    net = vgp.resnet(30, 16)
    with torch.no_grad():
        assert plain.loss[0] == pytest.approx(default_loss(net(data.X_train), data.y_train).item())
    assert math.isnan(plain.loss[-1])


def test_batch_norm_running_estimates_are_not_moved_by_the_loss_readings() -> None:
    # the readings run in training mode; the run's numbers must not depend on how often
    a = nonorm.training_run("batch", blocks=3, width=8, steps=20, every=5)
    b = nonorm.training_run("batch", blocks=3, width=8, steps=20, every=20)
    assert a.loss[-1] == b.loss[-1] and a.test_accuracy == b.test_accuracy


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: vgp.resnet(2, 8, fix="layer"), ValueError, "unknown fix 'layer'; choose one of"),
        (lambda: vgp.resnet(2, 8, fix=1), TypeError, "fix must be a string"),
        (lambda: vgp.resnet(0, 8), ValueError, "blocks must be an integer >= 1, got 0"),
        (lambda: vgp.resnet(2, 10, fix="group", groups=4), ValueError,
         "groups must divide width; got groups=4 for width=10"),
        (lambda: vgp.resnet(2, 8, activation="sigmod"), ValueError, "unknown activation"),
        (lambda: Scale(float("nan")), ValueError, "init must be a finite number"),
        (lambda: nonorm.training_run("fixupp"), ValueError, "unknown fix 'fixupp'"),
        (lambda: nonorm.training_run("rezero", lr=0), ValueError, "lr must be > 0.0"),
        (lambda: nonorm.initial_profiles(fixes=("batch", "none")), ValueError, "unknown fix 'none'"),
    ],
)
def test_bad_arguments_name_the_argument(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()
    assert nonorm.initial_profiles(blocks=2, width=4, fixes=("batch",)).row("batch") == 0
    with pytest.raises(ValueError, match="no row for fix=None"):
        nonorm.initial_profiles(blocks=2, width=4, fixes=("batch",)).row(None)


def test_at_initialisation_only_the_designed_parameters_receive_a_gradient() -> None:
    data = vgp.datasets.moons()
    moving = {}
    for fix in ("fixup", "rezero"):
        net = vgp.resnet(4, 8, fix=fix)
        default_loss(net(data.X_train), data.y_train).backward()
        moving[fix] = {n for n, p in net.named_parameters() if p.grad is not None and p.grad.any()}
    assert moving["fixup"] == {"out.weight", "out.bias"}
    alphas = {f"block{i}.block.scale.alpha" for i in range(1, 5)}
    assert moving["rezero"] == {"stem.weight", "stem.bias", "out.weight", "out.bias"} | alphas
