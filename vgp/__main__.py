"""The command line: ``python -m vgp`` (or ``vgp``) with three commands.

- ``diagnose``: build a net with :func:`vgp.mlp`, or take the reader's own
  (``vgp diagnose my_package.models:build_model --input-shape 64 20``), probe
  one backward pass, print the per-layer table and the verdict of
  :func:`vgp.diagnose`;
- ``figures OUTDIR``: write every figure of the site as ``OUTDIR/<name>.svg``;
- ``experiments``: list the named experiments, or run some of them with timings.

Bad options give a one-line error on standard error and exit status 2; an error
while running a command (a file that cannot be written, an exception raised in
the reader's own model code) gives exit status 1. Never a traceback.

The reader's model
------------------
``vgp diagnose MODULE:CALLABLE`` imports ``MODULE`` (from the current folder
first, then ``sys.path``) and takes ``CALLABLE`` from it (a dotted path such as
``Net.small`` works): a function or class is called with no arguments and must
return a ``torch.nn.Module``; an ``nn.Module`` instance is used as it is.
``torch.manual_seed(--seed)`` runs just before the call (after the import), so
a model built there is the same from run to run. The data is one of:

- ``--input-shape N D ...``: the shape of one standard-normal batch ``X``, batch
  dimension included, in the model's dtype and on its device. The targets are
  standard-normal too, of the output's shape, and the loss is the mean squared
  error ``mean((output - y)**2)``: a random error signal of unit size at the
  output, so the table shows how the net itself scales it on the way back
  (vgp's default losses need labels, which random inputs do not have).
- ``--data MODULE:CALLABLE``: a callable returning ``(X, y)``, two tensors; the
  loss is :func:`vgp.losses.default_loss`, as for the built-in nets.
- ``--dataset NAME``: the training split of a built-in dataset, as above.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap
import time
import traceback
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


BUILT_IN: dict[str, object] = {
    "activation": "relu",
    "depth": 11,
    "width": 10,
    "init": "default",
    "norm": None,
    "residual": False,
}
"""The options that shape the built-in net, with their defaults (not for MODEL)."""


class _ReaderCodeError(RuntimeError):
    """An exception raised inside the reader's own module: exit status 1, one line."""


def _where(error: BaseException) -> str:
    """``file:line`` of the innermost frame of ``error``'s traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    return f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""


def _load(argument: str, spec: str) -> object:
    """The object that ``spec``, written ``module:attribute``, names."""
    module_name, colon, attribute = spec.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(
            f"{argument} must be written module:callable (such as my_package.models:build_model), "
            f"got {spec!r}"
        )
    folder = os.getcwd()
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)  # what `python -m` does; the `vgp` script does not
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise ValueError(
                f"{argument} {spec!r}: no module named {error.name!r} (looked in {folder} and "
                "sys.path)"
            ) from None
        raise _ReaderCodeError(
            f"{argument} {spec!r}: importing {module_name!r} raised {error!r}{_where(error)}"
        ) from None
    except Exception as error:
        raise _ReaderCodeError(
            f"{argument} {spec!r}: importing {module_name!r} raised {error!r}{_where(error)}"
        ) from None
    finally:
        if added:
            sys.path.remove(folder)
    value = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise ValueError(
                f"{argument} {spec!r}: {module_name!r} has no attribute {attribute!r}"
            )
        value = getattr(value, part)
    return value


def _call(argument: str, spec: str, fn: object, seed: int) -> object:
    """``fn()`` after ``torch.manual_seed(seed)``, an exception in it reported as
    the reader's own."""
    import torch

    if not callable(fn):
        raise ValueError(
            f"{argument} {spec!r} must name a callable, got {type(fn).__name__} {fn!r:.60}"
        )
    torch.manual_seed(seed)
    try:
        return fn()
    except Exception as error:
        raise _ReaderCodeError(
            f"{argument} {spec!r}: calling it raised {error!r}{_where(error)}"
        ) from None


def _reader_model(spec: str, seed: int):
    """The ``nn.Module`` that MODEL names (called if it is not a module itself)."""
    from torch import nn

    found = _load("MODEL", spec)
    model = found if isinstance(found, nn.Module) else _call("MODEL", spec, found, seed)
    if not isinstance(model, nn.Module):
        raise ValueError(
            f"MODEL {spec!r} must return a torch.nn.Module, got {type(model).__name__}"
        )
    return model


