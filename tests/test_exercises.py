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
