"""What each generation of the VAE loop trains on: generation 0's real images, each later generation's new set (real
images and the previous model's samples), and which sets a strategy keeps.

Every draw has its own seeded stream (``world.stream_seed``), so a set is the same whenever it is drawn again (a run
resumed from the cache rebuilds an accumulating buffer exactly). Used by ``loop`` (lessons 03-08).
"""

from __future__ import annotations

import numpy as np
import torch

from ..core.strategies import real_share
from ..core.world import stream_seed
from .data import random_images
from .models import IMAGE_SHAPE, VAE


def new_training_set(config, seed: int, generation: int, previous: VAE | None) -> torch.Tensor:
    """The images generation ``generation`` adds: all real for generation 0 (``generation_0_samples`` of them), else
    real_fraction real + synthetic."""
    n = config.generation_0_samples if generation == 0 else config.samples_per_generation
    real_count = n if generation == 0 else config.real_per_generation
    generator = torch.Generator().manual_seed(stream_seed(seed, generation, "real"))
    if generation and config.real_pool is not None:
        real = pool_images(config, seed)
        order = torch.randperm(len(real), generator=generator)
        real = real[order.repeat(-(-real_count // len(real)))[:real_count]]  # repeated as often as the share needs
    else:
        real = random_images("train", real_count, generator, config.real_digits if generation else None)
    if real_count == n:
        return real
    generator = torch.Generator().manual_seed(stream_seed(seed, generation, "synthetic"))
    synthetic = previous.sample(n - real_count, config.sample_mode, config.temperature, generator).cpu()
    return torch.cat([real, synthetic])


def pool_images(config, seed: int) -> torch.Tensor:
    """The fixed pool of ``config.real_pool`` training images (of ``real_digits``) that the real share of every
    generation from 1 on is drawn from, the same for every generation of a seed."""
    # Its own stream: a child of the seed's sequence, distinct from every (seed, generation, purpose) stream.
    stream = int(np.random.SeedSequence([seed], spawn_key=(1,)).generate_state(1)[0])
    return random_images("train", config.real_pool, torch.Generator().manual_seed(stream), config.real_digits)


def training_set(config, seed: int, generation: int, models: list, sets: dict) -> torch.Tensor:
    """The images generation ``generation`` trains on, under the strategy (and ``keep_first_set``); ``models``
    holds every earlier generation's model, ``sets`` what the run keeps between generations (the accumulating
    buffer, generation 0's set)."""
    n = config.samples_per_generation
    if config.strategy == "replace":
        data = new_training_set(config, seed, generation, models[generation - 1] if generation else None)
        if generation and config.keep_first_set:
            if "first" not in sets:  # generation 0's real set, drawn again from its own stream (no model needed)
                sets["first"] = new_training_set(config, seed, 0, None)
            data = torch.cat([sets["first"], data])
        return data
    # One buffer for every generation's set, filled in place: generation g trains on a view of its first
    # (g + 1) * N images, so the growing training set is never copied (half the memory of concatenating).
    if "buffer" not in sets:
        sets["buffer"], sets["filled"] = torch.empty(config.generations * n, *IMAGE_SHAPE), 0
    for g in range(sets["filled"], generation + 1):
        sets["buffer"][g * n:(g + 1) * n] = new_training_set(config, seed, g, models[g - 1] if g else None)
    sets["filled"] = generation + 1
    first = 1 if generation and config.keep_first_set is False else 0  # without generation 0's set
    return sets["buffer"][first * n:(generation + 1) * n]


def real_share_of(config, generation: int) -> float:
    """Share of real images in generation ``generation``'s training set."""
    n, real = config.samples_per_generation, config.real_per_generation
    if generation == 0 or config.keep_first_set is None:
        return real_share(config.strategy, generation, n, real)
    if config.strategy == "replace":  # generation 0's N real images beside this generation's set
        return (n + real) / (2 * n)
    return real / n  # accumulate without generation 0's set: every set kept has the same real share
