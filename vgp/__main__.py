"""The command line: ``python -m vgp`` (or ``vgp``) with three commands.

- ``diagnose``: build a net with :func:`vgp.mlp`, probe one backward pass on a
  dataset, print the per-layer table and the verdict of :func:`vgp.diagnose`;
- ``figures OUTDIR``: write every figure of the site as ``OUTDIR/<name>.svg``;
- ``experiments``: list the named experiments, or run some of them with timings.

Bad options give a one-line error on standard error and exit status 2; an error
while running a command (a file that cannot be written) gives exit status 1.
Never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from vgp import __version__

DATASETS: tuple[str, ...] = ("circles", "moons", "digits")
"""The datasets ``vgp diagnose --dataset`` accepts."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors fit on one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _count(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}, got {value}")
        return value

    return parse


def progress(done: int, total: int, label: str, stream: TextIO, width: int = 24) -> None:
    """Draw a text progress bar on ``stream``: redrawn in place on a terminal,
    one line per step otherwise (a log file stays readable).

    Examples
    --------
    >>> import io
    >>> from vgp.__main__ import progress
    >>> log = io.StringIO()
    >>> progress(1, 4, "home-gradients", log, width=8)
    >>> log.getvalue()
    '[##------]  1/4 home-gradients\\n'
    """
    filled = width * done // total
    digits = len(str(total))
    bar = f"[{'#' * filled}{'-' * (width - filled)}] {done:>{digits}}/{total} {label}"
    if stream.isatty():
        end = "\n" if done == total else ""
        stream.write(f"\r\x1b[K{bar}{end}")
    else:
        stream.write(bar + "\n")
    stream.flush()


def _diagnose(args: argparse.Namespace) -> int:
    import vgp

    data = getattr(vgp.datasets, args.dataset)(args.seed)
    net = vgp.mlp(
        args.depth,
        args.width,
        activation=args.activation,
        init=args.init,
        norm=args.norm,
        residual=args.residual,
        in_features=data.n_features,
        out_features=data.out_features,
        seed=args.seed,
    )
    parts = [f"{args.depth} hidden layers of {args.width} units", args.activation]
    parts.append(f"{args.init} init")
    if args.norm:
        parts.append(f"{args.norm} norm")
    if args.residual:
        parts.append("residual")
    print(f"net:  {', '.join(parts)} (seed {args.seed})")
    print(f"data: one forward and backward pass on {len(data.X_train)} {args.dataset} samples\n")
    print(vgp.diagnose(net, data.X_train, data.y_train))
    return 0


def _figures(args: argparse.Namespace) -> int:
    import torch

    from vgp.figures import FIGURES, render

    names = args.only or list(FIGURES)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure {unknown[0]!r}; choose from: {', '.join(FIGURES)}")
    if args.outdir.exists() and not args.outdir.is_dir():
        raise ValueError(f"OUTDIR {str(args.outdir)!r} exists and is not a folder")
    torch.set_num_threads(1)
    args.outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for i, name in enumerate(names, 1):
        (args.outdir / f"{name}.svg").write_bytes(render(name))
        progress(i, len(names), name, sys.stderr)
    elapsed = time.perf_counter() - start
    print(f"wrote {_plural(len(names), 'figure')} to {args.outdir} in {elapsed:.1f} s")
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _summary(fn: Callable, width: int) -> str:
    """The first paragraph of ``fn``'s docstring, on one line of at most ``width``."""
    paragraph = (fn.__doc__ or "").strip().split("\n\n", 1)[0]
    return textwrap.shorten(paragraph.replace("``", ""), width=max(width, 20), placeholder=" ...")


def _experiments(args: argparse.Namespace) -> int:
    import torch

    from vgp.experiments import load_all

    experiments = load_all()
    if not args.names and not args.all:
        width = max(map(len, experiments), default=0)
        for name, fn in experiments.items():
            print(f"{name:<{width}}  {_summary(fn, 98 - width)}")
        print(
            f"\n{_plural(len(experiments), 'experiment')}; run some with "
            "'vgp experiments NAME ...' (an experiment or a chapter), all with --all"
        )
        return 0
    chosen = list(experiments) if args.all else []
    for name in args.names:
        matches = [e for e in experiments if e == name or e.split(".", 1)[0] == name]
        if not matches:
            raise ValueError(
                f"unknown experiment {name!r}; choose an experiment or a chapter from: "
                f"{', '.join(experiments)}"
            )
        chosen += [e for e in matches if e not in chosen]
    torch.set_num_threads(1)
    width = max(map(len, chosen))
    total = 0.0
    for name in chosen:
        start = time.perf_counter()
        result = experiments[name]()
        elapsed = time.perf_counter() - start
        total += elapsed
        print(f"{name:<{width}}  {elapsed:6.2f} s  {type(result).__name__}")
    print(f"{_plural(len(chosen), 'experiment')} in {total:.2f} s on one thread")
    return 0


