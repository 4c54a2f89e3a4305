"""The collapse-kit benchmark: how fast a student's runs are, measured on this machine in one go.

    python bench/benchmark.py                 # trainer speed, FLOP/s share, default `collapse-kit run` wall time
    python bench/benchmark.py --lessons       # + full-profile time and peak kernel memory of every lesson
    python bench/benchmark.py --lessons-only --lesson-profile fast --label fast   # the lessons as CI runs them
    python bench/benchmark.py --sweeps-only --label sweeps   # sweep throughput: serial, 2 workers, Dask cluster
    python bench/benchmark.py --text-only --label text       # the language model's trainer (lesson 09)

Prints a table and writes it as JSON to bench/results/<host>.json (atomically). What it measures:
  * samples/s of the classic PyTorch VAE example recipe (784-400-20, DataLoader over torchvision's MNIST, batch 128)
    and of our trainer (default MLP VAE, in-memory tensor, batch 512), each the best of --repeats runs, and their
    ratio (target >= 6x);
  * our training FLOP/s as a share of this machine's float32 matmul FLOP/s (best of several sizes, before and after;
    target >= 80%), the share of the step's matrix products run alone, and of our layers through autograd with a
    free loss;
  * wall time of the default `collapse-kit run`, cache off (target <= 45 s on 2 cores);
  * with --lessons: wall time and peak resident memory of each lesson's kernel in the full profile (targets
    <= 3 min and <= 1.2 GB);
  * with --text: characters/s of the text world's trainer (the character MLP, hand-written step) and of a plain
    PyTorch loop of the same model (autograd, torch.optim.Adam), both on in-memory windows, each the best of
    --repeats runs, their FLOP/s as a share of the matmul peak, and the wall time of the default text loop (cache
    off).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from collapse_kit.core.cache import atomic_write  # noqa: E402
from collapse_kit.vae.data import load_mnist  # noqa: E402
from collapse_kit.vae.models import make_model  # noqa: E402
from collapse_kit.vae.training import DEFAULT_BATCH_SIZE, train_vae  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def matmul_flops_per_second(sizes=(256, 512, 1024, 2048), repeats: int = 5) -> float:
    """This machine's float32 matmul throughput: the best FLOP/s over square sizes and repeats."""
    best = 0.0
    for size in sizes:
        a, b = torch.randn(size, size), torch.randn(size, size)
        a @ b  # warm-up
        calls = max(1, int(2e9 / (2 * size**3)))  # about 2 GFLOP per timing
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(calls):
                a @ b
            best = max(best, calls * 2 * size**3 / (time.perf_counter() - start))
    return best


def _linear_layers(model: nn.Module) -> list[nn.Linear]:
    layers = [module for module in model.modules() if isinstance(module, nn.Linear)]
    if any(isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)) for module in model.modules()):
        raise NotImplementedError("the FLOP count covers MLP models (the default) only")
    return layers


def training_flops_per_image(model: nn.Module) -> float:
    """Matmul FLOPs to train on one image: forward, weight gradients, and input gradients of every layer but the
    first (nobody asks for the gradient of the images). Elementwise work is not counted."""
    layers = _linear_layers(model)
    forward = [2 * layer.in_features * layer.out_features for layer in layers]
    return 2.0 * sum(forward) + sum(forward[1:])


def model_gemm_flops_per_second(model: nn.Module, batch_size: int, repeats: int = 30) -> float:
    """FLOP/s of exactly the matrix products one training step of ``model`` does, run back to back on their own:
    the best this machine's matmul can do at the model's shapes (no elementwise work, no optimizer)."""
    shapes = []
    for index, layer in enumerate(_linear_layers(model)):
        n_in, n_out = layer.in_features, layer.out_features
        shapes.append((batch_size, n_in, n_out))       # forward
        shapes.append((n_out, batch_size, n_in))       # weight gradient
        if index:
            shapes.append((batch_size, n_out, n_in))   # input gradient
    operands = [(torch.randn(m, k), torch.randn(k, n)) for m, k, n in shapes]
    flops = sum(2 * m * k * n for m, k, n in shapes)
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        for a, b in operands:
            a @ b
        best = max(best, flops / (time.perf_counter() - start))
    return best


