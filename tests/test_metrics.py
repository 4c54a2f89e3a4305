"""How collapse is measured: FID, precision/recall, class coverage, spread and ELBO, plus the fixed classifier."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from collapse_kit.vae import metrics
from collapse_kit.vae.classifier import FEATURE_DIM, _MaxPool2, classify, real_test_features
from collapse_kit.vae.models import make_model


def gaussian_features(count=400, dim=8, seed=0, shift=0.0, scale=1.0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(count, dim, generator=generator) * scale + shift


# --- the fixed classifier ---------------------------------------------------------------------------------------

def test_classifier_reads_real_test_digits_almost_perfectly(real_test_images):
    labels, features = classify(real_test_images.images)
    accuracy = float((labels == real_test_images.labels).float().mean())
    assert accuracy >= 0.98, f"shipped classifier accuracy {accuracy:.3f} on 1000 real test digits"
    assert features.shape == (1000, FEATURE_DIM)


def test_classifier_answers_the_same_bits_in_any_batch_size(real_test_images):
    """classify cuts its input into batches of 256 for speed: the bundle's numbers were measured in one batch."""
    images = real_test_images.images
    whole_labels, whole_features = classify(images, batch_size=len(images))
    for batch_size in (7, 256):
        labels, features = classify(images, batch_size=batch_size)
        assert torch.equal(whole_labels, labels) and torch.equal(whole_features, features), batch_size


@pytest.mark.parametrize("shape", [(3, 32, 26, 26), (3, 64, 11, 11), (2, 1, 5, 4)])
def test_the_classifiers_pooling_is_max_pool2d_bit_for_bit(shape):
    """Without gradients the classifier pools by pairwise maxima (faster); the values, signs of zero and NaN kept,
    are max_pool2d's, an odd last row or column dropped as it drops it."""
    images = torch.randn(*shape, generator=torch.Generator().manual_seed(0))
    images[0, 0, 0, :2] = torch.tensor([-0.0, 0.0])
    images[-1, -1, 1, 1] = float("nan")
    expected = torch.nn.functional.max_pool2d(images, 2)
    with torch.no_grad():
        pooled = _MaxPool2()(images)
    assert pooled.shape == expected.shape
    assert torch.equal(pooled.nan_to_num(), expected.nan_to_num()) and torch.equal(pooled.isnan(), expected.isnan())
    assert torch.equal(pooled.signbit(), expected.signbit())
    with torch.enable_grad():  # training (scripts/train_classifier.py) keeps max_pool2d and its backward
        assert _MaxPool2()(images.requires_grad_()).grad_fn.name().startswith("MaxPool2DWithIndices")


def test_the_real_reference_features_are_those_of_the_first_test_images(real_test_images):
    reference = real_test_features(len(real_test_images.images))
    assert torch.equal(reference, classify(real_test_images.images)[1])
    assert real_test_features(len(real_test_images.images)) is reference  # computed once per process


def test_classifier_accepts_no_images():
    labels, features = classify(torch.empty(0, 1, 28, 28))
    assert labels.shape == (0,) and features.shape == (0, FEATURE_DIM)


# --- Frechet distance -------------------------------------------------------------------------------------------

def test_frechet_distance_of_a_feature_set_with_itself_is_zero():
    features = gaussian_features()
    assert metrics.frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)


def test_frechet_distance_of_a_shifted_copy_is_the_squared_shift():
    # Same covariance: only the ||mu_a - mu_b||^2 term is left, here 8 dimensions * 0.5^2.
    features = gaussian_features()
    assert metrics.frechet_distance(features, features + 0.5) == pytest.approx(8 * 0.25, rel=1e-6)


def test_frechet_distance_grows_with_the_shift_and_is_symmetric():
    real = gaussian_features(seed=0)
    near, far = gaussian_features(seed=1, shift=0.2), gaussian_features(seed=1, shift=1.0)
    assert metrics.frechet_distance(real, near) < metrics.frechet_distance(real, far)
    assert metrics.frechet_distance(real, far) == pytest.approx(metrics.frechet_distance(far, real), rel=1e-6)


def test_frechet_distance_sees_a_narrower_spread():
    real, narrow = gaussian_features(seed=0), gaussian_features(seed=1, scale=0.3)
    assert metrics.frechet_distance(real, narrow) > metrics.frechet_distance(real, gaussian_features(seed=1))


def test_frechet_distance_refuses_mismatched_feature_sizes():
    with pytest.raises(ValueError, match=r"same d and n >= 2.*\(10, 8\) and \(10, 4\)"):
        metrics.frechet_distance(gaussian_features(10, 8), gaussian_features(10, 4))


# --- precision and recall -----------------------------------------------------------------------------------------

def test_identical_sets_have_full_precision_and_recall():
    features = gaussian_features(200)
    precision, recall = metrics.precision_recall(features, features)
    assert precision == pytest.approx(1.0) and recall == pytest.approx(1.0)


