"""Measure how long generation 0 must train to have learned: its real test -ELBO after E epochs against a run 4 E
epochs long (issue 27's criterion: within 1 nat).

One long run per seed of the full profile's generation 0 (``ExperimentConfig()``: the MLP VAE on 10,000 real
images, batch 512, Adam 1e-3 at a constant rate), measured at every checkpoint epoch. Adam's rate is constant and
each epoch draws its own seeded shuffle, so the first E epochs of a long run are an E-epoch run exactly: one run
gives every checkpoint (the script checks this at the first checkpoint against ``train_vae``, bit for bit). Prints
one line per (seed, epoch): generation 0's measures as the loop takes them (``generation.measure``: test -ELBO on the
first 2,000 test images and on the last 2,000, FID, precision and recall, digits covered) and the seconds spent
training.

Usage (from the repository root; one torch thread, as a bundle worker):

    python scripts/measure_generation_0.py --seeds 0 1 2 --epochs 20 80 160 320
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from collapse_kit.core.torch_parts import Adam
from collapse_kit.core.world import new_model, stream_seed
from collapse_kit.vae.generation import measure
from collapse_kit.vae.loop import ExperimentConfig
from collapse_kit.vae.mlp_step import MLPTrainingStep
from collapse_kit.vae.training import train_vae
from collapse_kit.vae.training_sets import new_training_set


def checkpoints(config: ExperimentConfig, seed: int, epochs: list[int]):
    """Train generation 0 of ``seed`` for max(epochs) x 4 epochs as ``train_vae`` does; yield (epoch, model, seconds
    of training so far) at every epoch of ``epochs`` and at four times each."""
    data = new_training_set(config, seed, 0, None).reshape(config.samples_per_generation, -1)
    model = new_model(config, stream_seed(seed, 0, "init")).train()
    train_seed = stream_seed(seed, 0, "train")
    generator, shuffle_generator = torch.Generator().manual_seed(train_seed), torch.Generator().manual_seed(train_seed)
    optimizer, step_fn = Adam(model.parameters(), config.learning_rate), MLPTrainingStep(model, config.batch_size)
    per_epoch, batch = len(data) // config.batch_size, data.new_empty(config.batch_size, data.shape[1])
    wanted = sorted(set(epochs) | {4 * e for e in epochs})
    seconds = 0.0
    for epoch in range(1, wanted[-1] + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(data), generator=shuffle_generator)
        for step in range(per_epoch):
            torch.index_select(data, 0, order[step * config.batch_size:(step + 1) * config.batch_size], out=batch)
            step_fn(batch, generator)
            optimizer.step()
        seconds += time.perf_counter() - start
        if epoch in wanted:
            yield epoch, model.eval(), seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, nargs="+", default=[20, 40, 80, 160])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    config = ExperimentConfig()
    for seed in args.seeds:
        first = min(args.epochs)
        reference = new_model(config, stream_seed(seed, 0, "init"))
        train_vae(reference, new_training_set(config, seed, 0, None), first, config.batch_size,
                  config.learning_rate, seed=stream_seed(seed, 0, "train"), device="cpu", progress=False)
        for epoch, model, seconds in checkpoints(config, seed, args.epochs):
            if epoch == first:  # the long run's first checkpoint is a plain run of that many epochs, bit for bit
                assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(),
                                                             reference.state_dict().values())), "not train_vae's"
            generator = torch.Generator().manual_seed(stream_seed(seed, 0, "metrics"))
            scores = measure(model, model, config.metric_samples, config.sample_mode, config.temperature,
                             generator, elbo_seed=0)
            row = {"seed": seed, "epochs": epoch, "train_seconds": round(seconds, 1),
                   "test_nelbo": round(scores["test_nelbo"], 3),
                   "test_nelbo_other": round(scores["test_nelbo_other"], 3), "fid": round(scores["fid"], 2),
                   "precision": round(scores["precision"], 4), "recall": round(scores["recall"], 4),
                   "standard_precision": round(scores["standard_precision"], 4),
                   "standard_recall": round(scores["standard_recall"], 4),
                   "classes_covered": scores["classes_covered"], "confident_digits": scores["confident_digits"]}
            print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
