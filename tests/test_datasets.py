"""Tests of skdae.datasets: real MNIST / Fashion-MNIST and synthetic IDX files."""

import builtins
import gzip
import re
import struct
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from skdae import datasets
from skdae.datasets import (
    DatasetNotFoundError,
    _base,
    load_emnist,
    load_fashion_mnist,
    load_kmnist,
    load_mnist,
)

REAL_MNIST = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")

MNIST_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _emnist_names(split):
    return {
        "train_images": f"emnist-{split}-train-images-idx3-ubyte",
        "train_labels": f"emnist-{split}-train-labels-idx1-ubyte",
        "test_images": f"emnist-{split}-test-images-idx3-ubyte",
        "test_labels": f"emnist-{split}-test-labels-idx1-ubyte",
    }


# --------------------------------------------------------------------------- #
# Helpers writing small synthetic IDX files
# --------------------------------------------------------------------------- #


def idx_bytes(array, magic=None):
    """IDX encoding of a uint8 array (header: magic, then big-endian dims)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x00000800 | array.ndim
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return header + array.tobytes()


def write_file(path, content, gz=True):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(content))
    else:
        path.write_bytes(content)
    return path


def write_dataset(folder, n_train=5, n_test=3, *, names=MNIST_NAMES, gz=True, seed=0):
    """Write the four IDX files of a tiny data set; return its arrays."""
    rng = np.random.default_rng(seed)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_labels": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_labels": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    arrays["train_images"][0, 0, 0] = 0
    arrays["train_images"][0, 0, 1] = 255
    for key, array in arrays.items():
        write_file(Path(folder) / names[key], idx_bytes(array), gz=gz)
    return arrays


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No SKDAE_DATA_HOME, HOME and the Debian folder inside tmp_path."""
    home = tmp_path / "home"
    debian = tmp_path / "debian"
    home.mkdir()
    debian.mkdir()
    monkeypatch.delenv("SKDAE_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(_base, "_DEBIAN_DATASETS_DIR", debian)
    return types.SimpleNamespace(root=tmp_path, home=home, debian=debian)


# --------------------------------------------------------------------------- #
# Real data
# --------------------------------------------------------------------------- #


def _idx_count(path):
    """The number of items an IDX file's header announces."""
    with gzip.open(path) if str(path).endswith(".gz") else open(path, "rb") as f:
        return struct.unpack(">II", f.read(8))[1]


@pytest.fixture(scope="module")
def real_mnist():
    if not (REAL_MNIST / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"real MNIST not available at {REAL_MNIST}")
    return {
        subset: load_mnist(subset=subset, data_home=REAL_MNIST)
        for subset in ("train", "test")
    }


@pytest.fixture(scope="module")
def real_fashion(tmp_path_factory):
    if not (DEBIAN_FASHION / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(
            f"Fashion-MNIST not available at {DEBIAN_FASHION} "
            "(apt-get install dataset-fashion-mnist)"
        )
    # Found through the default search, by the Debian folder, with nothing else.
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SKDAE_DATA_HOME", raising=False)
        mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        return {
            subset: load_fashion_mnist(subset=subset) for subset in ("train", "test")
        }


def _check_real(bunches, n_train, n_test, n_classes):
    for subset, n in (("train", n_train), ("test", n_test)):
        bunch = bunches[subset]
        assert bunch.data.shape == (n, 784)
        assert bunch.images.shape == (n, 28, 28)
        assert np.shares_memory(bunch.data, bunch.images)
        assert bunch.target.shape == (n,)
        assert bunch.data.dtype == np.float32
        assert bunch.data.flags.c_contiguous
        assert bunch.data.min() == 0.0
        assert bunch.data.max() == 1.0
        assert bunch.target.dtype == np.int64
        np.testing.assert_array_equal(np.unique(bunch.target), np.arange(n_classes))
        assert bunch.image_shape == (28, 28)
        assert len(bunch.target_names) == n_classes
        assert set(bunch.files) == {f"{subset}_images", f"{subset}_labels"}
        assert all(Path(p).is_file() for p in bunch.files.values())
        assert f"subset '{subset}', {n} {subset} images" in bunch.DESCR


def test_real_mnist(real_mnist):
    # The copy may hold a part of the official 60,000 training images: the
    # expected counts come from the files' headers.
    n_train = _idx_count(REAL_MNIST / "train-images-idx3-ubyte.gz")
    n_test = _idx_count(REAL_MNIST / "t10k-images-idx3-ubyte.gz")
    assert n_test == 10_000
    _check_real(real_mnist, n_train, n_test, 10)
    assert real_mnist["train"].target_names == [str(d) for d in range(10)]
    assert Path(real_mnist["test"].files["test_images"]).parent == REAL_MNIST
    # Pixel values are multiples of 1/255.
    pixels = real_mnist["test"].data[:50] * 255
    np.testing.assert_allclose(pixels, np.round(pixels), atol=1e-4)


def test_real_mnist_as_images_and_return_X_y(real_mnist):
    train, test = real_mnist["train"], real_mnist["test"]
    X_train, y_train = load_mnist(data_home=REAL_MNIST, return_X_y=True, as_images=True)
    assert X_train.shape == (len(train.target), 28, 28)
    np.testing.assert_array_equal(X_train.reshape(len(X_train), -1), train.data)
    np.testing.assert_array_equal(y_train, train.target)
    X_test, y_test = load_mnist(data_home=REAL_MNIST, subset="test", return_X_y=True)
    assert X_test.shape == (10_000, 784)
    np.testing.assert_array_equal(X_test, test.data)
    np.testing.assert_array_equal(y_test, test.target)
    X_all, y_all = load_mnist(data_home=REAL_MNIST, subset="all", return_X_y=True)
    np.testing.assert_array_equal(X_all, np.concatenate([train.data, test.data]))
    np.testing.assert_array_equal(y_all, np.concatenate([train.target, test.target]))


def test_real_mnist_found_through_env_var(isolated, monkeypatch):
    if not REAL_MNIST.is_dir():
        pytest.skip(f"real MNIST not available at {REAL_MNIST}")
    monkeypatch.setenv("SKDAE_DATA_HOME", str(REAL_MNIST.parent))
    files, _ = _base._find_files(datasets._mnist._MNIST, None)
    assert files is not None
    assert {Path(p).parent for p in files.values()} == {REAL_MNIST}


def test_real_fashion_mnist(real_fashion):
    _check_real(real_fashion, 60_000, 10_000, 10)
    assert real_fashion["train"].target_names[0] == "T-shirt/top"
    assert real_fashion["train"].target_names[-1] == "Ankle boot"
    assert Path(real_fashion["train"].files["train_images"]).parent == DEBIAN_FASHION
    # Fashion-MNIST is exactly balanced.
    np.testing.assert_array_equal(
        np.bincount(real_fashion["train"].target), [6000] * 10
    )
    np.testing.assert_array_equal(np.bincount(real_fashion["test"].target), [1000] * 10)


# --------------------------------------------------------------------------- #
# Reading synthetic files
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "uncompressed"])
def test_synthetic_values(isolated, gz):
    arrays = write_dataset(isolated.root / "data", n_train=7, n_test=4, gz=gz)
    bunch = load_mnist(data_home=isolated.root / "data")
    test = load_mnist(subset="test", data_home=isolated.root / "data")
    np.testing.assert_allclose(
        bunch.data, arrays["train_images"].reshape(7, -1) / 255, rtol=1e-6
    )
    np.testing.assert_allclose(
        test.data, arrays["test_images"].reshape(4, -1) / 255, rtol=1e-6
    )
    np.testing.assert_array_equal(bunch.target, arrays["train_labels"])
    np.testing.assert_array_equal(test.target, arrays["test_labels"])
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    suffix = ".gz" if gz else ""
    assert bunch.files["train_images"] == str(
        isolated.root / "data" / f"train-images-idx3-ubyte{suffix}"
    )


