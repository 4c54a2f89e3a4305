"""The shipped MNIST: shapes, value ranges, argument checks, the sha256 guard, and torchvision interop."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from collapse_kit.vae import data
from collapse_kit.vae.data import CorruptDataError, from_torchvision, load_mnist, random_images, to_unit_pixels


@pytest.mark.parametrize("split, size", [("train", 60_000), ("test", 10_000)])
def test_each_split_has_the_documented_size_shape_and_ranges(split, size):
    mnist = load_mnist(split)
    assert len(mnist) == size
    assert mnist.images.shape == (size, 1, 28, 28)
    assert mnist.images.dtype == torch.float32
    assert float(mnist.images.min()) == 0.0 and float(mnist.images.max()) == 1.0
    assert mnist.labels.shape == (size,)
    assert mnist.labels.dtype == torch.int64
    assert sorted(mnist.labels.unique().tolist()) == list(range(10))


def test_every_digit_is_common_in_the_training_split():
    counts = torch.bincount(load_mnist("train").labels, minlength=10)
    assert int(counts.min()) > 5000  # MNIST is roughly balanced: no digit below ~9% of 60,000


def test_limit_keeps_the_first_images():
    full, first = load_mnist("test"), load_mnist("test", limit=100)
    assert len(first) == 100
    assert torch.equal(first.images, full.images[:100])
    assert torch.equal(first.labels, full.labels[:100])


def test_unknown_split_is_rejected_by_name():
    with pytest.raises(ValueError, match=r"split.*'train'.*'test'.*'validation'"):
        load_mnist("validation")


@pytest.mark.parametrize("limit", [0, -5, 10_001])
def test_limit_outside_the_split_is_rejected_by_name(limit):
    with pytest.raises(ValueError, match=rf"limit must be .*got {limit}"):
        load_mnist("test", limit=limit)


def test_fractional_limit_is_a_type_error():
    with pytest.raises(TypeError, match="limit must be an integer"):
        load_mnist("test", limit=2.5)


def test_random_images_are_training_digits_drawn_without_replacement():
    drawn = random_images("train", 50, torch.Generator().manual_seed(4))
    order = torch.randperm(60_000, generator=torch.Generator().manual_seed(4))[:50]
    assert drawn.shape == (50, 1, 28, 28) and drawn.dtype == torch.float32
    assert torch.equal(drawn, load_mnist("train").images[order])
    assert len(set(order.tolist())) == 50
    assert random_images("test", 0).shape == (0, 1, 28, 28)


def test_random_images_refuse_more_images_than_the_split_holds():
    with pytest.raises(ValueError, match="count must be <= 10000, got 10001"):
        random_images("test", 10_001)
    with pytest.raises(ValueError, match="split must be one of"):
        random_images("valid", 3)


@pytest.fixture
def fresh_loader():
    """Forget the verified arrays before and after the test, so a patched path is really read."""
    data._load_uint8.cache_clear()
    yield
    data._load_uint8.cache_clear()


def test_corrupt_asset_is_refused_with_a_clear_message(tmp_path, monkeypatch, fresh_loader):
    damaged = tmp_path / "mnist.npz"
    shutil.copyfile(data.MNIST_FILE, damaged)
    raw = bytearray(damaged.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 16] = bytes(b ^ 0xFF for b in raw[middle:middle + 16])
    damaged.write_bytes(bytes(raw))
    monkeypatch.setattr(data, "MNIST_FILE", damaged)
    with pytest.raises(CorruptDataError, match=r"corrupt: sha256 .*expected .*reinstall"):
        load_mnist("test", limit=10)


def test_missing_asset_is_reported_as_missing(tmp_path, monkeypatch, fresh_loader):
    monkeypatch.setattr(data, "MNIST_FILE", tmp_path / "nothing-here.npz")
    with pytest.raises(CorruptDataError, match="missing"):
        load_mnist("train")


def test_to_unit_pixels_scales_uint8_to_the_unit_interval():
    images = np.array([[[0] * 28] * 28, [[255] * 28] * 28], dtype=np.uint8)
    pixels = to_unit_pixels(images)
    assert pixels.shape == (2, 1, 28, 28) and pixels.dtype == torch.float32
    assert float(pixels[0].max()) == 0.0 and float(pixels[1].min()) == 1.0


def test_from_torchvision_converts_a_dataset_with_data_and_targets():
    generator = torch.Generator().manual_seed(0)
    fake = SimpleNamespace(data=torch.randint(0, 256, (7, 28, 28), dtype=torch.uint8, generator=generator),
                           targets=torch.tensor([0, 1, 2, 3, 4, 5, 6]))
    mnist = from_torchvision(fake)
    assert mnist.images.shape == (7, 1, 28, 28)
    assert torch.allclose(mnist.images[:, 0] * 255, fake.data.float())
    assert mnist.labels.dtype == torch.int64 and mnist.labels.tolist() == list(range(7))


def test_from_torchvision_refuses_objects_without_data_and_targets():
    with pytest.raises(TypeError, match=r"\.data and \.targets"):
        from_torchvision([1, 2, 3])


def test_from_torchvision_refuses_float_or_wrong_sized_images():
    with pytest.raises(ValueError, match="uint8 images of 28x28"):
        from_torchvision(SimpleNamespace(data=torch.zeros(3, 28, 28), targets=torch.zeros(3)))
    with pytest.raises(ValueError, match="uint8 images of 28x28"):
        from_torchvision(SimpleNamespace(data=torch.zeros(3, 32, 32, dtype=torch.uint8), targets=torch.zeros(3)))
