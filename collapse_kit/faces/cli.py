"""The ``collapse-kit`` command: run one recursive-training experiment, or sweep real fractions, strategies, seeds.

``run`` and ``sweep`` train the VAE on MNIST (lessons 03-08); ``text`` the language model of lesson 09 on Tiny
Shakespeare, over the same real fractions, strategies, seeds, workers and clusters. Writes metrics (JSON and CSV)
and PNG figures to an output folder and prints a short table. A sweep runs in worker
processes (``--workers``) or on a Dask cluster (``--scheduler``). Bad input exits with code 2 and a one-line
message; a sweep in which some runs failed writes the others, names each failure and exits with code 1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from .. import __version__
from ..core._validation import FRACTION, bound_of, check_writable_dir
from ..core.cache import atomic_write
from ..core.profiles import PROFILES, current_profile
from ..core.runner import RunsFailed, parse_seeds, run_runs
from ..core.strategies import STRATEGIES
from ..evidence.bundle import bands_of
from ..text.loop import TextConfig
from ..vae.loop import ExperimentConfig
from . import plots

# The language model's measures drawn by ``collapse-kit text`` (lesson 09's: C1, then C2's coverage and errors).
TEXT_FIGURE_METRICS = ("test_bits_per_character", "common_coverage", "rare_coverage", "invented_share")


_fraction = FRACTION.parse("real fraction")  # the bound every world's real_fraction declares


def _option(parser: argparse.ArgumentParser, config, name: str, flag: str | None = None, **options) -> None:
    """``--flag`` for the config field ``name``, its type or choices read from the bound the field declares (one
    home: the same declaration checks the config and moves the sliders)."""
    flag = flag or "--" + name.replace("_", "-")
    bound = bound_of(config, name)
    inner = getattr(bound, "inner", bound)
    if hasattr(inner, "options"):
        options.setdefault("choices", inner.options)
    else:
        options.setdefault("type", inner.parse(flag))
    parser.add_argument(flag, dest=name, **options)


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


def _seeds(text: str) -> list[int]:
    try:
        return parse_seeds(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).replace("seeds must", "must")) from None


def _experiment_options(parser: argparse.ArgumentParser, sweep: bool) -> None:
    parser.add_argument("--profile", choices=tuple(PROFILES), default=None,
                        help="full (default; what the lessons run) or fast (a quick check); "
                             "default from $COLLAPSE_KIT_PROFILE")
    _option(parser, ExperimentConfig, "generations", help="models trained in sequence, generation 0 included")
    _option(parser, ExperimentConfig, "samples_per_generation", "--samples", help="images per generation (N)")
    if not sweep:
        _option(parser, ExperimentConfig, "real_fraction", default=0.0,
                help="share of each generation's set that is real MNIST, in [0, 1] (default 0)")
        _option(parser, ExperimentConfig, "strategy", default="replace")
    _option(parser, ExperimentConfig, "sample_mode", help="synthetic images: decoder mean or 0/1 pixels")
    _option(parser, ExperimentConfig, "temperature", help="scale of the prior's std when sampling (default 1)")
    _option(parser, ExperimentConfig, "epochs", help="training epochs per generation")
    _option(parser, ExperimentConfig, "model", help="mlp (fast default) or conv (Shumailov et al.)")
    parser.add_argument("--seed", type=int, default=0, help="the run's seed (default 0)")
    parser.add_argument("--output", type=Path, default=Path("collapse-kit-output"), help="folder for results")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: $COLLAPSE_KIT_CACHE or ~/.cache")
    parser.add_argument("--no-cache", action="store_true", help="recompute everything, store nothing")
    parser.add_argument("--device", default="auto", help="auto (CUDA if present), cpu or cuda")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="collapse-kit", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    sweep.add_argument("--seeds", type=_seeds, default=None,
                       help="several seeds, e.g. 0-9 or 0,3,5: each setting over each seed (default: --seed)")
    sweep.add_argument("--workers", type=int, default=1,
                       help="runs at once in worker processes, one torch thread each (default 1)")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask scheduler, e.g. tcp://HOST:8786: one task per run on its workers (the cache "
                            "folder must be on a filesystem they share)")
    _experiment_options(sweep, sweep=True)
    text = commands.add_parser("text", help="the language model of lesson 09, over real fractions, strategies, seeds",
                               description="Train a character model generation after generation on the text the "
                                           "previous one wrote (Tiny Shakespeare; lesson 09).")
    text.add_argument("--profile", choices=tuple(TextConfig.profiles), default=None,
                      help="full (default; what lesson 09 runs) or fast; default from $COLLAPSE_KIT_PROFILE")
    text.add_argument("--real-fractions", type=_fractions, default=[0.0],
                      help="comma list in [0, 1]: share of each generation's passages that is real text (default 0)")
    text.add_argument("--strategies", type=_strategies, default=["replace"],
                      help="comma list of replace, accumulate (default replace)")
    _option(text, TextConfig, "generations", help="models trained in sequence, generation 0 included")
    _option(text, TextConfig, "passages", help="passages in each generation's new training set")
    _option(text, TextConfig, "temperature", help="sampling temperature of the synthetic text (default 1)")
    _option(text, TextConfig, "compute",
            help="epochs (default) or steps: every generation trains generation 0's steps (equal compute)")
    text.add_argument("--seeds", type=_seeds, default=[0], help="e.g. 0-9 or 0,3,5 (default 0)")
    text.add_argument("--workers", type=int, default=1, help="runs at once in worker processes (default 1)")
    text.add_argument("--scheduler", default=None, metavar="ADDRESS", help="a Dask scheduler, as for sweep")
    text.add_argument("--output", type=Path, default=Path("collapse-kit-output"), help="folder for results")
    text.add_argument("--cache-dir", type=Path, default=None, help="default: $COLLAPSE_KIT_CACHE or ~/.cache")
    text.add_argument("--no-cache", action="store_true", help="recompute everything, store nothing")
    text.add_argument("--device", default="auto", help="auto (CUDA if present), cpu or cuda")
    text.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _text_config(args, **fixed) -> TextConfig:
    names = ("generations", "passages", "temperature", "compute")
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return TextConfig(**{**TextConfig.profiles[current_profile(args.profile)], **overrides, **fixed})


def _config(args, **fixed):
    names = ("generations", "samples_per_generation", "sample_mode", "temperature", "epochs", "model")
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    return ExperimentConfig.for_profile(args.profile, **overrides, **fixed)


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
    failed = []
    try:
        output = check_writable_dir("--output", args.output)
        options = dict(cache=not args.no_cache, cache_dir=args.cache_dir, device=args.device)
        if args.command == "run":
            config = _config(args, real_fraction=args.real_fraction, strategy=args.strategy)
            results = [config.run(args.seed, progress=not args.quiet, **options)]
        else:
            seeds = args.seeds or [args.seed]
            make = _text_config if args.command == "text" else _config
            runs = [(make(args, real_fraction=f, strategy=s), seed) for s in args.strategies
                    for f in args.real_fractions for seed in seeds]
            try:
                results = run_runs(runs, workers=args.workers, client=args.scheduler, progress=not args.quiet,
                                   **options)
            except RunsFailed as error:
                print(f"error: {error}", file=sys.stderr)
                results, failed = [r for r in error.results if r is not None], error.failures
    except (ValueError, TypeError) as error:
        parser.error(str(error))  # exit code 2, one line, no traceback
    except KeyboardInterrupt:
        print("\ninterrupted: finished generations are cached; run the same command again to resume",
              file=sys.stderr)
        return 130

    if args.command == "text":
        if not args.quiet and len(results) <= 8:
            for result in results:
                print(f"\n{result.config.label()} (seed {result.seed}, {result.config.generations} generations)")
                print(result.table())
        if results:
            _write_text_outputs(results, output)
        return 1 if failed else 0
    if args.command == "run" or (not args.quiet and len(results) <= 8):
        for result in results:
            config = result.config
            print(f"\n{result.config.label()} (seed {result.seed}, {config.generations} generations, "
                  f"N={config.samples_per_generation}, {config.epochs} epochs, {config.model})")
            print(result.table())
    if results:
        _write_outputs(args, results, output)
    return 1 if failed else 0


def _write_metrics(results, output: Path, fields: tuple[str, ...], metrics=None) -> bool:
    """metrics.json/csv (one row per run and generation: the config's ``fields``, the seed, the generation's
    measures) and metrics.png: each setting's curves of ``metrics`` (default: the plot's), or with several seeds
    their mean and 95% band, printed too. Returns whether there were several seeds."""
    rows = [{**{name: getattr(r.config, name) for name in fields}, "seed": r.seed, **g}
            for r in results for g in r.to_dict()["generations"]]
    _save_tables(rows, output / "metrics")
    bands = bands_of(results)
    several_seeds = any(len(band.seeds) > 1 for band in bands)
    chosen = {} if metrics is None else {"metrics": metrics}
    _save_figure(plots.metric_bands(bands, **chosen) if several_seeds else plots.metric_curves(results, **chosen),
                 output / "metrics.png")
    if several_seeds:
        print("\n" + "\n".join(band.generation_line() for band in bands))
    return several_seeds


def _write_text_outputs(results, output: Path) -> None:
    """The language model's tables and figure (``_write_metrics``, of ``TEXT_FIGURE_METRICS``)."""
    _write_metrics(results, output, ("real_fraction", "strategy", "temperature"), TEXT_FIGURE_METRICS)
    print(f"\nwrote metrics.json, metrics.csv and metrics.png to {output}/")


def _write_outputs(args, results, output: Path) -> None:
    """The VAE's tables and metric figure (``_write_metrics``), then sample grids (and, for ``run``, the class and
    -ELBO histograms)."""
    several_seeds = _write_metrics(results, output, ("real_fraction", "strategy"))
    for result in results:
        if several_seeds and result.seed != results[0].seed:
            continue  # sample grids of the first seed only
        name = f"real{result.config.real_fraction:g}_{result.config.strategy}"
        _save_figure(plots.sample_grids(result), output / f"samples_{name}.png")
        if args.command == "run":
            _save_figure(plots.class_histograms(result), output / "classes.png")
            _save_figure(plots.elbo_histograms(result), output / "elbo_tails.png")
    print(f"\nwrote metrics.json, metrics.csv and PNG figures to {output}/")


if __name__ == "__main__":
    raise SystemExit(main())
