"""The on-disk cache: entries round-trip, writes are atomic, corrupt entries are never trusted, bad folders named."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from test_layers import world_configs  # the worlds, read from the package diagram

from collapse_kit.core import cache
from collapse_kit.core.cache import RunCache, atomic_write, code_version, default_cache_dir, platform_tag, run_key

CONFIG = {"generations": 2, "real_fraction": 0.0}
FIELDS = ("weights", "fid")
VAE = "vae/loop.py"  # ExperimentConfig.module (tests/test_loop.py checks the config names it)

# every world of the package diagram with the file that runs it: {"vae": "vae/loop.py", "text": "text/loop.py", ...}
WORLDS = {world: configs[0].module for world, configs in world_configs().items()}


def entry():
    return {"weights": torch.arange(6.0).reshape(2, 3), "fid": 12.5, "loss_per_epoch": [3.0, 2.0]}


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_saved_generation_loads_back_equal(tmp_path):
    store = RunCache(tmp_path, CONFIG, 0, VAE)
    store.save(0, entry())
    loaded = store.load(0, FIELDS)
    assert torch.equal(loaded["weights"], entry()["weights"])
    assert loaded["fid"] == 12.5 and loaded["loss_per_epoch"] == [3.0, 2.0]
    assert (store.folder / "config.json").exists()
    assert leftovers(store.folder) == []


def test_numpy_arrays_come_back_as_numpy_arrays(tmp_path):
    store = RunCache(tmp_path, CONFIG, 0, VAE)
    shares = np.array([0.25, 0.75])
    store.save(0, {**entry(), "shares": shares})
    loaded = store.load(0, FIELDS + ("shares",))
    assert isinstance(loaded["shares"], np.ndarray) and np.array_equal(loaded["shares"], shares)
    assert isinstance(loaded["weights"], torch.Tensor) and cache.NUMPY_FIELDS not in loaded


def test_a_generation_never_saved_loads_as_none(tmp_path):
    assert RunCache(tmp_path, CONFIG, 0, VAE).load(3, FIELDS) is None


def test_each_config_and_seed_has_its_own_folder(tmp_path):
    folders = {RunCache(tmp_path, CONFIG, 0, VAE).folder, RunCache(tmp_path, CONFIG, 1, VAE).folder,
               RunCache(tmp_path, {**CONFIG, "real_fraction": 0.5}, 0, VAE).folder}
    assert len(folders) == 3
    assert run_key(CONFIG, 0, VAE) == run_key(dict(reversed(list(CONFIG.items()))), 0, VAE)  # key order does not matter


def test_code_version_is_a_stable_short_digest():
    assert code_version(VAE) == code_version(VAE)
    assert len(code_version(VAE)) == 16 and int(code_version(VAE), 16) >= 0


@pytest.fixture
def package_copy(tmp_path, monkeypatch):
    """A copy of the package's numbers-deciding files, which ``cache`` then reads instead of the real ones."""
    copy = tmp_path / "package"
    (copy / "assets").mkdir(parents=True)
    for name in {name for module in WORLDS.values() for name in cache.code_files(module)}:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((cache.PACKAGE / name).read_bytes())
    monkeypatch.setattr(cache, "PACKAGE", copy)
    return copy


@pytest.mark.parametrize("name", cache.code_files(VAE))
def test_an_edit_to_any_numbers_deciding_file_changes_every_key(package_copy, name):
    before_version, before_key = code_version(VAE), run_key(CONFIG, 0, VAE)
    (package_copy / name).write_bytes((package_copy / name).read_bytes() + b"\n# edited\n")
    assert code_version(VAE) != before_version and run_key(CONFIG, 0, VAE) != before_key


@pytest.mark.parametrize("world", sorted(WORLDS))
def test_each_worlds_key_covers_its_own_files_and_the_core_only(world):
    folders = {name.split("/")[0] for name in cache.code_files(WORLDS[world]) if "/" in name}
    assert folders == {world, "core", "assets"}, f"the {world} world's key reads {sorted(folders)}"


def test_an_edit_to_one_world_leaves_another_worlds_keys_alone(package_copy):
    text_before, vae_before = code_version(WORLDS["text"]), code_version(VAE)
    (package_copy / "vae" / "models.py").write_bytes((package_copy / "vae" / "models.py").read_bytes() + b"\n# x\n")
    assert code_version(WORLDS["text"]) == text_before and code_version(VAE) != vae_before


def test_the_same_config_in_two_worlds_has_two_keys():
    assert run_key(CONFIG, 0, VAE) != run_key(CONFIG, 0, WORLDS["text"])


