"""Images on disk: fit, partial_fit and transform on memmaps, zarr and h5py arrays.

Training on an on-disk array reads each batch (or each patch) as it is needed,
in a background thread, and gives the very model the same images in memory
give; :func:`skdae.transform_to` writes the output chunk by chunk into an array
on disk.
"""

import hashlib
import os
import threading
import warnings

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skdae import DenoisingAutoencoder, GaussianNoise, transform_to
from skdae._background_reader import DeviceStager, read_ahead
from skdae._disk_arrays import DiskImages, is_on_disk

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture
def images():
    """30 grayscale 12x12 images in [0, 1], float32."""
    return np.random.default_rng(0).random((30, 12, 12)).astype(np.float32)


def _memmap(path, array, mode="r"):
    """``array`` saved as a .npy file, opened as a memmap with ``mode``."""
    np.save(path, array)
    return np.load(path, mmap_mode=mode)


def _model(**params):
    params = {
        "noise": GaussianNoise(0.2),
        "max_epochs": 2,
        "batch_size": 7,
        "random_state": 0,
        **params,
    }
    return DenoisingAutoencoder(**params)


def _same_weights(a, b):
    return all(
        torch.equal(p, q)
        for p, q in zip(a.net_.module_.parameters(), b.net_.module_.parameters())
    )


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"validation_fraction": 0.2},
        {"patch_size": 8, "augment": True},
        {"patch_size": (8, 6), "validation_fraction": 0.2, "patches_per_epoch": 20},
    ],
    ids=["images", "validation", "patches", "patches-validation"],
)
def test_memmap_fit_is_bit_identical_to_the_in_memory_fit(tmp_path, images, params):
    X = _memmap(tmp_path / "x.npy", images)
    in_memory = _model(**params).fit(images)
    on_disk = _model(**params).fit(X)
    assert _same_weights(in_memory, on_disk)
    assert in_memory.history_[:, "train_loss"] == on_disk.history_[:, "train_loss"]
    assert on_disk.image_shape_ == (12, 12) and on_disk.n_features_in_ == 144


def test_memmap_fit_is_reproducible_and_seeded(tmp_path, images):
    X = _memmap(tmp_path / "x.npy", images)
    a, b = _model().fit(X), _model().fit(X)
    c = _model(random_state=1).fit(X)
    assert _same_weights(a, b)
    assert not _same_weights(a, c)


@pytest.mark.parametrize("layout", ["flat", "channels-first", "channels-last"])
def test_layouts_on_disk_train_like_in_memory(tmp_path, layout):
    rng = np.random.default_rng(1)
    if layout == "flat":
        data, params = rng.random((20, 48)), {"image_shape": (6, 8)}
    elif layout == "channels-first":
        data, params = rng.random((20, 3, 8, 8)), {}
    else:
        data, params = rng.random((20, 8, 8, 3)), {}
    X = _memmap(tmp_path / "x.npy", data)  # float64: converted batch by batch
    a = _model(max_epochs=1, **params).fit(data)
    b = _model(max_epochs=1, **params).fit(X)
    assert _same_weights(a, b)
    assert b.n_channels_ == a.n_channels_ and b.image_shape_ == a.image_shape_
    out = b.transform(X)
    assert out.shape == data.shape and out.dtype == np.float64
    np.testing.assert_array_equal(out, a.transform(data))


def test_targets_on_disk_and_patches_of_channels_last_images(tmp_path):
    rng = np.random.default_rng(2)
    clean = rng.random((12, 10, 10, 3)).astype(np.float32)
    noisy = (clean + 0.1 * rng.standard_normal(clean.shape)).astype(np.float32)
    X = _memmap(tmp_path / "x.npy", noisy)
    y = _memmap(tmp_path / "y.npy", clean)
    params = {"noise": None, "patch_size": 6, "augment": True, "max_epochs": 1}
    a = _model(**params).fit(noisy, clean)
    b = _model(**params).fit(X, y)
    c = _model(**params).fit(X, clean)  # y in memory, X on disk
    assert _same_weights(a, b) and _same_weights(a, c)


