"""collapse-kit: a Jupyter-first course on model collapse (tiny VAEs trained recursively on MNIST, and the theory).

The layout draws the course: one folder per world's engine, the evidence and the faces in folders of their own.
Import what a lesson needs; nothing heavy is imported here. The floors, bottom to top; a module imports only modules
to its right on its own line or on a lower floor, and the worlds (floor 2) never import one another
(tests/test_layers.py reads this diagram and checks it against the code):

    floor 5  collapse_kit/  __main__  __init__
    floor 4  faces/     cli  text_widgets  widgets  text_plots  plots  figure_style  colab
    floor 3  evidence/  sheet  checks  claims  variants  registry  studies  bundle  experiments  margins  stats
    floor 2  vae/       loop  training_sets  generation  training  mlp_step  metrics  classifier  models  data
    floor 2  text/      loop  generation  training  metrics  words  models  data
    floor 2  gaussian/  theory
    floor 1  core/      runner  world  profiles  cache  torch_parts  columns  strategies  _validation

* ``core/``: what every world shares. ``world`` is the contract (``WorldConfig``: a config that runs and labels
  itself and declares its record, profiles, headline and cache module; ``WorldResult``: ``metric``, ``table``,
  ``to_dict``; ``GenerationRecord`` and ``TrainedGeneration``: the columns every world's row opens with;
  ``run_generations``: the cached loop over generations, once). ``runner`` runs many (config, seed)
  pairs of any world (worker processes or Dask); ``cache`` keeps finished generations, keyed by a world's own files;
  ``columns`` declares a generation's row; ``profiles`` the fast and full profiles and the lessons' seed;
  ``strategies`` replace/accumulate and epochs/steps; ``torch_parts`` the device, Adam and the loop over shuffled
  batches that every trainer runs (``train_in_batches``).
* ``vae/``, ``text/``, ``gaussian/``: the worlds' engines: the VAE on MNIST (lessons 02-08), the character model on
  Shakespeare and the word game (lesson 09), the Gaussian and mixture chains (lessons 01, 06). Each world's
  ``loop`` (``theory``) holds its config, a ``WorldConfig``.
* ``evidence/``: from numbers to verdicts: the catalogue of named settings (``experiments``), the shipped results
  (``bundle``), effects with 95% intervals (``stats``), the smallest effect that matters for each measure, fixed in
  advance (``margins``), every verdict (``claims``), registered with its claim, lesson and family (``registry``),
  each re-judged under the analysis choices a referee would vary (``variants``), and their sheet (``sheet``:
  lessons/verdicts.md and the stored table the lessons read), the lessons' check cells
  (``checks``), sweeps and yardsticks (``studies``).
* ``faces/``: what a student sees and touches: figures (``plots``, ``text_plots``, ``figure_style``), widgets, the
  command line (``cli``) and Google Colab's set-up (``colab``).

Adding a metric: one ``Column`` in its world's record (``vae.generation.GenerationResult``) and its computation; a
bundle built before it still reads, without that column. Adding a verdict: a function in ``evidence.claims`` with its
``@verdict(claim, lesson, conditions, family)``, its measure's margin in ``evidence.margins``, and its lesson's call.
Adding a world: a folder beside ``vae/`` whose config subclasses ``core.world.WorldConfig`` (the
developer guide, site/guides/developers.md, gives the recipe).
"""

# The one home of the version: pyproject.toml reads it ([tool.setuptools.dynamic]), `collapse-kit --version` prints it,
# and its tag v<version> is the release that Colab, Binder and the lessons' install cell open
# (scripts/course_address.py). Changes since the last release: CHANGELOG.md.
__version__ = "0.2.0"

_SHORTCUTS = {"load_mnist": "vae.data", "ExperimentConfig": "vae.loop", "run_experiment": "vae.loop"}


def __getattr__(name):
    # Lazy shortcuts: `collapse_kit.run_experiment` works without importing torch at package import.
    if name in _SHORTCUTS:
        import importlib  # lazily: importing the package must stay free of torch until a name is asked for
        return getattr(importlib.import_module(f".{_SHORTCUTS[name]}", __name__), name)
    raise AttributeError(f"module 'collapse_kit' has no attribute {name!r}")
