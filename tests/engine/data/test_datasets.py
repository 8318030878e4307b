"""Tests for engine.datasets: the shipped data files, their loaders, checksums and packaging."""

from __future__ import annotations

import gzip
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import assets
from engine.data import datasets as ds

ROOT = Path(__file__).resolve().parents[3]
ASSETS = ROOT / "assets"
NPZ_FILES = sorted(p.name for p in ASSETS.glob("*.npz"))


@pytest.fixture
def asset_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the asset files in a temp folder that the loaders are pointed at."""
    folder = tmp_path / "assets"
    folder.mkdir()
    for name in NPZ_FILES:
        shutil.copy2(ASSETS / name, folder / name)
    monkeypatch.setenv(assets.ENV_VAR, str(folder))
    return folder


# ----------------------------------------------------------------------------- the files


def test_every_registered_asset_is_shipped_and_listed_in_the_manifest() -> None:
    """Each non-optional data set has its .npz in assets/ and a manifest entry, and vice versa."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))["files"]
    shipped = {e.info.filename for e in ds.DATASETS if not e.info.optional}
    assert shipped == set(NPZ_FILES) == set(manifest)


def test_manifest_checksums_and_sizes_match_the_files() -> None:
    """The manifest's sha256 and byte count are those of the files in assets/."""
    manifest = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))["files"]
    for name, entry in manifest.items():
        path = ASSETS / name
        assert entry["sha256"] == ds._sha256(path), name
        assert entry["bytes"] == path.stat().st_size, name
        assert entry["build"] == f"python assets/build/{Path(entry['build'].split()[-1]).name}"
        assert (ROOT / entry["build"].split()[-1]).is_file(), entry["build"]


@pytest.mark.parametrize("name", NPZ_FILES)
def test_asset_files_hold_only_integer_and_float_arrays(name: str) -> None:
    """Every .npz loads with allow_pickle=False and holds int/float arrays and JSON meta."""
    with np.load(ASSETS / name, allow_pickle=False) as npz:
        kinds = {key: npz[key].dtype.kind for key in npz.files}
        meta = json.loads(npz["meta"].tobytes().decode("utf-8"))
    assert set(kinds.values()) <= set("iuf"), kinds
    assert meta["id"] in {e.id for e in ds.DATASETS}


def test_shipped_assets_total_under_five_megabytes() -> None:
    """All files shipped in the assets package together stay under 5 MB."""
    shipped = [p for p in ASSETS.iterdir() if p.is_file() and p.suffix != ".pyc"]
    total = sum(p.stat().st_size for p in shipped)
    assert total < 5 * 1024 * 1024, total


def test_attribution_names_every_file_with_source_licence_and_changes() -> None:
    """ATTRIBUTION.md has a section per shipped file with source, authors, licence, changes."""
    text = assets.attribution_text()
    sections = text.split("\n## ")
    for name in NPZ_FILES:
        section = next(s for s in sections if s.startswith(name))
        for label in ("**Source:**", "**Authors:**", "**Licence:**", "**Changes:**"):
            assert label in section, (name, label)


# ------------------------------------------------------------------------------- loaders


def test_mnist_has_500_of_each_digit_split_400_train_100_test() -> None:
    """MNIST subset: NCHW float32 in [0, 1], int64 labels, 400/100 per digit."""
    data = ds.load_mnist()
    assert data.x_train.shape == (4000, 1, 28, 28) and data.x_test.shape == (1000, 1, 28, 28)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.min() == 0.0 and data.x_train.max() == 1.0
    assert data.class_counts() == dict.fromkeys(range(10), 500)
    assert np.bincount(data.y_test).tolist() == [100] * 10
    assert data.class_names == tuple("0123456789")


def test_mnist_unscaled_keeps_pixel_values_0_to_255() -> None:
    """scale=False gives the raw whole-number intensities as float32."""
    data = ds.load_mnist(scale=False)
    assert data.x_train.dtype == np.float32 and data.x_train.max() == 255.0
    assert np.array_equal(data.x_train, np.round(data.x_train))
    np.testing.assert_allclose(data.x_test / 255.0, ds.load_mnist().x_test, rtol=1e-6)


