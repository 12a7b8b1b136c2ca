"""Tiled inference: tiles blend back into the whole-image result without seams."""

import tracemalloc

import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from skdae._padding import PaddedNetwork
from skdae._tiling import _axis_windows, _tile_starts, tiled_apply
from skdae.architectures import Residual


def identity(x):
    return x.clone()


def psnr(a, b):
    return 10 * np.log10(1.0 / np.mean((a - b) ** 2))


def smooth_image(height, width, channels=1, seed=0):
    """A random smooth image in [0, 1], float32, channels first."""
    rng = np.random.default_rng(seed)
    image = gaussian_filter(rng.random((channels, height, width)), (0, 3, 3))
    image = (image - image.min()) / (image.max() - image.min())
    return image.astype(np.float32)


def residual_network(depth=4, channels=16, seed=0):
    """A random DnCNN-style network in eval mode (its zeroed last layer re-drawn)."""
    torch.manual_seed(seed)
    network = PaddedNetwork(Residual(depth=depth, channels=channels))
    last = network.network.body[-1]
    last.reset_parameters()  # build() zeroes it: the network would be the identity
    return network.eval()


@pytest.mark.parametrize("shape", [(1, 37, 53), (3, 64, 64), (2, 3, 41, 29)])
@pytest.mark.parametrize("tile_size", [8, (16, 9), 100])
def test_identity_gives_the_input_back(shape, tile_size):
    images = np.random.default_rng(0).random(shape)
    out = tiled_apply(identity, images, tile_size=tile_size, overlap=None)
    assert out.shape == shape
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, images, rtol=1e-6, atol=1e-6)


def test_tensor_input_and_not_modified():
    images = torch.rand(2, 1, 30, 31, dtype=torch.float64)
    before = images.clone()
    out = tiled_apply(lambda x: x * 2, images, tile_size=12, overlap=4, batch_size=3)
    assert isinstance(out, np.ndarray) and out.shape == (2, 1, 30, 31)
    np.testing.assert_allclose(out, 2 * before.numpy(), rtol=1e-6)
    assert torch.equal(images, before)


def test_read_only_and_big_endian_arrays(tmp_path):
    images = np.random.default_rng(0).random((1, 20, 30)).astype(">f8")
    np.save(tmp_path / "image.npy", images)
    mapped = np.load(tmp_path / "image.npy", mmap_mode="r")
    out = tiled_apply(identity, mapped, tile_size=8, overlap=2)
    np.testing.assert_allclose(out, images, rtol=1e-6)


def test_network_tiled_matches_whole_image():
    clean = smooth_image(200, 300)
    noisy = clean + 0.1 * np.random.default_rng(1).standard_normal(clean.shape)
    noisy = noisy.astype(np.float32)
    network = residual_network(depth=4, channels=16)
    with torch.inference_mode():
        whole = network(torch.from_numpy(noisy)[None])[0].numpy()
    for tile_size, overlap in [(64, 16), (64, None), ((48, 80), (12, 20)), (77, 9)]:
        tiled = tiled_apply(network, noisy, tile_size=tile_size, overlap=overlap)
        # the two results agree to far better than 0.05 dB PSNR against the clean
        # image; measured: >= 70 dB of each other, exact when the receptive
        # field radius (4) is at most a quarter of the overlap
        assert psnr(tiled, whole) > 60
        assert abs(psnr(tiled, clean) - psnr(whole, clean)) < 0.005
    exact = tiled_apply(network, noisy, tile_size=64, overlap=16)
    np.testing.assert_allclose(exact, whole, atol=1e-5)


def test_network_whose_receptive_field_exceeds_the_overlap():
    image = smooth_image(90, 70)
    network = residual_network(depth=8, channels=8)
    with torch.inference_mode():
        whole = network(torch.from_numpy(image)[None])[0].numpy()
    tiled = tiled_apply(network, image, tile_size=32, overlap=4)
    assert psnr(tiled, whole) > 60  # close (measured 97 dB), though not exact


def test_no_seams_for_a_constant_function_of_position():
    # fn returns ones: the output is 1 everywhere only if the blending weights
    # sum to one at every pixel (a seam would show as another value)
    def ones(x):
        return torch.ones_like(x)

    out = tiled_apply(ones, np.zeros((1, 101, 203)), tile_size=(20, 33), overlap=7)
    np.testing.assert_allclose(out, 1.0, rtol=1e-6)


def test_image_smaller_than_a_tile_is_processed_whole():
    seen = []

    def record(x):
        seen.append(tuple(x.shape))
        return x

    out = tiled_apply(record, np.ones((3, 10, 7)), tile_size=64)
    assert seen == [(1, 3, 10, 7)]
    assert out.shape == (3, 10, 7)


