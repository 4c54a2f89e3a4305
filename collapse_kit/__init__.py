"""collapse-kit: a Jupyter-first course on model collapse (tiny VAEs trained recursively on MNIST, and the theory).

Modules, one concept each (import what a lesson needs; nothing heavy is imported here):
    data        MNIST shipped in the package (load_mnist)
    models      MLP and conv VAEs
    training    the in-memory trainer (train_vae)
    mlp_step    the MLP VAE's training step with its backward pass written out (same bits as autograd, faster)
    loop        the recursive generations (ExperimentConfig, run_experiment)
    generation  a generation's fields, declared once (rows, metric names, plot labels, cache entries)
    metrics     FID, precision/recall, class coverage, latent spread, ELBO
    classifier  the fixed MNIST classifier behind the metrics
    runner      many runs at once: worker processes or a Dask cluster (run_runs)
    studies     sweeps, the real-data yardstick, the temperature trade-off, data policies
    replicates  one setting over many seeds: mean, standard error, 95% band (Band, replicate)
    verdicts    a claim's effect with its 95% interval, and whether it holds (Verdict, compare, agrees)
    bundle      the shipped results bundle: the lessons' experiments over 10 seeds
    theory      Gaussians and mixtures refitted on their own samples
    plots       figures of results
    widgets     the lesson widgets
    checks      the lessons' [PASS]/[FAIL] check cells
    profiles    the full and fast profiles, and the lessons' seed
    cache       the on-disk cache of finished generations
    cli         the ``collapse-kit`` command
    colab       Google Colab: turns on its widget manager, after a lesson's first cell installed the course
"""

__version__ = "0.1.0"

_SHORTCUTS = {"load_mnist": "data", "ExperimentConfig": "loop", "run_experiment": "loop"}


def __getattr__(name):
    # Lazy shortcuts: `collapse_kit.run_experiment` works without importing torch at package import.
    if name in _SHORTCUTS:
        import importlib
        return getattr(importlib.import_module(f".{_SHORTCUTS[name]}", __name__), name)
    raise AttributeError(f"module 'collapse_kit' has no attribute {name!r}")
