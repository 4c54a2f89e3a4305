"""Build lesson 09's no-skill floor: a letter chain's measures, one per seed, shipped beside the results bundle.

For each seed, a letter n-gram chain (``collapse_kit.text.models.LetterChain``: 2 characters of context by default)
is fitted to the very passages generation 0 of the full profile trains on (``TextConfig()``, that seed), sampled to
a generation's measured size (``metric_passages`` passages of ``passage_length`` characters) and measured with the
text loop's own measures (``collapse_kit.text.loop.letter_chain_measures``): word coverage, its shares of real
held-out text's, invented words, bits per character of the real test text. The seeds are the results bundle's text
seeds, so the floor pairs with the bundle's bands seed by seed. Writes ``collapse_kit/assets/text_baseline.json``
(a few kilobytes) with its provenance; ``collapse_kit.text.metrics.letter_chain_floor()`` reads it, and
tests/test_text_baseline.py recomputes one seed's entry. Takes a few seconds per seed.

Why 2 characters: a chain that stores what follows every 2-character run holds no word of more than 3 letters, so
every longer word it writes is spelled by chance, yet it has the look of the text (letter pairs, short words, names
and colons). With 3 characters it stores 4-letter runs and already covers 0.46 of the 1,000 common words, against
generation 0's 0.29 (seed 0): no longer a floor. With 1 it covers 0.10 of them, far below anything the character
model writes: a floor too low to tell anything.

Usage (from the repository root):

    python scripts/build_text_baseline.py --seeds 0-9
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch

from collapse_kit import __version__
from collapse_kit.core.runner import parse_seeds
from collapse_kit.text.loop import TextConfig, letter_chain_measures
from collapse_kit.text.metrics import BASELINE_FILE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_results_bundle import git_commit  # noqa: E402  (scripts/ is not a package: one home for the provenance)

ORDER = 2  # characters of context: see the module's docstring


def build(seeds: list[int], order: int = ORDER) -> dict:
    """The file's content: every measure of the chain for every seed, and how it was made."""
    config = TextConfig()  # the full profile, the results bundle's text bands' generation 0
    started = time.perf_counter()
    per_seed = [letter_chain_measures(config, seed, order) for seed in seeds]
    values = {name: [float(measures[name]) for measures in per_seed] for name in per_seed[0]}
    command = "python scripts/build_text_baseline.py " + " ".join(sys.argv[1:])
    return {
        "what": (f"a letter chain of {order} characters of context fitted to generation 0's training passages, "
                 f"sampled to {config.metric_passages} passages of {config.passage_length} characters and measured "
                 "as a generation of the text loop is (lesson 09's no-skill floor)"),
        "order": order, "seeds": seeds, "values": values,
        "provenance": {
            "script": "scripts/build_text_baseline.py", "command": command.strip(),
            "function": "collapse_kit.text.loop.letter_chain_measures", "config": dataclasses.asdict(config),
            "package_version": __version__, "git_commit": git_commit(), "numpy": np.__version__,
            "torch": torch.__version__, "python": platform.python_version(),
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 1),
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("0-9"), help="e.g. 0-9 (default)")
    parser.add_argument("--output", type=Path, default=BASELINE_FILE)
    args = parser.parse_args(argv)
    content = build(args.seeds)
    text = json.dumps(content, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda match: "[" + " ".join(match.group(1).split()) + "]", text)
    args.output.write_text(text + "\n")  # one line per list of numbers
    means = {name: np.mean(values) for name, values in content["values"].items()}
    print(f"wrote {args.output} ({len(args.seeds)} seeds, {content['provenance']['build_seconds']} s): "
          + ", ".join(f"{name} {mean:.4g}" for name, mean in means.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
