"""PSNR/SSIM against scikit-image on known pairs, and the scorers."""

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from skdae import GaussianNoise
from skdae.metrics import (
    make_denoising_scorer,
    mse,
    neg_mse_scorer,
    psnr,
    psnr_scorer,
    ssim,
    ssim_scorer,
)

from ._helpers import make_blob_images


@pytest.fixture(scope="module")
def pair():
    clean = make_blob_images(6, 16, 16)
    noisy = GaussianNoise(0.2, random_state=0).transform(clean)
    return clean, noisy


def test_psnr_known_value():
    a = np.zeros((3, 4))
    assert psnr(a, a + 0.1) == pytest.approx(20.0)
    assert psnr(a, a + 0.01) == pytest.approx(40.0)
    assert psnr(a, a + 25.5, data_range=255) == pytest.approx(20.0)
    assert psnr(a, a) == np.inf


def test_psnr_matches_skimage_per_image(pair):
    clean, noisy = pair
    expected = [
        peak_signal_noise_ratio(c, n, data_range=1.0) for c, n in zip(clean, noisy)
    ]
    np.testing.assert_allclose(psnr(clean, noisy, per_image=True), expected)
    assert psnr(clean, noisy) == pytest.approx(np.mean(expected))
    # layouts do not matter
    assert psnr(
        clean.reshape(-1, 16, 16), noisy.reshape(-1, 1, 16, 16)
    ) == pytest.approx(np.mean(expected))


def test_ssim_matches_skimage(pair):
    clean, noisy = pair
    expected = [
        structural_similarity(c.reshape(16, 16), n.reshape(16, 16), data_range=1.0)
        for c, n in zip(clean, noisy)
    ]
    np.testing.assert_allclose(ssim(clean, noisy, per_image=True), expected)
    assert ssim(clean, noisy) == pytest.approx(np.mean(expected))
    assert ssim(clean, clean) == pytest.approx(1.0)
    rect = np.random.default_rng(0).random((2, 8 * 12))
    assert ssim(rect, rect, image_shape=(8, 12)) == pytest.approx(1.0)


def test_metric_errors():
    with pytest.raises(ValueError, match="differ in shape"):
        psnr(np.zeros((2, 4)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match="NaN"):
        psnr(np.zeros((2, 4)), np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="data_range"):
        psnr(np.zeros((2, 4)), np.zeros((2, 4)), data_range=0)
    with pytest.raises(ValueError, match="too small"):
        ssim(np.zeros((2, 16)), np.zeros((2, 16)))
    with pytest.raises(ValueError, match="metric"):
        make_denoising_scorer("accuracy")


def test_scorers(fitted_dae, blobs):
    dae = fitted_dae
    clean = blobs[1][:6]
    noisy = GaussianNoise(0.2, random_state=0).transform(clean)
    denoised = dae.transform(noisy)
    assert psnr_scorer(dae, noisy, clean) == pytest.approx(psnr(clean, denoised))
    assert psnr_scorer(dae, noisy, clean) == pytest.approx(dae.score(noisy, clean))
    assert ssim_scorer(dae, noisy, clean) == pytest.approx(ssim(clean, denoised))
    assert neg_mse_scorer(dae, noisy, clean) == pytest.approx(-mse(clean, denoised))
    # y=None or labels: the clean images are X itself
    assert psnr_scorer(dae, clean) == pytest.approx(psnr(clean, dae.transform(clean)))
    corrupting = make_denoising_scorer(noise=GaussianNoise(0.2, random_state=0))
    assert corrupting(dae, clean) == pytest.approx(psnr(clean, denoised))
    assert "noise=GaussianNoise" in repr(corrupting)
