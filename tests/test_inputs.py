"""What skdae does with the data it is given: never writes to it, refuses what it
cannot compute with, warns about images on another scale, takes tensors."""

import tracemalloc
import warnings

import numpy as np
import pytest
import torch
from torch import nn

import skdae
from skdae import DenoisingAutoencoder, GaussianNoise, SaltPepperNoise
from skdae.metrics import make_denoising_scorer, mse, psnr, ssim
from skdae.noise import BaseNoise

from ._helpers import make_blob_images

FAST = dict(max_epochs=1, batch_size=16, random_state=0, device="cpu")


class InPlaceNet(nn.Module):
    """A user network that scales its input in place before a convolution."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        x.mul_(0.5)
        return self.conv(x)


class InPlaceNoise(BaseNoise):
    """A user noise model that breaks the contract: it writes into its input."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def corrupt(self, x, generator):
        return x.mul_(0.5)


@pytest.fixture(scope="module")
def images():
    """40 images of the size the shared ``fitted_dae`` was fitted on (12x12)."""
    return make_blob_images(40, seed=1).astype(np.float32)


@pytest.fixture
def read_only_memmap(images, tmp_path):
    path = tmp_path / "images.npy"
    np.save(path, images)
    return np.load(path, mmap_mode="r")


# ------------------------------------------------- the caller's data is safe
def test_user_network_cannot_modify_input(images):
    X = images.copy()
    dae = DenoisingAutoencoder(architecture=InPlaceNet, **FAST)
    dae.fit(X)  # training batches: no noise, so the network gets them as they are
    np.testing.assert_array_equal(X, images)
    dae.fit(X, X.copy())  # separate targets
    np.testing.assert_array_equal(X, images)
    dae.transform(X)
    dae.score(X, X)
    np.testing.assert_array_equal(X, images)
    DenoisingAutoencoder(architecture=InPlaceNet, validation_fraction=0.2, **FAST).fit(
        X
    )
    np.testing.assert_array_equal(X, images)


def test_user_noise_model_cannot_modify_input(images):
    X = images.copy()
    DenoisingAutoencoder(noise=InPlaceNoise(), **FAST).fit(X)
    np.testing.assert_array_equal(X, images)
    InPlaceNoise().transform(X)
    np.testing.assert_array_equal(X, images)


def test_read_only_memmap_never_reaches_torch_as_writable(images, read_only_memmap):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch's "not writable" warning included
        dae = DenoisingAutoencoder(architecture=InPlaceNet, **FAST)
        dae.fit(read_only_memmap)
        out = dae.transform(read_only_memmap)
        dae.score(read_only_memmap, read_only_memmap)
        GaussianNoise(0.1, random_state=0).transform(read_only_memmap)
        InPlaceNoise().transform(read_only_memmap)
    assert out.shape == images.shape
    np.testing.assert_array_equal(read_only_memmap, images)


def test_tensors_are_copies():
    from skdae._tensors import tensor_copy

    array = np.arange(6, dtype=np.float32)
    array.setflags(write=False)
    for dtype in (None, np.float32, np.float64):
        tensor = tensor_copy(array, dtype)
        assert not np.shares_memory(tensor.numpy(), array)
        tensor.add_(1)  # writable
    np.testing.assert_array_equal(array, np.arange(6))