def test_dtype_and_as_images(isolated):
    arrays = write_dataset(isolated.root, n_train=3, n_test=2)
    X_train, y_train = load_mnist(
        data_home=isolated.root, return_X_y=True, as_images=True, dtype=np.float64
    )
    X_test, y_test = load_mnist(
        subset="test", data_home=isolated.root, return_X_y=True, as_images=True
    )
    assert X_train.shape == (3, 28, 28) and X_test.shape == (2, 28, 28)
    assert X_train.dtype == np.float64 and X_test.dtype == np.float32
    np.testing.assert_array_equal(X_train, arrays["train_images"] / 255)
    np.testing.assert_array_equal(y_test, arrays["test_labels"])
    assert y_train.dtype == np.int64


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, "not-a-dtype"])
def test_non_float_dtype_rejected(isolated, dtype):
    write_dataset(isolated.root)
    with pytest.raises(ValueError, match="floating-point dtype"):
        load_mnist(data_home=isolated.root, dtype=dtype)


@pytest.mark.parametrize("param", ["download", "return_X_y", "as_images"])
def test_non_bool_flags_rejected(isolated, param):
    with pytest.raises(TypeError, match=param):
        load_mnist(data_home=isolated.root, **{param: "yes"})


def test_kmnist_uses_mnist_file_names(isolated):
    write_dataset(isolated.root / "kmnist")
    bunch = load_kmnist(data_home=isolated.root)
    assert bunch.target_names == ["o", "ki", "su", "tsu", "na"] + [
        "ha",
        "ma",
        "ya",
        "re",
        "wo",
    ]
    assert Path(bunch.files["train_images"]).parent == isolated.root / "kmnist"


