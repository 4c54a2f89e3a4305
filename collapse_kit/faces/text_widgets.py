"""The language model's explorer (lesson 09): controls wired to the text loop and ``text_plots``, nothing more.

``TextExplorer``: real fraction, sampling temperature, strategy and generations; it opens on the shipped results
bundle's 10-seed band of the setting on the controls (nothing trains: real test text's bits per character, the
frequency-rank curve and a line of sample text per generation, drawn by ``text_plots.text_explorer_figure``), and Run
adds a live run of one seed over it, with its text to read. Every control is a public attribute, so a test (or a
curious student) drives it from code: ``explorer.temperature.value = 0.7; explorer.run_button.click()``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..core._validation import bound_of
from ..core.profiles import current_seed
from ..evidence.bundle import bands_for
from ..text.data import decode
from ..text.loop import TextConfig, TextResult, run_text_experiment
from .text_plots import BITS, text_explorer_figure
from .widgets import RunButtonExplorer, _show_figure, fraction_slider, generations_slider

SHOWN_LINES = 3  # lines of one sampled passage per generation in the text a student reads


class TextExplorer(RunButtonExplorer):
    """The language model's explorer: pick a setting, see its shipped band at once, press Run to add a run of your
    own. For lesson 09.

    Under ``strategy="accumulate"`` every generation trains generation 0's gradient steps (``compute="steps"``,
    equal compute, as the results bundle's line); under "replace" both compute rules are the same.

    Args:
        base_config: everything the controls do not set (default: the current profile's TextConfig; the bundle
            holds full-profile settings, so the fast profile opens without a band).
        seed: the first value of the seed control (default ``$COLLAPSE_KIT_SEED``, else 0).
        cache_dir: where finished generations are stored (default: the package cache).
        bundle: a ``bundle.Bundle`` for the bands (default: the one shipped in the package).
    Attributes:
        real_fraction, temperature, strategy, generations, seed, run_button: the controls.
        results: every run of this explorer, oldest first; error (HTML) and last_error: what went wrong, if anything.
        figure_output: the figure; text: the sampled text, one passage per generation; summary: one line of numbers.
    """

    def __init__(self, base_config: TextConfig | None = None, seed: int | None = None, cache_dir=None,
                 bundle=None):
        self.base_config = TextConfig.for_profile() if base_config is None else base_config
        if not isinstance(self.base_config, TextConfig):
            raise TypeError(f"base_config must be a TextConfig, got {type(self.base_config).__name__}")
        self.cache_dir, self._bundle, self.last_error = cache_dir, bundle, None
        self.results: list[TextResult] = []
        self._memory: dict[tuple, TextResult] = {}  # runs of this session: shown again without any I/O
        style, layout = {"description_width": "150px"}, widgets.Layout(width="420px")
        self.real_fraction = fraction_slider(self.base_config, style, layout)
        self.temperature = widgets.FloatSlider(value=self.base_config.temperature, min=0.5, max=1.5, step=0.1,
                                               description="temperature", readout_format=".1f", style=style,
                                               layout=layout, continuous_update=False)
        self.strategy = widgets.Dropdown(options=bound_of(TextConfig, "strategy").options,
                                         value=self.base_config.strategy, description="strategy", style=style,
                                         layout=layout)
        self.generations = generations_slider(self.base_config, style, layout)
        self.seed = widgets.BoundedIntText(value=current_seed(seed), min=0, max=2**31 - 1, description="seed",
                                           style=style, layout=layout)
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="idle", style=style, layout=layout)
        self.error, self.summary, self.text = widgets.HTML(""), widgets.HTML(""), widgets.HTML("")
        # Stable class names, as the VAE explorer's: a browser test finds these parts by them.
        self.error.add_class("collapse-kit-error")
        self.summary.add_class("collapse-kit-summary")
        self.figure_output = widgets.Output()
        self.run_button.on_click(lambda _button: self.run())
        controls = widgets.VBox([self.real_fraction, self.temperature, self.strategy, self.generations, self.seed,
                                 self.run_button, self.progress, self.error, self.summary])
        self.widget = widgets.VBox([controls, self.figure_output, self.text])
        for control in (self.real_fraction, self.temperature, self.strategy, self.generations):
            control.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    def config(self) -> TextConfig:
        """The TextConfig the controls describe (raises ValueError for an invalid setting). Slider values are
        rounded to their step, so 0.1 on the slider is the bundle's 0.1."""
        strategy = self.strategy.value
        return self.base_config.replace(real_fraction=round(float(self.real_fraction.value), 4),
                                        temperature=round(float(self.temperature.value), 2), strategy=strategy,
                                        generations=int(self.generations.value),
                                        compute="steps" if strategy == "accumulate" else self.base_config.compute)

    def _train(self, config: TextConfig, seed: int) -> TextResult:
        return run_text_experiment(config, seed, cache_dir=self.cache_dir, progress=False,
                                   on_generation=self._advance)

    def _show_run(self, result: TextResult) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Draw the setting on the controls: its shipped band (instant) and the runs of this explorer over it."""
        try:
            config = self.config()
            runs = [result for result in self.results if result.config == config]
            bands = bands_for([config], self._bundle)
            if not bands and not self.results:
                self.figure_output.outputs = ()
                self.summary.value = "No shipped band for this setting: press <b>Run</b> to train it."
                self.text.value = ""
                return
            _show_figure(self.figure_output, text_explorer_figure(config, self.results, self._bundle,
                                                                      sample_text=False))
            self.summary.value = _run_summary(runs[-1]) if runs else (
                _band_summary(bands[0]) if bands else "No shipped band for this setting: press <b>Run</b>.")
            self.text.value = _passages_html(runs[-1]) if runs else (_shipped_html(bands[0]) if bands else "")
        except Exception as error:  # shown to the student, never swallowed
            self._show_error(error)


def _band_summary(band) -> str:
    """The band's last generation in words: each mean with its 95% interval over the band's seeds."""
    def number(name: str, fmt: str) -> str:
        summary = band.summary(name)
        return f"{fmt.format(summary.mean[-1])} [{fmt.format(summary.low[-1])}, {fmt.format(summary.high[-1])}]"

    return (f"<b>{html.escape(band.label())}</b>, generation {band.generations - 1} (mean [95% CI]): "
            f"{number(BITS, '{:.3f}')} bits per character of real test text, {number('distinct_words', '{:.0f}')} "
            f"distinct words, {number('common_coverage', '{:.1%}')} of the common real words used and "
            f"{number('rare_coverage', '{:.2%}')} of the rare ones. Press <b>Run</b> to add your own run.")


def _run_summary(result: TextResult) -> str:
    last = result.generations[-1]
    return (f"<b>{html.escape(result.config.label())}, seed {result.seed}</b>: generation {last.generation}: "
            f"{last.test_bits_per_character:.3f} bits per character of real test text, {last.distinct_words} "
            f"distinct words, {last.invented_share:.0%} of the words invented")


def _passages_html(result: TextResult) -> str:
    """The first lines of one sampled passage per generation of ``result``, to read the decline."""
    return _pre(f"your run, seed {result.seed}", [record.text(passages=1, lines=SHOWN_LINES)
                                                   for record in result.generations])


def _shipped_html(band) -> str:
    """The same from the band's shipped sample text (its first sample seed), or nothing if it ships none."""
    if band.samples is None or not band.sample_seeds:
        return ""
    texts = ["\n".join(decode(codes).split("\n")[:SHOWN_LINES]) for codes in band.samples[0, :, 0]]
    return _pre(f"results bundle, seed {band.sample_seeds[0]}", texts)


def _pre(source: str, texts: list[str]) -> str:
    parts = [f"<b>generation {generation}</b> ({html.escape(source)})\n{html.escape(text)}"
             for generation, text in enumerate(texts)]
    return "<pre style='font-size:12px; line-height:1.3'>" + "\n\n".join(parts) + "</pre>"
