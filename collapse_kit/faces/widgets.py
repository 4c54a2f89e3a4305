"""The lesson widgets: controls wired to the experiment functions and the plot functions, nothing more.

* ``CollapseExplorer`` (lesson 05): real-fraction slider, generations, strategy, samples per generation, seed, a
  Run button, a progress bar, sample grids and metric curves over the shipped bands (mean and 95% interval over
  10 seeds, shown at once); earlier runs stay overlaid for comparison, a setting already computed shows at once,
  and any error is shown in the widget.
* ``gaussian_explorer`` (lesson 01): the Gaussian telephone game, redrawn instantly as the sliders move.
* ``RunButtonExplorer``: what the Run button does, shared with lesson 09's ``text_widgets.TextExplorer``.

Both keep every control as a public attribute, so a test (or a curious student) can set values and press Run
from code: ``explorer.real_fraction.value = 0.5; explorer.run_button.click()``.
"""

from __future__ import annotations

import html
import traceback

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Image

from ..core._validation import bound_of
from ..core.columns import metric
from ..core.profiles import current_seed
from ..evidence.bundle import bands_for
from ..gaussian.theory import GaussianConfig, run_gaussian
from ..vae.generation import HEADLINE_METRICS
from ..vae.loop import ExperimentConfig, ExperimentResult, run_experiment
from . import plots


def _show_figure(output: widgets.Output, figure) -> None:
    """Replace ``output``'s content with ``figure`` as a PNG (and close it, so it is not drawn twice).

    Setting ``outputs`` directly (not ``with output: display(...)``) works the same in a kernel, a browser and a
    test without a kernel, so the tests see exactly what the student sees.
    """
    data = figure.png()
    plt.close(figure)
    output.outputs = ()
    output.append_display_data(Image(data=data, format="png"))


def _error_html(error: BaseException) -> str:
    return (f"<div style='color:#b00020'><b>Error:</b> {html.escape(type(error).__name__)}: "
            f"{html.escape(str(error))}</div>")


# The explorers' longest run: the bundle's longest bands (the sweep) run 12 generations. The lower ends of the
# sliders are the bounds the configs declare (``core._validation.bound_of``).
EXPLORER_GENERATIONS = 12


def fraction_slider(config, style, layout):
    """The real-fraction slider of an explorer, its range the bound ``config`` declares for ``real_fraction``."""
    bound = bound_of(config, "real_fraction")
    return widgets.FloatSlider(value=config.real_fraction, min=bound.low, max=bound.high, step=0.05,
                               description="real fraction", readout_format=".0%", style=style, layout=layout,
                               continuous_update=False)


def generations_slider(config, style, layout):
    """The generations slider of an explorer: from the config's bound to ``EXPLORER_GENERATIONS``."""
    return widgets.IntSlider(value=config.generations, min=bound_of(config, "generations").low,
                             max=EXPLORER_GENERATIONS, description="generations", style=style, layout=layout)


