"""One home for "which lesson uses what": the library guide's index, generated from the notebooks
(scripts/library_index.py, tests/test_library_index.py). No docstring keeps the hand-written "Used in lesson N" tags
it replaced: a fact written in two places drifts."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import collapse_kit

# "Used in lessons 03-05, 07", "Lessons 01 and 06.": a tag names lessons by number; other mentions are prose.
TAG = re.compile(r"(?:Used in [Ll]essons?|(?:^|[.:;]\s)Lessons?) \d\d")


def docstrings():
    """(qualified name, docstring) of every module, function, class and method of the package."""
    for info in pkgutil.walk_packages(collapse_kit.__path__, "collapse_kit."):
        module = importlib.import_module(info.name)
        yield info.name, inspect.getdoc(module) or ""
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                yield f"{info.name}.{name}", inspect.getdoc(value) or ""
            if inspect.isclass(value):
                for method, member in vars(value).items():
                    if inspect.isfunction(member):
                        yield f"{info.name}.{name}.{method}", inspect.getdoc(member) or ""


def test_no_docstring_keeps_a_hand_written_lesson_tag():
    tagged = [name for name, doc in docstrings() if TAG.search(" ".join(doc.split()))]
    assert not tagged, f"these docstrings name lessons by hand (the index is generated: scripts/library_index.py): " \
                       f"{tagged}"


def test_the_rule_finds_a_tag():
    assert TAG.search("Draw the band. Used in lessons 03-05, 07.") and TAG.search("One figure. Lessons 01 and 06.")
    assert not TAG.search("the FID that lessons show") and not TAG.search("For the lesson's explorer.")