def test_emnist_transposes_and_names(isolated):
    folder = isolated.root / "EMNIST" / "raw"
    arrays = write_dataset(folder, names=_emnist_names("balanced"), gz=False)
    bunch = load_emnist(data_home=isolated.root, subset="all", as_images=True)
    np.testing.assert_allclose(
        bunch.data[:5], arrays["train_images"].transpose(0, 2, 1) / 255, rtol=1e-6
    )
    assert bunch.data.flags.c_contiguous
    flat = load_emnist(data_home=isolated.root, subset="test")
    np.testing.assert_array_equal(flat.data, bunch.data[5:].reshape(3, -1))
    assert len(bunch.target_names) == 47
    assert bunch.target_names[:11] == [*"0123456789", "A"]
    assert "balanced" in bunch.DESCR


def test_emnist_splits(isolated):
    write_dataset(isolated.root, names=_emnist_names("letters"))
    letters = load_emnist(split="letters", data_home=isolated.root)
    assert letters.target_names[0] == "N/A" and len(letters.target_names) == 27
    # The balanced files are not there.
    with pytest.raises(DatasetNotFoundError, match="emnist-balanced-train-images"):
        load_emnist(data_home=isolated.root)
    with pytest.raises(ValueError, match="'split' parameter of load_emnist must be"):
        load_emnist(split="bogus", data_home=isolated.root)


# --------------------------------------------------------------------------- #
# Search order
# --------------------------------------------------------------------------- #


def _n_train_loaded(**kwargs):
    return len(load_mnist(**kwargs).target)


def test_search_order(isolated, monkeypatch):
    arg = isolated.root / "arg"
    env = isolated.root / "env"
    write_dataset(arg, n_train=2)
    write_dataset(env / "mnist", n_train=3)
    write_dataset(isolated.home / "skdae_data" / "MNIST" / "raw", n_train=4)
    write_dataset(isolated.debian / "mnist", n_train=5)
    monkeypatch.setenv("SKDAE_DATA_HOME", str(env))

    assert _n_train_loaded(data_home=arg) == 2  # data_home first
    assert _n_train_loaded() == 3  # then SKDAE_DATA_HOME
    monkeypatch.delenv("SKDAE_DATA_HOME")
    assert _n_train_loaded() == 4  # then ~/skdae_data
    # A data_home without the files falls through to the next folders.
    assert _n_train_loaded(data_home=isolated.root / "empty") == 4
    monkeypatch.setenv("HOME", str(isolated.root / "nohome"))
    assert _n_train_loaded() == 5  # then the Debian folder


def test_debian_folder_holds_files_directly(isolated):
    write_dataset(isolated.debian / "fashion-mnist" / "fashion-mnist", n_train=2)
    write_dataset(isolated.debian / "FashionMNIST" / "raw", n_train=2)
    with pytest.raises(DatasetNotFoundError):
        load_fashion_mnist()
    write_dataset(isolated.debian / "fashion-mnist", n_train=6)
    bunch = load_fashion_mnist(subset="all")
    assert len(bunch.target) == 6 + 3
    assert Path(bunch.files["test_labels"]).parent == isolated.debian / "fashion-mnist"


@pytest.mark.parametrize(
    "sub", ["", "mnist", "MNIST/raw"], ids=["base", "name", "torchvision"]
)
def test_layouts(isolated, sub):
    folder = isolated.root / "base" / sub
    write_dataset(folder, n_train=4)
    bunch = load_mnist(data_home=isolated.root / "base")
    assert Path(bunch.files["train_images"]).parent == folder


def test_layout_order_within_base(isolated):
    base = isolated.root / "base"
    write_dataset(base / "mnist", n_train=3)
    write_dataset(base / "MNIST" / "raw", n_train=4)
    assert _n_train_loaded(data_home=base) == 3
    write_dataset(base, n_train=2)
    assert _n_train_loaded(data_home=base) == 2