def test_digits_has_1797_images_of_8x8_with_sklearn_class_counts() -> None:
    """8x8 digits: 1,797 images in [0, 1], 0..16 unscaled, sklearn's per-class counts."""
    data = ds.load_digits()
    assert data.x_train.shape[1:] == (1, 8, 8) and len(data.x_train) + len(data.x_test) == 1797
    assert data.x_train.min() >= 0.0 and data.x_train.max() == 1.0
    counts = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert list(data.class_counts().values()) == counts
    assert ds.load_digits(scale=False).x_test.max() == 16.0


def test_breast_cancer_has_212_malignant_and_357_benign() -> None:
    """WDBC: 569 x 30 float32, y 1 = malignant (212), 0 = benign (357), named features."""
    data = ds.load_breast_cancer()
    assert data.x.shape == (569, 30) and data.x.dtype == np.float32 and data.y.dtype == np.int64
    assert data.class_names == ("benign", "malignant")
    assert data.class_counts() == {0: 357, 1: 212}
    assert data.feature_names[0] == "mean radius" and len(data.feature_names) == 30
    assert data.x.min() >= 0.0 and data.x.max() == pytest.approx(4254.0)


def test_vote_has_267_democrats_168_republicans_and_keeps_unknown_votes() -> None:
    """Votes: 435 x 16 codes 0 'n', 1 'y', 2 '?' (392 of them); 267 D / 168 R."""
    data = ds.load_vote()
    assert data.x.shape == (435, 16) and data.class_names == ("democrat", "republican")
    assert data.class_counts() == {0: 267, 1: 168}
    assert set(np.unique(data.x)) == {0.0, 1.0, 2.0}
    assert int((data.x == 2).sum()) == 392
    assert all(data.categories[f] == ("n", "y", "?") for f in data.feature_names)


def test_vote_one_hot_gives_one_indicator_per_vote_and_level() -> None:
    """one_hot(): 16 votes x 3 levels = 48 columns, exactly one 1 per vote."""
    data = ds.load_vote().one_hot()
    assert data.x.shape == (435, 48) and data.categories == {}
    assert data.feature_names[:3] == ("handicapped-infants=n", "handicapped-infants=y",
                                      "handicapped-infants=?")  # fmt: skip
    assert np.array_equal(data.x.reshape(435, 16, 3).sum(axis=2), np.ones((435, 16)))


def test_credit_g_has_700_good_300_bad_and_named_levels() -> None:
    """German credit: 1,000 x 20, 13 categorical columns with level names, 700/300."""
    data = ds.load_credit_g()
    assert data.x.shape == (1000, 20) and data.class_names == ("good", "bad")
    assert data.class_counts() == {0: 700, 1: 300}
    assert len(data.categories) == 13
    assert data.categories["personal_status"][1] == "female div/dep/mar"
    age = data.x[:, data.feature_names.index("age")]
    assert (age.min(), age.max()) == (19.0, 75.0)
    for name, levels in data.categories.items():
        column = data.x[:, data.feature_names.index(name)]
        assert column.min() >= 0 and column.max() < len(levels), name
    assert data.one_hot().x.shape == (1000, 7 + sum(map(len, data.categories.values())))


def test_sunspots_cover_1700_to_2008_yearly() -> None:
    """Sunspots: 309 yearly values 1700-2008, none missing, 0 to 190.2."""
    data = ds.load_sunspots()
    assert np.array_equal(data.t, np.arange(1700, 2009, dtype=np.float64))
    assert data.values.dtype == np.float32 and not np.isnan(data.values).any()
    assert data.values.min() == 0.0 and data.values.max() == pytest.approx(190.2)


def test_co2_is_weekly_with_59_gaps_that_fill_missing_interpolates() -> None:
    """CO2: 2,284 weeks from 1958.24 to 2001.99, 59 NaN; fill_missing leaves none."""
    data = ds.load_co2()
    assert data.t.shape == data.values.shape == (2284,)
    assert data.t[0] == pytest.approx(1958.238, abs=1e-3) and data.t[-1] < 2002.0
    assert np.all(np.diff(data.t) > 0.018) and np.all(np.diff(data.t) < 0.0195)
    assert int(np.isnan(data.values).sum()) == 59 and data.unit == "ppmv"
    filled = ds.load_co2(fill_missing=True).values
    assert not np.isnan(filled).any()
    known = ~np.isnan(data.values)
    assert np.array_equal(filled[known], data.values[known])
    assert filled.min() >= 313.0 and filled.max() <= 374.0


