"""The capstone (lesson 08) judges a policy over seeds: each quality bound by the 95% interval of its mean against
the bound less its measure's margin, the spread bound for the reason the lesson states, and more than one sound
policy passes (issue 26, point 6)."""

from __future__ import annotations

import numpy as np
import pytest

from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence import margins
from collapse_kit.evidence.bundle import band
from collapse_kit.evidence.stats import summarize
from collapse_kit.evidence.studies import (
    SPREAD_BOUND,
    PolicyBounds,
    bound_verdict,
    policy_evidence,
    policy_report,
    policy_seeds,
    training_images,
)

FULL_BOUNDS = PolicyBounds(max_real_images=15_000)  # 1.5 x N for the full profile's N = 10,000


def latent_ratio(evidence) -> np.ndarray:
    latent = evidence.metric("latent_std")
    return latent[:, -1] / latent[:, 0]


def test_the_spread_bound_is_what_the_fully_synthetic_loop_keeps_after_one_generation():
    # The reason lesson 08 states: 0.7 is the share of generation 0's latent std that the fully synthetic loop keeps
    # after its first generation (0.698 over the bundle's 10 seeds).
    kept = latent_ratio(band(ex.REAL_0, generations=2))
    assert abs(kept.mean() - SPREAD_BOUND) < 0.01, kept.mean()
    assert PolicyBounds(max_real_images=1).min_latent_ratio == SPREAD_BOUND


def test_a_bound_is_met_only_when_the_whole_interval_lies_above_the_bound_less_its_margin():
    assert bound_verdict([0.80, 0.82, 0.78, 0.81], 0.7, 0.03, "ratio").outcome == "holds"
    assert bound_verdict([0.60, 0.62, 0.58, 0.61], 0.7, 0.03, "ratio").outcome == "contradicted"
    assert bound_verdict([0.50, 0.90, 0.60, 0.85], 0.7, 0.03, "ratio").outcome == "not resolved"
    assert bound_verdict([9, 9, 9, 9], 9, 0.5, "digits").outcome == "holds"  # at least 9 digits on every seed
    assert bound_verdict([10, 8, 10, 9], 9, 0.5, "digits").outcome == "not resolved"


def test_a_policy_report_reads_its_verdicts_from_the_seeds_interval():
    quarter = band(ex.REAL_25, generations=6)
    report = policy_report(quarter, FULL_BOUNDS)
    ratio = latent_ratio(quarter)
    summary = summarize(ratio)
    latent = report["checks"]["latent_ratio"]
    assert latent["value"] == round(float(ratio.mean()), 3)
    assert latent["interval"] == (round(float(summary.low), 3), round(float(summary.high), 3))
    assert latent["margin"] == round(margins.share_margin("latent_std", quarter.metric("latent_std")[:, 0].mean()), 3)
    assert latent["outcome"] == "contradicted" and not latent["ok"] and "10 seeds" in latent["verdict"]
    assert report["checks"]["real_images"] == {"value": 22_500, "limit": 15_000, "ok": False,
                                                "seeds_passing": "0 of 10"}
    assert not report["passed"]


def test_one_run_is_not_enough_to_judge_a_policy():
    one_seed = band(ex.ACCUMULATE)
    one_seed = type(one_seed)(one_seed.name, one_seed.config, one_seed.seeds[:1],
                              {name: values[:1] for name, values in one_seed.values.items()})
    with pytest.raises(ValueError, match="2 seeds or more"):
        policy_report(one_seed, FULL_BOUNDS)
    with pytest.raises(ValueError, match="at least 2 different seeds"):
        policy_evidence(ex.CATALOGUE[ex.REAL_0].replace(real_fraction=0.05), [3, 3])


def test_the_class_seed_picks_the_seeds_a_policy_runs_on():
    assert policy_seeds(0) == [0, 1, 2, 3] and policy_seeds(5) == [5, 6, 7, 8]
    with pytest.raises(ValueError, match="count"):
        policy_seeds(0, 1)


def test_a_policy_the_bundle_holds_is_read_from_its_seeds():
    config = ex.CATALOGUE[ex.KEEP_FIRST_SET]
    evidence = policy_evidence(config, policy_seeds(7))  # instant: nothing trains
    assert evidence.seeds == band(ex.KEEP_FIRST_SET).seeds and len(evidence.seeds) == 10


def test_more_than_one_sound_policy_passes_and_one_of_them_at_equal_compute():
    # Over the bundle's 10 seeds (full profile, 6 generations): accumulate at equal epochs passes with 3.6 times
    # replace's compute; keeping generation 0's real set beside each new set passes at replace's compute; accumulate
    # at replace's compute does not.
    replace = ex.CATALOGUE[ex.REAL_0].replace(generations=6)
    replace_images = training_images(replace, [replace.samples_per_generation] * replace.generations)
    reports = {name: policy_report(band(name, generations=6), FULL_BOUNDS)
               for name in (ex.ACCUMULATE, ex.KEEP_FIRST_SET, ex.ACCUMULATE_EQUAL_STEPS)}
    assert reports[ex.ACCUMULATE]["passed"] and reports[ex.ACCUMULATE]["training_images"] > 3 * replace_images
    assert reports[ex.KEEP_FIRST_SET]["passed"] and reports[ex.KEEP_FIRST_SET]["training_images"] == replace_images
    equal_steps = reports[ex.ACCUMULATE_EQUAL_STEPS]
    assert not equal_steps["passed"] and equal_steps["checks"]["latent_ratio"]["outcome"] == "contradicted"
