"""Colour images and the channel_axis parameter."""

import numpy as np
import pytest
import torch
from torch import nn

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import CustomArchitecture, Reference, Residual, UNet
from skdae.metrics import psnr, ssim

from .conftest import make_blob_images

FAST = {"max_epochs": 1, "batch_size": 8, "device": "cpu", "random_state": 0}


def _rgb(n=12, size=8, seed=0):
    """``n`` smooth colour images (n, size, size, 3) in [0, 1], float64."""
    gray = make_blob_images(3 * n, height=size, width=size, seed=seed)
    return gray.reshape(n, 3, size, size).transpose(0, 2, 3, 1).copy()


@pytest.fixture(scope="module")
def colour_model():
    X = _rgb()
    dae = DenoisingAutoencoder(noise=GaussianNoise(0.1), **FAST).fit(X)
    return dae, X


# ------------------------------------------------------------------ layouts
LAYOUTS = [
    # (shape, channel_axis, channels)
    ((4, 64), "auto", 1),
    ((4, 8, 8), "auto", 1),
    ((4, 1, 8, 8), "auto", 1),
    ((4, 8, 8, 1), "auto", 1),
    ((4, 3, 8, 8), "auto", 3),
    ((4, 8, 8, 3), "auto", 3),
    ((4, 4, 8, 8), "auto", 4),
    ((4, 8, 8, 4), "auto", 4),
    ((4, 2, 8, 8), 1, 2),
    ((4, 8, 8, 2), -1, 2),
    ((4, 8, 2, 8), 2, 2),
    ((4, 8, 8), None, 1),
    ((4, 1, 8, 8), None, 1),
]


@pytest.mark.parametrize("shape, channel_axis, channels", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_layout_round_trips(shape, channel_axis, channels, dtype):
    rng = np.random.default_rng(0)
    X = rng.random(shape).astype(dtype)
    before = X.copy()
    dae = DenoisingAutoencoder(
        architecture=Residual(depth=3, channels=4), channel_axis=channel_axis, **FAST
    ).fit(X)
    assert dae.n_channels_ == channels
    out = dae.transform(X)
    assert out.shape == X.shape and out.dtype == X.dtype
    np.testing.assert_array_equal(X, before)  # the input is not modified
    # the residual network starts as the identity and learns nothing from
    # identical inputs and targets: each pixel comes back in its own place
    np.testing.assert_allclose(out, np.clip(X, 0, 1), atol=1e-5)


def test_channels_first_and_last_give_the_same_result(colour_model):
    dae, X = colour_model
    last = dae.transform(X)
    first = dae.set_params(channel_axis=1).transform(X.transpose(0, 3, 1, 2))
    dae.set_params(channel_axis="auto")
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, atol=1e-6)
    # "auto" reads the channels-first batch too
    auto = dae.transform(X.transpose(0, 3, 1, 2))
    np.testing.assert_allclose(auto, first, atol=1e-6)


def test_ambiguous_shape_reads_channels_first():
    X = np.random.default_rng(0).random((2, 3, 8, 3))
    dae = DenoisingAutoencoder(**FAST).fit(X)
    assert dae.n_channels_ == 3 and dae.image_shape_ == (8, 3)
    forced = DenoisingAutoencoder(channel_axis=-1, **FAST).fit(X)
    assert forced.n_channels_ == 3 and forced.image_shape_ == (3, 8)


def test_layout_errors_name_the_fix():
    with pytest.raises(ValueError, match="channel_axis=1 .* channel_axis=-1"):
        DenoisingAutoencoder(**FAST).fit(np.zeros((2, 5, 8, 2)))
    with pytest.raises(ValueError, match="channel_axis=None reads X as grayscale"):
        DenoisingAutoencoder(channel_axis=None, **FAST).fit(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="needs 4-D X"):
        DenoisingAutoencoder(channel_axis=1, **FAST).fit(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="channel_axis"):
        DenoisingAutoencoder(channel_axis=0, **FAST).fit(np.zeros((2, 3, 8, 8)))


def test_wrong_channel_count_at_transform(colour_model):
    dae, _ = colour_model
    with pytest.raises(ValueError, match="1 channel.*fitted on images of 3"):
        dae.transform(np.zeros((2, 8, 8)))


def test_colour_training_lowers_the_loss():
    X = _rgb(n=40)
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(0.1),
        lr=5e-3,
        max_epochs=5,
        batch_size=8,
        device="cpu",
        random_state=0,
    ).fit(X)
    losses = dae.history_[:, "train_loss"]
    assert losses[-1] < 0.8 * losses[0]


