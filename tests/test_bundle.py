"""The shipped results bundle: whole, small, traceable, and made of numbers our own runs reproduce."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from collapse_kit.core.cache import platform_tag
from collapse_kit.core.columns import columns_of
from collapse_kit.evidence import bundle
from collapse_kit.evidence import experiments as ex
from collapse_kit.text.data import characters
from collapse_kit.text.loop import GENERATION_0_FIELDS, TextConfig
from collapse_kit.text.models import contexts_and_targets
from collapse_kit.vae.loop import GENERATION_0_FIELDS as VAE_GENERATION_0
from collapse_kit.vae.loop import ExperimentConfig

# Where the platform differs from the bundle's, a recomputed run is one more seed of the same experiment: its
# numbers must fall where the bundle's seeds fall, within this many across-seed standard deviations of their mean.
SEED_SPREADS = 4.0


@pytest.fixture(scope="module")
def shipped():
    return bundle.read()


def test_the_bundle_is_shipped_small_and_verified(shipped):
    assert bundle.BUNDLE_FILE.stat().st_size <= 5_000_000
    for provenance in [shipped.provenance] + [band.provenance for band in shipped.bands]:
        for field in ("code_version", "torch", "platform", "cpu", "created", "build_seconds", "seeds", "python"):
            assert provenance.get(field) not in (None, ""), f"provenance lacks {field}"
        assert len(provenance["seeds"]) >= 10


def test_each_experiment_keeps_the_provenance_of_the_build_that_ran_it(tmp_path, synthetic_run, real_run):
    first = bundle.shipped_band("old", [synthetic_run], {"code_version": "a", "created": "then"})
    second = bundle.shipped_band("new", [synthetic_run], {"code_version": "b", "created": "now"})
    (tmp_path / "b.npz").write_bytes(bundle.pack([first, second], {"code_version": "b", "created": "now"}))
    read = bundle.read(tmp_path / "b.npz")
    assert [band.provenance["code_version"] for band in read.bands] == ["a", "b"]
    assert read.provenance["created"] == "now" and read.band("old").seeds == [synthetic_run.seed]
    assert np.array_equal(read.band("new").values["fid"], first.values["fid"])
    assert read.band("new").config == synthetic_run.config
    with pytest.raises(ValueError, match="name must be an experiment"):
        read.band("absent")
    with pytest.raises(ValueError, match="mixes 2 configs"):
        bundle.shipped_band("mixed", [synthetic_run, real_run], {})


def test_a_bundle_without_a_new_metric_still_reads_without_that_column(tmp_path, synthetic_run):
    """Adding a metric must not break the shipped bundle: its column is simply absent until the next build."""
    old = bundle.shipped_band("old", [synthetic_run], {"code_version": "a"})
    del old.values["recall"]
    (tmp_path / "b.npz").write_bytes(bundle.pack([old], {"code_version": "a"}))
    read = bundle.read(tmp_path / "b.npz").band("old")
    assert "recall" not in read.values and np.array_equal(read.values["fid"], old.values["fid"])
    with pytest.raises(ValueError, match="columns this band holds"):
        read.metric("recall")


def test_every_experiment_of_the_catalogue_has_a_band_of_ten_seeds(shipped):
    """The catalogue's configs are the very ones the bundle ran (a literal table cannot drift from the file)."""
    assert shipped.names() == list(ex.CATALOGUE)
    for name, config in ex.CATALOGUE.items():
        band = shipped.band(name)
        assert band.config == config, name
        assert len(band.seeds) >= 10
        if name in ex.WITHOUT_SAMPLES:  # issue 27's variants and controls ship no sample grids
            assert band.samples is None and band.sample_seeds == [], name
        else:
            assert band.samples.shape[0] >= 1, name
        for name, values in band.values.items():  # a column added since the build is absent until the next one
            assert values.shape[:2] == (len(band.seeds), config.generations), (name, values.shape)
            assert np.isfinite(values).all(), (band.name, name)


def test_every_text_line_of_the_catalogue_is_in_the_bundle_with_that_config_and_seeds_0_to_9(shipped):
    """The language model's lines (lesson 09): the very config, seeds 0-9, every measure of its world, and the
    provenance of the build that ran them (its own code version: the text world's)."""
    text_lines = [name for name, config in ex.CATALOGUE.items() if isinstance(config, TextConfig)]
    assert len(text_lines) == 6 and all(name.startswith("text, ") for name in text_lines)
    for name in text_lines:
        band = shipped.band(name)
        assert type(band.config) is TextConfig and band.config == ex.CATALOGUE[name], name
        assert band.seeds == list(range(10)) and band.generations == 6, name
        assert set(band.values) == {column.name for column in columns_of(TextConfig.record)}, name
        assert band.values["rank_frequency"].ndim == 3 and band.provenance["seeds"] == list(range(10)), name
        assert band.sample_seeds == list(bundle.SAMPLE_SEEDS) and band.samples.shape[:2] == (3, 6), name