class RunButtonExplorer:
    """What the two explorers' Run button shares (lesson 05's ``CollapseExplorer``, lesson 09's
    ``text_widgets.TextExplorer``): run the setting on the controls with the seed on its control, or recall it from
    this session, count its generations on the progress bar, keep it in ``results`` and show it; an error is shown
    in the widget, kept in ``last_error``, and the button works again.

    A subclass builds the controls (``run_button``, ``seed``, ``progress``, ``error``, ``widget``), sets ``results``
    (a list) and ``_memory`` (a dict), and defines ``config()``, ``_train(config, seed)`` (the experiment, reporting
    each finished generation to ``_advance``) and ``_show_run(result)``.
    """

    def run(self):
        """What the Run button does: run (or recall) the setting, then show it. Returns the result, or None after
        an error (shown in the widget and kept in ``last_error``, so code and tests see what the student saw)."""
        self.last_error, self.error.value = None, ""
        self.run_button.disabled = True
        try:
            config, seed = self.config(), int(self.seed.value)
            result = self._memory.get((config, seed))
            if result is None:
                self.progress.max, self.progress.value, self.progress.description = config.generations, 0, "running"
                result = self._train(config, seed)
                self._memory[(config, seed)] = result
            self.progress.max = self.progress.value = config.generations
            self.progress.description = "done"
            if not any(shown is result for shown in self.results):  # identity: results hold arrays
                self.results.append(result)
            self._show_run(result)
            return result
        except Exception as error:  # shown to the student, never swallowed
            self._show_error(error)
            return None
        finally:
            self.run_button.disabled = False

    def _show_error(self, error: BaseException) -> None:
        self.last_error = error
        self.progress.description = "error"
        self.error.value = _error_html(error)

    def _advance(self, record, total: int) -> None:
        self.progress.value = record.generation + 1
        self.progress.description = f"generation {record.generation + 1}/{total}"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class CollapseExplorer(RunButtonExplorer):
    """The real-data-fraction explorer of lesson 05: pick a setting, see its band at once, press Run, compare.

    The curves show, for the setting on the controls and for every run shown, the shipped results bundle's mean
    and 95% band over seeds (instant: nothing trains); Run adds the student's own run over them, as dots.

    Args:
        base_config: everything the controls do not set (default: the current profile's config).
        seed: the first value of the seed control (default ``$COLLAPSE_KIT_SEED``, else 0).
        cache_dir: where finished generations are stored (default: the package cache).
        bundle: a ``bundle.Bundle`` for the bands (default: the one shipped in the package).
    Attributes:
        real_fraction, generations, strategy, samples, seed, run_button, clear_button: the controls.
        results: every run shown so far, oldest first (``results[-1]`` is the latest).
        error: the HTML widget where errors appear (empty when the last run succeeded); ``last_error`` the error.
    """

    def __init__(self, base_config: ExperimentConfig | None = None, seed: int | None = None, cache_dir=None,
                 bundle=None):
        self.base_config = ExperimentConfig.for_profile() if base_config is None else base_config
        if not isinstance(self.base_config, ExperimentConfig):
            raise TypeError(f"base_config must be an ExperimentConfig, got {type(self.base_config).__name__}")
        self.cache_dir, self.last_error = cache_dir, None
        self.results: list[ExperimentResult] = []
        self._memory: dict[tuple, ExperimentResult] = {}  # runs of this session: shown again without any I/O
        style = {"description_width": "150px"}
        layout = widgets.Layout(width="420px")
        self.real_fraction = fraction_slider(self.base_config, style, layout)
        self.generations = generations_slider(self.base_config, style, layout)
        self.strategy = widgets.Dropdown(options=bound_of(ExperimentConfig, "strategy").options,
                                         value=self.base_config.strategy,
                                         description="strategy", style=style, layout=layout)
        self.samples = widgets.IntText(value=self.base_config.samples_per_generation,
                                       description="samples / generation", style=style, layout=layout)
        self.seed = widgets.BoundedIntText(value=current_seed(seed), min=0, max=2**31 - 1, description="seed",
                                           style=style, layout=layout)
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.clear_button = widgets.Button(description="Clear earlier runs", icon="trash",
                                           layout=widgets.Layout(width="auto"))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="idle", style=style, layout=layout)
        self.error = widgets.HTML("")
        self.summary = widgets.HTML("")
        # Stable class names: the browser tests (tests/test_browser.py) find these parts by them.
        self.error.add_class("collapse-kit-error")
        self.summary.add_class("collapse-kit-summary")
        self.samples_output = widgets.Output()
        self.curves_output = widgets.Output()
        self.run_button.on_click(lambda _button: self.run())
        self.clear_button.on_click(lambda _button: self.clear())
        controls = widgets.VBox([self.real_fraction, self.generations, self.strategy, self.samples, self.seed,
                                 widgets.HBox([self.run_button, self.clear_button]), self.progress, self.error,
                                 self.summary])
        self.widget = widgets.VBox([controls, self.curves_output, self.samples_output])
        self._bundle = bundle
        for control in (self.real_fraction, self.generations, self.strategy, self.samples):
            control.observe(lambda _change: self._show_band(), names="value")
        self._show_band()

    def config(self) -> ExperimentConfig:
        """The ExperimentConfig the controls describe (raises ValueError for an invalid setting)."""
        return self.base_config.replace(real_fraction=float(self.real_fraction.value),
                                        generations=int(self.generations.value), strategy=self.strategy.value,
                                        samples_per_generation=int(self.samples.value))

    def bands(self) -> list:
        """The shipped bands of the setting on the controls and of every run shown (those the bundle holds)."""
        try:
            settings = [self.config()]
        except (ValueError, TypeError):  # an invalid setting has no band; Run will say why
            settings = []
        return bands_for(settings + [result.config for result in self.results], self._bundle)

    def _train(self, config: ExperimentConfig, seed: int) -> ExperimentResult:
        return run_experiment(config, seed, cache_dir=self.cache_dir, progress=False, on_generation=self._advance)

    def clear(self) -> None:
        """Forget the overlaid earlier runs (the cache on disk keeps them)."""
        self.results = self.results[-1:]
        if self.results:
            self._show_run(self.results[-1])

    def _show_error(self, error: BaseException) -> None:
        super()._show_error(error)
        if not isinstance(error, (ValueError, TypeError)):  # a setting's mistake needs no traceback; a bug does
            self.samples_output.outputs = ()
            self.samples_output.append_stderr(traceback.format_exc())

    def _show_band(self) -> None:
        """Draw the bands (and the runs shown) for the setting now on the controls: instant, from the bundle."""
        try:
            bands = self.bands()
            if bands or self.results:
                _show_figure(self.curves_output, _explorer_curves(bands, self.results))
            if not self.results:
                self.summary.value = _band_summary(bands[0]) if bands else (
                    "No shipped band for this setting: press <b>Run</b> to train it.")
                if bands:
                    _show_figure(self.samples_output, plots.band_sample_grids(bands[0], images=16))
        except Exception as error:  # shown to the student, never swallowed
            self._show_error(error)

    def _show_run(self, result: ExperimentResult) -> None:
        last = result.generations[-1]
        refits = len(result.generations) - 1
        row = last.scalars()
        headline = ", ".join(metric(result.config, name).describe(row[name]) for name in result.config.headline)
        self.summary.value = (f"<b>{html.escape(result.config.label())}, seed {result.seed}</b>: generation "
                              f"{refits} (after {refits} refit{'s' if refits != 1 else ''}): {headline}")
        self._show_band()
        _show_figure(self.samples_output, plots.sample_grids(result, images=16))


