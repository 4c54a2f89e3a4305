"""Argument checks (one error naming the parameter, the value and what is allowed) and the lessons' check cells."""

from __future__ import annotations

import pytest

from collapse_kit.core._validation import check_choice, check_float, check_fraction, check_int, check_writable_dir
from collapse_kit.evidence.checks import CheckFailed, check


def test_check_int_accepts_integers_in_range_and_names_the_bound():
    assert check_int("generations", 3, 1, 5) == 3
    with pytest.raises(ValueError, match="generations must be >= 1, got 0"):
        check_int("generations", 0, 1)
    with pytest.raises(ValueError, match="generations must be <= 5, got 6"):
        check_int("generations", 6, 1, 5)


@pytest.mark.parametrize("value", [True, 2.0, "2", None])
def test_check_int_refuses_bools_floats_and_strings(value):
    with pytest.raises(TypeError, match=r"epochs must be an integer, got"):
        check_int("epochs", value)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_check_float_refuses_values_that_are_not_finite(value):
    with pytest.raises(ValueError, match=r"temperature must be a finite number in \(0, 10\]"):
        check_float("temperature", value, 0.0, 10.0, exclusive_minimum=True)


def test_check_float_shows_open_and_closed_bounds():
    with pytest.raises(ValueError, match=r"temperature must be in \(0, 10\], got 0"):
        check_float("temperature", 0.0, 0.0, 10.0, exclusive_minimum=True)
    assert check_float("min_share", 0.0, 0.0, 1.0) == 0.0
    with pytest.raises(TypeError, match="learning_rate must be a number"):
        check_float("learning_rate", "0.1")


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_real_fraction_outside_unit_interval_is_rejected(value):
    with pytest.raises(ValueError, match=r"real_fraction must be .*\[0, 1\]"):
        check_fraction("real_fraction", value)


def test_check_fraction_accepts_both_ends():
    assert check_fraction("real_fraction", 0) == 0.0 and check_fraction("real_fraction", 1) == 1.0


def test_check_choice_lists_what_is_allowed():
    assert check_choice("strategy", "replace", ("replace", "accumulate")) == "replace"
    with pytest.raises(ValueError, match=r"strategy must be one of 'replace', 'accumulate', got 'mix'"):
        check_choice("strategy", "mix", ("replace", "accumulate"))


def test_check_writable_dir_creates_missing_folders(tmp_path):
    folder = check_writable_dir("output", tmp_path / "a" / "b")
    assert folder.is_dir()


def test_check_writable_dir_refuses_files_and_paths_under_files(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ValueError, match="output must be a folder, but .* is a file"):
        check_writable_dir("output", tmp_path / "afile")
    with pytest.raises(ValueError, match="output .* cannot be created"):
        check_writable_dir("output", tmp_path / "afile" / "below")
    with pytest.raises(TypeError, match="output must be a path, got 3"):
        check_writable_dir("output", 3)


def test_passing_check_prints_pass_with_the_numbers(capsys):
    assert check("the loop lost digits", True, "10 -> 3 digits") is True
    assert capsys.readouterr().out.strip() == "[PASS] the loop lost digits  (10 -> 3 digits)"


def test_failing_check_prints_fail_and_stops_the_lesson(capsys):
    with pytest.raises(CheckFailed, match=r"\[FAIL\] the loop lost digits"):
        check("the loop lost digits", False, "10 -> 10 digits")
    assert capsys.readouterr().out.startswith("[FAIL]")
    assert issubclass(CheckFailed, AssertionError)


def test_a_prediction_is_compared_with_the_run_and_never_fails(capsys):
    from collapse_kit.evidence.checks import predicted

    assert predicted(" Yes", "yes", "Does it fall?", "0.8 -> 0.2") is True
    assert "as you predicted" in capsys.readouterr().out
    assert predicted("no", "yes", "Does it fall?") is False
    assert "not what you predicted: why?" in capsys.readouterr().out
    assert predicted(None, "yes", "Does it fall?") is None
    assert "did not record a prediction" in capsys.readouterr().out
