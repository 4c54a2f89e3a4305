"""The course's verdicts (``claims``): each one computed from the shipped bundle or the Gaussian runs, and the
verdict sheet (lessons/verdicts.md) equal to what they say now."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from collapse_kit import claims
from collapse_kit.bundle import c3_names
from collapse_kit.replicates import bundle_band, setting_label
from collapse_kit.studies import PolicyBounds, policy_report, synthetic_share_study, training_images
from collapse_kit.verdicts import Verdict

SHEET = Path(__file__).resolve().parent.parent / "lessons" / "verdicts.md"


@pytest.fixture(scope="module")
def rows():
    return claims.bundle_rows()


def test_every_vae_verdict_rests_on_ten_seeds_of_the_bundle(rows):
    assert {row.claim for row in rows} == {"C1", "C2", "C3", "C4", "C5"}
    for row in rows:
        assert isinstance(row.verdict, Verdict) and row.verdict.replicates >= 10, row
        assert row.verdict.low <= row.verdict.effect <= row.verdict.high, row


def test_the_verdict_sheet_says_what_the_verdicts_say_now():
    """lessons/verdicts.md is written by scripts/write_verdict_sheet.py; rerun it when a verdict changes."""
    assert SHEET.read_text() == claims.verdict_sheet(), "lessons/verdicts.md is out of date: run " \
                                                        "python scripts/write_verdict_sheet.py"


def test_c3_compares_the_same_real_images_alone_with_synthetic_added_and_all_real_at_the_same_total():
    study = synthetic_share_study()
    for real in study.real_sizes:
        alone, mixed, all_real = (bundle_band(name).config for name in c3_names(real))
        assert mixed.real_per_generation == real and alone.samples_per_generation == real
        assert all_real.samples_per_generation == mixed.samples_per_generation and all_real.real_fraction == 1.0
        assert len(study.alone[real]) == len(study.mixed[real]) == len(study.all_real[real]) >= 10
    assert "synthetic" in str(study.added(9000)) and "all real" in str(study.replaced(9000))


def test_a_policy_is_judged_on_every_seed_of_a_band():
    band = bundle_band("replace, real 0.25", generations=6)
    report = policy_report(band, PolicyBounds(max_real_images=15_000))
    assert report["checks"]["real_images"] == {"value": 22_500, "limit": 15_000, "ok": False,
                                                "seeds_passing": "0 of 10"}
    latent = band.values["latent_std"]
    assert report["checks"]["latent_ratio"]["value"] == round(float(np.mean(latent[:, -1] / latent[:, 0])), 3)


def test_training_images_count_the_steps_each_compute_budget_takes():
    band = bundle_band("accumulate, real 0")
    sizes = band.values["train_size"][0]
    assert training_images(band.config, sizes) == sum(20 * (int(n) // 512) * 512 for n in sizes)
    steps = band.config.replace(compute="steps")
    assert training_images(steps, sizes) == 6 * 20 * (10_000 // 512) * 512


def test_setting_labels_name_what_differs():
    assert setting_label(bundle_band("replace, 1 real image").config) == "1 real image / replace"
    assert setting_label(bundle_band("replace, real 0.5, digits 0-4").config) == "real 50% (digits 0-4) / replace"
    assert setting_label(bundle_band("accumulate, real 0, equal steps").config) == "real 0% / accumulate, equal steps"
