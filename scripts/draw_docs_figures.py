"""Draw the figures of README.md and the command-line guide (docs/figures/) with the course's own plot functions, so
they follow its figure policy (ordered settings in one sequential palette and a line style each, readable fonts),
and write each figure's caption (``CAPTIONS``) and description (``figure.summary``) as its alt text wherever the
markdown shows it.

The shipped results bundle gives the bands (10 seeds); the histogram of the samples' -ELBO needs one live run
(``run_experiment``, full profile, seed 0: about a minute on a laptop's CPU, cached afterwards).

Usage (from the repository root):

    python scripts/draw_docs_figures.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from collapse_kit.core.cache import atomic_write
from collapse_kit.evidence import bundle
from collapse_kit.evidence import experiments as ex
from collapse_kit.faces import plots
from collapse_kit.vae.loop import ExperimentConfig, run_experiment

REPO = Path(__file__).resolve().parent.parent
FIGURES = REPO / "docs" / "figures"
PAGES = (REPO / "README.md", REPO / "site" / "guides" / "command-line.md")
SWEEP = (0.0, 0.1, 0.5, 1.0)  # the real fractions the command-line guide shows
CAPTIONS = {  # what each figure shows, before its own description (``figure.summary``), in its alt text
    "samples_fully_synthetic.png": "The fully synthetic loop (no real data after generation 0), seed 0 of the results "
                                   "bundle: generation by generation the digits fade into a few blurry shapes",
    "samples_all_real.png": "Every generation trained on fresh real data, seed 0 of the results bundle: the digits "
                            "stay",
    "sweep_metrics.png": "FID, digits covered, latent std and real test -ELBO over 12 generations with 0%, 10%, 50% "
                         "and 100% real data, 10 seeds each",
    "elbo_tails_fully_synthetic.png": "One fully synthetic run (seed 0): the samples' -ELBO under the generation-0 "
                                      "model moves right and narrows for a while",
}


def figures() -> dict:
    """{file name: figure} of every figure the pages show."""
    run = run_experiment(ExperimentConfig(), seed=0)
    return {
        "samples_fully_synthetic.png": plots.band_sample_grids(bundle.band(ex.REAL_0, generations=6), seed=0),
        "samples_all_real.png": plots.band_sample_grids(bundle.band(ex.REAL_100, generations=6), seed=0),
        "sweep_metrics.png": plots.metric_bands([bundle.band(ex.SWEEP[f]) for f in SWEEP]),
        "elbo_tails_fully_synthetic.png": plots.elbo_histograms(run),
    }


def with_alt_text(page: str, name: str, text: str) -> str:
    """``page`` with the alt text of every image of ``name`` set to ``text`` (one line, no brackets)."""
    text = " ".join(text.replace("[", "(").replace("]", ")").split())
    return re.sub(r"!\[[^\]]*\]\(([^)]*/" + re.escape(name) + r")\)", lambda match: f"![{text}]({match.group(1)})",
                  page)


def main() -> int:
    FIGURES.mkdir(parents=True, exist_ok=True)
    drawn = figures()
    for name, figure in drawn.items():
        atomic_write(FIGURES / name, lambda handle, figure=figure: figure.savefig(handle, format="png", dpi=110))
        print(f"wrote docs/figures/{name}: {figure.summary}")
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        new = text
        for name, figure in drawn.items():
            new = with_alt_text(new, name, f"{CAPTIONS[name]}. {figure.summary}")
        if new != text:
            atomic_write(page, new.encode("utf-8"))
            print(f"wrote the alt text of {page.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
