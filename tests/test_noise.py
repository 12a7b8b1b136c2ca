"""The contract of the noise models: statistics, statelessness, errors."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skdae import GaussianNoise, SaltPepperNoise

NOISES = [GaussianNoise(0.3), SaltPepperNoise(0.2)]


@pytest.fixture
def X():
    return np.random.default_rng(0).uniform(0.2, 0.8, size=(200, 64))


def test_gaussian_statistics(X):
    out = GaussianNoise(0.1, clip=False, random_state=0).transform(X)
    residual = out - X
    assert abs(residual.mean()) < 0.005
    assert residual.std() == pytest.approx(0.1, rel=0.02)
    clipped = GaussianNoise(0.5, random_state=0).transform(X)
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    assert GaussianNoise(0.5, clip=False, random_state=0).transform(X).min() < 0


def test_salt_pepper_statistics(X):
    out = SaltPepperNoise(0.3, salt_vs_pepper=0.25, random_state=0).transform(X)
    hit = out != X
    assert hit.mean() == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(out[hit])) <= {0.0, 1.0}
    assert (out[hit] == 1.0).mean() == pytest.approx(0.25, abs=0.02)
    np.testing.assert_array_equal(SaltPepperNoise(0.0).transform(X), X)


@pytest.mark.parametrize("noise", NOISES, ids=type)
def test_reproducible_with_int_fresh_with_none(noise, X):
    seeded = clone(noise).set_params(random_state=0)
    np.testing.assert_array_equal(seeded.transform(X), seeded.transform(X))
    fresh = clone(noise).set_params(random_state=None)
    assert not np.array_equal(fresh.transform(X), fresh.transform(X))
    rs = np.random.RandomState(0)  # a RandomState instance advances between calls
    shared = clone(noise).set_params(random_state=rs)
    assert not np.array_equal(shared.transform(X), shared.transform(X))


@pytest.mark.parametrize("noise", NOISES, ids=type)
def test_stateless_and_input_untouched(noise, X):
    before = X.copy()
    out = noise.transform(X)  # no fit needed
    np.testing.assert_array_equal(X, before)
    assert out is not X and not np.shares_memory(out, X)
    ro = X.copy()
    ro.setflags(write=False)
    fitted = clone(noise)
    fitted.fit_transform(ro)
    assert fitted.n_features_in_ == 64


@pytest.mark.parametrize("noise", NOISES, ids=type)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_and_dtypes(noise, dtype, X):
    for arr in (X, X.reshape(-1, 8, 8), X.reshape(-1, 1, 8, 8)):
        out = noise.transform(arr.astype(dtype))
        assert out.shape == arr.shape and out.dtype == dtype
    assert noise.transform(X.astype(np.uint8)).dtype == np.float64


@pytest.mark.parametrize("noise", NOISES, ids=type)
def test_corrupt_works_on_torch_tensors(noise):
    x = torch.full((4, 1, 8, 8), 0.5)
    g = torch.Generator().manual_seed(0)
    out = noise.corrupt(x, g)
    assert out.shape == x.shape and out.dtype == x.dtype
    assert torch.all(x == 0.5)  # input tensor untouched


@pytest.mark.parametrize(
    "noise, match",
    [
        (GaussianNoise(sigma=-0.1), "sigma"),
        (GaussianNoise(sigma="big"), "sigma"),
        (SaltPepperNoise(amount=1.5), "amount"),
        (SaltPepperNoise(amount=-0.1), "amount"),
        (SaltPepperNoise(salt_vs_pepper=2), "salt_vs_pepper"),
    ],
)
def test_bad_parameters(noise, match, X):
    with pytest.raises(ValueError, match=match):
        noise.transform(X)
    with pytest.raises(ValueError, match=match):
        noise.fit(X)


@pytest.mark.parametrize("noise", NOISES, ids=type)
def test_bad_input(noise):
    with pytest.raises(ValueError, match="NaN"):
        noise.transform(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="2D array"):
        noise.transform(np.zeros(4))
    fitted = clone(noise).fit(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="features"):
        fitted.transform(np.zeros((2, 5)))


@pytest.mark.parametrize("noise", NOISES, ids=type)
def test_pickle_and_params(noise):
    twin = pickle.loads(pickle.dumps(noise))
    assert twin.get_params() == noise.get_params()
