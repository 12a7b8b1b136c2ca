"""Images of any size at transform and score time; lists of images."""

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.architectures import Residual, ResidualUNet, UNet

from .conftest import make_blob_images

FAST = {"max_epochs": 1, "batch_size": 8, "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module", params=["reference", "residual", "unet", "resunet"])
def fitted(request):
    X = make_blob_images(16, height=8, width=8).reshape(16, 8, 8)
    architecture = {
        "reference": "reference",
        "residual": Residual(depth=3, channels=4),
        "unet": UNet(depth=2, channels=4),
        "resunet": ResidualUNet(depth=2, channels=4, blocks=1),
    }[request.param]
    return DenoisingAutoencoder(
        noise=GaussianNoise(0.1), architecture=architecture, **FAST
    ).fit(X)


@pytest.mark.parametrize("size", [(8, 8), (13, 7), (32, 40), (1, 1)])
def test_transform_and_score_images_of_other_sizes(fitted, size):
    X = np.random.default_rng(0).random((3, *size)).astype(np.float32)
    out = fitted.transform(X)
    assert out.shape == X.shape and out.dtype == np.float32
    assert np.isfinite(fitted.score(X))
    # each image alone gives the same as in the batch
    np.testing.assert_allclose(fitted.transform(X[1:2]), out[1:2], atol=1e-5)


def test_flat_input_keeps_the_fitted_size(fitted):
    with pytest.raises(ValueError, match="is expecting 64 features"):
        fitted.transform(np.zeros((2, 100)))
    assert fitted.transform(np.zeros((2, 64))).shape == (2, 64)


class _Dense(nn.Module):
    """Not fully convolutional: a linear layer over the 8x8 pixels."""

    fully_convolutional = False

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(64, 64)

    def forward(self, x):
        return self.linear(x.flatten(1)).view_as(x)


def test_network_of_one_size_keeps_the_size_check():
    X = np.random.default_rng(0).random((4, 8, 8))
    dae = DenoisingAutoencoder(architecture=_Dense, **FAST).fit(X)
    assert dae.transform(X).shape == X.shape
    with pytest.raises(ValueError, match="X holds 10x10 images but 8x8 images"):
        dae.transform(np.zeros((2, 10, 10)))
    with pytest.raises(ValueError, match="10x10 images but 8x8"):
        dae.transform([np.zeros((10, 10))])


def test_warm_start_on_another_size_is_refused():
    # training continues on the size the network was fitted on
    dae = DenoisingAutoencoder(**FAST).fit(np.zeros((4, 8, 8)))
    with pytest.raises(ValueError, match="12x12 images but 8x8 images"):
        dae.partial_fit(np.zeros((4, 12, 12)))


# -------------------------------------------------------------------- lists
def _mixed(seed=0):
    rng = np.random.default_rng(seed)
    return [
        rng.random((9, 11)),
        rng.random((16, 16)).astype(np.float32),
        rng.random((9, 11)),
        torch.rand(5, 20, generator=torch.Generator().manual_seed(seed)),
    ]


def test_transform_list_of_mixed_sizes(fitted):
    images = _mixed()
    out = fitted.transform(images)
    assert isinstance(out, list) and len(out) == len(images)
    for image, denoised in zip(images, out):
        assert denoised.shape == tuple(image.shape)
        assert denoised.dtype == (
            np.float32 if image.dtype in (np.float32, torch.float32) else np.float64
        )
        alone = fitted.transform(np.asarray(image)[np.newaxis])[0]
        np.testing.assert_allclose(denoised, alone, atol=1e-5)


def test_transform_list_of_colour_images_in_their_layouts():
    rng = np.random.default_rng(0)
    X = rng.random((6, 8, 8, 3))
    dae = DenoisingAutoencoder(architecture=Residual(3, 4), **FAST).fit(X)
    images = [rng.random((10, 7, 3)), rng.random((12, 12, 3))]
    out = dae.transform(images)
    assert [o.shape for o in out] == [(10, 7, 3), (12, 12, 3)]
    first = dae.set_params(channel_axis=1).transform(
        [image.transpose(2, 0, 1) for image in images]
    )
    assert [o.shape for o in first] == [(3, 10, 7), (3, 12, 12)]
    for a, b in zip(out, first):
        np.testing.assert_allclose(a, b.transpose(1, 2, 0), atol=1e-6)


def test_score_list_is_the_mean_over_images(fitted):
    rng = np.random.default_rng(1)
    clean = [rng.random((9, 11)), rng.random((16, 16)), rng.random((12, 5))]
    noisy = [np.clip(c + rng.normal(0, 0.1, c.shape), 0, 1) for c in clean]
    each = [fitted.score(n[np.newaxis], c[np.newaxis]) for n, c in zip(noisy, clean)]
    assert fitted.score(noisy, clean) == pytest.approx(np.mean(each))
    with pytest.raises(ValueError, match="different numbers of images"):
        fitted.score(noisy, clean[:2])
    with pytest.raises(ValueError, match=r"y\[1\] has the shape"):
        fitted.score(noisy, [clean[0], clean[2], clean[1]])


def test_list_input_is_validated_and_not_modified(fitted):
    images = _mixed()
    before = [np.array(np.asarray(image)) for image in images]
    fitted.transform(images)
    for image, copy in zip(images, before):
        np.testing.assert_array_equal(np.asarray(image), copy)
    with pytest.raises(ValueError, match=r"X\[1\].*NaN"):
        fitted.transform([np.zeros((4, 4)), np.full((4, 4), np.nan)])
    with pytest.warns(UserWarning, match="not images in \\[0, 1\\]"):
        fitted.transform([np.full((4, 4), 200.0), np.full((5, 5), 100.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.transform([np.full((4, 4), 0.5), np.full((5, 5), 0.5)])


def test_fit_on_a_list_of_same_size_images_stacks_them():
    images = list(make_blob_images(8, height=8, width=8).reshape(8, 8, 8))
    from_list = DenoisingAutoencoder(**FAST).fit(images)
    from_array = DenoisingAutoencoder(**FAST).fit(np.stack(images))
    assert from_list.image_shape_ == (8, 8)
    np.testing.assert_array_equal(
        from_list.transform(np.stack(images)), from_array.transform(np.stack(images))
    )


def test_fit_on_mixed_sizes_needs_patch_size():
    with pytest.raises(ValueError, match="different sizes.*Set patch_size"):
        DenoisingAutoencoder(**FAST).fit([np.zeros((8, 8)), np.zeros((9, 8))])


def test_flat_input_still_checks_feature_names():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(
        make_blob_images(8, height=4, width=4), columns=[f"p{i}" for i in range(16)]
    )
    dae = DenoisingAutoencoder(**FAST).fit(X)
    with pytest.raises(ValueError, match="feature names should match"):
        dae.transform(X.rename(columns={"p0": "q"}))