def test_partial_fit_and_warm_start_on_disk(tmp_path, images):
    X = _memmap(tmp_path / "x.npy", images)
    a = _model()
    b = _model()
    for _ in range(2):
        a.partial_fit(images)
        b.partial_fit(X)
    assert _same_weights(a, b) and b.n_iter_ == 2
    with pytest.raises(ValueError, match="12x12"):
        b.partial_fit(_memmap(tmp_path / "small.npy", images[:, :8, :8]))


def test_zarr_fit_and_transform_to_zarr(tmp_path, images):
    zarr = pytest.importorskip("zarr")
    X = zarr.create_array(
        store=str(tmp_path / "x.zarr"),
        shape=images.shape,
        chunks=(4, 12, 12),
        dtype="f4",
    )
    X[:] = images
    assert is_on_disk(X)
    model = _model().fit(X)
    assert _same_weights(model, _model().fit(images))
    out = zarr.create_array(
        store=str(tmp_path / "out.zarr"),
        shape=images.shape,
        chunks=(5, 12, 12),
        dtype="f4",
    )
    assert transform_to(model, X, out, batch_size=8) is out
    np.testing.assert_array_equal(out[:], model.transform(images))
    with pytest.raises(ValueError, match="read-only"):
        transform_to(model, X, zarr.open_array(str(tmp_path / "out.zarr"), mode="r"))


def test_h5py_fit_and_transform_to_h5py(tmp_path, images):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "data.h5", "w") as f:
        f.create_dataset("x", data=images, chunks=(4, 12, 12))
        f.create_dataset("out", shape=images.shape, dtype="f4")
    with h5py.File(tmp_path / "data.h5", "r+") as f:
        model = _model(patch_size=8).fit(f["x"])
        assert _same_weights(model, _model(patch_size=8).fit(images))
        transform_to(model, f["x"], f["out"], batch_size=7)
        np.testing.assert_array_equal(f["out"][:], model.transform(images))
    with h5py.File(tmp_path / "data.h5", "r") as f:
        with pytest.raises(ValueError, match="read-only"):
            transform_to(model, f["x"], f["out"])


def test_the_callers_file_is_untouched(tmp_path, images):
    path = tmp_path / "x.npy"
    X = _memmap(path, images, mode="r+")  # writable: skdae still must not write
    before = _digest(path)
    model = _model(validation_fraction=0.2).fit(X)
    model.partial_fit(X)
    model.transform(X)
    out = np.lib.format.open_memmap(
        tmp_path / "out.npy", mode="w+", dtype=np.float32, shape=images.shape
    )
    transform_to(model, X, out)
    del X
    assert _digest(path) == before


def test_transform_to_a_memmap_matches_transform(tmp_path, images, fitted_dae, blobs):
    _, X_test = blobs  # flat 12x12 images
    X = _memmap(tmp_path / "x.npy", X_test)
    out = np.lib.format.open_memmap(
        tmp_path / "out.npy", mode="w+", dtype=np.float64, shape=X_test.shape
    )
    transform_to(fitted_dae, X, out)  # one chunk: the very same computation
    expected = fitted_dae.transform(X_test)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(np.load(tmp_path / "out.npy"), expected)
    np.testing.assert_array_equal(fitted_dae.transform(X), expected)
    out[:] = 0
    transform_to(fitted_dae, X, out, batch_size=7)  # float rounding of batches
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-6)


def test_transform_to_through_a_pipeline(tmp_path, fitted_dae, blobs):
    _, X_test = blobs
    pipe = make_pipeline(FunctionTransformer(lambda X: X * 1.0), fitted_dae)
    out = np.zeros(X_test.shape, dtype=np.float32)
    transform_to(pipe, _memmap(tmp_path / "x.npy", X_test), out, batch_size=16)
    np.testing.assert_allclose(out, pipe.transform(X_test), rtol=1e-6)