def test_incomplete_folder_is_skipped(isolated, monkeypatch):
    partial = isolated.root / "partial"
    write_dataset(partial, n_train=2)
    (partial / "t10k-labels-idx1-ubyte.gz").unlink()
    write_dataset(isolated.root / "env", n_train=3)
    monkeypatch.setenv("SKDAE_DATA_HOME", str(isolated.root / "env"))
    assert _n_train_loaded(data_home=partial) == 3


def test_mixed_compression_and_uncompressed_preferred(isolated):
    folder = isolated.root / "mixed"
    write_dataset(folder, n_train=2, gz=True)
    # Uncompressed copies of two of the files, with different content.
    write_dataset(folder, n_train=2, gz=False, seed=1)
    (folder / "train-labels-idx1-ubyte").unlink()
    (folder / "t10k-labels-idx1-ubyte").unlink()
    bunch = load_mnist(data_home=folder, subset="all")
    assert bunch.files["train_images"].endswith("train-images-idx3-ubyte")
    assert bunch.files["train_labels"].endswith("train-labels-idx1-ubyte.gz")


# --------------------------------------------------------------------------- #
# Broken files
# --------------------------------------------------------------------------- #


def _images(n=4):
    return np.zeros((n, 28, 28), dtype=np.uint8)


def _labels(n=4):
    return np.arange(n, dtype=np.uint8) % 10


def _break_truncated(folder):
    content = idx_bytes(_images())
    return write_file(folder / MNIST_NAMES["train_images"], content[:-10])


def _break_trailing(folder):
    content = idx_bytes(_images())
    return write_file(folder / MNIST_NAMES["train_images"], content + b"\0")


def _break_empty(folder):
    return write_file(folder / MNIST_NAMES["test_images"], b"", gz=False)


def _break_header(folder):
    return write_file(folder / MNIST_NAMES["test_images"], idx_bytes(_images())[:9])


def _break_magic(folder):
    content = idx_bytes(_images(), magic=0x00000802)
    return write_file(folder / MNIST_NAMES["train_images"], content)


def _break_swapped(folder):
    # A labels file where the images should be.
    return write_file(folder / MNIST_NAMES["train_images"], idx_bytes(_labels()))


def _break_gzip(folder):
    path = folder / (MNIST_NAMES["train_labels"] + ".gz")
    path.write_bytes(b"this is not gzip data at all")
    return path


def _break_gzip_truncated(folder):
    path = folder / (MNIST_NAMES["test_labels"] + ".gz")
    path.write_bytes(gzip.compress(idx_bytes(_labels(3)))[:-12])
    return path


def _break_gzip_crc(folder):
    path = folder / (MNIST_NAMES["test_labels"] + ".gz")
    data = bytearray(gzip.compress(idx_bytes(_labels(3))))
    data[-8] ^= 0xFF  # the CRC32 of the decompressed data
    path.write_bytes(bytes(data))
    return path


def _break_count_mismatch(folder):
    return write_file(folder / MNIST_NAMES["train_labels"], idx_bytes(_labels(5)))


def _break_dims(folder):
    images = np.zeros((4, 32, 32), dtype=np.uint8)
    return write_file(folder / MNIST_NAMES["train_images"], idx_bytes(images))


def _break_label_range(folder):
    labels = np.array([0, 1, 2], dtype=np.uint8)
    labels[1] = 42
    return write_file(folder / MNIST_NAMES["test_labels"], idx_bytes(labels))


BREAKERS = {
    "truncated payload": (_break_truncated, "truncated"),
    "trailing bytes": (_break_trailing, "trailing bytes"),
    "empty file": (_break_empty, "not an IDX file"),
    "truncated header": (_break_header, "truncated IDX header"),
    "bad magic": (_break_magic, "bad magic number 0x00000802"),
    "labels as images": (_break_swapped, "bad magic number 0x00000801"),
    "corrupt gzip": (_break_gzip, "corrupt gzip"),
    "truncated gzip": (_break_gzip_truncated, "corrupt gzip"),
    "gzip crc": (_break_gzip_crc, "corrupt gzip"),
    "count mismatch": (_break_count_mismatch, "5 labels"),
    "wrong dimensions": (_break_dims, "32x32, expected 28x28"),
    "label out of range": (_break_label_range, "label 42 is out of range"),
}


