"""collapse-kit: a Jupyter-first course on model collapse (tiny VAEs trained recursively on MNIST, and the theory).

One path from data to verdict, one concept per module (import what a lesson needs; nothing heavy is imported here).
Arrows point from a module to what it uses; nothing imports upwards:

    lessons/*.ipynb, widgets, text_widgets, cli    narrate, call, look, check
            |
         checks            [PASS]/[FAIL] check cells: a verdict, your run among the bundle's seeds
            |
         claims  -> sheet  every verdict of the course, defined once  (sheet: lessons/verdicts.md)
            |
         bundle            the shipped results: Band (one setting over seeds, shipped or run here), by name or config
          |    \
    experiments  stats     the catalogue of named settings  |  effects with 95% intervals (Verdict, compare, plateau)
    profiles               the fast and full profiles, the lessons' seed (builds a VAE config only when asked)
          |
    runner -> config.run   many runs at once (worker processes or Dask), for any world's config
          |
    worlds: loop (VAE: ExperimentConfig, generation, models, training, mlp_step, metrics, classifier, data)
            text_loop (language model: TextConfig, text_generation, text_models, text_training, text_metrics,
            text_data; words: the discrete word game)
            theory (Gaussians and mixtures, instant)  a world in the bundle: a config with run() and record
          |
    columns, cache, strategies, _validation   a row's columns declared once; the run cache; replace/accumulate and
                                              epochs/steps, for every world

    studies     sweeps, the real-data yardstick, what the metrics see, the temperature trade-off, data policies
    plots       figures of results and bands (any world: labels come from the columns); text_plots: lesson 09's
    figure_style  how every figure reads: width, fonts, ordered colour-blind-safe colours, alt text (plots use it)
    colab       Google Colab: turns on its widget manager, after a lesson's first cell installed the course

Adding a metric: one ``Column`` in its world's record (``generation.GenerationResult``) and its computation; a
bundle built before it still reads, without that column. Adding a verdict: a function in ``claims`` and its lesson's
call. Adding a world: a config class with ``run(seed, **options)`` and ``record``; the runner, the cache
(``RunCache(..., module=...)``), the bundle and ``claims`` take it as they are.
"""

# The one home of the version: pyproject.toml reads it ([tool.setuptools.dynamic]), `collapse-kit --version` prints it,
# and its tag v<version> is the release that Colab, Binder and the lessons' install cell open
# (scripts/course_address.py). Changes since the last release: CHANGELOG.md.
__version__ = "0.2.0"

_SHORTCUTS = {"load_mnist": "data", "ExperimentConfig": "loop", "run_experiment": "loop"}


def __getattr__(name):
    # Lazy shortcuts: `collapse_kit.run_experiment` works without importing torch at package import.
    if name in _SHORTCUTS:
        import importlib  # lazily: importing the package must stay free of torch until a name is asked for
        return getattr(importlib.import_module(f".{_SHORTCUTS[name]}", __name__), name)
    raise AttributeError(f"module 'collapse_kit' has no attribute {name!r}")