def test_transform_to_refuses_a_wrong_out(tmp_path, fitted_dae, blobs):
    _, X_test = blobs
    X = _memmap(tmp_path / "x.npy", X_test)
    with pytest.raises(ValueError, match="out has 59 rows but X has 60"):
        transform_to(fitted_dae, X, np.empty((59, 144)))
    with pytest.raises(ValueError, match=r"shape \(60, 12, 12\).*\(60, 144\)"):
        transform_to(fitted_dae, X, np.empty((60, 12, 12)))
    with pytest.raises(ValueError, match="dtype int32"):
        transform_to(fitted_dae, X, np.empty((60, 144), dtype=np.int32))
    read_only = _memmap(tmp_path / "out.npy", np.zeros((60, 144)))
    with pytest.raises(ValueError, match="read-only"):
        transform_to(fitted_dae, X, read_only)
    with pytest.raises(TypeError, match="one array"):
        transform_to(fitted_dae, [X_test[:2].reshape(2, 12, 12)], np.empty((1, 144)))


def test_nan_in_a_chunk_is_named_by_its_image(tmp_path, images, fitted_dae):
    bad = images.copy()
    bad[23, 4, 5] = np.nan
    X = _memmap(tmp_path / "x.npy", bad)
    with pytest.raises(ValueError, match=r"X\[23\].*chunk of images"):
        _model().fit(X)
    y = _memmap(tmp_path / "y.npy", bad)
    with pytest.raises(ValueError, match=r"y\[23\]"):
        _model(noise=None).fit(_memmap(tmp_path / "ok.npy", images), y)
    flat = _memmap(tmp_path / "flat.npy", bad.reshape(30, -1))
    with pytest.raises(ValueError, match=r"X\[23\].*chunk of images 21:28"):
        transform_to(fitted_dae, flat, np.empty((30, 144)), batch_size=7)


def test_bad_on_disk_input_is_refused_clearly(tmp_path, images):
    with pytest.raises(ValueError, match="too large for the network's float32"):
        _model().fit(_memmap(tmp_path / "big.npy", images * 1e30))
    with pytest.raises(ValueError, match="must be numeric"):
        _model().fit(_memmap(tmp_path / "c.npy", images.astype(np.complex64)))
    with pytest.raises(ValueError, match="different numbers of images"):
        _model().fit(_memmap(tmp_path / "x.npy", images), images[:5])
    with pytest.raises(ValueError, match="not a perfect square"):
        _model().fit(_memmap(tmp_path / "f.npy", images.reshape(30, -1)[:, :140]))
    with pytest.warns(UserWarning, match="outside"):
        _model(max_epochs=1).fit(_memmap(tmp_path / "s.npy", images * 255))


def test_transform_to_warns_once(tmp_path, fitted_dae, blobs):
    _, X_test = blobs
    X = _memmap(tmp_path / "x.npy", X_test * 255)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        transform_to(fitted_dae, X, np.empty(X_test.shape), batch_size=10)
    assert len([w for w in caught if "not images in [0, 1]" in str(w.message)]) == 1


def test_disk_images_read_rows_in_any_order(tmp_path):
    data = np.arange(5 * 2 * 3 * 4, dtype=np.float64).reshape(5, 3, 4, 2)
    images = DiskImages(_memmap(tmp_path / "x.npy", data), None, -1, "X")
    assert images.n_channels == 2 and images.image_shape == (3, 4)
    expected = np.moveaxis(data, 3, 1).astype(np.float32)
    rows = images.read_rows([4, 0, 2])
    assert rows.dtype == np.float32 and rows.flags.c_contiguous
    np.testing.assert_array_equal(rows, expected[[4, 0, 2]])
    np.testing.assert_array_equal(images.read_slice(1, 3), expected[1:3])
    np.testing.assert_array_equal(
        images.read_patch(3, 1, 2, 2, 2), expected[3, :, 1:3, 2:4]
    )
    assert images.scan() == (0.0, float(data.max()), float(data.mean()))


def test_read_ahead_keeps_the_order_and_runs_in_another_thread():
    threads = []

    def produce():
        for i in range(20):
            threads.append(threading.current_thread())
            yield i

    assert list(read_ahead(produce(), depth=3)) == list(range(20))
    assert all(t is not threading.current_thread() for t in threads)


def test_read_ahead_raises_the_readers_error_in_order():
    def produce():
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in read_ahead(produce()):
            got.append(item)
    assert got == [1, 2]