def our_samples_per_second(images: int = 20000, epochs: int = 3, seed: int = 0) -> float:
    """Training samples/s of our trainer on the default model and batch size (after a one-epoch warm-up)."""
    data = load_mnist("train", limit=images).images
    torch.manual_seed(seed)
    train_vae(make_model("mlp"), data, 1, progress=False, device="cpu")  # warm-up: allocator, kernels
    torch.manual_seed(seed)
    result = train_vae(make_model("mlp"), data, epochs, DEFAULT_BATCH_SIZE, seed=seed, progress=False, device="cpu")
    return result.samples_per_second


def free_loss_samples_per_second(images: int = 20000, epochs: int = 3, seed: int = 0) -> float:
    """Samples/s of our default model's layers and Adam through autograd, the loss replaced by a free one (a sum of
    the logits), no sampling, no KL, batches already in order: what autograd costs with no loss to speak of."""
    data = load_mnist("train", limit=images).images.reshape(images, -1)
    torch.manual_seed(seed)
    model = make_model("mlp")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    steps = images // DEFAULT_BATCH_SIZE
    for epoch in range(epochs + 1):
        if epoch == 1:  # the first epoch is the warm-up
            start = time.perf_counter()
        for step in range(steps):
            batch = data[step * DEFAULT_BATCH_SIZE:(step + 1) * DEFAULT_BATCH_SIZE]
            mean, log_var = model.encode(batch)
            loss = model.decode_logits(mean).sum() * 1e-6 + log_var.sum() * 1e-6
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return epochs * steps * DEFAULT_BATCH_SIZE / (time.perf_counter() - start)


TEXT_BATCHES = 200  # steps timed per text-trainer measurement (after a warm-up), about a second


def text_training_flops_per_character(model) -> float:
    """Matmul FLOPs to train the character MLP on one character: forward, weight gradients and input gradients of
    both layers (the embedding's gradient needs the hidden layer's input gradient): 3 x the forward products."""
    return 3.0 * 2 * (model.hidden.in_features * model.hidden.out_features
                      + model.output.in_features * model.output.out_features)


def _text_windows(count: int, seed: int = 0):
    """(context + 1)-character windows of real training text, int64, in a seeded random order (in memory)."""
    import numpy as np

    from collapse_kit.text.data import real_passages
    from collapse_kit.text.loop import TextConfig
    from collapse_kit.text.models import contexts_and_targets

    config = TextConfig()
    passages = torch.from_numpy(real_passages(config.passages, config.passage_length, np.random.default_rng(seed)))
    windows = contexts_and_targets(passages, config.context).long()
    return windows[torch.randperm(len(windows), generator=torch.Generator().manual_seed(seed))[:count]]


def text_characters_per_second(plain: bool = False, seed: int = 0) -> float:
    """Training characters/s of the text loop's default model and batch: our trainer's step (hand-written backward,
    fused Adam, one reused batch buffer) or, with ``plain``, a plain PyTorch loop (autograd, ``torch.optim.Adam``,
    a fresh batch tensor each step). Same model, same in-memory windows; timed after 20 warm-up steps."""
    from collapse_kit.core.torch_parts import Adam
    from collapse_kit.text.loop import TextConfig
    from collapse_kit.text.models import CharMLP
    from collapse_kit.text.training import CharMLPTrainingStep

    config = TextConfig()
    size = config.batch_size
    windows = _text_windows((TEXT_BATCHES + 20) * size, seed)
    torch.manual_seed(seed)
    model = CharMLP(config.context, config.embedding, config.hidden)
    if plain:
        optimizer = torch.optim.Adam(model.parameters(), lr=config.learning_rate)

        def step(index):
            batch = windows[index * size:(index + 1) * size]
            loss = nn.functional.cross_entropy(model(batch[:, :-1]), batch[:, -1])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    else:
        ours, optimizer = CharMLPTrainingStep(model, size), Adam(model.parameters(), config.learning_rate)
        buffer = torch.empty((size, windows.shape[1]), dtype=torch.long)

        def step(index):
            buffer.copy_(windows[index * size:(index + 1) * size])
            ours(buffer)
            optimizer.step()
    for index in range(20):  # warm-up: allocator, kernels
        step(index)
    start = time.perf_counter()
    for index in range(20, 20 + TEXT_BATCHES):
        step(index)
    return TEXT_BATCHES * size / (time.perf_counter() - start)