def test_shakespeare_corpus_is_about_a_million_ascii_characters() -> None:
    """Corpus: ~1 M bytes, sorted 77-character vocabulary, ids/decode round trip, 8 works."""
    data = ds.load_shakespeare()
    assert 1_000_000 <= len(data.text_bytes) <= 1_100_000 and data.text_bytes.dtype == np.uint8
    assert list(data.vocab) == sorted(set(data.text())) and len(data.vocab) == 77
    ids = data.ids()
    assert ids.dtype == np.int64 and ids.min() == 0 and ids.max() == len(data.vocab) - 1
    assert data.decode(ids[:5000]) == data.text()[:5000]
    assert len(data.works) == 8 and data.text("Macbeth").startswith("=== Macbeth ===")
    assert data.decode(data.encode("To be, or not to be")) == "To be, or not to be"
    with pytest.raises(ValueError, match="not in the vocabulary"):
        data.encode("café")


@pytest.mark.parametrize("entry", ds.DATASETS, ids=lambda e: e.id)
def test_registry_loaders_return_their_declared_kind(entry: ds.DatasetEntry) -> None:
    """Each registry entry's loader returns the dataclass of its kind, with a description."""
    if entry.info.optional and ds.dataset_problem(entry.id) is not None:
        pytest.skip("optional data set not installed")
    data = entry.load()
    expected = {"images": ds.ImageSet, "tabular": ds.TabularSet, "series": ds.Series,
                "corpus": ds.Corpus}[entry.kind]  # fmt: skip
    assert isinstance(data, expected)
    assert data.info is entry.info and entry.title in data.describe()
    assert entry.info.licence in data.describe()


def test_public_names_exist_and_registry_ids_are_unique() -> None:
    """Every name in __all__ is defined; data set ids are unique and match their info."""
    assert all(hasattr(ds, name) for name in ds.__all__)
    ids = [e.id for e in ds.DATASETS]
    assert len(set(ids)) == len(ids) and all(e.info.id == e.id for e in ds.DATASETS)
    assert {"make_spiral", "make_hiring", "surface", "load_mnist"} <= set(ds.__all__)


def test_get_dataset_names_the_known_ids_for_an_unknown_one() -> None:
    """get_dataset raises KeyError listing valid ids."""
    assert ds.get_dataset("vote").load is ds.load_vote
    with pytest.raises(KeyError, match="mnist"):
        ds.get_dataset("imagenet")


# ------------------------------------------------------------------------ broken files


def test_missing_file_raises_dataset_error_naming_file_and_rebuild(asset_copy: Path) -> None:
    """A missing .npz gives DatasetError naming the file and its build script."""
    (asset_copy / "mnist5k.npz").unlink()
    with pytest.raises(ds.DatasetError) as info:
        ds.load_mnist()
    message = str(info.value)
    assert "mnist5k.npz" in message and "missing" in message
    assert "python assets/build/build_mnist.py" in message
    assert info.value.filename == "mnist5k.npz"
    assert ds.dataset_problem("mnist") == message
    assert ds.dataset_problem("vote") is None


def test_corrupt_file_raises_dataset_error_on_checksum_mismatch(asset_copy: Path) -> None:
    """One flipped byte makes the checksum fail: DatasetError naming file and rebuild."""
    path = asset_copy / "vote.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ds.DatasetError, match=r"vote\.npz.*corrupt.*build_vote\.py"):
        ds.load_vote()
    assert "corrupt" in (ds.dataset_problem("vote") or "")


def test_file_changed_after_a_good_load_is_checked_again(asset_copy: Path) -> None:
    """The per-process checksum cache notices a file replaced after it was verified."""
    ds.load_sunspots()
    shutil.copy2(asset_copy / "co2.npz", asset_copy / "sunspots.npz")
    with pytest.raises(ds.DatasetError, match=r"sunspots\.npz"):
        ds.load_sunspots()