def test_tiles_cover_odd_sizes_with_the_requested_overlap():
    for length, tile, overlap in [
        (101, 16, 4),
        (17, 16, 15),
        (1000, 64, 8),
        (64, 64, 8),
    ]:
        starts = _tile_starts(length, tile, overlap)
        assert starts[0] == 0 and starts[-1] + tile == length
        assert all(b - a <= tile - overlap for a, b in zip(starts, starts[1:]))
        windows = _axis_windows(length, tile, overlap)
        total = np.zeros(length)
        for start, window in windows:
            total[start : start + len(window)] += window
        np.testing.assert_allclose(total, 1.0, rtol=1e-6)


def test_tiles_in_batches_and_channels_out():
    calls = []

    def to_gray(x):
        calls.append(len(x))
        return x.mean(dim=1, keepdim=True)

    images = np.random.default_rng(0).random((2, 3, 50, 40))
    out = tiled_apply(to_gray, images, tile_size=20, overlap=4, batch_size=5)
    assert out.shape == (2, 1, 50, 40)
    np.testing.assert_allclose(out, images.mean(axis=1, keepdims=True), rtol=1e-5)
    assert max(calls) == 5 and sum(calls) == 2 * 3 * 3  # 3x3 tiles per image


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"tile_size": 16, "overlap": 16}, ValueError, "overlap must be smaller"),
        (
            {"tile_size": (16, 8), "overlap": (4, 8)},
            ValueError,
            "overlap must be smaller",
        ),
        ({"tile_size": 16, "overlap": -1}, ValueError, "overlap must be >= 0"),
        ({"tile_size": 0}, ValueError, "tile_size must be >= 1"),
        ({"tile_size": 2.5}, TypeError, "tile_size must be an int or a pair"),
        ({"tile_size": (16, 16, 3)}, TypeError, "tile_size must be an int or a pair"),
        ({"tile_size": True}, TypeError, "tile_size must be an int or a pair"),
        ({"tile_size": 16, "overlap": "4"}, TypeError, "overlap must be an int"),
        ({"tile_size": 16, "batch_size": 0}, ValueError, "batch_size must be an int"),
    ],
)
def test_invalid_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        tiled_apply(identity, np.zeros((1, 20, 20)), **kwargs)


@pytest.mark.parametrize(
    "images, error, match",
    [
        (np.zeros((20, 20)), ValueError, r"shape \(channels, height, width\)"),
        (np.zeros((1, 0, 5)), ValueError, "must not be empty"),
        (np.array([[["a"]]]), TypeError, "real numbers"),
        (torch.zeros(1, 4, 4, dtype=torch.bool), TypeError, "real numbers"),
    ],
)
def test_invalid_images(images, error, match):
    with pytest.raises(error, match=match):
        tiled_apply(identity, images, tile_size=4)


def test_fn_with_wrong_output_is_named():
    with pytest.raises(ValueError, match="fn must map tiles of shape"):
        tiled_apply(lambda x: x[..., :-1], np.zeros((1, 20, 20)), tile_size=8)
    with pytest.raises(TypeError, match="fn must return a torch.Tensor"):
        tiled_apply(lambda x: x.numpy(), np.zeros((1, 20, 20)), tile_size=8)


def test_memory_bounded_by_the_output_and_a_batch(tmp_path):
    # a float64 image on disk: converting it whole to float32 would allocate
    # another output-sized array, which tracemalloc (NumPy reports to it) sees
    images = np.lib.format.open_memmap(
        tmp_path / "big.npy", mode="w+", dtype=np.float64, shape=(3, 600, 900)
    )
    images[:] = 0.5
    images.flush()
    images = np.load(tmp_path / "big.npy", mmap_mode="r")
    output_bytes = 3 * 600 * 900 * 4
    tracemalloc.start()
    try:
        out = tiled_apply(identity, images, tile_size=64, batch_size=4)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(out, 0.5, rtol=1e-6)
    assert peak < 1.2 * output_bytes


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_tiles_run_on_the_device():
    image = smooth_image(100, 130, channels=3)
    network = torch.nn.Conv2d(3, 3, 3, padding=1).eval()
    on_cpu = tiled_apply(network, image, tile_size=48, overlap=12)
    on_gpu = tiled_apply(network.cuda(), image, tile_size=48, overlap=12, device="cuda")
    assert isinstance(on_gpu, np.ndarray)
    np.testing.assert_allclose(on_gpu, on_cpu, atol=1e-5)
