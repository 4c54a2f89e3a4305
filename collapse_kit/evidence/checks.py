"""Check cells: the friendly [PASS]/[FAIL] lines that close every lesson, and the environment check of lesson 00.

A check states a claim about the run just made, prints the numbers behind it, and raises ``AssertionError`` when the
claim fails, so a lesson run top to bottom (by a student, nbval or nbgrader) stops at a broken claim. A verdict of
``claims`` becomes a check with ``check_verdict``; a student's live run is placed among the bundle's seeds of the
same setting with ``check_among_seeds``.
"""

from __future__ import annotations

import os
import platform

import torch

from ..core._validation import check_choice
from ..core.cache import default_cache_dir
from ..core.profiles import current_profile
from . import bundle
from .stats import OUTCOMES, Verdict, among


class CheckFailed(AssertionError):
    """A lesson's claim did not hold on the run just made."""


def check(claim: str, passed: bool, numbers: str = "") -> bool:
    """Print ``[PASS] claim (numbers)`` or raise ``CheckFailed`` with ``[FAIL] claim (numbers)``. Every lesson."""
    line = f"{claim}" + (f"  ({numbers})" if numbers else "")
    if not bool(passed):
        print(f"[FAIL] {line}")
        raise CheckFailed(f"[FAIL] {line}")
    print(f"[PASS] {line}")
    return True


def check_verdict(verdict: Verdict, outcome: str = "holds") -> bool:
    """Print ``[PASS] verdict`` or raise ``CheckFailed`` with ``[FAIL] verdict``: a check cell. ``outcome`` is the
    outcome the lesson's text states ("holds" by default; "negligible" within the verdict's margin, "not resolved"
    where the text says the seeds cannot tell, "not testable" where an arm sits at a floor: a check that the
    sentence matches the data, not a claim of no effect)."""
    if not isinstance(verdict, Verdict):
        raise TypeError(f"verdict must be a Verdict (from collapse_kit.evidence.claims), got {type(verdict).__name__}")
    check_choice("outcome", outcome, OUTCOMES)
    claim = str(verdict) if outcome == "holds" else f"{verdict} (the lesson says: {outcome})"
    return check(claim, verdict.outcome == outcome)


def check_among_seeds(result, measure: str, generation: int = -1, within: float = 4.0, shipped=None) -> bool | None:
    """Check that a live run's ``measure`` at ``generation`` falls among the bundle's seeds of the same setting
    (within ``within`` of their standard deviations; ``stats.among``).

    Where the bundle does not hold the setting (the fast profile's smaller live runs) it says so and returns None:
    there is nothing to compare with, and nothing is claimed.
    """
    seeds = bundle.find(result.config, shipped)
    record = result.generations[generation]
    if seeds is None:
        print(f"[INFO] the results bundle holds no seeds of your setting ({result.config.label()}): your run is not "
              f"compared with them (the fast profile's live runs are smaller than the bundle's)")
        return None
    verdict = among("your run", record.scalars()[measure], seeds.at(measure, record.generation),
                    f"generation {record.generation}'s {measure}", within)
    return check_verdict(verdict)


def place_among_seeds(result, measure: str, shipped=None) -> list[bool] | None:
    """Print, generation by generation, a live run's ``measure`` beside the 95% prediction interval of one seed of the
    same setting in the bundle (``Band.prediction``), and whether it falls inside; returns those answers.

    Never raises: a run of the same setting falls outside a 95% prediction interval one time in twenty, which is no
    error. Where the bundle does not hold the setting (the fast profile's smaller runs) it says so and returns None.
    """
    seeds = bundle.find(result.config, shipped)
    if seeds is None:
        print(f"[INFO] the results bundle holds no seeds of your setting ({result.config.label()}): the fast "
              f"profile's live runs are smaller than the bundle's, so there is no interval to place yours in")
        return None
    low, high = seeds.prediction(measure)
    inside = []
    for record in result.generations:
        value, g = record.scalars()[measure], record.generation
        inside.append(bool(low[g] <= value <= high[g]))
        print(f"generation {g}: your {measure} {value:.4g}; one seed's 95% prediction interval "
              f"{low[g]:.4g} to {high[g]:.4g}: {'inside' if inside[-1] else 'outside'}")
    return inside


def predicted(prediction, observed, question: str, numbers: str = "") -> bool | None:
    """The "observe" half of a predict-then-observe item: print the student's ``prediction`` beside what the run
    ``observed`` (both answers to ``question``, e.g. "does the latent std fall?" with "yes" / "no", or a choice
    among a few words), and whether they match. Never raises: a wrong prediction is something to think about, not a
    failed check; an unanswered one (None or "") only says so. Returns whether they matched (None if unanswered).
    """
    def norm(answer):
        return str(answer).strip().lower()

    if prediction is None or norm(prediction) in ("", "...", "none"):
        print(f"[PREDICT] {question} You did not record a prediction; the run says: {observed}"
              + (f" ({numbers})" if numbers else ""))
        return None
    matched = norm(prediction) == norm(observed)
    verdict = "as you predicted" if matched else "not what you predicted: why?"
    print(f"[PREDICT] {question} You said {prediction!r}; the run says {observed!r}" + (f" ({numbers})" if numbers
                                                                                        else "") + f": {verdict}")
    return matched


def environment_report() -> dict:
    """What lesson 00 shows: versions, CPU threads, GPU, the profile and where results are cached."""
    import ipywidgets  # here, not at the top: only lesson 00 asks for its version; check cells do not need it

    return {"python": platform.python_version(), "torch": torch.__version__, "ipywidgets": ipywidgets.__version__,
            "cpu_threads": torch.get_num_threads(), "gpu": torch.cuda.is_available(),
            "profile": current_profile(), "cache": str(default_cache_dir()),
            "graded": bool(os.environ.get("NBGRADER_EXECUTION"))}
