"""The course's verdicts (``claims``): each one computed from the shipped bundle or the Gaussian runs, and the
verdict sheet (lessons/verdicts.md) equal to what they say now."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from collapse_kit.evidence import claims, sheet
from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence.bundle import band
from collapse_kit.evidence.stats import Verdict
from collapse_kit.evidence.studies import PolicyBounds, policy_report, training_images

SHEET = Path(__file__).resolve().parent.parent / "lessons" / "verdicts.md"


@pytest.fixture(scope="module")
def rows():
    return sheet.bundle_rows()


def test_every_vae_verdict_rests_on_ten_seeds_of_the_bundle(rows):
    assert {row.claim for row in rows} == {"C1", "C2", "C3", "C4", "C5"}
    for row in rows:
        assert isinstance(row.verdict, Verdict) and row.verdict.replicates >= 10, row
        assert row.verdict.low <= row.verdict.effect <= row.verdict.high, row
        assert row.verdict.unit == "seeds", row  # the seed is the replicate, never a run of a pooled setting


def test_bands_that_ran_the_same_seeds_are_compared_seed_by_seed(rows):
    """Every shipped band ran seeds 0-9, so every VAE comparison is paired (or a plateau's slope test)."""
    assert {row.verdict.test for row in rows} == {"paired t", "slope t"}
    study = claims.synthetic_share()
    assert study.design == "paired" and study.added_overall().replicates == 10


def test_where_a_lesson_asks_for_no_effect_the_verdict_carries_its_stated_margin():
    dose = claims.real_fraction()[0]
    assert claims.diversity()[1].margin == pytest.approx(claims.DOSE_MARGIN * dose.effect)
    damage = claims.recursion()[2]  # test -ELBO at generation 5 against generation 0, fully synthetic
    assert all(v.margin == pytest.approx(claims.RESCUE_MARGIN * damage.effect)
               for v in claims.few_real_images().values())
    study = claims.synthetic_share()
    cost = study.replaced(study.real_sizes[0]).effect
    assert study.shrinks().margin == pytest.approx(claims.SHRINK_MARGIN * cost)
    for verdict in (claims.diversity()[1], claims.few_real_images()[1], study.shrinks()):
        assert verdict.outcome in ("equivalent", "not resolved", "holds", "contradicted")
        assert verdict.outcome != "equivalent" or -verdict.margin < verdict.low <= verdict.high < verdict.margin


@pytest.mark.slow
def test_the_family_wise_column_is_holm_over_the_whole_sheet():
    every = sheet.rows()
    outcomes = [row.family_wise for row in every]
    assert len(every) == len(sheet.bundle_rows()) + len(sheet.gaussian_rows())
    assert all(o == row.verdict.outcome or o == "not resolved" for o, row in zip(outcomes, every))
    lines = sheet.family_wise(claims.recursion())
    assert lines[0].endswith(f"Holm over the sheet's {len(every)} verdicts: holds")
    with pytest.raises(ValueError, match="verdicts must be rows of the verdict sheet"):
        sheet.family_wise([claims.recursion()[0].__class__("C9", "x", 1.0, 0.5, 1.5, 10, "seeds", True)])


@pytest.mark.slow
def test_the_verdict_sheet_says_what_the_verdicts_say_now():
    """lessons/verdicts.md is written by scripts/write_verdict_sheet.py; rerun it when a verdict changes."""
    assert SHEET.read_text() == sheet.verdict_sheet(), "lessons/verdicts.md is out of date: run " \
                                                        "python scripts/write_verdict_sheet.py"


def test_c3_compares_the_same_real_images_alone_with_synthetic_added_and_all_real_at_the_same_total():
    study = claims.synthetic_share()
    for real in study.real_sizes:
        alone, mixed, all_real = (band(name).config for name in ex.C3[real])
        assert mixed.real_per_generation == real and alone.samples_per_generation == real
        assert all_real.samples_per_generation == mixed.samples_per_generation and all_real.real_fraction == 1.0
        assert len(study.alone[real]) == len(study.mixed[real]) == len(study.all_real[real]) >= 10
    assert "synthetic" in str(study.added(9000)) and "all real" in str(study.replaced(9000))


def test_a_policy_is_judged_on_every_seed_of_a_band():
    quarter = band(ex.REAL_25, generations=6)
    report = policy_report(quarter, PolicyBounds(max_real_images=15_000))
    assert report["checks"]["real_images"] == {"value": 22_500, "limit": 15_000, "ok": False,
                                                "seeds_passing": "0 of 10"}
    latent = quarter.values["latent_std"]
    assert report["checks"]["latent_ratio"]["value"] == round(float(np.mean(latent[:, -1] / latent[:, 0])), 3)


def test_training_images_count_the_steps_each_compute_budget_takes():
    accumulate = band(ex.ACCUMULATE)
    sizes = accumulate.values["train_size"][0]
    assert training_images(accumulate.config, sizes) == sum(20 * (int(n) // 512) * 512 for n in sizes)
    steps = accumulate.config.replace(compute="steps")
    assert training_images(steps, sizes) == 6 * 20 * (10_000 // 512) * 512


def test_setting_labels_name_what_differs():
    assert band(ex.FEW_REAL[1]).config.label() == "1 real image / replace"
    assert band(ex.REAL_50_NARROW).config.label() == "real 50% (digits 0-4) / replace"
    assert band(ex.ACCUMULATE_EQUAL_STEPS).config.label() == "real 0% / accumulate, equal steps"
    assert band(ex.BERNOULLI[0.6]).config.label() == "real 0%, Bernoulli samples at temperature 0.6 / replace"


def test_a_verdict_reads_as_the_answer_to_its_question():
    """The three readings of a verdict a lesson asks for: holds, contradicted (the interval wholly on the other
    side of 0) or not resolved."""
    sampling = claims.sampling()
    assert sampling.outcome in ("holds", "contradicted", "not resolved")
    expected = {"holds": "mean images", "contradicted": "bernoulli", "not resolved": "not told apart"}[sampling.outcome]
    assert sampling.reading("mean images", "bernoulli", "not told apart") == expected
    assert claims.recursion()[0].outcome == "holds"


def test_each_degradation_verdict_takes_its_direction_from_the_metric_declaration():
    """FID rises, the latent std falls: "worse" comes from the column's ``better``, not from a retyped word."""
    words = {verdict.statement.split(" at generation")[0]: verdict.statement for verdict in claims.diversity_loss()}
    assert " higher than " in words["FID"] and " lower than " in words["recall"]


def test_one_real_point_is_judged_for_every_prior_and_kind_of_point():
    from collapse_kit.gaussian.theory import lifeline_study

    study = lifeline_study(generations=60, chains=40, seed=3, prior_variances=(1.0, 4.0))
    verdicts = claims.one_real_point(study)
    assert set(verdicts) == {(1.0, "fixed"), (1.0, "fresh"), (4.0, "fixed"), (4.0, "fresh")}
    assert all(v.replicates == 40 and v.unit == "chains" for v in verdicts.values())


def test_the_language_models_verdicts_pair_ten_seeds_of_its_own_lines():
    """Lesson 09's rows: every one on the text lines of the bundle, seed by seed (every line ran seeds 0-9 from the
    same generation 0), with its measure's words and direction from the text world's columns."""
    rows = sheet.text_rows()
    assert [row.claim for row in rows] == ["C1", "C2", "C2", "C4", "C4", "C5", "C2", "C2", "C4", "C4"]
    for row in rows:
        assert row.lesson == "09" and row.conditions.startswith("language model"), row
        assert row.verdict.test == "paired t" and row.verdict.replicates == 10 and row.verdict.unit == "seeds", row
    assert "real test bits per character at generation 5 is" in rows[0].verdict.statement
    assert " higher than at generation 0" in rows[0].verdict.statement  # worse is "higher": the column says so


def test_rare_words_are_judged_on_the_share_each_seed_keeps_against_its_common_words():
    """C2 for the language model: per seed, the share of its generation-0 rare coverage kept at generation 5 minus
    the share of its common coverage kept; the effect is the mean of those, turned to the claim's way (lower)."""
    synthetic = band(ex.TEXT_REAL_0)
    rare = synthetic.values["rare_coverage"][:, 5] / synthetic.values["rare_coverage"][:, 0]
    common = synthetic.values["common_coverage"][:, 5] / synthetic.values["common_coverage"][:, 0]
    tails = claims.text_tails()[0]
    assert tails.effect == pytest.approx(float(np.mean(common - rare)))
    assert "rare real words kept at generation 5" in tails.statement and tails.replicates == 10


def test_the_text_c5_margin_is_a_tenth_of_the_damage_the_text_loop_does():
    damage = claims.text_recursion()
    few = claims.text_few_real()
    assert few.margin == pytest.approx(claims.RESCUE_MARGIN * abs(damage.effect))
    assert few.outcome != "equivalent" or -few.margin < few.low <= few.high < few.margin
    steps = band(ex.TEXT_ACCUMULATE_EQUAL_STEPS)
    assert steps.config.compute == "steps" and band(ex.TEXT_REAL_0).config.strategy == "replace"