def test_far_apart_sets_have_no_precision_and_no_recall():
    real, far_away = gaussian_features(200, seed=0), gaussian_features(200, seed=1, shift=100)
    precision, recall = metrics.precision_recall(real, far_away)
    assert precision == 0.0 and recall == 0.0


def test_samples_from_one_mode_keep_precision_but_lose_recall():
    # Real data has two far-apart clusters; the "collapsed" samples cover only one of them.
    real = torch.cat([gaussian_features(200, seed=0), gaussian_features(200, seed=1, shift=50)])
    one_mode = gaussian_features(200, seed=2)
    precision, recall = metrics.precision_recall(real, one_mode)
    assert precision > 0.9
    assert 0.3 < recall < 0.6


def test_precision_recall_needs_more_than_k_samples():
    with pytest.raises(ValueError, match="more than k=5 samples"):
        metrics.precision_recall(gaussian_features(5), gaussian_features(100))
    with pytest.raises(ValueError, match="k must be >= 1"):
        metrics.precision_recall(gaussian_features(50), gaussian_features(50), k=0)


# --- class coverage -----------------------------------------------------------------------------------------------

def test_class_histogram_is_a_share_per_digit_summing_to_one():
    labels = torch.tensor([3, 3, 3, 7])
    histogram = metrics.class_histogram(labels)
    assert histogram.shape == (10,)
    assert histogram.sum() == pytest.approx(1.0)
    assert histogram[3] == pytest.approx(0.75) and histogram[7] == pytest.approx(0.25)


def test_class_histogram_of_no_labels_is_an_error():
    with pytest.raises(ValueError, match="labels must not be empty"):
        metrics.class_histogram(torch.tensor([], dtype=torch.int64))


def test_balanced_digits_have_the_maximum_entropy_log_ten():
    uniform = metrics.class_histogram(torch.arange(10).repeat(5))
    assert metrics.class_entropy(uniform) == pytest.approx(math.log(10))
    assert metrics.max_entropy() == pytest.approx(math.log(10))


def test_entropy_falls_as_digits_disappear():
    one_digit = metrics.class_histogram(torch.full((50,), 4))
    two_digits = metrics.class_histogram(torch.tensor([1, 2] * 25))
    assert metrics.class_entropy(one_digit) == pytest.approx(0.0)
    assert metrics.class_entropy(two_digits) == pytest.approx(math.log(2))
    assert metrics.class_entropy(two_digits) < metrics.class_entropy(metrics.class_histogram(torch.arange(10)))


def test_classes_covered_counts_digits_above_the_minimum_share():
    histogram = np.array([0.5, 0.3, 0.195, 0.005, 0, 0, 0, 0, 0, 0])
    assert metrics.classes_covered(histogram) == 3  # 0.5% is below the default 1%
    assert metrics.classes_covered(histogram, min_share=0.001) == 4
    assert metrics.classes_covered(histogram, min_share=0.4) == 1


def test_classes_covered_refuses_a_share_above_one():
    with pytest.raises(ValueError, match="min_share must be in"):
        metrics.classes_covered(np.full(10, 0.1), min_share=1.5)


def test_real_test_digits_cover_all_ten_classes(real_test_images):
    labels, _ = classify(real_test_images.images)
    assert metrics.classes_covered(metrics.class_histogram(labels)) == 10


# --- spread, diversity, ELBO ----------------------------------------------------------------------------------------

def test_pixel_diversity_of_real_digits_is_about_ten(real_test_images):
    assert 8.0 < metrics.pixel_diversity(real_test_images.images) < 12.0  # the docstring's "about 10"


def test_identical_images_have_no_pixel_diversity(real_test_images):
    copies = real_test_images.images[:1].repeat(20, 1, 1, 1)
    assert metrics.pixel_diversity(copies) == pytest.approx(0.0, abs=1e-4)


def test_pixel_diversity_needs_two_images(real_test_images):
    with pytest.raises(ValueError, match="at least 2 images, got 1"):
        metrics.pixel_diversity(real_test_images.images[:1])


def test_latent_std_is_zero_for_identical_images_and_positive_for_real_ones(real_test_images):
    torch.manual_seed(0)
    encoder = make_model("mlp").eval()
    copies = real_test_images.images[:1].repeat(20, 1, 1, 1)
    assert metrics.latent_std(encoder, copies) == pytest.approx(0.0, abs=1e-6)
    assert metrics.latent_std(encoder, real_test_images.images[:200]) > 0.0


def test_negative_elbo_gives_one_repeatable_positive_value_per_image(real_test_images):
    torch.manual_seed(0)
    model = make_model("mlp")
    images = real_test_images.images[:30]
    values = metrics.negative_elbo(model, images, seed=1, batch_size=7)
    assert values.shape == (30,)
    assert (values > 0).all()
    assert np.array_equal(values, metrics.negative_elbo(model, images, seed=1, batch_size=7))
    assert metrics.negative_elbo(model, images[:0]).shape == (0,)