@pytest.mark.parametrize("breaker", list(BREAKERS), ids=list(BREAKERS))
def test_broken_files(isolated, breaker):
    folder = isolated.root / "broken"
    write_dataset(folder, n_train=4, n_test=3)
    make_broken, what = BREAKERS[breaker]
    path = make_broken(folder)
    if not path.name.endswith(".gz"):
        # An uncompressed file takes precedence; drop the valid .gz next to it.
        path.with_name(path.name + ".gz").unlink()
    with pytest.raises(ValueError) as excinfo:
        load_mnist(data_home=folder, subset="all")
    message = str(excinfo.value)
    assert str(path) in message
    assert what in message


# --------------------------------------------------------------------------- #
# Not found, downloads and torchvision
# --------------------------------------------------------------------------- #


def test_not_found_message_lists_folders(isolated, monkeypatch):
    env = isolated.root / "env"
    partial = isolated.root / "arg" / "fashion-mnist"
    write_dataset(partial)
    (partial / "t10k-images-idx3-ubyte.gz").unlink()
    monkeypatch.setenv("SKDAE_DATA_HOME", str(env))
    with pytest.raises(DatasetNotFoundError) as excinfo:
        load_fashion_mnist(data_home=isolated.root / "arg")
    err = excinfo.value
    assert isinstance(err, FileNotFoundError)
    message = str(err)
    arg = isolated.root / "arg"
    home = isolated.home / "skdae_data"
    expected = [
        arg,
        arg / "fashion-mnist",
        arg / "FashionMNIST" / "raw",
        env,
        env / "fashion-mnist",
        env / "FashionMNIST" / "raw",
        home,
        home / "fashion-mnist",
        home / "FashionMNIST" / "raw",
        isolated.debian / "fashion-mnist",
    ]
    assert list(err.searched) == expected
    positions = [
        message.index(f"{i}. {folder}  (") for i, folder in enumerate(expected, 1)
    ]
    assert positions == sorted(positions)
    assert re.search(
        r"fashion-mnist  \(data_home\) -- incomplete, missing t10k-images", message
    )
    assert "SKDAE_DATA_HOME" in message
    assert "download=True" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "Traceback" not in message
    # Nothing was created while searching.
    assert not home.exists() and not env.exists()


def test_not_found_without_env(isolated):
    with pytest.raises(DatasetNotFoundError) as excinfo:
        load_mnist()
    message = str(excinfo.value)
    assert "SKDAE_DATA_HOME is not set" in message
    assert "apt-get" not in message
    assert len(excinfo.value.searched) == 4  # ~/skdae_data (x3) and Debian


def _fake_torchvision(monkeypatch, calls, *, fail=None):
    """Install a fake torchvision whose datasets write tiny IDX files."""

    def make(name, names_for):
        def __init__(self, root, train=True, download=False, **kwargs):
            calls.append((name, Path(root), train, download, kwargs))
            if fail is not None:
                raise fail
            write_dataset(Path(root) / name / "raw", n_train=6, names=names_for(kwargs))

        return type(name, (), {"__init__": __init__})

    tv = types.ModuleType("torchvision")
    tv_datasets = types.ModuleType("torchvision.datasets")
    for name in ("MNIST", "FashionMNIST", "KMNIST"):
        setattr(tv_datasets, name, make(name, lambda kw: MNIST_NAMES))
    tv_datasets.EMNIST = make("EMNIST", lambda kw: _emnist_names(kw["split"]))
    tv.datasets = tv_datasets
    monkeypatch.setitem(sys.modules, "torchvision", tv)
    monkeypatch.setitem(sys.modules, "torchvision.datasets", tv_datasets)


def test_download_through_torchvision(isolated, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls)
    target = isolated.root / "dl"
    bunch = load_fashion_mnist(data_home=target, download=True)
    assert len(bunch.target) == 6
    assert calls == [("FashionMNIST", target, False, True, {})]
    raw = target / "FashionMNIST" / "raw"
    assert Path(bunch.files["train_images"]).parent == raw
    # Now found locally: no second download.
    load_fashion_mnist(data_home=target, download=True)
    assert len(calls) == 1


def test_download_goes_to_env_data_home(isolated, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls)
    monkeypatch.setenv("SKDAE_DATA_HOME", str(isolated.root / "env"))
    bunch = load_emnist(split="digits", subset="test", download=True)
    assert calls == [
        ("EMNIST", isolated.root / "env", False, True, {"split": "digits"})
    ]
    assert bunch.files["test_labels"].endswith(
        "emnist-digits-test-labels-idx1-ubyte.gz"
    )