def default_text_run_seconds() -> float:
    """Wall time of the text loop's default config (full profile, 6 generations), cache off, in a fresh Python."""
    script = ("import time; start = time.perf_counter()\n"
              "from collapse_kit.text.loop import TextConfig\n"
              "TextConfig().run(0, cache=False, progress=False)\n"
              "print(time.perf_counter() - start)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def best_of_interleaved(repeats: int, **measures) -> dict[str, float]:
    """The best of ``repeats`` runs of each measure, run in turns (a, b, c, a, b, c, ...): on a shared machine other
    load only ever slows a run down, and taking turns keeps a slow spell from landing on one trainer only."""
    best = dict.fromkeys(measures, 0.0)
    for _ in range(repeats):
        for name, measure in measures.items():
            best[name] = max(best[name], measure())
    return best


def default_run_seconds() -> float:
    """Wall time of the default `collapse-kit run` (cache off, so every generation is computed)."""
    with tempfile.TemporaryDirectory() as output:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "collapse_kit.faces.cli", "run", "--no-cache", "--quiet",
                        "--output", output], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "COLLAPSE_KIT_PROFILE": "full"})
        return time.perf_counter() - start


CPUINFO_NUMBERS = {"cpu family": "cpu_family", "model": "cpu_model"}  # /proc/cpuinfo's name: the report's


def cpu_report() -> dict:
    """The CPU behind every figure: model, family and model numbers (a cloud's "AMD EPYC" names Zen 3, family 25
    model 1, and Zen 4, family 25 model 17, alike), cores, and whether it has AVX-512 (torch's vector unit in use
    too)."""
    flags, model, numbers = set(), platform.processor() or platform.machine(), {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = (part.strip() for part in line.partition(":"))
            if key == "model name":
                model = value
            elif key in CPUINFO_NUMBERS and value.isdigit():
                numbers.setdefault(CPUINFO_NUMBERS[key], int(value))
            elif key == "flags":
                flags = set(value.split())
    except OSError:
        pass
    return {"cpu": model, **numbers, "cores": os.cpu_count(),
            "avx512": any(flag.startswith("avx512") for flag in flags),
            "avx2": "avx2" in flags, "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
            # Set to measure a machine without AVX-512 on one that has it: torch's kernels (ATEN_CPU_CAPABILITY),
            # MKL and oneDNN then use AVX2 only.
            "forced_isa": {name: os.environ[name] for name in ("ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS",
                                                               "ONEDNN_MAX_CPU_ISA") if name in os.environ},
            "lesson_seed": os.environ.get("COLLAPSE_KIT_SEED", "0")}


SWEEP_FRACTIONS, SWEEP_SEEDS, SWEEP_GENERATIONS = (0.0, 0.5, 1.0), (0, 1), 4


def sweep_runs_per_minute(workers: int = 1, cluster: bool = False) -> float:
    """Runs per minute of one sweep (full profile, 4 generations, real fractions 0/0.5/1, seeds 0-1, cache off):
    in this process (``workers=1``, torch's own threads), in ``workers`` processes of one thread, or on a
    ``LocalCluster`` of ``workers`` one-thread processes (start-up included: that is what a user waits for)."""
    from collapse_kit.evidence.studies import run_sweep
    from collapse_kit.vae.loop import ExperimentConfig

    base = ExperimentConfig.for_profile("full", generations=SWEEP_GENERATIONS)
    options = dict(seeds=SWEEP_SEEDS, base=base, cache=False, progress=False)
    start = time.perf_counter()
    if cluster:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None) as local:
            with Client(local) as client:
                results = run_sweep(SWEEP_FRACTIONS, client=client, **options)
    else:
        results = run_sweep(SWEEP_FRACTIONS, workers=workers, **options)
    return len(results) / ((time.perf_counter() - start) / 60)