# ------------------------------------------------------------ extreme values
def test_transform_refuses_values_the_network_cannot_compute(fitted_dae, images):
    X = np.full_like(images[:4], 3.0e38)
    with pytest.raises(ValueError, match=r"3e\+38") as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # out-of-range warning
            fitted_dae.transform(X)
    assert "[0, 1]" in str(info.value)
    with pytest.raises(ValueError, match="float32"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            fitted_dae.score(X, images[:4])


def test_psnr_and_ssim_on_huge_values_are_computed_without_warnings():
    rng = np.random.default_rng(0)
    a = rng.random((3, 64))
    b = rng.random((3, 64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge_psnr = psnr(a * 1e300, b * 1e300, per_image=True)
        huge_mse = mse(a * 1e300, b * 1e300)
        huge_ssim = ssim(a * 1e300, b * 1e300, data_range=1e300, per_image=True)
        other_ssim = ssim(a * 1e300, b * 1e300)
        ssims = [ssim(a * k, b * k, data_range=k) for k in (1e60, 1e80, 1e140)]
    # 10 log10(1 / (1e600 mse)) = psnr(a, b) - 6000 dB
    np.testing.assert_allclose(huge_psnr, psnr(a, b, per_image=True) - 6000.0)
    assert huge_mse == np.inf  # beyond float64, honestly infinite
    np.testing.assert_allclose(huge_ssim, ssim(a, b, per_image=True), rtol=1e-9)
    assert np.isfinite(other_ssim) and -1 <= other_ssim <= 1
    np.testing.assert_allclose(ssims, ssim(a, b), rtol=1e-9)


def test_ssim_raises_where_huge_values_leave_it_undefined():
    flat = np.full((1, 64), 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="SSIM is undefined.*data_range"):
            ssim(flat, flat)


# ---------------------------------------------------------------- tensors
def test_tensors_requiring_grad_are_accepted_everywhere(images, fitted_dae):
    X = torch.tensor(images, requires_grad=True)
    Xa = images
    dae = DenoisingAutoencoder(**FAST).fit(X)
    np.testing.assert_array_equal(
        dae.transform(X), DenoisingAutoencoder(**FAST).fit(Xa).transform(Xa)
    )
    assert np.isfinite(dae.score(X, X))
    dae.partial_fit(X, X)
    assert dae.fit_transform(X).shape == images.shape
    codes = dae.encode(X)
    assert dae.decode(torch.tensor(codes, requires_grad=True)).shape == images.shape
    assert psnr(X, X + 0.1) == pytest.approx(psnr(Xa, Xa + 0.1), rel=1e-6)
    assert ssim(X, X) == pytest.approx(1.0)
    assert mse(X, X) == 0.0
    noise = GaussianNoise(0.1, random_state=0)
    np.testing.assert_array_equal(noise.fit(X).transform(X), noise.transform(Xa))
    assert np.isfinite(make_denoising_scorer(noise=noise)(fitted_dae, X, X))
    assert not X.grad  # nothing was computed through the caller's graph


# -------------------------------------------------- images on another scale
def test_transform_warns_about_images_on_another_scale(fitted_dae, images):
    with pytest.warns(UserWarning, match=r"divided by 255"):
        fitted_dae.transform(np.round(images * 255).astype(np.uint8))
    with pytest.warns(UserWarning, match=r"divided by 16\b"):
        fitted_dae.transform(np.round(images * 16))
    with pytest.warns(UserWarning, match="0..255"):
        fitted_dae.score(images * 255, images)


def test_noisy_input_in_range_does_not_warn(fitted_dae, images):
    noisy = GaussianNoise(0.5, clip=False, random_state=0).transform(images)
    assert noisy.min() < -0.5 and noisy.max() > 1.5  # clearly out of [0, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted_dae.transform(noisy)
        fitted_dae.transform(images)


def test_fit_hint_names_the_actual_maximum():
    X = np.random.default_rng(0).integers(0, 17, (10, 16)).astype(float)
    with pytest.warns(UserWarning, match=r"divided by 16\b") as record:
        DenoisingAutoencoder(**FAST).fit(X)
    assert "255" not in str(record[0].message)


@pytest.mark.parametrize("noise", [GaussianNoise(0.1), SaltPepperNoise(0.1)])
def test_noise_models_warn_about_out_of_range_input(noise):
    X = np.random.default_rng(0).integers(0, 256, (4, 16)).astype(float)
    with pytest.warns(UserWarning, match=r"outside \[0, 1\].*divided by 255"):
        noise.transform(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        noise.transform(X / 255)


# ------------------------------------------------------------- image sizes
def test_single_image_given_as_2d_array_is_explained(fitted_dae):
    with pytest.raises(ValueError, match="is expecting 144 features") as info:
        fitted_dae.transform(np.zeros((16, 16)))
    message = str(info.value)
    assert "12x12 images" in message
    assert "16x16" in message and "np.newaxis" in message
    # following the hint denoises the image: any size works
    assert fitted_dae.transform(np.zeros((16, 16))[np.newaxis]).shape == (1, 16, 16)


# ----------------------------------------------------------- score memory
def test_score_memory_is_bounded_by_the_chunk_size(fitted_dae):
    X = make_blob_images(4096, seed=2).astype(np.float32)
    with skdae.config_context(inference_batch_size=256):
        fitted_dae.score(X[:10], X[:10])  # warm-up
        tracemalloc.start()
        try:
            fitted_dae.score(X, X)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # the whole-array PSNR needed two float64 copies and two more temporaries
    # (about 9x X.nbytes); chunk by chunk, only the per-image values remain
    assert peak < 1.5 * X.nbytes, peak


class NaNNet(nn.Module):
    """A network whose output is all NaN."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)

    def forward(self, x):
        return self.conv(x) * float("nan")


def test_non_finite_network_output_is_an_error(images):
    dae = DenoisingAutoencoder(**FAST).fit(images)
    dae.net_.module_.network = NaNNet()  # as if training had gone wrong
    with pytest.raises(ValueError, match="NaN or infinity for X values in"):
        dae.transform(images)
    with pytest.raises(ValueError, match="NaN or infinity"):
        dae.score(images)


def test_range_warnings_point_at_the_caller(fitted_dae, images):
    for call in (
        lambda: fitted_dae.transform(images * 255),
        lambda: fitted_dae.score(images * 255, images),
        lambda: GaussianNoise(0.1).transform(images * 255),
        lambda: DenoisingAutoencoder(**FAST).fit(images * 255),
        lambda: DenoisingAutoencoder(**FAST).partial_fit(images * 255),
    ):
        with pytest.warns(UserWarning, match="divided by 255") as record:
            call()
        assert record[0].filename == __file__
