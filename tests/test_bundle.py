"""The shipped results bundle: whole, small, traceable, and made of numbers our own runs reproduce."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest

from collapse_kit import bundle
from collapse_kit.cache import platform_tag
from collapse_kit.generation import COLUMNS
from collapse_kit.loop import run_experiment
from collapse_kit.profiles import PROFILES
from collapse_kit.replicates import from_bundle, shipped_bands

# Where the platform differs from the bundle's, a recomputed run is one more seed of the same experiment: its
# numbers must fall where the bundle's seeds fall, within this many across-seed standard deviations of their mean.
SEED_SPREADS = 4.0


@pytest.fixture(scope="module")
def shipped():
    return bundle.read()


def test_the_bundle_is_shipped_small_and_verified(shipped):
    assert bundle.BUNDLE_FILE.stat().st_size <= 5_000_000
    for provenance in [shipped.provenance] + [experiment.provenance for experiment in shipped.experiments]:
        for field in ("code_version", "torch", "platform", "cpu", "created", "build_seconds", "seeds", "python"):
            assert provenance.get(field) not in (None, ""), f"provenance lacks {field}"
        assert len(provenance["seeds"]) >= 10


def test_each_experiment_keeps_the_provenance_of_the_build_that_ran_it(tmp_path, synthetic_run):
    first = bundle.experiment_of("old", "test", [synthetic_run], {"code_version": "a", "created": "then"})
    second = bundle.experiment_of("new", "test", [synthetic_run], {"code_version": "b", "created": "now"})
    (tmp_path / "b.npz").write_bytes(bundle.pack([first, second], {"code_version": "b", "created": "now"}))
    read = bundle.read(tmp_path / "b.npz")
    assert [e.provenance["code_version"] for e in read.experiments] == ["a", "b"]
    assert read.provenance["created"] == "now" and read.named("old", "test").seeds == [0]
    assert np.array_equal(read.named("new", "test").values["fid"], first.values["fid"])
    with pytest.raises(ValueError, match="name must be an experiment"):
        read.named("absent", "test")


def test_every_lesson_setting_of_the_full_profile_has_a_band_of_ten_seeds(shipped):
    """The full profile (what students run) is always there; a profile the bundle holds is held whole."""
    profiles = {experiment.profile for experiment in shipped.experiments}
    assert "full" in profiles and profiles <= set(PROFILES)
    for profile in profiles:
        for name, config in bundle.bundle_configs(profile).items():
            experiment = shipped.find(config)
            assert experiment is not None, f"{profile}: {name} is missing"
            assert len(experiment.seeds) >= 10 and experiment.samples.shape[0] >= 1
            for column in COLUMNS:
                seeds, generations = experiment.values[column.name].shape[:2]  # a longer run holds a shorter one
                assert seeds == len(experiment.seeds) and generations >= config.generations
            assert np.isfinite(experiment.values["fid"]).all()


def test_a_shorter_run_of_a_bundled_setting_finds_its_first_generations(shipped):
    config = bundle.bundle_configs("full")["replace, real 0.5"]
    band = from_bundle(config.replace(generations=6), shipped)
    assert band.generations == 6 and band.source == "results bundle"
    assert np.array_equal(band.values["fid"], shipped.find(config).values["fid"][:, :6])
    assert from_bundle(config.replace(learning_rate=0.01), shipped) is None
    assert shipped_bands([config, config.replace(learning_rate=0.01)], shipped)[0].config == config


def test_a_tampered_bundle_is_refused(tmp_path):
    data = dict(np.load(bundle.BUNDLE_FILE))
    data["0/fid"] = data["0/fid"] + 1.0
    np.savez_compressed(tmp_path / "tampered.npz", **data)
    with pytest.raises(ValueError, match="corrupt"):
        bundle.read(tmp_path / "tampered.npz")
    with pytest.raises(FileNotFoundError, match="build_results_bundle"):
        bundle.read(tmp_path / "absent.npz")


def test_a_sampled_bundle_entry_is_reproduced_by_a_run_of_our_own(shipped, tmp_path):
    """Recompute the first two generations of a randomly chosen (experiment, seed) of the bundle.

    Generation g depends only on the generations before it, so two generations of a 12-generation run are a
    two-generation run. Same platform (torch version, CPU kind): the numbers must be equal, bit for bit. Another
    platform: within SEED_SPREADS across-seed standard deviations of the bundle's mean (a recomputation there is one
    more seed of the same experiment, not a copy).
    """
    choices = shipped.experiments
    picker = random.Random(time.time_ns())
    experiment = picker.choice(choices)
    index = picker.randrange(len(experiment.seeds))
    seed = experiment.seeds[index]
    run = run_experiment(experiment.config.replace(generations=2), seed, cache_dir=tmp_path, progress=False,
                         device="cpu")
    ours = {column.name: [record.scalars()[column.name] for record in run.generations] for column in COLUMNS}
    where = f"{experiment.name} ({experiment.profile}), seed {seed}"
    if experiment.provenance["platform"] == platform_tag("cpu"):
        for name, values in ours.items():
            assert np.array_equal(np.asarray(values, dtype=float), experiment.values[name][index, :2]), (where, name)
    else:
        for name in ("fid", "latent_std", "test_nelbo", "classes_covered", "precision", "recall"):
            bundled = experiment.values[name][:, :2]
            spread = bundled.std(axis=0, ddof=1) + 1e-9
            assert np.all(np.abs(np.asarray(ours[name]) - bundled.mean(axis=0)) <= SEED_SPREADS * spread), \
                (where, name, ours[name], bundled.mean(axis=0), spread)


def test_the_explorer_opens_on_the_shipped_band_without_training(tmp_path, training_calls):
    """An empty cache: the explorer's first figure is the bundle's band (its time is measured by the benchmark)."""
    from collapse_kit.profiles import profile_config
    from collapse_kit.widgets import CollapseExplorer

    explorer = CollapseExplorer(profile_config("full"), cache_dir=tmp_path)
    assert explorer.curves_output.outputs and "10 seeds, results bundle" in explorer.summary.value
    assert training_calls == [] and not any(tmp_path.iterdir())


def test_the_bundle_holds_numbers_and_small_images_only(shipped):
    for experiment in shipped.experiments:
        assert set(experiment.values) == {column.name for column in COLUMNS}
        assert experiment.samples.dtype == np.uint8 and experiment.samples.shape[-2:] == (28, 28)
