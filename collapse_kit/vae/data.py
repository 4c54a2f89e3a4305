"""MNIST, shipped inside the package: nothing is ever downloaded.

The 70,000 images (60,000 train, 10,000 test) of the MNIST database by Y. LeCun, C. Cortes and C. J. C. Burges,
CC BY-SA 3.0 (see ``collapse_kit/assets/NOTICE.md``), stored as uint8 in ``assets/mnist.npz`` and verified by sha256
on load. Used in every lesson from 00 on.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..core._validation import check_choice, check_digits, check_int

ASSETS = Path(__file__).resolve().parents[1] / "assets"
MNIST_FILE = ASSETS / "mnist.npz"
MNIST_SHA256_FILE = ASSETS / "mnist.sha256"
IMAGE_SIDE = 28
SPLITS = ("train", "test")


class CorruptDataError(RuntimeError):
    """The shipped MNIST file does not match its recorded sha256 (damaged or edited install)."""


@dataclass(frozen=True)
class MNIST:
    """One split of MNIST: ``images`` float32 (n, 1, 28, 28), pixels in [0, 1]; ``labels`` int64 (n,), digits 0-9."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _load_uint8() -> dict[str, np.ndarray]:
    """The four uint8 arrays of the shipped file, verified; read once per process."""
    if not MNIST_FILE.exists():
        raise CorruptDataError(f"the shipped MNIST file {MNIST_FILE} is missing; reinstall collapse-kit "
                               "(developers: python scripts/build_mnist_asset.py)")
    expected = MNIST_SHA256_FILE.read_text().strip()
    actual = _sha256(MNIST_FILE)
    if actual != expected:
        raise CorruptDataError(f"the shipped MNIST file {MNIST_FILE} is corrupt: sha256 {actual[:16]}..., "
                               f"expected {expected[:16]}...; reinstall collapse-kit")
    with np.load(MNIST_FILE) as archive:
        return {name: archive[name] for name in archive.files}


def to_unit_pixels(images_uint8) -> torch.Tensor:
    """uint8 images of any shape (n, 28, 28) or (n, 1, 28, 28) -> float32 (n, 1, 28, 28) in [0, 1]."""
    images = torch.as_tensor(np.asarray(images_uint8))
    return images.reshape(-1, 1, IMAGE_SIDE, IMAGE_SIDE).to(torch.float32).div_(255.0)


def load_mnist(split: str = "train", limit: int | None = None) -> MNIST:
    """Load a split of the shipped MNIST as in-memory tensors.

    Args:
        split: "train" (60,000 images) or "test" (10,000 images).
        limit: keep only the first ``limit`` images (None: all).
    Returns:
        MNIST with float32 images in [0, 1], shape (n, 1, 28, 28), and int64 labels.
    """
    check_choice("split", split, SPLITS)
    arrays = _load_uint8()
    images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
    if limit is not None:
        limit = check_int("limit", limit, 1, len(labels))
        images, labels = images[:limit], labels[:limit]
    return MNIST(to_unit_pixels(images), torch.as_tensor(labels, dtype=torch.int64))


def random_images(split: str, count: int, generator: torch.Generator | None = None,
                  digits: tuple[int, ...] | None = None) -> torch.Tensor:
    """``count`` images of a split drawn without replacement, float32 (count, 1, 28, 28) in [0, 1].

    ``digits`` (e.g. ``(0, 1, 2, 3, 4)``) draws only among images of those digits; None: all ten. Only the chosen
    images are converted to float: a generation's real share costs its own size in memory, not the whole split's
    188 MB. Used by the recursive loop (real data of each generation).
    """
    check_choice("split", split, SPLITS)
    arrays = _load_uint8()
    images = arrays[f"{split}_images"]
    if digits is None:
        count = check_int("count", count, 0, len(images))
        order = torch.randperm(len(images), generator=generator)[:count]
        return to_unit_pixels(images[order.numpy()])
    pool = np.flatnonzero(np.isin(arrays[f"{split}_labels"], check_digits("digits", digits)))
    count = check_int("count", count, 0, len(pool))
    order = torch.randperm(len(pool), generator=generator)[:count]
    return to_unit_pixels(images[pool[order.numpy()]])


def from_torchvision(dataset) -> MNIST:
    """Convert a user's own ``torchvision.datasets.MNIST`` (or any dataset with uint8 ``data`` and ``targets``).

    Lets a student run every experiment on their own copy; no download happens here.
    """
    if not (hasattr(dataset, "data") and hasattr(dataset, "targets")):
        raise TypeError(f"dataset must look like torchvision.datasets.MNIST (have .data and .targets), "
                        f"got {type(dataset).__name__}")
    data = torch.as_tensor(dataset.data)
    if data.dtype != torch.uint8 or tuple(data.shape[-2:]) != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"dataset.data must be uint8 images of 28x28 pixels, got {data.dtype} {tuple(data.shape)}")
    return MNIST(to_unit_pixels(data), torch.as_tensor(dataset.targets, dtype=torch.int64))
