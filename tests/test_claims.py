"""The course's verdicts (``claims``): each one computed from the shipped bundle or the Gaussian runs, registered
with its claim, lesson and family, read against its measure's margin, and the verdict sheet (lessons/verdicts.md)
and the stored table the lessons read equal to what they say now."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from collapse_kit.evidence import claims, registry, sheet
from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence.bundle import band
from collapse_kit.evidence.margins import MARGINS, margin
from collapse_kit.evidence.stats import Verdict
from collapse_kit.evidence.studies import PolicyBounds, policy_report, training_images

SHEET = Path(__file__).resolve().parent.parent / "lessons" / "verdicts.md"


@pytest.fixture(scope="module")
def rows():
    """The sheet's rows that the shipped bundle gives (the VAE's and the language model's): the registry's source."""
    return [row for row in sheet.rows() if row.source == "bundle"]


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


def test_every_difference_is_read_against_its_measures_margin_never_a_share_of_its_effect():
    """Each verdict on a column carries that column's margin from ``margins`` (fixed numbers): the C5 rows no longer
    take a tenth of the damage, C4's diversity no tenth of the dose, C3's change with size no half of the cost."""
    assert claims.diversity()[1].margin == margin("fid")
    assert all(v.margin == margin("test_nelbo") for v in claims.few_real_images().values())
    study = claims.synthetic_share()
    assert study.shrinks().margin == study.replaced_overall().margin == margin("test_nelbo")
    assert claims.synthetic_share("fid").added_overall().margin == margin("fid")
    assert claims.text_few_real().margin == margin("test_bits_per_character")
    for verdict in (claims.diversity()[1], claims.few_real_images()[1], study.shrinks()):
        assert verdict.outcome != "negligible" or -verdict.margin < verdict.low <= verdict.high < verdict.margin


def test_every_registered_verdict_names_its_claim_lesson_and_family():
    entries = registry.entries()
    assert [entry.lesson for entry in entries] == sorted(entry.lesson for entry in entries)
    names = {entry.name for entry in entries}
    assert {"recursion", "few_real_images", "text_tails", "gaussian_sheet", "lifeline_sheet"} <= names
    for entry in entries:
        for conditions, family, verdict in entry.items():
            assert family in registry.FAMILIES and conditions and isinstance(verdict, Verdict), entry.name
    with pytest.raises(ValueError, match="family must be one of"):
        registry.verdict("C1", "03", "x", family="headline")
    with pytest.raises(ValueError, match="is registered already"):
        registry.verdict("C1", "03", "x")(claims.recursion)


def test_each_claim_has_a_confirmatory_family_and_yardsticks_stand_apart(rows):
    confirmatory = {row.claim for row in sheet.rows() if row.family == "confirmatory"}
    assert confirmatory >= {"C1", "C2", "C3", "C4", "C5"}
    doubling = [row for row in rows if "yardstick" in row.conditions]
    assert doubling and all(row.family == "yardstick" and row.family_wise == "" for row in doubling)
    assert all(row.verdict.margin is None for row in doubling)  # a yardstick sets margins: read against zero


def test_a_measure_at_its_floor_in_the_arm_that_must_move_is_not_testable():
    """Lesson 07's recall gap: the cold loop's recall sits at its floor 0 by generation 3, so the gap cannot grow."""
    gap, share = claims.compounding()
    cold_recall = band(ex.BERNOULLI[0.6]).at("recall", 3).mean()
    assert cold_recall <= margin("recall")
    assert gap.outcome == share.outcome == "not testable" and "recall at its floor 0" in gap.outcome_words


def test_a_plateau_is_a_slope_in_the_measures_units_against_a_tolerance_from_its_margin():
    plateaus = claims.plateaus()
    assert all(v.margin == pytest.approx(margin("test_nelbo") / 5) for v in plateaus.values())
    slope_10 = np.mean([np.polyfit(range(6, 12), seed[6:12], 1)[0] for seed in band(ex.SWEEP[0.1]).values[
        "test_nelbo"]])
    assert plateaus[0.1].effect == pytest.approx(slope_10) and plateaus[0.1].outcome == "contradicted"
    assert plateaus[0.0].outcome == "not testable"  # one digit left: nothing to lose


def test_the_sheets_header_states_every_margin_with_its_reason():
    text = SHEET.read_text()
    for item in MARGINS.values():
        assert f"| {item.measure} | {item.value:g} | " in text and item.reason.split(":")[0][:40] in text


@pytest.mark.slow
def test_holm_runs_within_each_claims_confirmatory_verdicts_and_lessons_read_the_stored_table():
    every = sheet.rows()
    for row in every:
        assert (row.family_wise in ("", row.verdict.outcome, "not resolved"))
        assert (row.family_wise != "") == (row.family == "confirmatory")
    lines = sheet.family_wise(claims.recursion())
    assert lines[0].endswith(f"Holm over C1's {sheet.family_size(sheet.stored_table(), 'C1')} confirmatory "
                             "verdicts: holds")
    assert "secondary, not part of a corrected family" in sheet.family_wise([claims.sampling()])[0]
    with pytest.raises(ValueError, match="verdicts must be rows of the verdict sheet"):
        sheet.family_wise([claims.recursion()[0].__class__("C9", "x", 1.0, 0.5, 1.5, 10, "seeds", True)])


@pytest.mark.slow
def test_the_verdict_sheet_and_the_stored_table_say_what_the_verdicts_say_now():
    """lessons/verdicts.md and collapse_kit/assets/verdict_table.json are written by scripts/write_verdict_sheet.py;
    rerun it when a verdict changes."""
    assert SHEET.read_text() == sheet.verdict_sheet(), "lessons/verdicts.md is out of date: run " \
                                                        "python scripts/write_verdict_sheet.py"
    assert json.loads(sheet.TABLE_FILE.read_text()) == json.loads(json.dumps(sheet.table())), \
        "collapse_kit/assets/verdict_table.json is out of date: run python scripts/write_verdict_sheet.py"


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
    """The readings of a verdict a lesson asks for: holds, contradicted (the interval wholly beyond the margin on the
    other side) or not resolved (and negligible where the margin swallows it)."""
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
    rows = [row for row in sheet.rows() if row.lesson == "09"]
    assert [row.claim for row in rows] == ["C1"] + ["C2"] * 5 + ["C4", "C4", "C5", "C2", "C2", "C4", "C4"]
    for row in rows:
        assert row.lesson == "09" and row.conditions.startswith("language model"), row
        assert row.verdict.test == "paired t" and row.verdict.replicates == 10 and row.verdict.unit == "seeds", row
    assert "real test text (bits per character) at generation 5 is" in rows[0].verdict.statement
    assert " higher than at generation 0" in rows[0].verdict.statement  # worse is "higher": the column says so


def test_rare_words_are_judged_on_the_share_each_seed_keeps_against_its_common_words():
    """C2 for the language model: per seed, the share of its generation-0 rare coverage kept at generation 5 minus
    the share of its common coverage kept; the effect is the mean of those, turned to the claim's way (lower)."""
    synthetic = band(ex.TEXT_REAL_0)
    rare = synthetic.values["rare_coverage"][:, 5] / synthetic.values["rare_coverage"][:, 0]
    common = synthetic.values["common_coverage"][:, 5] / synthetic.values["common_coverage"][:, 0]
    tails = claims.text_tails()[2]
    assert tails.effect == pytest.approx(float(np.mean(common - rare)))
    assert "rare real words kept at generation 5" in tails.statement and tails.replicates == 10
    # generation 0 already sits at the letter chain's coverage: a share that cannot fall tests nothing
    assert tails.outcome == "not testable" and "letter chain" in tails.outcome_words


def test_the_text_tails_are_read_on_real_text_where_generation_0_has_room_to_lose():
    """The headline C2 text reading: real test text's bits per character on rare words rise less than on common
    words (contradicted), while generation 0 is well below the letter chain's bits on rare words (testable)."""
    synthetic = band(ex.TEXT_REAL_0)
    rise = {name: synthetic.values[name][:, 5] - synthetic.values[name][:, 0]
            for name in ("rare_word_bits", "common_word_bits")}
    bits = claims.text_tails()[0]
    assert bits.effect == pytest.approx(float(np.mean(rise["rare_word_bits"] - rise["common_word_bits"])))
    assert bits.floor is None and bits.outcome == "contradicted"
    assert claims.text_tails()[4].outcome == "holds"  # at temperature 0.7 the rare words do go first


def test_the_text_c5_reads_ten_passages_against_the_margin_of_bits_per_character():
    few = claims.text_few_real()
    assert few.margin == margin("test_bits_per_character")
    assert few.outcome != "negligible" or -few.margin < few.low <= few.high < few.margin
    steps = band(ex.TEXT_ACCUMULATE_EQUAL_STEPS)
    assert steps.config.compute == "steps" and band(ex.TEXT_REAL_0).config.strategy == "replace"