def test_read_ahead_stops_its_thread_when_closed():
    produced = []

    def produce():
        for i in range(1000):
            produced.append(i)
            yield i

    before = threading.active_count()
    reader = read_ahead(produce(), depth=2)
    assert next(reader) == 0
    reader.close()
    assert threading.active_count() == before
    assert len(produced) < 10


def test_reader_error_in_fit_reaches_the_caller(tmp_path, images, monkeypatch):
    X = _memmap(tmp_path / "x.npy", images)

    def broken(self, indices):
        raise OSError("read failed")

    monkeypatch.setattr(DiskImages, "read_rows", broken)
    model = _model()
    with pytest.raises(OSError, match="read failed"):
        model.fit(X)
    assert not hasattr(model, "net_")


def test_cpu_stager_makes_no_copy():
    stager = DeviceStager("cpu")
    array = np.ones((2, 1, 3, 3), dtype=np.float32)
    tensor = stager.to_device(stager.pin(array))
    assert tensor.data_ptr() == array.ctypes.data


@pytest.mark.gpu
@needs_cuda
def test_cuda_fit_and_transform_from_a_memmap(tmp_path, images):
    X = _memmap(tmp_path / "x.npy", images)
    a = _model(device="cuda", max_epochs=1).fit(images)
    b = _model(device="cuda", max_epochs=1).fit(X)
    np.testing.assert_allclose(
        a.history_[:, "train_loss"], b.history_[:, "train_loss"], rtol=1e-5
    )
    np.testing.assert_allclose(b.transform(X), b.transform(images), atol=1e-6)


@pytest.mark.gpu
@needs_cuda
def test_pinned_staging_reuses_buffers_safely():
    stager = DeviceStager("cuda", n_buffers=2)
    arrays = [np.full((4, 1, 8, 8), i, dtype=np.float32) for i in range(6)]
    staged = [stager.pin(a) for a in arrays[:1]]
    outs = []
    for i in range(6):
        outs.append(stager.to_device(staged.pop()))
        if i + 1 < 6:
            staged.append(stager.pin(arrays[i + 1]))
    assert [float(t.mean()) for t in outs] == list(range(6))
    assert stager._rings[(4, 1, 8, 8)][0][0][0].is_pinned()


def test_releasing_memmap_pages_keeps_the_data(tmp_path, images, monkeypatch):
    monkeypatch.setattr("skdae._disk_arrays._RELEASE_BYTES", 1)  # after every read
    shared = _memmap(tmp_path / "x.npy", images)
    assert _same_weights(_model().fit(shared), _model().fit(images))
    private = _memmap(tmp_path / "x.npy", images, mode="c")  # copy-on-write
    private[0] = 0.5  # a change of the caller's, in memory only
    changed = images.copy()
    changed[0] = 0.5
    assert _same_weights(_model().fit(private), _model().fit(changed))
    assert np.all(private[0] == 0.5)


def test_one_dimensional_labels_on_disk_are_ignored(tmp_path, images):
    labels = _memmap(tmp_path / "labels.npy", np.arange(30.0))
    X = _memmap(tmp_path / "x.npy", images)
    assert _same_weights(_model().fit(X, labels), _model().fit(images))
    assert _same_weights(_model().fit(images, labels), _model().fit(images))


def _mapped_file_mb():
    for line in open("/proc/self/status").read().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no RssFile in /proc/self/status")


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux only")
def test_random_patch_reads_do_not_map_the_whole_memmap(tmp_path):
    from skdae._training import PatchBatches, StreamedPatchPairs

    path = tmp_path / "x.npy"
    n = 2048  # 128 MB of 128x128 float32 images, written without a memory map
    with open(path, "wb") as f:
        header = {"descr": "<f4", "fortran_order": False, "shape": (n, 128, 128)}
        np.lib.format.write_array_header_1_0(f, header)
        for _ in range(n // 256):
            f.write(np.full((256, 128, 128), 0.5, np.float32).tobytes())
    images = DiskImages(np.load(path, mmap_mode="r"), None, "auto")
    pairs = StreamedPatchPairs(images, images, (16, 16), "cpu", n_patches=1000)
    before = _mapped_file_mb()
    for _ in PatchBatches(pairs, 50, seed_fn=lambda: 0):
        pass
    assert _mapped_file_mb() - before < 48
