"""Run profiles: "fast" and "full" chosen by $COLLAPSE_KIT_PROFILE (or by name), with overrides on top."""

from __future__ import annotations

import pytest
from test_layers import world_configs  # the worlds, read from the package diagram

from collapse_kit.core.profiles import PROFILE_ENV, PROFILES, current_profile, lesson_setting
from collapse_kit.vae.loop import ExperimentConfig


@pytest.fixture
def no_profile_in_env(monkeypatch):
    monkeypatch.delenv(PROFILE_ENV, raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def total_work(config: ExperimentConfig) -> int:
    """Images pushed through training over the whole run."""
    return config.generations * config.samples_per_generation * config.epochs


def test_environment_variable_fast_gives_the_fast_config(no_profile_in_env, monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "fast")
    assert current_profile() == "fast"
    assert ExperimentConfig.for_profile() == ExperimentConfig(**ExperimentConfig.profiles["fast"])


def test_without_a_profile_students_get_the_full_defaults(no_profile_in_env):
    assert current_profile() == "full"
    assert ExperimentConfig.for_profile() == ExperimentConfig()


def test_fast_profile_is_much_less_work_than_full():
    assert total_work(ExperimentConfig.for_profile("fast")) < 0.5 * total_work(ExperimentConfig.for_profile("full"))


def test_profile_name_ignores_case_and_spaces(no_profile_in_env, monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "  FAST ")
    assert current_profile() == "fast"


def test_bad_environment_value_is_rejected_naming_the_variable(no_profile_in_env, monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "turbo")
    with pytest.raises(ValueError, match=r"COLLAPSE_KIT_PROFILE must be one of 'full', 'fast', got 'turbo'"):
        ExperimentConfig.for_profile()


def test_bad_profile_argument_is_rejected_naming_the_argument():
    with pytest.raises(ValueError, match=r"^profile must be one of .*got 'turbo'"):
        current_profile("turbo")


def test_named_profile_wins_over_the_environment(no_profile_in_env, monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "fast")
    assert ExperimentConfig.for_profile("full") == ExperimentConfig()


def test_overrides_apply_on_top_of_the_profile_and_are_validated():
    config = ExperimentConfig.for_profile("fast", real_fraction=0.2, generations=2)
    assert config.real_fraction == 0.2 and config.generations == 2
    assert config.samples_per_generation == ExperimentConfig.profiles["fast"]["samples_per_generation"]
    with pytest.raises(ValueError, match="real_fraction"):
        ExperimentConfig.for_profile("fast", real_fraction=1.5)


def test_nbgrader_grading_defaults_to_the_fast_profile(no_profile_in_env, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert current_profile() == "fast"
    monkeypatch.setenv(PROFILE_ENV, "full")
    assert current_profile() == "full"  # a named profile still wins


def test_lesson_settings_are_smaller_in_the_fast_profile():
    for name in ("gaussian_generations", "mixture_generations"):
        assert lesson_setting(name, "fast") < lesson_setting(name, "full")
    with pytest.raises(ValueError, match=r"name must be one of .*got 'epochs'"):
        lesson_setting("epochs", "fast")


def test_every_world_declares_every_profile_and_each_is_a_valid_config():
    worlds = world_configs()  # every world drawn in collapse_kit/__init__.py, with the configs its modules define
    assert {"vae", "text", "gaussian"} <= set(worlds)
    for world, configs in worlds.items():
        assert configs, f"the {world} world defines no WorldConfig"
        for config in configs:
            assert tuple(config.profiles) == PROFILES, config.__name__
            for name in PROFILES:
                assert isinstance(config.for_profile(name), config)


def test_a_bound_declared_once_checks_the_config_the_command_line_and_the_slider():
    """scikit-learn's _param_validation: the bound is data; validation, argparse and the sliders read it."""
    import argparse

    from collapse_kit.core._validation import FRACTION, bound_of
    from collapse_kit.faces.widgets import gaussian_explorer
    from collapse_kit.gaussian.theory import GaussianConfig

    assert bound_of(GaussianConfig, "real_fraction") is FRACTION
    with pytest.raises(ValueError, match=r"real_fraction must be in \[0, 1\], got 1.5"):
        GaussianConfig(real_fraction=1.5)
    parser = argparse.ArgumentParser()
    parser.add_argument("--real-fraction", type=FRACTION.parse("--real-fraction"))
    assert parser.parse_args(["--real-fraction", "0.25"]).real_fraction == 0.25
    with pytest.raises(SystemExit):
        parser.parse_args(["--real-fraction", "2"])
    slider = gaussian_explorer(generations=20, chains=5).controls["real_fraction"]
    assert (slider.min, slider.max) == (FRACTION.low, FRACTION.high)
    with pytest.raises(ValueError, match="name must be a field of GaussianConfig with a declared bound"):
        bound_of(GaussianConfig, "colour")
