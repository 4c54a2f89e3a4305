"""What each generation trains on, in every world (the Gaussians, the VAE, the language model): the strategies and
the compute rules, declared once.

* ``STRATEGIES``: "replace" (each generation trains on its own new set only) or "accumulate" (on every set so far).
* ``COMPUTE_BUDGETS``: "epochs" (every generation the same epochs over its set, so an accumulating set buys more
  training) or "steps" (every generation generation 0's gradient steps: equal compute).

Used by every world (``gaussian.theory``, ``vae.loop``, ``text.loop``), the widgets and the CLI.
"""

STRATEGIES = ("replace", "accumulate")
COMPUTE_BUDGETS = ("epochs", "steps")


def real_share(strategy: str, generation: int, size: int, real: int) -> float:
    """Share of real items in the training set of ``generation``: generation 0 is all real (``size`` items), each
    later generation adds ``size`` items of which ``real`` are real; "accumulate" trains on every set so far."""
    if strategy == "accumulate":
        return (size + generation * real) / (size * (generation + 1))
    return 1.0 if generation == 0 else real / size
