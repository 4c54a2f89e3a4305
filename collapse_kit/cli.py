"""The ``collapse-kit`` command: run one recursive-training experiment, or sweep real fractions and strategies.

Writes metrics (JSON and CSV) and PNG figures to an output folder and prints a short table. Bad input exits with
code 2 and a one-line message.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path

from ._checks import check_writable_dir
from .cache import atomic_write
from .loop import STRATEGIES
from .models import MODEL_KINDS, SAMPLE_MODES
from .profiles import PROFILES, profile_config


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {text!r}") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def _fractions(text: str) -> list[float]:
    values = [_fraction(part) for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"must be a comma list of numbers in [0, 1], got {text!r}")
    return values


def _strategies(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    for part in parts:
        if part not in STRATEGIES:
            raise argparse.ArgumentTypeError(f"must be a comma list of {', '.join(STRATEGIES)}, got {part!r}")
    if not parts:
        raise argparse.ArgumentTypeError(f"must be a comma list of {', '.join(STRATEGIES)}, got {text!r}")
    return parts


def _experiment_options(parser: argparse.ArgumentParser, sweep: bool) -> None:
    parser.add_argument("--profile", choices=tuple(PROFILES), default=None,
                        help="full (default; what the lessons run) or fast (a quick check); "
                             "default from $COLLAPSE_KIT_PROFILE")
    parser.add_argument("--generations", type=int, help="models trained in sequence, generation 0 included")
    parser.add_argument("--samples", type=int, dest="samples_per_generation", help="images per generation (N)")
    if not sweep:
        parser.add_argument("--real-fraction", type=_fraction, default=0.0,
                            help="share of each generation's set that is real MNIST, in [0, 1] (default 0)")
        parser.add_argument("--strategy", choices=STRATEGIES, default="replace")
    parser.add_argument("--sample-mode", choices=SAMPLE_MODES, help="synthetic images: decoder mean or 0/1 pixels")
    parser.add_argument("--temperature", type=float, help="scale of the prior's std when sampling (default 1)")
    parser.add_argument("--epochs", type=int, help="training epochs per generation")
    parser.add_argument("--model", choices=MODEL_KINDS, help="mlp (fast default) or conv (Shumailov et al.)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=Path("collapse-kit-output"), help="folder for results")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: $COLLAPSE_KIT_CACHE or ~/.cache")
    parser.add_argument("--no-cache", action="store_true", help="recompute everything, store nothing")
    parser.add_argument("--device", default="auto", help="auto (CUDA if present), cpu or cuda")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="collapse-kit", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="one experiment (default: fully synthetic loop, real_fraction 0)",
                              description="Train generation after generation on the previous one's samples.")
    _experiment_options(run, sweep=False)
    sweep = commands.add_parser("sweep", help="several real fractions and strategies, compared",
                                description="Run one experiment per (real fraction, strategy) and compare them.")
    sweep.add_argument("--real-fractions", type=_fractions, default=[0.0, 0.1, 0.5, 1.0],
                       help="comma list in [0, 1] (default 0,0.1,0.5,1)")
    sweep.add_argument("--strategies", type=_strategies, default=["replace"],
                       help="comma list of replace, accumulate (default replace)")
    _experiment_options(sweep, sweep=True)
    return parser


def _config(args, **fixed):
    names = ("generations", "samples_per_generation", "sample_mode", "temperature", "epochs", "model")
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return profile_config(args.profile, **overrides, **fixed)


def _save_figure(figure, path: Path) -> None:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    atomic_write(path, buffer.getvalue())


def _save_tables(rows: list[dict], stem: Path) -> None:
    atomic_write(stem.with_suffix(".json"), json.dumps(rows, indent=2).encode())
    # CSV cells hold one value: the class histogram becomes ten space-separated shares.
    flat = [{k: (" ".join(f"{x:.4f}" for x in v) if isinstance(v, list) else v) for k, v in row.items()}
            for row in rows]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(flat[0]))
    writer.writeheader()
    writer.writerows(flat)
    atomic_write(stem.with_suffix(".csv"), text.getvalue().encode())


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from . import plots
    from .loop import run_experiment

    try:
        output = check_writable_dir("--output", args.output)
        if args.command == "run":
            configs = [_config(args, real_fraction=args.real_fraction, strategy=args.strategy)]
        else:
            configs = [_config(args, real_fraction=f, strategy=s) for s in args.strategies for f in args.real_fractions]
        options = dict(seed=args.seed, cache=not args.no_cache, cache_dir=args.cache_dir, progress=not args.quiet,
                       device=args.device)
        results = []
        for config in configs:
            results.append(run_experiment(config, **options))
            if args.command == "run" or not args.quiet:
                print(f"\n{plots.run_label(results[-1])} (seed {args.seed}, {config.generations} generations, "
                      f"N={config.samples_per_generation}, {config.epochs} epochs, {config.model})")
                print(results[-1].table())
    except (ValueError, TypeError) as error:
        parser.error(str(error))  # exit code 2, one line, no traceback
    except KeyboardInterrupt:
        print("\ninterrupted: finished generations are cached; run the same command again to resume",
              file=sys.stderr)
        return 130

    rows = [{"real_fraction": r.config.real_fraction, "strategy": r.config.strategy, "seed": r.seed, **g}
            for r in results for g in r.to_dict()["generations"]]
    _save_tables(rows, output / "metrics")
    _save_figure(plots.metric_curves(results), output / "metrics.png")
    for result in results:
        name = f"real{result.config.real_fraction:g}_{result.config.strategy}"
        _save_figure(plots.sample_grids(result), output / f"samples_{name}.png")
        if args.command == "run":
            _save_figure(plots.class_histograms(result), output / "classes.png")
            _save_figure(plots.elbo_histograms(result), output / "elbo_tails.png")
    print(f"\nwrote metrics.json, metrics.csv and PNG figures to {output}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
