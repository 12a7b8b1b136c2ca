"""DenoisingAutoencoder(tile_size=...): tiled inference through the estimator."""

import numpy as np
import pytest
from torch import nn

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import CustomArchitecture, Residual
from skdae.metrics import psnr

from ._helpers import make_blob_images


@pytest.fixture(scope="module")
def residual():
    X = make_blob_images(40, 24, 24, seed=0).reshape(40, 24, 24)
    return DenoisingAutoencoder(
        noise=GaussianNoise(0.2, clip=False),
        architecture=Residual(depth=4, channels=8),
        max_epochs=2,
        batch_size=10,
        random_state=0,
        device="cpu",
    ).fit(X)


def _large_image(h=90, w=130, seed=1):
    rng = np.random.default_rng(seed)
    clean = make_blob_images(1, h, w, seed=seed).reshape(h, w)
    noisy = clean + 0.2 * rng.standard_normal(clean.shape)
    return clean, noisy


def test_tiled_equals_whole_within_0_05_db(residual):
    clean, noisy = _large_image()
    whole = residual.transform(noisy[np.newaxis])
    tiled = residual.set_params(tile_size=32).transform(noisy[np.newaxis])
    residual.set_params(tile_size=None)
    assert tiled.shape == whole.shape == (1, 90, 130)
    assert not np.array_equal(tiled, whole)  # the tiled path ran
    gap = abs(psnr(clean[np.newaxis], tiled) - psnr(clean[np.newaxis], whole))
    assert gap < 0.05
    assert psnr(whole, tiled) > 40  # tiled and whole differ by rounding-like noise


def test_score_uses_the_tiles_too(residual):
    clean, noisy = _large_image()
    whole = residual.score(noisy[np.newaxis], clean[np.newaxis])
    residual.set_params(tile_size=(32, 48))
    try:
        tiled = residual.score(noisy[np.newaxis], clean[np.newaxis])
    finally:
        residual.set_params(tile_size=None)
    assert tiled == pytest.approx(whole, abs=0.05)


class _Recorder(nn.Module):
    """A 1x1 convolution that records the sizes of the inputs it sees."""

    seen = []

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 1, 1)

    def forward(self, x):
        _Recorder.seen.append(tuple(x.shape[-2:]))
        return self.conv(x)


def test_tile_size_is_read_at_every_call():
    X = make_blob_images(8, 16, 16).reshape(8, 16, 16)
    dae = DenoisingAutoencoder(
        architecture=CustomArchitecture(_Recorder), max_epochs=1, random_state=0
    ).fit(X)
    image = np.full((1, 50, 70), 0.5)
    _Recorder.seen.clear()
    dae.transform(image)
    assert _Recorder.seen == [(50, 70)]
    _Recorder.seen.clear()
    dae.set_params(tile_size=20).transform(image)
    assert set(_Recorder.seen) == {(20, 20)}
    assert len(_Recorder.seen) >= 1


def test_tiles_of_colour_images_keep_the_layout():
    rng = np.random.default_rng(0)
    X = rng.random((6, 16, 16, 3))
    dae = DenoisingAutoencoder(
        architecture=Residual(depth=3, channels=8), max_epochs=1, random_state=0
    ).fit(X)
    image = rng.random((1, 45, 37, 3)).astype(np.float32)
    whole = dae.transform(image)
    tiled = dae.set_params(tile_size=16).transform(image)
    assert tiled.shape == image.shape and tiled.dtype == np.float32
    assert psnr(whole.reshape(1, -1), tiled.reshape(1, -1)) > 35


def test_tiled_list_of_images(residual):
    images = [np.full((40, 50), 0.5), np.full((33, 21), 0.25)]
    out = residual.set_params(tile_size=16).transform(images)
    residual.set_params(tile_size=None)
    assert [o.shape for o in out] == [(40, 50), (33, 21)]


def test_bad_tile_size_is_refused(residual):
    for bad in (0, -3, (16,), "big", 2.5):
        with pytest.raises(ValueError, match="tile_size"):
            residual.set_params(tile_size=bad).transform(np.zeros((1, 24, 24)))
    residual.set_params(tile_size=None)