EXPLORERS = {  # which explorer, how it is built on an empty cache, and how its first figure is told apart
    "vae": ("from collapse_kit.faces.widgets import CollapseExplorer\n"
            "from collapse_kit.vae.loop import ExperimentConfig\n",
            "explorer = CollapseExplorer(ExperimentConfig.for_profile('full'), cache_dir=tempfile.mkdtemp())\n"
            "assert explorer.curves_output.outputs and 'results bundle' in explorer.summary.value\n"),
    "text": ("from collapse_kit.faces.text_widgets import TextExplorer\n"
             "from collapse_kit.text.loop import TextConfig\n",
             "explorer = TextExplorer(TextConfig.for_profile('full'), cache_dir=tempfile.mkdtemp())\n"
             "assert explorer.figure_output.outputs and 'results bundle' in explorer.text.value\n"),
}


def explorer_first_figure_seconds(explorer: str = "vae") -> dict:
    """A fresh Python: seconds to import an explorer (``EXPLORERS``: "vae", lesson 05; "text", lesson 09), then to
    build it on an empty cache until its first figure (the shipped band of the full profile's setting) is drawn.
    Target: the figure in under 1 s."""
    imports, build = EXPLORERS[explorer]
    script = ("import sys, tempfile, time; start = time.perf_counter()\n" + imports +
              "imported = time.perf_counter()\n" + build +
              "print(imported - start, time.perf_counter() - imported)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    importing, figure = map(float, done.stdout.split())
    return {"import_seconds": importing, "first_figure_seconds": figure}


def bundle_report() -> dict:
    """How the shipped results bundle was built (its own provenance: machine, seconds, workers) and its size."""
    from collapse_kit.evidence import bundle

    shipped = bundle.read()
    return {"bundle_mb": round(bundle.BUNDLE_FILE.stat().st_size / 1e6, 2), **shipped.provenance,
            "experiments": len(shipped.experiments)}


def lesson_costs(profile: str = "full", only: str = "") -> list[dict]:
    """Run every lesson top to bottom in a fresh kernel and cache; wall seconds and peak kernel memory (MB) each."""
    import nbformat
    import psutil
    from nbclient import NotebookClient

    rows = []
    for path in sorted((ROOT / "lessons").glob(f"{only}*.ipynb" if only else "[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory() as cache:
            os.environ.update(COLLAPSE_KIT_PROFILE=profile, COLLAPSE_KIT_CACHE=cache, MPLBACKEND="Agg")
            client = NotebookClient(notebook, timeout=900, kernel_name="python3",
                                    resources={"metadata": {"path": str(path.parent)}})
            peak = 0.0
            start = time.perf_counter()
            with client.setup_kernel():
                kernel = psutil.Process(client.km.provisioner.process.pid)
                for index, cell in enumerate(notebook.cells):
                    client.execute_cell(cell, index)
                    peak = max(peak, kernel.memory_info().rss)
                # a cell's peak can exceed its end state: the kernel's own high-water mark catches it
                peak = max(peak, _kernel_peak_rss(client))
            seconds = time.perf_counter() - start
        rows.append({"lesson": path.name, "seconds": round(seconds, 1), "peak_mb": round(peak / 2**20)})
        print(f"  {path.name:<40} {seconds:7.1f} s  {peak / 2**20:7.0f} MB", flush=True)
    return rows


def _kernel_peak_rss(client) -> float:
    """The kernel process's own peak resident memory (ru_maxrss, bytes), asked through the kernel itself."""
    import nbformat

    cell = nbformat.v4.new_code_cell("import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    client.execute_cell(cell, 0)
    return float(cell.outputs[0]["text"].strip()) * 1024  # Linux reports kB


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", action="store_true", help="also time every lesson in the full profile")
    parser.add_argument("--lessons-only", action="store_true", help="only time the lessons")
    parser.add_argument("--skip-run", action="store_true", help="skip timing the default collapse-kit run")
    parser.add_argument("--repeats", type=int, default=3,
                        help="measure each trainer this many times, in turns, and keep the best (default 3)")
    parser.add_argument("--lesson-profile", choices=("full", "fast"), default="full",
                        help="the profile the lessons run in (default full, what students run)")
    parser.add_argument("--only", default="", help="time only the lessons whose file name starts with this, e.g. 08")
    parser.add_argument("--sweeps", action="store_true",
                        help="sweep throughput: serial, 2 worker processes, 2-worker Dask LocalCluster")
    parser.add_argument("--sweeps-only", action="store_true", help="only the sweep throughput")
    parser.add_argument("--text", action="store_true",
                        help="the language model's trainer (lesson 09): ours against a plain PyTorch loop")
    parser.add_argument("--text-only", action="store_true", help="only the language model's trainer")
    parser.add_argument("--label", default=platform.node() or "machine",
                        help="results file name: bench/results/<label>.json (default: the host name)")
    args = parser.parse_args(argv)
    report = {"machine": {"host": platform.node(), "cpu_threads": torch.get_num_threads(),
                          "torch": torch.__version__, "python": platform.python_version(), **cpu_report()}}
    cpu = report["machine"]
    family = f" (family {cpu['cpu_family']}, model {cpu['cpu_model']})" if "cpu_model" in cpu else ""
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {cpu['cpu']}{family}, {cpu['cores']} cores, "
          f"AVX-512: {'yes' if cpu['avx512'] else 'no'} (torch uses {cpu['torch_cpu_capability']})")

    if args.sweeps or args.sweeps_only:
        runs = len(SWEEP_FRACTIONS) * len(SWEEP_SEEDS)
        print(f"sweep throughput ({runs} runs: full profile, {SWEEP_GENERATIONS} generations, cache off), in turns:")
        speeds = {"serial": sweep_runs_per_minute(1), "workers_2": sweep_runs_per_minute(2),
                  "local_cluster_2": sweep_runs_per_minute(2, cluster=True)}
        report["sweep_runs_per_minute"] = speeds
        for name, speed in speeds.items():
            print(f"  {name:<28} {speed:6.2f} runs/min  ({speed / speeds['serial']:.2f}x serial)")
        try:
            report["results_bundle"] = bundle_report()
            shipped = report["results_bundle"]
            print(f"results bundle               {shipped['bundle_mb']} MB, built in {shipped['build_seconds']:.0f} s "
                  f"with {shipped['workers']} workers on {shipped['cpu']} ({shipped['cpu_capability']})")
            report["explorer"] = explorer_first_figure_seconds()
            print(f"explorer, empty cache        {report['explorer']['first_figure_seconds']:.2f} s to its first "
                  f"figure (after {report['explorer']['import_seconds']:.2f} s of imports)")
        except FileNotFoundError as missing:
            print(f"results bundle: {missing}")
        if args.sweeps_only and not args.skip_run:
            report["default_run_seconds"] = default_run_seconds()
            print(f"default `collapse-kit run`   {report['default_run_seconds']:8.1f} s")

    if args.text or args.text_only:
        from collapse_kit.text.loop import TextConfig
        from collapse_kit.text.models import CharMLP

        config = TextConfig()
        peak = matmul_flops_per_second()
        speeds = best_of_interleaved(args.repeats, ours=text_characters_per_second,
                                     plain=lambda: text_characters_per_second(plain=True))
        peak = max(peak, matmul_flops_per_second())  # measured again after: the higher peak, the stricter share
        flops = text_training_flops_per_character(CharMLP(config.context, config.embedding, config.hidden))
        ours, plain = speeds["ours"], speeds["plain"]
        report["text_trainer"] = {
            "model": {"context": config.context, "embedding": config.embedding, "hidden": config.hidden,
                      "batch_size": config.batch_size},
            "matmul_gflops": peak / 1e9, "flops_per_character": flops, "repeats": args.repeats,
            "our_characters_per_second": ours, "plain_characters_per_second": plain, "speedup": ours / plain,
            "our_share_of_matmul": ours * flops / peak, "plain_share_of_matmul": plain * flops / peak}
        print(f"float32 matmul peak          {peak / 1e9:8.1f} GFLOP/s (best square product, before and after)")
        print(f"text trainer (ours)          {ours:8.0f} characters/s  ({ours * flops / peak:.0%} of matmul peak; "
              f"best of {args.repeats}, in turns)")
        print(f"plain PyTorch loop           {plain:8.0f} characters/s  ({plain * flops / peak:.0%} of matmul peak; "
              f"ours is {ours / plain:.2f}x)")
        report["text_explorer"] = explorer_first_figure_seconds("text")
        print(f"text explorer, empty cache   {report['text_explorer']['first_figure_seconds']:.2f} s to its first "
              f"figure (after {report['text_explorer']['import_seconds']:.2f} s of imports)")
        if not args.skip_run:
            seconds = default_text_run_seconds()
            report["text_trainer"]["default_text_run_seconds"] = seconds
            print(f"default text loop            {seconds:8.1f} s  (6 generations, cache off)")

    if not args.lessons_only and not args.sweeps_only and not args.text_only:
        # The baseline needs torchvision; imported here so --lessons-only runs where only the course is installed.
        from classic_vae import ClassicVAE, classic_samples_per_second, write_torchvision_folder

        peak = matmul_flops_per_second()
        with tempfile.TemporaryDirectory() as root:
            write_torchvision_folder(Path(root))
            speeds = best_of_interleaved(args.repeats, classic=lambda: classic_samples_per_second(Path(root)),
                                         ours=our_samples_per_second, free=free_loss_samples_per_second)
        classic, ours, free = speeds["classic"], speeds["ours"], speeds["free"]
        peak = max(peak, matmul_flops_per_second())  # measured again after: the higher peak, the stricter share
        model = make_model("mlp")
        flops = training_flops_per_image(model)
        shapes_peak = model_gemm_flops_per_second(model, DEFAULT_BATCH_SIZE)
        share = ours * flops / peak
        report.update(repeats=args.repeats, matmul_gflops=peak / 1e9, model_shape_matmul_gflops=shapes_peak / 1e9,
                      classic_samples_per_second=classic, our_samples_per_second=ours, speedup=ours / classic,
                      our_training_gflops=ours * flops / 1e9, share_of_matmul=share,
                      share_of_model_shape_matmul=ours * flops / shapes_peak,
                      free_loss_samples_per_second=free, free_loss_share_of_matmul=free * flops / peak,
                      classic_share_of_matmul=classic * training_flops_per_image(ClassicVAE()) / peak)
        print(f"float32 matmul peak          {peak / 1e9:8.1f} GFLOP/s (best square product, before and after)")
        print(f"  at our model's shapes      {shapes_peak / 1e9:8.1f} GFLOP/s (one step's products alone)")
        print(f"classic VAE example          {classic:8.0f} samples/s   (best of {args.repeats}, in turns with ours)")
        print(f"collapse_kit trainer         {ours:8.0f} samples/s   ({ours / classic:.1f}x the classic recipe)")
        print(f"our training FLOP/s          {ours * flops / 1e9:8.1f} GFLOP/s  ({share:.0%} of matmul peak, "
              f"{ours * flops / shapes_peak:.0%} of the same products alone)")
        print(f"  autograd, free loss        {free:8.0f} samples/s   ({free * flops / peak:.0%} of matmul peak: "
              f"the same layers and Adam, no loss to speak of)")
        if not args.skip_run:
            seconds = default_run_seconds()
            report["default_run_seconds"] = seconds
            print(f"default `collapse-kit run`   {seconds:8.1f} s")
    if args.lessons or args.lessons_only:
        print(f"lessons, {args.lesson_profile} profile (fresh kernel and cache each):")
        report["lesson_profile"] = args.lesson_profile
        report["lessons"] = lesson_costs(args.lesson_profile, args.only)

    target = ROOT / "bench" / "results" / f"{args.label}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, json.dumps(report, indent=2).encode())
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