def _reader_data(spec: str, seed: int):
    """``(X, y)`` from the callable that ``--data`` names."""
    from torch import Tensor

    data = _call("--data", spec, _load("--data", spec), seed)
    if not (
        isinstance(data, tuple | list)
        and len(data) == 2
        and all(isinstance(t, Tensor) for t in data)
    ):
        what = type(data).__name__
        if isinstance(data, tuple | list):
            what += " of " + ", ".join(type(t).__name__ for t in data)
        raise ValueError(f"--data {spec!r} must return (X, y), two torch.Tensors; got {what}")
    return data


def _output(model, X, option: str):
    """The model's output on ``X``; a forward pass that fails blames ``option``."""
    import torch

    try:
        with torch.no_grad():
            out = model(X)
    except Exception as error:
        raise ValueError(
            f"{option} does not fit MODEL: its forward pass on X of shape {tuple(X.shape)} "
            f"raised {type(error).__name__}: {_first_line(error)}"
        ) from None
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        raise ValueError(
            "MODEL must return one floating-point tensor from its forward pass, got "
            f"{type(out).__name__} (on X of shape {tuple(X.shape)} from {option})"
        )
    return out


def _synthetic(model, shape: list[int], seed: int):
    """A standard-normal batch of ``shape`` in the model's dtype and on its device,
    and standard-normal targets of the shape of the model's output on it."""
    import torch

    params = [p for p in model.parameters() if p.is_floating_point()]
    dtype = params[0].dtype if params else torch.get_default_dtype()
    device = params[0].device if params else torch.device("cpu")
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(shape, generator=generator, dtype=torch.float64).to(dtype).to(device)
    out = _output(model, X, f"--input-shape {' '.join(map(str, shape))}")
    y = torch.randn(tuple(out.shape), generator=generator, dtype=torch.float64)
    return X, y.to(out.dtype).to(out.device)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else repr(error)


def mean_squared_error(output, y):
    """``mean((output - y)**2)``: the loss of ``vgp diagnose MODEL --input-shape ...``.

    Examples
    --------
    >>> import torch
    >>> from vgp.__main__ import mean_squared_error
    >>> mean_squared_error(torch.tensor([1.0, 2.0]), torch.tensor([0.0, 0.0])).item()
    2.5
    """
    return ((output - y) ** 2).mean()


def _diagnose_reader(args: argparse.Namespace) -> int:

    import vgp

    model = _reader_model(args.model, args.seed)
    given = [n for n in ("input_shape", "data", "dataset") if getattr(args, n) is not None]
    if len(given) != 1:
        raise ValueError(
            "MODEL needs exactly one of --input-shape (standard-normal inputs), --data or "
            f"--dataset; got {', '.join('--' + n.replace('_', '-') for n in given) or 'none'}"
        )
    count = sum(p.numel() for p in model.parameters())
    loss = None
    if args.input_shape is not None:
        X, y = _synthetic(model, args.input_shape, args.seed)
        loss = mean_squared_error
        source = (
            f"a standard-normal batch of shape {tuple(X.shape)}, standard-normal targets, "
            "mean squared error"
        )
        option = f"--input-shape {' '.join(map(str, args.input_shape))}"
    elif args.data is not None:
        X, y = _reader_data(args.data, args.seed)
        option = f"--data {args.data}"
        source = f"X of shape {tuple(X.shape)} and y from {args.data}, vgp's default loss"
    else:
        data = getattr(vgp.datasets, args.dataset)(args.seed)
        X, y = data.X_train, data.y_train
        option = f"--dataset {args.dataset}"
        source = f"{len(X)} {args.dataset} samples, vgp's default loss"
    if loss is None:  # synthetic inputs already ran one
        _output(model, X, option)
    try:
        diagnosis = vgp.diagnose(model, X, y, loss=loss, params=args.params)
    except (ValueError, TypeError) as error:
        raise ValueError(f"vgp.diagnose refused MODEL {args.model} with {option}: {error}") from None
    except Exception as error:
        raise _ReaderCodeError(
            f"diagnosing MODEL {args.model} with {option} raised {error!r}{_where(error)}"
        ) from None
    print(f"model: {args.model} ({type(model).__name__}, {count:,} parameters; seed {args.seed})")
    print(f"data:  one forward and backward pass on {source}\n")
    print(diagnosis)
    return 0