@pytest.mark.slow
def test_the_key_covers_every_module_the_loop_imports():
    """Derived statically (``code_files``), checked dynamically: what importing the loop actually loads."""
    script = ("import sys, collapse_kit.vae.loop; print(' '.join(sorted(m.__file__ for n, m in sys.modules.items() "
              "if n.startswith('collapse_kit.'))))")
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    # a folder's __init__.py holds only its docstring (tests/test_layers.py): it decides no number
    names = {str(Path(path).relative_to(cache.PACKAGE)) for path in loaded if Path(path).name != "__init__.py"}
    assert "vae/mlp_step.py" in names  # it trains every default generation
    assert names <= set(cache.code_files(VAE)), f"loaded but not in the key: {names - set(cache.code_files(VAE))}"


def test_the_mlp_training_step_decides_the_key():
    assert "vae/mlp_step.py" in cache.code_files(VAE) and VAE in cache.code_files(VAE)


def test_torch_version_and_device_kind_are_part_of_the_key(monkeypatch):
    assert torch.__version__ in platform_tag() and "cpu" in platform_tag()
    assert run_key(CONFIG, 0, VAE, "torch 2.5.1, cpu AVX2") != run_key(CONFIG, 0, VAE, "torch 2.5.1, cpu AVX512")
    assert run_key(CONFIG, 0, VAE) == run_key(CONFIG, 0, VAE, platform_tag("cpu"))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Some GPU")
    assert platform_tag("cuda").endswith("cuda Some GPU")
    assert RunCache(None, CONFIG, 0, VAE, "cpu").key != run_key(CONFIG, 0, VAE, platform_tag("cuda"))


def test_torchs_thread_count_is_part_of_the_key():
    """Some sums are split across torch's threads, so a notebook's run (every core) and a bundle worker's (one
    thread) may differ in their last bits: they never share a cache entry."""
    previous = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        one = RunCache(None, CONFIG, 0, VAE, "cpu").key
        torch.set_num_threads(2)
        two = RunCache(None, CONFIG, 0, VAE, "cpu").key
    finally:
        torch.set_num_threads(previous)
    assert one == run_key(CONFIG, 0, VAE, threads=1) != two == run_key(CONFIG, 0, VAE, threads=2)


def test_atomic_write_of_bytes_replaces_the_target(tmp_path):
    target = tmp_path / "metrics.json"
    atomic_write(target, b"old")
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


def test_failed_write_leaves_no_temp_file_and_no_partial_target(tmp_path):
    target = tmp_path / "generation_000.pt"

    def write_half_then_fail(handle):
        handle.write(b"half of a file")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, write_half_then_fail)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_interrupted_write_keeps_the_previous_file_whole(tmp_path):
    target = tmp_path / "generation_000.pt"
    atomic_write(target, b"complete old entry")

    def interrupted(handle):
        handle.write(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, interrupted)
    assert target.read_bytes() == b"complete old entry"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing field"])
def test_corrupt_entry_is_warned_about_deleted_and_not_trusted(tmp_path, damage):
    store = RunCache(tmp_path, CONFIG, 0, VAE)
    store.save(0, entry())
    path = store.path(0)
    if damage == "garbage":
        path.write_bytes(b"this is not a torch file")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        store.save(0, {"weights": torch.zeros(1)})  # no "fid"
    with pytest.warns(RuntimeWarning, match=r"generation_000\.pt is corrupt.*recomputing"):
        assert store.load(0, FIELDS) is None
    assert not path.exists()


def test_entry_with_arbitrary_objects_is_refused_not_unpickled(tmp_path):
    store = RunCache(tmp_path, CONFIG, 0, VAE)
    store.folder.mkdir(parents=True)
    torch.save({"weights": torch.zeros(1), "fid": 1.0, "payload": Path("/")}, store.path(0))
    with pytest.warns(RuntimeWarning, match="corrupt"):
        assert store.load(0, FIELDS) is None


def test_intact_entry_loads_without_warnings(tmp_path):
    store = RunCache(tmp_path, CONFIG, 0, VAE)
    store.save(1, entry())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.load(1, FIELDS) is not None


def test_cache_folder_under_a_regular_file_is_a_clear_error(tmp_path):
    # Running as root, chmod does not stop writes; a folder inside a plain file can never be created.
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(ValueError, match=r"cache_dir '.*afile/cache' cannot be created"):
        RunCache(tmp_path / "afile" / "cache", CONFIG, 0, VAE)


def test_cache_dir_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    with pytest.raises(ValueError, match=r"cache_dir must be a folder, but '.*afile' is a file"):
        RunCache(tmp_path / "afile", CONFIG, 0, VAE)


def test_default_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COLLAPSE_KIT_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    assert RunCache(None, CONFIG, 0, VAE).root == tmp_path / "mine"
    monkeypatch.delenv("COLLAPSE_KIT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "collapse-kit"
