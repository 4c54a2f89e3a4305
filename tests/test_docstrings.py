"""Cross-references written by hand stay true: a docstring's "Used in lesson(s) ..." names exactly the lessons whose
code cells call or import that function or class. Indirect uses ("... through ``train_vae``") are not checked."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from pathlib import Path

import pytest

import collapse_kit

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("[0-9][0-9]_*.ipynb"))
# "Used in lessons 03-05, 07", "Lessons 01 and 06.", "Used in lesson 04 (the ELBO tails)"
# A tag is "Used in lesson(s) ..." or a sentence of its own, "Lesson(s) ...". Other mentions of lessons ("the FID that
# lessons 04-08 show") are prose, not tags.
TAG = re.compile(r"(?:Used in [Ll]essons?|(?:^|[.:;]\s)Lessons?) ((?:\d\d(?:-\d\d)?(?:,\s*|\s+and\s+)?)+)(?![\d-]|\s*through)")


def lesson_code() -> dict[str, str]:
    code = {}
    for path in LESSONS:
        cells = json.loads(path.read_text())["cells"]
        code[path.name[:2]] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return code


def tagged_lessons(docstring: str) -> set[str] | None:
    found = set()
    for match in TAG.finditer(" ".join(docstring.split())):
        for part in filter(None, (piece.strip() for piece in re.split(r",|\band\b", match.group(1)))):
            first, _, last = part.partition("-")
            found.update(f"{n:02d}" for n in range(int(first), int(last or first) + 1))
    return found or None


def public_objects():
    """(qualified name, short name, docstring) of every public function, class and method of the package."""
    for info in pkgutil.walk_packages(collapse_kit.__path__, "collapse_kit."):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value) or inspect.isclass(value):
                yield f"{module.__name__}.{name}", name, inspect.getdoc(value) or ""
            if inspect.isclass(value):
                for method, member in vars(value).items():
                    if not method.startswith("_") and inspect.isfunction(member):
                        yield f"{module.__name__}.{name}.{method}", method, inspect.getdoc(member) or ""


TAGGED = [(qualified, name, tags) for qualified, name, doc in public_objects()
          if (tags := tagged_lessons(doc)) is not None]


def test_the_tags_are_found():
    assert len(TAGGED) > 20 and tagged_lessons("Used in lessons 03-05, 07.") == {"03", "04", "05", "07"}
    assert tagged_lessons("Lessons 01 and 06.") == {"01", "06"} and tagged_lessons("Used in lessons 02-08 through x") is None


@pytest.mark.parametrize("qualified, name, tags", TAGGED, ids=[t[0] for t in TAGGED])
def test_used_in_lessons_names_the_lessons_that_call_it(qualified, name, tags):
    # A use is a call (``name(``, ``module.name(``, ``result.name(``) or an import; ``record.latent_std`` is a field.
    use = re.compile(rf"\b{re.escape(name)}\s*\(|import[^\n]*\b{re.escape(name)}\b")
    calls = {lesson for lesson, code in lesson_code().items() if use.search(code)}
    assert tags == calls, (f"{qualified}'s docstring says lessons {sorted(tags)}, but the lessons that use it by name "
                           f"are {sorted(calls)}")