def test_the_catalogue_isolates_what_each_design_names():
    """C3: the mixed set holds the same real images as the set alone; every C3 set trains about the full profile's
    gradient steps (within 3%); accumulate at equal compute differs from equal epochs by compute alone."""
    steps = ex.CATALOGUE[ex.REAL_0].epochs * (ex.CATALOGUE[ex.REAL_0].samples_per_generation
                                              // ex.CATALOGUE[ex.REAL_0].batch_size)
    for real, (alone, mixed, all_real) in ex.C3.items():
        configs = [ex.CATALOGUE[name] for name in (alone, mixed, all_real)]
        assert configs[0].real_per_generation == configs[1].real_per_generation == real
        assert configs[1].samples_per_generation == configs[2].samples_per_generation == round(real / 0.9)
        assert abs(configs[1].real_fraction - (1 - ex.C3_SYNTHETIC_SHARE)) < 1e-12
        for config in configs:
            assert abs(config.epochs * (config.samples_per_generation // config.batch_size) - steps) <= 0.03 * steps
    assert ex.CATALOGUE[ex.ACCUMULATE].replace(compute="steps") == ex.CATALOGUE[ex.ACCUMULATE_EQUAL_STEPS]
    n = ex.CATALOGUE[ex.REAL_0].samples_per_generation
    assert {k: ex.CATALOGUE[name].real_per_generation for k, name in ex.FEW_REAL.items()} == {0: 0, 1: 1, 10: 10,
                                                                                             100: 100}
    assert n == 10_000


def test_each_variant_and_control_differs_from_its_headline_line_in_what_its_name_says():
    """Issue 27's lines: a variant is its headline line with the variant's fields (and perhaps fewer generations);
    each control differs from the line it is compared with in its own fields only; the converged lines share one
    generation 0, the others today's."""
    lines = ex.CATALOGUE

    def differs(name: str, base: str) -> set:
        config, other = lines[name], ex.CATALOGUE[base]
        assert config.generations <= other.generations or name not in ex.WITHOUT_SAMPLES, name  # REAL_0: 12
        return {key for key, value in vars(config).items() if getattr(other, key) != value} - {"generations"}

    c3_arms = {arm for names in ex.C3.values() for arm in names}
    for base, name in ex.CONVERGED.items():  # C3's arms fine-tune the converged generation 0 of 10,000 images
        assert differs(name, base) == {"first_epochs", "start"} | ({"first_samples"} if base in c3_arms else set())
        assert (lines[name].generation_0_samples, lines[name].generation_0_epochs) == (10_000, ex.FIRST_EPOCHS), name
    assert ex.FIRST_EPOCHS == 16 * ex.CATALOGUE[ex.REAL_0].epochs
    for base, name in ex.OTHER_SAMPLING.items():
        assert differs(name, base) == {"sample_mode"}, name
    assert differs(ex.KEEP_FIRST_SET, ex.REAL_0) == {"keep_first_set", "compute"}
    assert differs(ex.ACCUMULATE_SYNTHETIC, ex.ACCUMULATE_EQUAL_STEPS) == {"keep_first_set"}
    for k, name in ex.FIXED_REAL.items():
        assert differs(name, ex.FEW_REAL[k]) == {"real_pool"} and lines[name].real_pool == k, name
    assert differs(ex.REAL_50_POOL, ex.REAL_50) == {"real_pool"} and lines[ex.REAL_50_POOL].real_pool == ex.REAL_POOL
    for name in (ex.CONVERGED[ex.REAL_50], ex.OTHER_SAMPLING[ex.REAL_50]):  # a plateau is judged on generations 6-11
        assert lines[name].generations == 12, name
    assert ex.WITHOUT_SAMPLES <= set(ex.CATALOGUE)
    c3 = {ex.OTHER_SAMPLING[name] for names in ex.C3.values() for name in names}  # each size: its own generation 0
    converged = set(ex.CONVERGED.values())
    for group in (converged, ex.WITHOUT_SAMPLES - converged - c3):
        shared = {tuple(getattr(lines[name], key) for key in VAE_GENERATION_0) for name in group}
        assert len(shared) == 1, shared  # one generation 0 per seed for the whole group
    assert {tuple(getattr(ex.CATALOGUE[ex.REAL_0], key) for key in VAE_GENERATION_0)} == {
        tuple(getattr(lines[ex.KEEP_FIRST_SET], key) for key in VAE_GENERATION_0)}  # today's generation 0


def test_a_variant_band_agrees_with_the_bands_it_shares_generations_with(shipped):
    """Built bands only: Bernoulli samples with no real data for 6 generations repeat BERNOULLI[1.0]'s 4, bit for
    bit; every control and Bernoulli line starts from today's generation 0 (its measures that sample nothing equal
    REAL_0's); every converged line from one shared generation 0."""
    names = set(shipped.names())
    bernoulli = ex.OTHER_SAMPLING[ex.REAL_0]
    if bernoulli in names:
        old, new = shipped.band(ex.BERNOULLI[1.0]), shipped.band(bernoulli)
        for column, values in old.values.items():
            assert np.array_equal(new.values[column][:, :4], values), column
    today = [name for name in (ex.KEEP_FIRST_SET, ex.ACCUMULATE_SYNTHETIC, ex.REAL_50_POOL, *ex.FIXED_REAL.values(),
                               *(ex.OTHER_SAMPLING[line] for line in (ex.REAL_0, ex.REAL_50, ex.REAL_50_NARROW)))
             if name in names]
    converged = [name for name in ex.CONVERGED.values() if name in names]
    for group, reference in ((today, ex.REAL_0), (converged, converged[0] if converged else None)):
        for name in group:
            for column in ("test_nelbo", "final_loss", "train_size"):  # generation 0's measures that sample nothing
                assert np.array_equal(shipped.band(name).values[column][:, 0],
                                      shipped.band(reference).values[column][:, 0]), (name, column)


def test_the_text_catalogue_isolates_what_each_verdict_compares():
    """Lesson 09's lines: each differs from the fully synthetic loop in the fields its name says and nothing else;
    all share generation 0's fields (so a seed gives them the same generation 0); accumulate trains the same steps
    per generation as replace (equal compute); C5's line adds 10 real passages."""
    base = ex.CATALOGUE[ex.TEXT_REAL_0]
    assert base == TextConfig()  # the full profile: TextConfig's own defaults
    differs = {ex.TEXT_REAL_10: {"real_fraction"}, ex.TEXT_REAL_50: {"real_fraction"},
               ex.TEXT_TEMPERATURE[0.7]: {"temperature"}, ex.TEXT_ACCUMULATE_EQUAL_STEPS: {"strategy", "compute"},
               ex.TEXT_FEW_REAL[10]: {"real_fraction"}}
    for name, fields in differs.items():
        config = ex.CATALOGUE[name]
        assert {key for key, value in vars(config).items() if getattr(base, key) != value} == fields, name
        assert all(getattr(config, key) == getattr(base, key) for key in GENERATION_0_FIELDS), name
    assert {f: ex.CATALOGUE[name].real_fraction for f, name in ex.TEXT_REAL.items()} == {0.0: 0.0, 0.1: 0.1, 0.5: 0.5}
    assert ex.CATALOGUE[ex.TEXT_TEMPERATURE[0.7]].temperature == 0.7 and ex.TEXT_TEMPERATURE[1.0] == ex.TEXT_REAL_0
    assert {k: ex.CATALOGUE[name].real_per_generation for k, name in ex.TEXT_FEW_REAL.items()} == {0: 0, 10: 10}
    accumulate = ex.CATALOGUE[ex.TEXT_ACCUMULATE_EQUAL_STEPS]
    replace_steps = len(contexts_and_targets(torch.zeros((base.passages, base.passage_length), dtype=torch.uint8),
                                             base.context)) // base.batch_size * base.epochs
    assert accumulate.compute == "steps"
    assert accumulate.epochs * (accumulate.characters_per_generation // accumulate.batch_size) == replace_steps == 512


def test_a_shorter_run_of_a_bundled_setting_finds_its_first_generations(shipped):
    config = ex.CATALOGUE[ex.REAL_50]
    band = bundle.find(config.replace(generations=6), shipped)
    assert band.generations == 6 and band.source == "results bundle" and band.name == ex.REAL_50
    assert np.array_equal(band.values["fid"], shipped.band(ex.REAL_50).values["fid"][:, :6])
    assert bundle.find(config.replace(learning_rate=0.01), shipped) is None
    assert bundle.bands_for([config, config.replace(learning_rate=0.01)], shipped)[0].config == config
    assert bundle.band(ex.REAL_50, generations=6, bundle=shipped).config == config.replace(generations=6)


@pytest.mark.slow
def test_the_evidence_on_a_setting_is_always_a_band(shipped, tmp_path, synthetic_run):
    """Shipped seeds where the bundle holds the setting; else one live run, as a one-seed band labelled your run."""
    assert bundle.evidence(ex.CATALOGUE[ex.REAL_25].replace(generations=6), bundle=shipped).seeds == list(range(10))
    live = bundle.evidence(synthetic_run.config, seed=synthetic_run.seed, bundle=shipped, cache_dir=tmp_path,
                           progress=False)
    assert isinstance(live, bundle.Band) and live.seeds == [synthetic_run.seed] and live.source == "your run"
    assert np.array_equal(live.values["fid"][0], synthetic_run.metric("fid"))
    assert "your run, seed" in live.label()


def test_a_tampered_bundle_is_refused(tmp_path):
    data = dict(np.load(bundle.BUNDLE_FILE))
    data["0/fid"] = data["0/fid"] + 1.0
    np.savez_compressed(tmp_path / "tampered.npz", **data)
    with pytest.raises(ValueError, match="corrupt"):
        bundle.read(tmp_path / "tampered.npz")
    with pytest.raises(FileNotFoundError, match="build_results_bundle"):
        bundle.read(tmp_path / "absent.npz")


@pytest.mark.slow
def test_a_sampled_bundle_entry_is_reproduced_by_a_run_of_our_own(shipped, tmp_path, test_seed, replay_hint):
    """Recompute the first two generations of a randomly chosen (experiment, seed) of the bundle.

    The choice follows the tests' seed (the git commit's, or $COLLAPSE_KIT_TEST_SEED): a failure prints it and the
    command that makes the same choice again. Every band can be drawn, with odds inversely proportional to what its
    two generations cost (``config.cost()``; a config that does not say is costed as the cheapest): a band whose
    generation 0 trains 16 times longer (the converged start) takes about 110 s here instead of 15 s, so it is drawn
    about a sixteenth as often, and the suite costs about the same whichever commit it tests. Generation g depends
    only on the generations before it, so two generations of a 12-generation run are a two-generation run. It runs
    on one torch thread, as the bundle's workers do (the thread count changes the last bits of some runs:
    ``cache.run_key``). Same platform (torch version, CPU kind): the numbers must be equal, bit for bit. Another
    platform: within SEED_SPREADS across-seed standard deviations of the bundle's mean (a recomputation there is one
    more seed of the same experiment, not a copy).
    """
    choices = shipped.bands
    costs = [getattr(band.config.replace(generations=2), "cost", lambda: None)() for band in choices]
    cheapest = min(cost for cost in costs if cost is not None)
    odds = [cheapest / (cost or cheapest) for cost in costs]
    picker = random.Random(test_seed)
    experiment = picker.choices(choices, weights=odds)[0]
    index = picker.randrange(len(experiment.seeds))
    seed = experiment.seeds[index]
    share = odds[choices.index(experiment)] / sum(odds)
    where = f"{experiment.name}, seed {seed}, drawn with probability {share:.4f} ({replay_hint})"
    print(f"recomputing {where}")
    assert torch.get_num_threads() == 1  # tests/conftest.py: as the bundle's workers run
    run = experiment.config.replace(generations=2).run(seed, cache_dir=tmp_path, progress=False, device="cpu")
    ours = {column.name: [record.scalars()[column.name] for record in run.generations]
            for column in columns_of(experiment.config.record)}
    if experiment.provenance["platform"] == platform_tag("cpu"):
        for name, values in ours.items():
            if name in experiment.values:  # a column added since the build is absent until the next one
                assert np.array_equal(np.asarray(values, dtype=float), experiment.values[name][index, :2]), \
                    (where, name)
    else:
        names = (("fid", "latent_std", "test_nelbo", "classes_covered", "precision", "recall")
                 if isinstance(experiment.config, ExperimentConfig) else
                 ("test_bits_per_character", "distinct_words", "common_coverage", "invented_share"))
        for name in names:
            bundled = experiment.values[name][:, :2]
            spread = bundled.std(axis=0, ddof=1) + 1e-9
            assert np.all(np.abs(np.asarray(ours[name]) - bundled.mean(axis=0)) <= SEED_SPREADS * spread), \
                (where, name, ours[name], bundled.mean(axis=0), spread)


@pytest.mark.slow
def test_the_explorer_opens_on_the_shipped_band_without_training(tmp_path, training_calls):
    """An empty cache: the explorer's first figure is the bundle's band (its time is measured by the benchmark)."""
    from collapse_kit.faces.widgets import CollapseExplorer
    from collapse_kit.vae.loop import ExperimentConfig

    explorer = CollapseExplorer(ExperimentConfig.for_profile("full"), cache_dir=tmp_path)
    assert explorer.curves_output.outputs and "10 seeds, results bundle" in explorer.summary.value
    assert training_calls == [] and not any(tmp_path.iterdir())


def test_the_bundle_holds_numbers_small_images_and_a_little_text_only(shipped):
    for experiment in shipped.bands:
        columns = {column.name for column in columns_of(experiment.config.record)}
        assert set(experiment.values) <= columns, experiment.name  # numbers of declared columns only
        if experiment.samples is None:
            assert experiment.name in ex.WITHOUT_SAMPLES, experiment.name
            continue
        assert experiment.samples.dtype == np.uint8, experiment.name
        if isinstance(experiment.config, ExperimentConfig):
            assert experiment.samples.shape[-2:] == (28, 28)
        else:  # a few sampled passages per generation, as character codes
            assert experiment.samples.shape[-2:] == (4, experiment.config.passage_length)
            assert experiment.samples.max() < len(characters())


def test_every_count_of_the_bundles_seeds_in_the_course_text_is_the_bundles_own(shipped):
    """"10 seeds" is written into the lessons, guides and instructions many times: each such count must be the
    number of seeds the shipped bundle holds (a rebuild over more seeds fails here until the text follows), or the
    number a capstone policy the bundle lacks runs on (``studies.POLICY_SEEDS``)."""
    import json
    import re
    from pathlib import Path

    from collapse_kit.evidence.studies import POLICY_SEEDS

    root = Path(__file__).resolve().parent.parent
    counts = {len(band.seeds) for band in shipped.bands}
    assert len(counts) == 1, f"the bundle's experiments differ in their seed counts: {counts}"
    texts = [root / "README.md", root / "INSTRUCTORS.md", *sorted((root / "site").rglob("*.md")),
             *sorted((root / "lessons").glob("*.ipynb"))]
    wrong = []
    for path in texts:
        text = path.read_text()
        if path.suffix == ".ipynb":
            text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        wrong += [f"{path.relative_to(root)}: {match.group(0)!r}" for match in re.finditer(r"\b(\d+) seeds\b", text)
                  if int(match.group(1)) not in counts | {POLICY_SEEDS}]
    assert not wrong, f"counts of seeds that are not the bundle's {counts.pop()}: {wrong}"


def test_the_band_builder_finds_nothing_left_to_build_in_the_shipped_bundle_and_names_what_a_bundle_lacks(shipped):
    """``scripts/build_bands.py`` with no names builds what is still to do: nothing for the shipped bundle (every
    catalogue line built, every headline line with every column a variant reads), a line the bundle lacks, and a
    headline line whose band lacks a re-reading column."""
    import dataclasses
    import runpy
    from pathlib import Path

    still_to_do = runpy.run_path(str(Path(__file__).resolve().parents[1] / "scripts" / "build_bands.py"))["still_to_do"]
    full = shipped
    assert still_to_do(full) == []
    lacking = dataclasses.replace(full, bands=[
        band for band in full.bands if band.name != ex.FIXED_REAL[10]])
    assert still_to_do(lacking) == [ex.FIXED_REAL[10]]
    stripped = dataclasses.replace(full, bands=[
        dataclasses.replace(band, values={k: v for k, v in band.values.items() if k != "confident_digits"})
        if band.name == ex.REAL_25 else band for band in full.bands])
    assert still_to_do(stripped) == [ex.REAL_25]


def test_only_some_lines_runs_them_and_keeps_the_rest_or_leaves_out_only_lines_not_built_yet():
    """``build_results_bundle.py --only``: every other line must be kept, else a clear error; with
    ``--leave-unbuilt`` a line the bundle does not hold yet stays out (new lines built band by band)."""
    import runpy
    from pathlib import Path

    selected = runpy.run_path(str(Path(__file__).resolve().parents[1] / "scripts"
                                  / "build_results_bundle.py"))["selected"]
    catalogue = {"a": 1, "b": 2, "c": 3}
    assert selected(["a"], catalogue, {"b": "band", "c": "band"}) == [("a", 1)]
    with pytest.raises(ValueError, match=r"neither run nor kept .*\['c'\]"):
        selected(["a"], catalogue, {"b": "band"})
    assert selected(["a"], catalogue, {"b": "band"}, leave_unbuilt=True) == [("a", 1)]
    with pytest.raises(ValueError, match="must name lines of the catalogue"):
        selected(["z"], catalogue, {}, leave_unbuilt=True)
    assert selected(None, catalogue, {"b": "band"}) == [("a", 1), ("c", 3)]