def _diagnose(args: argparse.Namespace) -> int:
    import vgp

    if args.model is not None:
        stray = [f"--{name}" for name in BUILT_IN if getattr(args, name) is not None]
        if stray:
            raise ValueError(
                f"{', '.join(stray)} only shape{'s' if len(stray) == 1 else ''} the built-in net; "
                f"with MODEL ({args.model}) the model is yours: leave {'it' if len(stray) == 1 else 'them'} "
                "out"
            )
        return _diagnose_reader(args)
    for option in ("input_shape", "data"):
        if getattr(args, option) is not None:
            raise ValueError(
                f"--{option.replace('_', '-')} is for your own model: give MODEL "
                "(module:callable) too"
            )
    for name, default in BUILT_IN.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    data = getattr(vgp.datasets, args.dataset or "circles")(args.seed)
    args.dataset = data.name
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
    print(vgp.diagnose(net, data.X_train, data.y_train, params=args.params))
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
    >>> args.model, args.activation, args.depth, args.width   # None: the default, if no MODEL
    (None, 'tanh', 20, None)
    >>> args = parser().parse_args(["diagnose", "pkg.models:build", "--input-shape", "64", "8"])
    >>> args.model, args.input_shape
    ('pkg.models:build', [64, 8])
    """
    from vgp.activations import ACTIVATIONS
    from vgp.groups import PARAMS
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
            "Build a fully-connected net with vgp.mlp (or take yours: MODEL), run one "
            "forward and backward pass on a batch, and print the per-layer table (true "
            "gradient norm dL/dW, weight norm, activation statistics, saturated and "
            "dead fractions) with the verdict of vgp.diagnose, which judges the "
            "gradient norms against the output layer's and the activation std "
            "against the first hidden layer's."
        ),
        epilog=(
            "Examples: vgp diagnose --activation sigmoid --depth 20; "
            "vgp diagnose my_package.models:build_model --input-shape 64 20 "
            "(standard-normal inputs and targets, mean squared error); "
            "vgp diagnose my_package.models:build_model --data my_package.data:batch"
        ),
    )
    diagnose.add_argument(
        "model",
        nargs="?",
        metavar="MODEL",
        help=(
            "your own model, as module:callable: the callable (called with no arguments, "
            "just after torch.manual_seed(SEED)) returns a torch.nn.Module; the module is "
            "imported from the current folder or sys.path (default: a vgp.mlp net)"
        ),
    )
    diagnose.add_argument(
        "--input-shape",
        type=_count(1),
        nargs="+",
        metavar="N",
        help=(
            "with MODEL: the shape of a standard-normal input batch, batch dimension "
            "included (such as 64 20, or 32 100 1 for a sequence model)"
        ),
    )
    diagnose.add_argument(
        "--data",
        metavar="MODULE:CALLABLE",
        help=(
            "with MODEL: a callable returning (X, y), two tensors (called just after "
            "torch.manual_seed(SEED)); vgp's default loss"
        ),
    )
    diagnose.add_argument(
        "--activation",
        choices=ACTIVATIONS,
        metavar="NAME",
        help=f"one of: {', '.join(ACTIVATIONS)} (default: relu)",
    )
    diagnose.add_argument(
        "--depth", type=_count(1), metavar="N", help="hidden layers (default: 11)"
    )
    diagnose.add_argument(
        "--width", type=_count(1), metavar="N", help="units per layer (default: 10)"
    )
    diagnose.add_argument(
        "--init",
        choices=SCHEMES,
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
        "--residual",
        action="store_true",
        default=None,
        help="identity skips around hidden layers 2 to N",
    )
    diagnose.add_argument(
        "--dataset",
        choices=DATASETS,
        help=(
            "the data (its training split); for the built-in net its width sets the input "
            "and output layers (default: circles)"
        ),
    )
    diagnose.add_argument(
        "--seed",
        type=_count(0),
        default=0,
        metavar="N",
        help="seed of the weights and the data (default: 0)",
    )
    diagnose.add_argument(
        "--params",
        choices=PARAMS,
        default="auto",
        help=(
            "which parameters the table shows, as vgp.diagnose's params: weights (the "
            "weight matrix of every Linear and convolution), all (every parameter, grouped "
            "by the module that owns it), auto (weights for a net of Linear, convolution "
            "and norm layers, else all; the default)"
        ),
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
    except _ReaderCodeError as error:
        print(f"vgp {args.command}: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"vgp {args.command}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"vgp {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