@pytest.mark.parametrize(
    "architecture",
    [Reference(channels=(4, 8)), Residual(depth=3, channels=4), UNet(1, 4)],
)
def test_built_in_networks_have_the_data_channels(architecture):
    net = architecture.build(n_channels=3)
    out = net(torch.rand(2, 3, 8, 8))
    assert out.shape == (2, 3, 8, 8)
    assert architecture.build().forward(torch.rand(1, 1, 8, 8)).shape[1] == 1


class _Gray(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


class _AnyChannels(nn.Module):
    def __init__(self, n_channels=1, width=4):
        super().__init__()
        self.conv = nn.Conv2d(n_channels, n_channels, 3, padding=1)

    def forward(self, x):
        return self.conv(x)


def test_custom_network_gets_the_channel_count():
    X = _rgb(n=4)
    dae = DenoisingAutoencoder(
        architecture=CustomArchitecture(_AnyChannels, {"width": 2}), **FAST
    ).fit(X)
    assert dae.net_.module_.network.conv.in_channels == 3
    assert dae.transform(X).shape == X.shape


def test_grayscale_custom_network_refuses_colour_clearly():
    with pytest.raises(ValueError, match="3 channels but _Gray takes no n_channels"):
        DenoisingAutoencoder(architecture=_Gray, **FAST).fit(_rgb(n=4))
    DenoisingAutoencoder(architecture=_Gray, **FAST).fit(np.zeros((4, 8, 8)))


def test_model_file_keeps_the_channel_count(colour_model, tmp_path):
    dae, X = colour_model
    dae.save(tmp_path / "colour.skdae")
    loaded = DenoisingAutoencoder.load(tmp_path / "colour.skdae")
    assert loaded.n_channels_ == 3
    np.testing.assert_allclose(loaded.transform(X), dae.transform(X), atol=1e-6)


def test_model_file_without_channel_count_means_gray(tmp_path):
    X = make_blob_images(8, height=8, width=8)
    DenoisingAutoencoder(**FAST).fit(X).save(tmp_path / "gray.skdae")
    payload = torch.load(tmp_path / "gray.skdae", weights_only=True)
    del payload["fitted"]["n_channels_"]  # as written before colour existed
    torch.save(payload, tmp_path / "old.skdae")
    assert DenoisingAutoencoder.load(tmp_path / "old.skdae").n_channels_ == 1


# ------------------------------------------------------------------ metrics
def test_psnr_of_colour_images_pools_the_channels():
    rng = np.random.default_rng(0)
    clean = rng.random((3, 8, 8, 3))
    noisy = clean + 0.1
    assert psnr(clean, noisy) == pytest.approx(20.0)
    assert psnr(clean.transpose(0, 3, 1, 2), noisy.transpose(0, 3, 1, 2)) == (
        pytest.approx(20.0)
    )


def test_ssim_of_colour_images_averages_the_channels():
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(0)
    clean = rng.random((2, 16, 16, 3))
    noisy = np.clip(clean + rng.normal(0, 0.1, clean.shape), 0, 1)
    expected = np.mean(
        [
            structural_similarity(c, n, data_range=1.0, channel_axis=-1)
            for c, n in zip(clean, noisy)
        ]
    )
    assert ssim(clean, noisy) == pytest.approx(expected)
    first = ssim(clean.transpose(0, 3, 1, 2), noisy.transpose(0, 3, 1, 2))
    assert first == pytest.approx(expected)
    forced = ssim(clean, noisy, channel_axis=-1)
    assert forced == pytest.approx(expected)
    # one channel per image, gray
    gray = ssim(clean[..., :1], noisy[..., :1])
    assert gray == pytest.approx(ssim(clean[..., 0], noisy[..., 0]))


def test_metrics_on_lists_of_images_of_different_sizes():
    rng = np.random.default_rng(0)
    clean = [rng.random((16, 20)), rng.random((24, 12, 3))]
    noisy = [np.clip(c + 0.05, 0, 1) for c in clean]
    per = [psnr(c[np.newaxis], n[np.newaxis]) for c, n in zip(clean, noisy)]
    assert psnr(clean, noisy) == pytest.approx(np.mean(per))
    np.testing.assert_allclose(psnr(clean, noisy, per_image=True), per)
    per_ssim = [ssim(c[np.newaxis], n[np.newaxis]) for c, n in zip(clean, noisy)]
    assert ssim(clean, noisy) == pytest.approx(np.mean(per_ssim))
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(clean, noisy[::-1])
    with pytest.raises(ValueError, match="different numbers of images"):
        ssim(clean, noisy[:1])
