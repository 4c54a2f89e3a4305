"""The analysis variants (``evidence.variants``, issue 27): each a view of the shipped bundle that a verdict's own
function reads, other lines or other columns, never a verdict written twice."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from collapse_kit.evidence import claims, registry, sheet
from collapse_kit.evidence import experiments as ex
from collapse_kit.evidence.bundle import Unbuilt, shipped
from collapse_kit.evidence.registry import entry_of
from collapse_kit.evidence.variants import VARIANTS, Variant, View, judge
from collapse_kit.vae.generation import REREADINGS
from collapse_kit.vae.loop import ExperimentConfig

BY_NAME = {variant.name: variant for variant in VARIANTS}


def test_a_variant_reads_other_lines_or_other_columns_not_both_nor_neither():
    with pytest.raises(ValueError, match="other lines or other columns"):
        Variant("x", "why", lines={ex.REAL_0: ex.REAL_50}, columns={"fid": "fid"})
    with pytest.raises(ValueError, match="other lines or other columns"):
        Variant("x", "why")


def test_every_variants_lines_are_catalogued_and_its_columns_are_the_worlds_rereadings():
    known = set(ex.CATALOGUE)
    for variant in VARIANTS:
        assert set(variant.lines or {}) <= set(ex.CATALOGUE), variant.name
        assert set((variant.lines or {}).values()) <= known, variant.name
        assert all(REREADINGS[measure] == column for measure, column in (variant.columns or {}).items())
    assert set().union(*(variant.columns or {} for variant in VARIANTS)) == set(REREADINGS)  # each reading once


class _Reading:
    """The shipped bundle, noting the name of every band read."""

    def __init__(self, bundle):
        self.bundle, self.read = bundle, set()

    def band(self, name):
        self.read.add(name)
        return self.bundle.band(name)

    def names(self):
        return self.bundle.names()


def test_every_line_a_confirmatory_vae_verdict_reads_carries_the_rereading_columns():
    """``experiments.REREAD_LINES`` is every line the confirmatory verdicts of the VAE world read, and each of their
    bands holds every re-reading column: the column variants judge every headline verdict on its own bands."""
    reading = _Reading(shipped())
    for entry in registry.entries():
        families = (entry.family,) if isinstance(entry.family, str) else entry.family
        if entry.source == "bundle" and "confirmatory" in families:
            entry.items(reading)
    vae = {name for name in reading.read if isinstance(ex.CATALOGUE[name], ExperimentConfig)}
    assert vae and vae <= set(ex.REREAD_LINES), sorted(vae - set(ex.REREAD_LINES))
    for name in ex.REREAD_LINES:
        assert set(REREADINGS.values()) <= set(shipped().band(name).values), name


def test_a_lines_variant_reads_the_variants_line_in_the_headline_lines_place():
    view = View(shipped(), BY_NAME["converged generation 0"])
    assert view.band(ex.REAL_0).name == ex.CONVERGED[ex.REAL_0]
    with pytest.raises(Unbuilt, match="no line"):
        view.band(ex.ACCUMULATE)  # accumulate at equal epochs has no converged line (left out for compute)


def test_a_line_not_built_is_unbuilt_not_an_error():
    bundle = shipped()
    without = dataclasses.replace(bundle, bands=[band for band in bundle.bands
                                                 if band.name != ex.CONVERGED[ex.REAL_0]])
    with pytest.raises(Unbuilt, match="not built yet"):
        View(without, BY_NAME["converged generation 0"]).band(ex.REAL_0)
    assert judge(entry_of(claims.recursion), without)["converged generation 0"] == [None, None, None]


def test_a_columns_variant_reads_its_column_in_the_measures_place_and_says_when_a_band_lacks_it():
    view = View(shipped(), BY_NAME["precision and recall as published"])
    read = view.band(ex.REAL_0)
    assert np.array_equal(read.metric("recall"), shipped().band(ex.REAL_0).metric("standard_recall"))
    assert read.column("recall") == "standard_recall" and read.column("fid") == "fid"
    built_without = next(band for band in shipped().bands
                         if "recall" in band.values and "standard_recall" not in band.values)
    with pytest.raises(Unbuilt, match="without the column"):
        view.band(built_without.name).metric("recall")


def test_a_variant_that_changes_no_number_of_a_verdict_is_no_variant_of_it():
    judged = judge(entry_of(claims.recursion))  # latent std, digits covered, test -ELBO
    assert judged["precision and recall as published"] == [None, None, None]  # reads neither
    assert [item is None for item in judged["another test subset"]] == [True, True, False]
    found = judged["another test subset"][2]
    assert "test -ELBO on the other test images" in found.statement


def test_the_sheets_count_names_the_variants_kept_and_each_that_changes_the_outcome():
    assert sheet.robustness("holds", {}) == ""
    assert sheet.robustness("holds", {"a": "holds", "b": "not resolved", "c": "holds"}) == (
        "kept in 2 of 3 (a, c); not resolved under b")
    assert sheet.robustness("holds", {"b": "negligible"}) == "kept in 0 of 1; negligible under b"


def test_only_confirmatory_rows_are_judged_under_the_variants():
    for row in sheet.rows():
        if row.family != "confirmatory" or row.source != "bundle":
            assert not row.under_variants, row.verdict


@pytest.mark.parametrize("lesson", ["03", "04", "05", "06", "07"])
def test_each_lesson_with_a_headline_verdict_checks_what_its_verdicts_depend_on(lesson):
    """Each VAE lesson prints its confirmatory verdicts under the variants and checks that its text names
    every variant that changes an outcome (``sheet.changed_under``)."""
    path = next((Path(__file__).resolve().parents[1] / "lessons").glob(f"{lesson}_*.ipynb"))
    code = "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                     if cell["cell_type"] == "code")
    assert "variant_lines(" in code and "changed_under(" in code, path.name


def test_the_sheet_names_a_variant_as_unbuilt_until_every_line_it_reads_carries_what_it_reads():
    bundle = shipped()
    without = dataclasses.replace(bundle, bands=[band for band in bundle.bands if band.name != ex.REREAD_LINES[-1]])
    assert set(sheet.unbuilt_variants(without)) >= {"precision and recall as published", "confident digits only",
                                                     "another test subset"}
    stripped = dataclasses.replace(bundle, bands=[
        dataclasses.replace(band, values={k: v for k, v in band.values.items() if k != "test_nelbo_other"})
        if band.name == ex.REAL_0 else band for band in bundle.bands])
    assert "another test subset" in sheet.unbuilt_variants(stripped)


def test_the_headers_sum_counts_the_verdicts_judged_and_those_kept_under_every_variant():
    confirmatory = [row for row in sheet.rows() if row.family == "confirmatory"]
    judged = [row.under_variants for row in confirmatory if row.under_variants]
    kept = sum(all(outcome == row.verdict.outcome for outcome in row.under_variants.values())
               for row in confirmatory if row.under_variants)
    assert sheet.robust_count(confirmatory) == (
        f"{len(judged)} confirmatory verdicts are judged under at least one variant "
        f"({sum(map(len, judged))} judgements in all); {kept} of them keep their outcome under every one.")
    written = (Path(__file__).resolve().parents[1] / "lessons" / "verdicts.md").read_text()
    assert f"{len(judged)} confirmatory verdicts are judged" in written