def test_download_default_home(isolated, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls)
    load_kmnist(download=True)
    assert calls[0][1] == isolated.home / "skdae_data"


def test_no_download_when_files_present(isolated, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls, fail=AssertionError("must not download"))
    write_dataset(isolated.root)
    load_mnist(data_home=isolated.root, download=True)
    assert calls == []


def test_download_failure_is_reported(isolated, monkeypatch):
    calls = []
    _fake_torchvision(monkeypatch, calls, fail=RuntimeError("Error downloading x"))
    with pytest.raises(DatasetNotFoundError, match="Error downloading x") as excinfo:
        load_mnist(data_home=isolated.root, download=True)
    assert isinstance(excinfo.value.__cause__, RuntimeError)
    assert "downloading MNIST" in str(excinfo.value)


def test_torchvision_not_installed(isolated, monkeypatch):
    monkeypatch.setitem(sys.modules, "torchvision", None)
    monkeypatch.delitem(sys.modules, "torchvision.datasets", raising=False)
    with pytest.raises(
        DatasetNotFoundError, match="torchvision, which is not installed"
    ):
        load_mnist(data_home=isolated.root, download=True)


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("operator torchvision::nms does not exist"),
        OSError("libcudart.so.12: cannot open shared object file"),
        ImportError("cannot import name 'foo' from 'torch'"),
    ],
    ids=["RuntimeError", "OSError", "ImportError"],
)
def test_torchvision_import_failure(isolated, monkeypatch, error):
    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name == "torchvision" or name.startswith("torchvision."):
            raise error
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "torchvision", raising=False)
    monkeypatch.delitem(sys.modules, "torchvision.datasets", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(DatasetNotFoundError) as excinfo:
        load_mnist(data_home=isolated.root, download=True)
    message = str(excinfo.value)
    assert "torchvision is installed and could not be imported" in message
    assert f"{type(error).__name__}: {error}" in message
    assert excinfo.value.__cause__ is error
    # The folders searched are still listed.
    assert str(isolated.root / "MNIST" / "raw") in message


def test_import_failure_ignored_without_download(isolated, monkeypatch):
    monkeypatch.setitem(sys.modules, "torchvision", None)
    with pytest.raises(DatasetNotFoundError) as excinfo:
        load_mnist(data_home=isolated.root)
    assert "torchvision" not in str(excinfo.value).split("To fix this")[0]


# --------------------------------------------------------------------------- #
# Hostile files, parameters
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "uncompressed"])
def test_file_without_images_is_named(isolated, gz):
    folder = isolated.root / "zero"
    write_dataset(folder, gz=gz)
    path = write_file(
        folder / MNIST_NAMES["train_images"], idx_bytes(_images(0)), gz=gz
    )
    with pytest.raises(ValueError, match="announces 0 items") as excinfo:
        load_mnist(data_home=folder)
    assert str(path) in str(excinfo.value)


def test_gzip_bomb_is_refused_without_inflating_it(isolated):
    import tracemalloc

    folder = isolated.root / "bomb"
    write_dataset(folder)
    path = folder / (MNIST_NAMES["train_images"] + ".gz")
    with gzip.open(path, "wb") as f:  # 4 images announced, 64 MB of zeros follow
        f.write(idx_bytes(_images(4)))
        zeros = bytes(1 << 20)
        for _ in range(64):
            f.write(zeros)
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="trailing bytes"):
            load_mnist(data_home=folder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "uncompressed"])
def test_huge_count_in_small_file_is_refused(isolated, gz):
    folder = isolated.root / "huge"
    write_dataset(folder, gz=gz)
    header = struct.pack(">IIII", 0x00000803, 2**32 - 1, 28, 28)
    write_file(folder / MNIST_NAMES["train_images"], header + bytes(784), gz=gz)
    with pytest.raises(ValueError, match="truncated: the header announces 4294967295"):
        load_mnist(data_home=folder)


def test_subset_is_validated(isolated):
    write_dataset(isolated.root)
    with pytest.raises(ValueError, match="'subset' parameter of load_mnist"):
        load_mnist(data_home=isolated.root, subset="validation")


def test_subset_reads_only_its_files(isolated):
    write_dataset(isolated.root, n_train=4, n_test=3)
    (isolated.root / "t10k-images-idx3-ubyte.gz").write_bytes(b"broken")
    assert load_mnist(data_home=isolated.root).data.shape == (4, 784)
    with pytest.raises(ValueError, match="corrupt gzip"):
        load_mnist(data_home=isolated.root, subset="test")