def _explorer_curves(bands, results):
    return plots.metric_bands(bands, HEADLINE_METRICS, live=results)


def explorer_figure(config: ExperimentConfig, results=(), bundle=None):
    """The explorer's curves without widgets: the shipped 10-seed band of ``config`` and of every run in
    ``results``, with those runs drawn over it, exactly as the explorer draws them for the same settings. For front
    ends that cannot show widgets, and for pages of executed lessons (site/guides/troubleshooting.md)."""
    results = list(results)
    bands = bands_for([config] + [result.config for result in results], bundle)
    return _explorer_curves(bands, results)


def gaussian_figure(samples_per_generation: int = 100, generations: int = 300, real_fraction: float = 0.0,
                    strategy: str = "replace", fit: str = "mle", chains: int = 50, seed: int = 0):
    """The figure of lesson 01's Gaussian widget for these settings, without widgets (the widget calls it too)."""
    config = GaussianConfig(samples_per_generation=samples_per_generation, generations=generations,
                            real_fraction=real_fraction, strategy=strategy, fit=fit, chains=chains)
    return plots.gaussian_trajectories(run_gaussian(config, seed=seed))


def _band_summary(band) -> str:
    """One line on a shipped band's last generation: each mean with its 95% interval."""
    line = band.generation_line(-1, ("fid", "classes_covered", "latent_std"))
    label, _, numbers = line.partition(", generation ")
    return (f"<b>{html.escape(label)}</b>, generation {html.escape(numbers)} (mean [95% CI]). "
            "Press <b>Run</b> to add your own run.")


def gaussian_explorer(samples_per_generation: int = 100, generations: int = 300, chains: int = 50, seed: int = 0):
    """The Gaussian telephone game's instant widget: sliders for N, generations, real fraction and the fit; the plot
    follows.

    Returns a VBox whose ``.children`` are the controls, then the Output holding the figure; the controls are also
    reachable as ``box.controls`` (a dict by name) for tests.
    """
    style = {"description_width": "150px"}
    layout = widgets.Layout(width="420px")
    fraction = bound_of(GaussianConfig, "real_fraction")  # the bounds the config declares; the maxima are the view's
    controls = {
        "samples_per_generation": widgets.IntSlider(value=samples_per_generation,
                                                    min=bound_of(GaussianConfig, "samples_per_generation").low,
                                                    max=1000, step=1, description="samples N", style=style,
                                                    layout=layout),
        # min is a multiple of step: a browser slider snaps to min + k * step.
        "generations": widgets.IntSlider(value=generations, min=10, max=2000, step=10, description="generations",
                                         style=style, layout=layout),
        "real_fraction": widgets.FloatSlider(value=0.0, min=fraction.low, max=fraction.high, step=0.05,
                                             description="real fraction", readout_format=".0%", style=style,
                                             layout=layout),
        "strategy": widgets.Dropdown(options=bound_of(GaussianConfig, "strategy").options, value="replace",
                                     description="strategy", style=style, layout=layout),
        "fit": widgets.Dropdown(options=("mle", "map"), value="mle", description="fit", style=style, layout=layout),
    }
    output = widgets.Output()
    error = widgets.HTML("")
    error.add_class("collapse-kit-error")

    def redraw(_change=None):
        error.value = ""
        try:
            figure = gaussian_figure(**{name: control.value for name, control in controls.items()}, chains=chains,
                                     seed=seed)
        except Exception as problem:  # shown to the student, never swallowed
            error.value = _error_html(problem)
            return
        _show_figure(output, figure)

    for control in controls.values():
        control.observe(redraw, names="value")
    box = widgets.VBox([*controls.values(), error, output])
    box.controls, box.output, box.error = controls, output, error
    redraw()
    return box