def test_checksum_is_computed_once_per_process_for_an_unchanged_file(
    asset_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repeated loads of the same file hash it only once."""
    calls: list[Path] = []
    real = ds._sha256

    def counting(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(ds, "_sha256", counting)
    for _ in range(3):
        ds.load_breast_cancer()
    assert calls == [asset_copy / "breast_cancer.npz"]


# ------------------------------------------------------------------------ fashion-mnist


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = np.array([2048 + array.ndim, *array.shape], dtype=">u4").tobytes()
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_missing_says_how_to_install_it(tmp_path: Path) -> None:
    """Without the optional files the error names the Debian package to install."""
    with pytest.raises(ds.DatasetError, match="apt install dataset-fashion-mnist"):
        ds.load_fashion_mnist(directory=tmp_path)


def test_fashion_mnist_reads_idx_files_from_the_configured_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IDX files in $DEEPSTEP_FASHION_MNIST_DIR load as NCHW float32 and int64 labels."""
    for name, shape in ds.FASHION_FILES:
        fill = np.arange(shape[0]) % 10 if len(shape) == 1 else np.full(shape, 51)
        _write_idx(tmp_path / name, fill)
    monkeypatch.setenv(ds.FASHION_MNIST_ENV, str(tmp_path))
    data = ds.load_fashion_mnist()
    assert data.x_train.shape == (60000, 1, 28, 28) and data.x_test.shape == (10000, 1, 28, 28)
    assert data.x_train.dtype == np.float32 and float(data.x_train.max()) == pytest.approx(0.2)
    assert data.class_counts() == dict.fromkeys(range(10), 7000)
    assert data.class_names[9] == "Ankle boot"


def test_fashion_mnist_with_a_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    """A truncated or mis-shaped IDX file gives DatasetError, not a crash."""
    for name, shape in ds.FASHION_FILES:
        _write_idx(tmp_path / name, np.zeros((5, *shape[1:])))
    with pytest.raises(ds.DatasetError, match="cannot be read"):
        ds.load_fashion_mnist(directory=tmp_path)


@pytest.mark.skipif(not ds.FASHION_MNIST_DIR.is_dir(), reason="dataset-fashion-mnist not installed")
def test_installed_fashion_mnist_has_7000_of_each_class() -> None:
    """The Debian package's Fashion-MNIST: 60,000 + 10,000 images, 7,000 per class."""
    data = ds.load_fashion_mnist(directory=ds.FASHION_MNIST_DIR)
    assert data.class_counts() == dict.fromkeys(range(10), 7000)


# ------------------------------------------------------------------------------ packaging


def _copy_project(dest: Path) -> None:
    """The files a wheel is built from, copied so the build leaves the work tree untouched."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info", "*.tmp")
    for name in ("app", "engine", "lessons", "assets"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=ignore)
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")
    readme = ROOT / "README.md"
    # the wheel's metadata needs the readme; only its presence matters to this test
    (dest / "README.md").write_text(readme.read_text() if readme.exists() else "DeepStep\n")


def _can_build_wheels() -> bool:
    """Whether this environment's setuptools builds wheels without downloading anything."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (70, 1) or importlib.util.find_spec("wheel") is not None


@pytest.mark.slow
@pytest.mark.skipif(
    not _can_build_wheels(), reason="needs setuptools>=70.1 (or the wheel package) installed"
)
def test_wheel_ships_the_assets_and_installed_loaders_find_them(tmp_path: Path) -> None:
    """The built wheel holds assets/*.npz and the loaders read them from an installed copy."""
    src, wheels, target = tmp_path / "src", tmp_path / "wheels", tmp_path / "site"
    src.mkdir()
    _copy_project(src)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("deepstep-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert {f"assets/{n}" for n in NPZ_FILES} <= names
    assert {"assets/manifest.json", "assets/ATTRIBUTION.md", "assets/catalog.py"} <= names

    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True)
    probe = (
        "import assets, engine.data.datasets as d; "
        "print(assets.__file__); print(d.load_mnist().class_counts()[7]); "
        "print(d.load_shakespeare().text_bytes.size)"
    )
    env = {k: v for k, v in os.environ.items() if k not in (assets.ENV_VAR, "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True, capture_output=True,
        text=True,
    ).stdout.split()  # fmt: skip
    assert Path(out[0]).is_relative_to(target)
    assert out[1:] == ["500", str(ds.load_shakespeare().text_bytes.size)]