def parser() -> argparse.ArgumentParser:
    """The parser of ``python -m vgp``, with one sub-parser per command.

    Examples
    --------
    >>> from vgp.__main__ import parser
    >>> args = parser().parse_args(["diagnose", "--activation", "tanh", "--depth", "20"])
    >>> args.activation, args.depth, args.width, args.init, args.norm, args.residual
    ('tanh', 20, 10, 'default', None, False)
    """
    from vgp.activations import ACTIVATIONS
    from vgp.init import SCHEMES
    from vgp.nets import NORMS

    root = _Parser(
        prog="vgp",
        description="See, measure and fix the vanishing-gradient problem.",
        epilog="Run 'vgp COMMAND --help' for the options of a command.",
    )
    root.add_argument("--version", action="version", version=f"vgp {__version__}")
    commands = root.add_subparsers(dest="command", metavar="COMMAND", required=True)

    diagnose = commands.add_parser(
        "diagnose",
        help="diagnose a deep net's gradients and activations: per-layer table and verdict",
        description=(
            "Build a fully-connected net with vgp.mlp, run one forward and backward "
            "pass on a dataset's training set, and print the per-layer table (true "
            "gradient norm dL/dW, weight norm, activation statistics, saturated and "
            "dead fractions) with the verdict of vgp.diagnose, which judges the "
            "gradient norms against the output layer's and the activation std "
            "against the first hidden layer's."
        ),
        epilog="Example: vgp diagnose --activation sigmoid --depth 20",
    )
    diagnose.add_argument(
        "--activation",
        choices=ACTIVATIONS,
        default="relu",
        metavar="NAME",
        help=f"one of: {', '.join(ACTIVATIONS)} (default: relu)",
    )
    diagnose.add_argument(
        "--depth", type=_count(1), default=11, metavar="N", help="hidden layers (default: 11)"
    )
    diagnose.add_argument(
        "--width", type=_count(1), default=10, metavar="N", help="units per layer (default: 10)"
    )
    diagnose.add_argument(
        "--init",
        choices=SCHEMES,
        default="default",
        metavar="SCHEME",
        help=f"weight initialisation, one of: {', '.join(SCHEMES)} (default: PyTorch's own)",
    )
    diagnose.add_argument(
        "--norm",
        choices=NORMS,
        default=None,
        help="normalise the pre-activations of every hidden layer (default: none)",
    )
    diagnose.add_argument(
        "--residual", action="store_true", help="identity skips around hidden layers 2 to N"
    )
    diagnose.add_argument(
        "--dataset",
        choices=DATASETS,
        default="circles",
        help="the data; its width sets the input and output layers (default: circles)",
    )
    diagnose.add_argument(
        "--seed",
        type=_count(0),
        default=0,
        metavar="N",
        help="seed of the weights and the data (default: 0)",
    )
    diagnose.set_defaults(run=_diagnose)

    figures = commands.add_parser(
        "figures",
        help="write every figure of the site as OUTDIR/<name>.svg",
        description=(
            "Draw the figures of the site, as the site build does, and write each "
            "as OUTDIR/<name>.svg, with a progress bar on standard error."
        ),
    )
    figures.add_argument("outdir", type=Path, metavar="OUTDIR", help="folder (created if needed)")
    figures.add_argument("--only", nargs="+", metavar="NAME", help="write only these figures")
    figures.set_defaults(run=_figures)

    experiments = commands.add_parser(
        "experiments",
        help="list the named experiments, or run some with timings",
        description=(
            "Without arguments, list the named experiments behind the site's figures. "
            "With names (an experiment such as problem.gradient_profile, or a chapter "
            "such as problem), run them on one thread and print how long each took."
        ),
    )
    experiments.add_argument("names", nargs="*", metavar="NAME", help="experiments or chapters")
    experiments.add_argument("--all", action="store_true", help="run every experiment")
    experiments.set_defaults(run=_experiments)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Examples
    --------
    >>> from vgp.__main__ import main
    >>> main(["diagnose", "--activation", "sigmoid", "--depth", "3", "--width", "4"])
    net:  3 hidden layers of 4 units, sigmoid, default init (seed 0)
    data: one forward and backward pass on 670 circles samples
    <BLANKLINE>
    layer  grad_norm  weight_norm  update_ratio  act_mean  act_std  saturated  dead
    fc1     2.67e-05     1.09e+00      0.00e+00     0.487    0.094      0.000 0.000
    fc2     8.27e-04     1.21e+00      0.00e+00     0.485    0.113      0.000 0.000
    fc3     5.07e-03     1.25e+00      0.00e+00     0.505    0.138      0.000 0.000
    out     4.61e-02     4.93e-01      0.00e+00     0.164    0.001          -     -
    <BLANKLINE>
    loss 0.697
    verdict: vanishing: fc1 gradient norm 2.67e-05 is 5.79e-04 of the output layer's (< 1e-03)
    0
    >>> main(["diagnose", "--depth", "0"])   # the one-line error goes to standard error
    2
    """
    try:
        args = parser().parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    try:
        return args.run(args)
    except (ValueError, TypeError) as error:
        print(f"vgp {args.command}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"vgp {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"vgp {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
