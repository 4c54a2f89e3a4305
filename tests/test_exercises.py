"""The "by hand" exercises ask for the work: answered with a call of the library function they ask the student to
write, their hidden tests fail; answered with the worked solution, they pass. Each exercise's solution cell and test
cell run here as plain Python (hidden tests included), after the few names the lesson defined above them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
SETUP = {  # what the lesson's earlier cells define, that the exercise's two cells use
    "l01_refit": ("01_gaussian_telephone_game.ipynb",
                  "import numpy as np\nfrom collapse_kit.gaussian.theory import GaussianConfig, run_gaussian\n"
                  "seed = 5\n"),
    "l06_paired": ("06_small_doses.ipynb",
                   "from collapse_kit.evidence import bundle\nfrom collapse_kit.evidence import experiments as ex\n"),
    "l09_closed_form": ("09_a_language_model.ipynb",
                        "import numpy as np\nfrom collapse_kit.text.words import expected_types, real_frequencies\n"),
}
CHEATS = {  # a one-line answer that calls the library instead of doing the work
    "l01_refit": "    return run_gaussian(GaussianConfig(samples_per_generation=n, generations=generations, chains=1, "
                 "draws='points'), seed=seed, cache=False).variances[0]\n",
    "l06_paired": "    verdict = stats.compare('C3', a, b, 'x', 'y', design='paired')\n"
                  "    return verdict.low, verdict.high\n",
    "l09_closed_form": "    return float(expected_types(p, m))\n",
}
SOLUTION = re.compile(r"[ \t]*### BEGIN SOLUTION\n.*?### END SOLUTION\n", re.S)


def cells(grade_id: str) -> tuple[str, str]:
    """The exercise's solution cell and its test cell (hidden tests kept)."""
    notebook = json.loads((LESSONS / SETUP[grade_id][0]).read_text())["cells"]
    found = {(cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id"): "".join(cell["source"])
             for cell in notebook}
    return found[grade_id], found[f"{grade_id}_test"]


def run(grade_id: str, solution: str) -> None:
    namespace: dict = {}
    test = cells(grade_id)[1]
    exec(compile(SETUP[grade_id][1] + solution + "\n" + test, grade_id, "exec"), namespace)  # noqa: S102


@pytest.mark.parametrize("grade_id", sorted(SETUP))
def test_the_worked_solution_passes_its_hidden_tests(grade_id):
    run(grade_id, cells(grade_id)[0])


@pytest.mark.parametrize("grade_id", sorted(SETUP))
def test_a_call_of_the_library_fails_the_hidden_tests(grade_id):
    solution = cells(grade_id)[0]
    assert SOLUTION.search(solution), f"{grade_id} has no solution region"
    cheat = SOLUTION.sub(lambda _: CHEATS[grade_id], solution)
    with pytest.raises(AssertionError, match="itself"):
        run(grade_id, cheat)


# Exercises whose answer is the class seed's own (COLLAPSE_KIT_SEED): a number copied from the website (seed 0's)
# fails their hidden tests under another seed. {grade_id: (lesson, what the lesson defined above them, the answer)}
SEEDED = {
    "l00_count_sevens": ("00_start_here.ipynb", "from collapse_kit.vae.data import load_mnist\n"
                                                "train = load_mnist('train')\n", "sevens"),
    "l01_accumulate": ("01_gaussian_telephone_game.ipynb",
                       "import numpy as np\nfrom collapse_kit.core.profiles import current_seed\n"
                       "from collapse_kit.faces import plots\n"
                       "from collapse_kit.gaussian.theory import GaussianConfig, run_gaussian\n"
                       "seed = current_seed()\ngenerations, chains = 500, 500\n"
                       "gauss = run_gaussian(GaussianConfig(samples_per_generation=100, generations=generations, "
                       "chains=chains), seed=seed)\n", "kept"),
}


def lesson_cells(lesson: str, grade_id: str) -> tuple[str, str]:
    """The solution cell and the test cell (hidden tests kept) of exercise ``grade_id`` of ``lesson``."""
    notebook = json.loads((LESSONS / lesson).read_text())["cells"]
    found = {(cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id"): "".join(cell["source"])
             for cell in notebook}
    return found[grade_id], found[f"{grade_id}_test"]


@pytest.mark.parametrize("grade_id", sorted(SEEDED))
def test_a_class_seed_has_its_own_answer_and_the_websites_fails_under_another(grade_id, monkeypatch):
    lesson, setup, name = SEEDED[grade_id]
    solution, test = lesson_cells(lesson, grade_id)
    answers = {}
    for seed in (0, 5):
        monkeypatch.setenv("COLLAPSE_KIT_SEED", str(seed))
        namespace: dict = {}
        exec(compile(setup + solution + "\n" + test, grade_id, "exec"), namespace)  # noqa: S102
        answers[seed] = namespace[name]
    assert answers[0] != answers[5], f"{grade_id}: seeds 0 and 5 give the same answer, {answers[0]}"
    copied = SOLUTION.sub(lambda found: found.group(0) + f"{name} = {answers[0]!r}\n", solution)
    with pytest.raises(AssertionError):  # seed 0's answer (the website's), handed in under seed 5
        exec(compile(setup + copied + "\n" + test, grade_id, "exec"), {})  # noqa: S102


# A multi-step exercise carries the marker {"collapse_kit": {"steps": n}} in its solution cell's metadata: its prompt
# (the markdown cell right above) numbers n steps, and its solution takes at least n statements.
NUMBERED_STEP = re.compile(r"^\d+\. ", re.M)


def multi_step_exercises() -> dict[str, tuple[int, str, str]]:
    """{grade_id: (steps, prompt, solution region)} of every exercise with the multi-step marker."""
    found = {}
    for lesson in sorted(LESSONS.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(lesson.read_text())["cells"]
        for index, cell in enumerate(cells):
            steps = (cell.get("metadata", {}).get("collapse_kit") or {}).get("steps")
            if steps is None:
                continue
            grading = cell["metadata"].get("nbgrader") or {}
            assert grading.get("solution") and cell["cell_type"] == "code", f"{lesson.name} cell {index}: the " \
                                                                             "marker belongs on an exercise's cell"
            source = "".join(cell["source"])
            region = SOLUTION.search(source).group(0).split("\n")[1:-2]
            found[grading["grade_id"]] = (steps, "".join(cells[index - 1]["source"]), "\n".join(region))
    return found


def test_at_least_three_graded_exercises_are_multi_step():
    import ast
    import textwrap

    marked = multi_step_exercises()
    assert len([steps for steps, _, _ in marked.values() if steps >= 3]) >= 3, f"multi-step exercises: {marked}"
    for grade_id, (steps, prompt, region) in marked.items():
        assert len(NUMBERED_STEP.findall(prompt)) == steps, f"{grade_id}: its prompt should number {steps} steps"
        statements = [node for node in ast.walk(ast.parse(textwrap.dedent(region))) if isinstance(node, ast.stmt)]
        assert len(statements) >= steps, f"{grade_id}: {steps} steps in {len(statements)} statements"
