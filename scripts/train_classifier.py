"""Train the fixed MNIST classifier shipped in collapse_kit/assets/classifier.pt, and report its test accuracy.

Run once by developers (about 3 minutes on 2 CPU cores):

    python scripts/train_classifier.py

Writes float16 weights (< 1 MB) atomically and refuses to write them if test accuracy is below 99%.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import torch
from torch.nn import functional as F

from collapse_kit.vae.classifier import CLASSIFIER_FILE, DigitClassifier
from collapse_kit.vae.data import load_mnist


def shift(images: torch.Tensor, generator: torch.Generator, max_pixels: int = 2) -> torch.Tensor:
    """Translate each image by up to ``max_pixels`` in x and y (zero fill): cheap augmentation for generalisation."""
    padded = F.pad(images, (max_pixels,) * 4)
    n = len(images)
    dx = torch.randint(0, 2 * max_pixels + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * max_pixels + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(28)[None, :])[:, None, :, None].expand(n, 1, 28, 28 + 2 * max_pixels)
    out = padded.gather(2, rows)
    cols = (dx[:, None] + torch.arange(28)[None, :])[:, None, None, :].expand(n, 1, 28, 28)
    return out.gather(3, cols)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train, test = load_mnist("train"), load_mnist("test")
    model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=args.epochs * (60000 // 128))
    for epoch in range(args.epochs):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(len(train), generator=generator)
        for step in range(len(train) // 128):
            idx = order[step * 128:(step + 1) * 128]
            loss = F.cross_entropy(model(shift(train.images[idx], generator)), train.labels[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        model.eval()
        with torch.no_grad():
            accuracy = (model(test.images).argmax(1) == test.labels).float().mean().item()
        print(f"epoch {epoch + 1}: test accuracy {accuracy:.4f} ({time.perf_counter() - start:.0f} s)", flush=True)

    state = {name: tensor.half() for name, tensor in model.state_dict().items()}
    check = DigitClassifier()
    check.load_state_dict({name: tensor.float() for name, tensor in state.items()})
    with torch.no_grad():
        accuracy = (check.eval()(test.images).argmax(1) == test.labels).float().mean().item()
    print(f"test accuracy with the shipped float16 weights: {accuracy:.4f} on 10,000 MNIST test images")
    if accuracy < 0.99:
        print("[FAIL] below 99%: weights not written")
        return 1
    with tempfile.NamedTemporaryFile(dir=CLASSIFIER_FILE.parent, delete=False, suffix=".tmp") as tmp:
        torch.save(state, tmp)
    os.chmod(tmp.name, 0o644)
    os.replace(tmp.name, CLASSIFIER_FILE)
    print(f"wrote {CLASSIFIER_FILE} ({CLASSIFIER_FILE.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
