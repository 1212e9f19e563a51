"""The command line, ``python -m vgp``: its commands, and its errors on bad options."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vgp
import vgp.figures
from vgp.__main__ import main
from vgp.experiments import load_all

ROOT = Path(__file__).resolve().parents[1]


def run(argv, capsys):
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def table_rows(out: str) -> dict[str, list[str]]:
    """The per-layer rows of a printed diagnosis, by layer name."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("layer "))
    rows = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        name, *cells = line.split()
        rows[name] = cells
    return rows


def test_diagnose_prints_the_true_gradient_of_every_layer(capsys):
    status, out, err = run(["diagnose", "--activation", "sigmoid", "--depth", "20"], capsys)
    assert status == 0 and err == ""
    rows = table_rows(out)
    data = vgp.datasets.circles()
    net = vgp.mlp(20, 10, activation="sigmoid")
    expected = vgp.gradient_norms(net, data.X_train, data.y_train)
    assert list(rows) == [f"fc{i}" for i in range(1, 21)] + ["out"]
    assert [cells[0] for cells in rows.values()] == [f"{g:.2e}" for g in expected]
    assert "verdict: vanishing" in out


@pytest.mark.parametrize(
    ("argv", "layers", "header"),
    [
        (
            ["--residual", "--depth", "3"],
            ["fc1", "block2.block.fc2", "block3.block.fc3", "out"],
            "residual",
        ),
        (
            ["--norm", "batch", "--depth", "2", "--activation", "tanh"],
            ["fc1", "fc2", "out"],
            "tanh, default init, batch norm",
        ),
        (
            ["--dataset", "digits", "--depth", "2", "--width", "16", "--init", "he_normal"],
            ["fc1", "fc2", "out"],
            "he_normal init",
        ),
    ],
)
def test_diagnose_options_reach_the_net(argv, layers, header, capsys):
    status, out, _ = run(["diagnose", *argv], capsys)
    assert status == 0
    assert list(table_rows(out)) == layers
    assert header in out.splitlines()[0]


def test_diagnose_on_digits_uses_its_width(capsys):
    _, out, _ = run(["diagnose", "--dataset", "digits", "--depth", "2"], capsys)
    assert "1203 digits samples" in out
    assert (
        table_rows(out)["fc1"][1]
        == f"{vgp.mlp(2, 10, in_features=64, out_features=10)[0].weight.norm():.2e}"
    )


def fake_figures():
    from vgp.figures import FigureSpec
    from vgp.plot import gradient_profile

    return {
        name: FigureSpec(name, lambda n=name: gradient_profile({n: [1e-3, 1.0]}, title=n))
        for name in ("first", "second", "third")
    }


def test_figures_writes_every_registered_figure_with_a_progress_bar(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(vgp.figures, "FIGURES", fake_figures())
    status, out, err = run(["figures", str(tmp_path / "out")], capsys)
    assert status == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["first.svg", "second.svg", "third.svg"]
    for path in (tmp_path / "out").iterdir():
        assert ET.parse(path).getroot().tag.endswith("svg")
    assert [line.split("] ")[1] for line in err.splitlines()] == [
        "1/3 first",
        "2/3 second",
        "3/3 third",
    ]
    assert "wrote 3 figures" in out


def test_figures_only_draws_the_site_figure_as_the_registry_does(tmp_path, capsys):
    status, _, _ = run(["figures", str(tmp_path), "--only", "home-gradients"], capsys)
    assert status == 0
    assert (tmp_path / "home-gradients.svg").read_bytes() == vgp.figures.render("home-gradients")


def test_experiments_lists_every_named_experiment(capsys):
    status, out, _ = run(["experiments"], capsys)
    assert status == 0
    listed = [line.split()[0] for line in out.splitlines()[: len(load_all())]]
    assert listed == list(load_all())


def test_experiments_runs_by_name_or_chapter_with_timings(capsys):
    status, out, _ = run(["experiments", "problem"], capsys)
    assert status == 0
    chapter = [name for name in load_all() if name.startswith("problem.")]
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:-1]] == chapter
    assert all(line.split()[2] == "s" and float(line.split()[1]) >= 0 for line in lines[:-1])
    assert lines[-1].startswith(f"{len(chapter)} experiment")


BAD = [
    ([], "required: COMMAND"),
    (["nonsense"], "invalid choice: 'nonsense'"),
    (["diagnose", "--activation", "sigmod"], "invalid choice: 'sigmod'"),
    (["diagnose", "--depth", "0"], "must be an integer >= 1, got 0"),
    (["diagnose", "--width", "ten"], "expected an integer, got 'ten'"),
    (["diagnose", "--init", "kaiming"], "invalid choice: 'kaiming'"),
    (["diagnose", "--norm", "group"], "invalid choice: 'group'"),
    (["diagnose", "--seed", "-1"], "must be an integer >= 0, got -1"),
    (["diagnose", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["figures"], "required: OUTDIR"),
    (["figures", "out", "--only", "no-such-figure"], "unknown figure 'no-such-figure'"),
    (["experiments", "no.such"], "unknown experiment 'no.such'"),
]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) or "none" for a, _ in BAD])
def test_bad_options_give_one_line_and_status_2(argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and message in err and err.startswith("vgp")


def test_outdir_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "taken").write_text("")
    status, _, err = run(["figures", str(tmp_path / "taken")], capsys)
    assert status == 2 and "is not a folder" in err


def test_outdir_that_cannot_be_made_fails_with_status_1(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    status, _, err = run(["figures", str(tmp_path / "file" / "sub")], capsys)
    assert status == 1 and len(err.splitlines()) == 1 and "Traceback" not in err


def test_help_and_version(capsys):
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    for command in ("diagnose", "figures", "experiments"):
        assert command in out
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and out.strip() == f"vgp {vgp.__version__}"


@pytest.mark.parametrize("command", ["diagnose", "figures", "experiments"])
def test_every_command_has_help(command, capsys):
    status, out, _ = run([command, "--help"], capsys)
    assert status == 0 and f"usage: vgp {command}" in out


def test_a_real_process_exits_2_without_traceback():
    """The one test in a real ``python -m vgp`` process (the others call ``main``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "vgp", "diagnose", "--activation", "sigmod", "--depth", "20"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("vgp diagnose: error:") or result.stderr.startswith("vgp")
