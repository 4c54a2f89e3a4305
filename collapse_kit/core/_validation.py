"""Argument validation for every public function: one clear error naming the parameter, its value, what is allowed,
and the bounds of a config's fields declared once as data (``Interval``, ``Choice``, ``bounded``, ``check_bounds``).

(Not to be confused with ``checks``, the lessons' [PASS]/[FAIL] check cells: this module validates inputs.)
"""

from __future__ import annotations

import argparse
import math
import numbers
import os
from dataclasses import dataclass, field, fields
from pathlib import Path


def check_int(name: str, value, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as an int in [minimum, maximum]; bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_float(name: str, value, minimum: float | None = None, maximum: float | None = None,
                exclusive_minimum: bool = False) -> float:
    """``value`` as a finite float within the bounds given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    value = float(value)
    low = "-inf" if minimum is None else f"{minimum:g}"
    high = "inf" if maximum is None else f"{maximum:g}"
    allowed = f"{'(' if exclusive_minimum else '['}{low}, {high}]"
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number in {allowed}, got {value}")
    too_low = minimum is not None and (value <= minimum if exclusive_minimum else value < minimum)
    if too_low or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be in {allowed}, got {value:g}")
    return value


def check_fraction(name: str, value) -> float:
    """A share in [0, 1], such as ``real_fraction``."""
    return check_float(name, value, 0.0, 1.0)


def check_choice(name: str, value, allowed) -> str:
    """``value`` if it is one of ``allowed`` (strings)."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def check_digits(name: str, value) -> tuple[int, ...]:
    """A non-empty set of MNIST digits (0-9), as a sorted tuple without repeats, e.g. ``(0, 1, 2, 3, 4)``."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be a list of digits 0-9 such as (0, 1, 2, 3, 4), got {value!r}")
    digits = tuple(sorted({check_int(f"{name}[...]", digit, 0, 9) for digit in value}))
    if not digits:
        raise ValueError(f"{name} must name at least one digit 0-9, got {value!r}")
    return digits


def check_writable_dir(name: str, path) -> Path:
    """``path`` as a folder that exists (created if needed) and that we may write into."""
    try:
        path = Path(path).expanduser()
    except TypeError:
        raise TypeError(f"{name} must be a path, got {path!r} ({type(path).__name__})") from None
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name} must be a folder, but {str(path)!r} is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"{name} {str(path)!r} cannot be created: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {str(path)!r} is not writable; choose a folder you can write to")
    return path


# ---------------------------------------------------------------------------------------------------------------
# Bounds declared once, as data (scikit-learn's ``Interval``): a config's field carries its bound (``bounded``); the
# config's validation (``check_bounds``), the command line's options and the sliders all read the same declaration.

@dataclass(frozen=True)
class Interval:
    """The numbers a parameter allows: ``kind`` (int or float) in [low, high] (either end None: open; ``open_low``:
    low itself excluded)."""

    kind: type
    low: float | None = None
    high: float | None = None
    open_low: bool = False

    def check(self, name: str, value):
        """``value`` as a ``kind`` within the interval, or the clear error of ``check_int`` / ``check_float``."""
        if self.kind is int:
            return check_int(name, value, self.low, self.high)
        return check_float(name, value, self.low, self.high, exclusive_minimum=self.open_low)

    def parse(self, name: str):
        """An argparse ``type``: the text as a ``kind``, checked (the command line's message names the option)."""
        def convert(text: str):
            try:
                value = self.kind(text)
            except ValueError:
                what = "a whole number" if self.kind is int else "a number"
                raise argparse.ArgumentTypeError(f"{name} must be {what}, got {text!r}") from None
            try:
                return self.check(name, value)
            except (TypeError, ValueError) as error:
                raise argparse.ArgumentTypeError(str(error)) from None
        convert.__name__ = self.kind.__name__  # argparse names the type in its own errors
        return convert


@dataclass(frozen=True)
class Choice:
    """One of a few words, e.g. a strategy."""

    options: tuple

    def check(self, name: str, value):
        return check_choice(name, value, self.options)


@dataclass(frozen=True)
class Maybe:
    """``inner``'s values, or None."""

    inner: object

    def check(self, name: str, value):
        return None if value is None else self.inner.check(name, value)


FRACTION = Interval(float, 0.0, 1.0)  # a share, e.g. ``real_fraction``: every world's
TEMPERATURE = Interval(float, 0.0, 10.0, open_low=True)  # a sampling temperature: the VAE's and the language model's
GENERATIONS = Interval(int, 1)  # models (or fits) in sequence, generation 0 included: every world's


def bounded(default, bound, **options):
    """A dataclass field with its bound declared as data (``check_bounds``, ``bound_of`` read it)."""
    return field(default=default, metadata={"bound": bound}, **options)


def bound_of(config, name: str):
    """The bound a config class (or instance) declares for its field ``name``."""
    for item in fields(config):
        if item.name == name and "bound" in item.metadata:
            return item.metadata["bound"]
    raise ValueError(f"name must be a field of {getattr(config, '__name__', type(config).__name__)} with a declared "
                     f"bound, got {name!r}")


def check_bounds(config) -> None:
    """Check every field of ``config`` that declares a bound (a frozen dataclass: checked values that change type,
    an int given as a float say, are stored back)."""
    for item in fields(config):
        if "bound" in item.metadata:
            value = item.metadata["bound"].check(item.name, getattr(config, item.name))
            object.__setattr__(config, item.name, value)
