"""skdae.noise: the noise models' statistics, level ranges, composites and contract."""

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdae.autoencoder import DenoisingAutoencoder
from skdae.noise import (
    BaseNoise,
    GaussianNoise,
    MaskingNoise,
    NoiseMixture,
    NoiseSequence,
    PoissonNoise,
    SaltPepperNoise,
    SpeckleNoise,
)


def _mixture(**kwargs):
    return NoiseMixture(
        [("gaussian", GaussianNoise(0.2)), ("impulse", SaltPepperNoise(0.1))],
        **kwargs,
    )


def _sequence(**kwargs):
    return NoiseSequence(
        [("gaussian", GaussianNoise(0.1)), ("impulse", SaltPepperNoise(0.1))],
        **kwargs,
    )


#: one of each noise model (and level ranges): the shared contract is run on each
NOISES = [
    GaussianNoise(0.3),
    SaltPepperNoise(0.2),
    SpeckleNoise(0.3),
    PoissonNoise(20.0),
    MaskingNoise(0.3),
    MaskingNoise(0.3, block_size=3),
    GaussianNoise((0.0, 0.5)),
    SaltPepperNoise((0.05, 0.3)),
    _mixture(),
    _sequence(),
]
IDS = [
    "gaussian",
    "saltpepper",
    "speckle",
    "poisson",
    "masking",
    "masking-blocks",
    "gaussian-range",
    "saltpepper-range",
    "mixture",
    "sequence",
]


@pytest.fixture
def X():
    """200 images of 8x8 pixels, flat, values in [0.2, 0.8]."""
    return np.random.default_rng(0).uniform(0.2, 0.8, size=(200, 64))


# --------------------------------------------------------------------- statistics


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


def test_speckle_statistics():
    levels = np.array([0.0, 0.2, 0.4, 0.8])
    X = np.tile(levels, (20000, 1))
    out = SpeckleNoise(0.25, clip=False, random_state=0).transform(X)
    residual = out - X
    np.testing.assert_allclose(residual.mean(axis=0), 0.0, atol=0.005)
    np.testing.assert_allclose(residual.std(axis=0), 0.25 * levels, rtol=0.03)
    np.testing.assert_array_equal(out[:, 0], 0.0)  # black stays black
    clipped = SpeckleNoise(1.0, random_state=0).transform(X)
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    assert SpeckleNoise(1.0, clip=False, random_state=0).transform(X).max() > 1


def test_poisson_statistics():
    levels = np.array([0.0, 0.1, 0.5, 0.9])
    X = np.tile(levels, (20000, 1))
    out = PoissonNoise(25.0, clip=False, random_state=0).transform(X)
    np.testing.assert_allclose(out.mean(axis=0), levels, atol=0.005)  # unbiased
    np.testing.assert_allclose(out.var(axis=0)[1:], levels[1:] / 25.0, rtol=0.05)
    np.testing.assert_allclose(out * 25.0, np.round(out * 25.0), atol=1e-9)
    np.testing.assert_array_equal(out[:, 0], 0.0)
    assert out.max() > 1.0
    clipped = PoissonNoise(25.0, random_state=0).transform(X)
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    # lower peak, noisier
    noisy = PoissonNoise(5.0, clip=False, random_state=0).transform(X)
    assert noisy.var(axis=0)[2] > 4 * out.var(axis=0)[2]
    # negative values count as no light (with a warning: not an image in [0, 1])
    with pytest.warns(UserWarning, match=r"outside \[0, 1\]"):
        dark = PoissonNoise(10.0).transform(np.full((2, 4), -0.5))
    assert np.all(dark == 0.0)


def test_masking_pixels(X):
    out = MaskingNoise(0.3, fill=-1.0, random_state=0).transform(X)
    masked = out == -1.0
    assert masked.mean() == pytest.approx(0.3, abs=0.01)
    np.testing.assert_array_equal(out[~masked], X[~masked])
    np.testing.assert_array_equal(MaskingNoise(0.0).transform(X), X)
    np.testing.assert_array_equal(MaskingNoise(1.0, fill=0.5).transform(X), 0.5)
    # no image geometry needed: any number of features
    assert MaskingNoise(0.3).transform(np.full((3, 7), 0.5)).shape == (3, 7)


def _union_of_squares(mask, k):
    """Whether a 2-D boolean mask is a union of k x k squares cut at the border."""
    padded = np.pad(mask, k - 1, constant_values=True)  # outside counts as masked
    full = sliding_window_view(padded, (k, k)).all(axis=(2, 3))
    covered = sliding_window_view(full, (k, k)).any(axis=(2, 3))
    return np.array_equal(covered, mask)


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("amount", [0.1, 0.4])
def test_masking_blocks(k, amount):
    X = np.full((2000, 10, 10), 0.5)
    out = MaskingNoise(amount, block_size=k, fill=-1.0, random_state=0).transform(X)
    masked = out == -1.0
    np.testing.assert_array_equal(out[~masked], 0.5)
    assert masked.mean() == pytest.approx(amount, abs=0.015)
    # every pixel, at the border too, is masked with probability amount
    per_pixel = masked.mean(axis=0)
    for y, x in [(0, 0), (9, 9), (0, 5), (5, 5)]:
        assert per_pixel[y, x] == pytest.approx(amount, abs=0.045)
    assert all(_union_of_squares(m, k) for m in masked[:200])
    some_full_block = sliding_window_view(masked[:200], (k, k), axis=(1, 2))
    assert some_full_block.all(axis=(3, 4)).any()


def test_masking_pixels_are_not_blocks():
    """The square check above is not vacuous."""
    masked = MaskingNoise(0.4, fill=-1.0, random_state=0).transform(
        np.full((50, 10, 10), 0.5)
    )
    assert not all(_union_of_squares(m == -1.0, 3) for m in masked)


@settings(max_examples=40, deadline=None)
@given(
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    k=st.integers(1, 6),
    amount=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_masking_blocks_any_geometry(h, w, k, amount, seed):
    X = np.full((5, h * w), 0.5)
    noise = MaskingNoise(
        amount, block_size=k, fill=-1.0, image_shape=(h, w), random_state=seed
    )
    out = noise.transform(X)
    assert out.shape == X.shape
    assert set(np.unique(out)) <= {-1.0, 0.5}
    assert all(_union_of_squares(m.reshape(h, w) == -1.0, k) for m in out)
    if amount == 1.0:
        np.testing.assert_array_equal(out, -1.0)
    if amount == 0.0:
        np.testing.assert_array_equal(out, X)


def test_masking_blocks_geometry():
    X = np.full((400, 4 * 16), 0.5)
    noise = MaskingNoise(0.3, block_size=4, fill=-1.0, random_state=0)
    # flat square rows: 8x8 inferred
    flat = noise.transform(X) == -1.0
    assert all(_union_of_squares(m.reshape(8, 8), 4) for m in flat[:100])
    # flat rows of 4x16 images
    wide = clone(noise).set_params(image_shape=(4, -1)).transform(X) == -1.0
    assert all(_union_of_squares(m.reshape(4, 16), 4) for m in wide[:100])
    assert not all(_union_of_squares(m.reshape(8, 8), 4) for m in wide[:100])
    # 3-D and 4-D input: the last two axes are the image; image_shape unused
    cube = noise.transform(X.reshape(-1, 4, 16)) == -1.0
    assert all(_union_of_squares(m, 4) for m in cube[:100])
    batch = noise.transform(X.reshape(-1, 1, 4, 16)) == -1.0
    np.testing.assert_array_equal(batch.reshape(cube.shape), cube)
    # channels of one image share its blocks
    x = torch.full((10, 3, 8, 8), 0.5)
    out = noise.corrupt(x, torch.Generator().manual_seed(0))
    assert torch.equal(out[:, 0], out[:, 1]) and torch.equal(out[:, 0], out[:, 2])
    # non-square flat rows need image_shape
    with pytest.raises(ValueError, match="image_shape"):
        noise.transform(np.full((2, 10), 0.5))
    assert MaskingNoise(0.3, block_size=2, image_shape=(2, 5)).transform(
        np.full((2, 10), 0.5)
    ).shape == (2, 10)


# ------------------------------------------------------------------- level ranges


def _residual_std(X, out):
    return (out - X).std(axis=1)


def _changed(X, out):
    return (out != X).mean(axis=1)


def _relative_std(X, out):
    return ((out - X) / X).std(axis=1)


def _photons(X, out):
    return X.mean(axis=1) / out.var(axis=1)


@pytest.mark.parametrize(
    "noise, name, estimate, low, high",
    [
        (GaussianNoise((0.0, 0.5), clip=False), "sigma", _residual_std, 0.0, 0.5),
        (SaltPepperNoise((0.1, 0.6)), "amount", _changed, 0.1, 0.6),
        (SpeckleNoise((0.1, 0.5), clip=False), "sigma", _relative_std, 0.1, 0.5),
        (PoissonNoise((20.0, 60.0), clip=False), "peak", _photons, 20.0, 60.0),
        (MaskingNoise((0.1, 0.6), fill=-1.0), "amount", _changed, 0.1, 0.6),
        (MaskingNoise([0.1, 0.6], block_size=2, fill=-1), "amount", _changed, 0.1, 0.6),
    ],
    ids=["gaussian", "saltpepper", "speckle", "poisson", "masking", "blocks"],
)
def test_level_ranges_draw_one_level_per_image(noise, name, estimate, low, high):
    X = np.full((500, 1600), 0.5)
    levels = estimate(X, clone(noise).set_params(random_state=0).transform(X))
    width = high - low
    # uniform in [low, high]: covers the range, with the right mean and spread
    assert levels.min() < low + 0.06 * width
    assert levels.max() > high - 0.06 * width
    assert levels.min() > low - 0.2 * width and levels.max() < high + 0.2 * width
    assert levels.mean() == pytest.approx(low + width / 2, abs=0.05 * width)
    assert levels.std() == pytest.approx(width / np.sqrt(12), rel=0.15)
    # one fixed level: all images alike, up to the error of the estimate
    fixed = clone(noise).set_params(random_state=0, **{name: high})
    assert estimate(X, fixed.transform(X)).std() < 0.3 * levels.std()


def test_degenerate_range_is_a_fixed_level(X):
    for noise, name in [
        (GaussianNoise(random_state=0), "sigma"),
        (SaltPepperNoise(random_state=0), "amount"),
        (SpeckleNoise(random_state=0), "sigma"),
        (PoissonNoise(random_state=0), "peak"),
        (MaskingNoise(block_size=2, random_state=0), "amount"),
    ]:
        scalar = clone(noise).set_params(**{name: 0.3})
        pair = clone(noise).set_params(**{name: (0.3, 0.3)})
        np.testing.assert_array_equal(scalar.transform(X), pair.transform(X))


def test_draw_level_shapes():
    g = torch.Generator().manual_seed(0)
    x = torch.zeros((6, 1, 4, 4), dtype=torch.float64)
    fixed = BaseNoise._draw_level(0.3, x, g)
    assert fixed.shape == (6, 1, 1, 1) and fixed.dtype == torch.float64
    assert torch.all(fixed == 0.3)
    drawn = BaseNoise._draw_level((0.1, 0.2), x.float(), g)
    assert drawn.shape == (6, 1, 1, 1) and drawn.dtype == torch.float32
    assert torch.all((drawn >= 0.1) & (drawn <= 0.2)) and drawn.unique().numel() == 6
    assert BaseNoise._draw_level((0.1, 0.2), torch.zeros(5, 7), g).shape == (5, 1)


def test_grid_search_sets_scalar_after_range():
    X = np.random.default_rng(0).uniform(0, 1, size=(60, 16))
    noise = GaussianNoise((0.0, 0.3), random_state=0)
    assert noise.set_params(sigma=0.2).get_params()["sigma"] == 0.2
    assert noise.transform(X).shape == X.shape
    pipe = Pipeline([("noise", GaussianNoise(random_state=0)), ("pca", PCA(2))])
    grid = GridSearchCV(pipe, {"noise__sigma": [(0.0, 0.3), 0.1, [0.2, 0.4]]}, cv=2)
    grid.fit(X)
    assert len(grid.cv_results_["params"]) == 3
    pipe = Pipeline([("noise", _mixture(random_state=0)), ("pca", PCA(2))])
    grid = GridSearchCV(
        pipe,
        {"noise__gaussian__sigma": [(0.0, 0.3), 0.1], "noise__weights": [None, [1, 3]]},
        cv=2,
    ).fit(X)
    assert grid.best_estimator_.named_steps["noise"].noises[0][1].sigma in (
        (0.0, 0.3),
        0.1,
    )


# -------------------------------------------------------------------- composites


def test_mixture_picks_one_noise_per_image():
    X = np.full((4000, 9), 0.5)
    noises = [
        ("a", MaskingNoise(1.0, fill=-1.0)),
        ("b", MaskingNoise(1.0, fill=-2.0)),
        ("c", MaskingNoise(1.0, fill=-3.0)),
    ]
    out = NoiseMixture(noises, weights=[3, 0, 1], random_state=0).transform(X)
    assert np.all(out == out[:, :1])  # one noise model per image
    picked = out[:, 0]
    assert set(np.unique(picked)) == {-1.0, -3.0}  # weight 0 never picked
    assert (picked == -1.0).mean() == pytest.approx(0.75, abs=0.02)
    uniform = NoiseMixture(noises, random_state=0).transform(X)[:, 0]
    for fill in (-1.0, -2.0, -3.0):
        assert (uniform == fill).mean() == pytest.approx(1 / 3, abs=0.025)
    only_b = NoiseMixture(noises, weights=np.array([0.0, 2.0, 0.0])).transform(X)
    np.testing.assert_array_equal(only_b, -2.0)
    # on training batches too
    x = torch.full((500, 1, 3, 3), 0.5)
    batch = NoiseMixture(noises).corrupt(x, torch.Generator().manual_seed(0))
    assert torch.all(batch == batch[:, :, :1, :1]) and torch.all(x == 0.5)


def test_mixture_of_real_noises(X):
    mix = NoiseMixture(
        [("gaussian", GaussianNoise(0.02)), ("impulse", SaltPepperNoise(0.2))],
        weights=[0.5, 0.5],
        random_state=0,
    )
    out = mix.transform(X)
    impulse = np.isin(out, [0.0, 1.0]).any(axis=1)
    assert 0.38 < impulse.mean() < 0.62
    assert np.isin(out[impulse], [0.0, 1.0]).mean() == pytest.approx(0.2, abs=0.02)
    gaussian = out[~impulse] - X[~impulse]
    assert gaussian.std() == pytest.approx(0.02, rel=0.05)


def test_sequence_applies_noises_in_order(X):
    fill_then_impulse = NoiseSequence(
        [("fill", MaskingNoise(1.0, fill=0.7)), ("impulse", SaltPepperNoise(0.5))],
        random_state=0,
    ).transform(X)
    assert set(np.unique(fill_then_impulse)) == {0.0, 0.7, 1.0}
    assert (fill_then_impulse == 0.7).mean() == pytest.approx(0.5, abs=0.02)
    impulse_then_fill = NoiseSequence(
        [("impulse", SaltPepperNoise(0.5)), ("fill", MaskingNoise(1.0, fill=0.7))]
    ).transform(X)
    np.testing.assert_array_equal(impulse_then_fill, 0.7)
    both = _sequence(random_state=0).transform(X)
    hit = np.isin(both, [0.0, 1.0])
    assert hit.mean() == pytest.approx(0.1, abs=0.01)
    assert (both - X)[~hit].std() == pytest.approx(0.1, rel=0.05)


@pytest.mark.parametrize("make", [_mixture, _sequence], ids=["mixture", "sequence"])
def test_composite_params(make):
    noise = make(random_state=0)
    deep = noise.get_params(deep=True)
    assert deep["gaussian"] is noise.noises[0][1]
    assert deep["gaussian__sigma"] in (0.1, 0.2) and deep["impulse__amount"] == 0.1
    assert "gaussian__sigma" not in noise.get_params(deep=False)
    noise.set_params(gaussian__sigma=(0.0, 0.4), impulse__salt_vs_pepper=1.0)
    assert noise.noises[0][1].sigma == (0.0, 0.4)
    assert noise.noises[1][1].salt_vs_pepper == 1.0
    noise.set_params(gaussian=SpeckleNoise(0.1), random_state=1)
    assert isinstance(noise.noises[0][1], SpeckleNoise) and noise.random_state == 1
    assert noise.get_params()["gaussian__sigma"] == 0.1
    # clone copies the parts; pickle keeps everything
    twin = clone(noise)
    assert twin.noises[0][1] is not noise.noises[0][1]
    assert twin.get_params()["gaussian__sigma"] == 0.1
    X = np.random.default_rng(0).uniform(size=(20, 16))
    restored = pickle.loads(pickle.dumps(noise))
    np.testing.assert_array_equal(restored.transform(X), noise.transform(X))


def test_nested_composites():
    noise = NoiseSequence(
        [("mix", _mixture()), ("mask", MaskingNoise(0.1, block_size=2))],
        random_state=0,
    )
    assert noise.get_params()["mix__gaussian__sigma"] == 0.2
    noise.set_params(mix__gaussian__sigma=(0.1, 0.3), mask__block_size=3)
    assert noise.noises[0][1].noises[0][1].sigma == (0.1, 0.3)
    X = np.random.default_rng(0).uniform(size=(30, 64))
    np.testing.assert_array_equal(noise.transform(X), clone(noise).transform(X))
    with pytest.raises(ValueError, match="sigma"):
        noise.set_params(mix__gaussian__sigma=-1.0).transform(X)


def test_composite_ignores_parts_random_state(X):
    a = NoiseSequence([("g", GaussianNoise(0.2, random_state=1))], random_state=0)
    b = NoiseSequence([("g", GaussianNoise(0.2, random_state=2))], random_state=0)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


# ---------------------------------------------------------------- shared contract


@pytest.mark.parametrize("noise", NOISES, ids=IDS)
def test_reproducible_with_int_fresh_with_none(noise, X):
    seeded = clone(noise).set_params(random_state=0)
    np.testing.assert_array_equal(seeded.transform(X), seeded.transform(X))
    assert not np.array_equal(seeded.transform(X), X)
    fresh = clone(noise).set_params(random_state=None)
    assert not np.array_equal(fresh.transform(X), fresh.transform(X))
    shared = clone(noise).set_params(random_state=np.random.RandomState(0))
    assert not np.array_equal(shared.transform(X), shared.transform(X))


@pytest.mark.parametrize("noise", NOISES, ids=IDS)
def test_stateless_and_input_untouched(noise, X):
    before = X.copy()
    out = noise.transform(X)  # no fit needed
    np.testing.assert_array_equal(X, before)
    assert out is not X and not np.shares_memory(out, X)
    ro = X.copy()
    ro.setflags(write=False)
    fitted = clone(noise)
    assert fitted.fit_transform(ro).shape == X.shape
    assert fitted.n_features_in_ == 64
    np.testing.assert_array_equal(ro, before)


@pytest.mark.parametrize("noise", NOISES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_and_dtypes(noise, dtype, X):
    for arr in (X, X.reshape(-1, 8, 8), X.reshape(-1, 1, 8, 8)):
        out = noise.transform(arr.astype(dtype))
        assert out.shape == arr.shape and out.dtype == dtype
    assert noise.transform(X.astype(np.uint8)).dtype == np.float64


@pytest.mark.parametrize("noise", NOISES, ids=IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_corrupt_works_on_training_batches(noise, dtype):
    x = torch.full((16, 1, 8, 8), 0.5, dtype=dtype)
    out = noise.corrupt(x, torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.dtype == x.dtype and out.device == x.device
    assert torch.all(x == 0.5)  # input tensor untouched
    assert out.data_ptr() != x.data_ptr()
    assert not torch.equal(out, x)


@pytest.mark.parametrize("noise", NOISES, ids=IDS)
def test_pickle_and_clone(noise, X):
    twin = pickle.loads(pickle.dumps(noise))
    assert twin.get_params().keys() == noise.get_params().keys()
    # the same parameter values (composite parts: equal, not the same objects)
    assert {k: repr(v) for k, v in twin.get_params().items()} == {
        k: repr(v) for k, v in noise.get_params().items()
    }
    seeded = clone(noise).set_params(random_state=0)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(seeded)).transform(X), seeded.transform(X)
    )


@pytest.mark.parametrize(
    "noise, match",
    [
        (GaussianNoise(sigma=-0.1), "sigma"),
        (GaussianNoise(sigma="big"), "sigma"),
        (SaltPepperNoise(amount=1.5), "amount"),
        (SaltPepperNoise(amount=-0.1), "amount"),
        (SaltPepperNoise(salt_vs_pepper=2), "salt_vs_pepper"),
        (GaussianNoise(sigma=(0.5, 0.1)), "sigma.*low <= high"),
        (GaussianNoise(sigma=(-0.1, 0.2)), "sigma"),
        (GaussianNoise(sigma=(0.1, 0.2, 0.3)), "sigma"),
        (GaussianNoise(sigma=(0.1, "b")), "sigma"),
        (GaussianNoise(sigma=float("inf")), "sigma"),
        (GaussianNoise(sigma=float("nan")), "sigma"),
        (SaltPepperNoise(amount=(0.2, 1.5)), "amount"),
        (SpeckleNoise(sigma=-0.1), "sigma"),
        (SpeckleNoise(sigma=(0.3, 0.2)), "sigma"),
        (SpeckleNoise(clip="yes"), "clip"),
        (PoissonNoise(peak=0), "peak"),
        (PoissonNoise(peak=-5.0), "peak"),
        (PoissonNoise(peak=(0.0, 10.0)), "peak"),
        (PoissonNoise(peak=(20.0, 10.0)), "peak"),
        (MaskingNoise(amount=1.5), "amount"),
        (MaskingNoise(amount=-0.1), "amount"),
        (MaskingNoise(amount=(0.5, 0.2)), "amount"),
        (MaskingNoise(block_size=0), "block_size"),
        (MaskingNoise(block_size=2.5), "block_size"),
        (MaskingNoise(fill=float("nan")), "fill"),
        (MaskingNoise(image_shape=(0, 3)), "image_shape"),
        (MaskingNoise(image_shape="8x8"), "image_shape"),
        (_mixture(weights=[1.0]), "weights"),
        (_mixture(weights=[1.0, 2.0, 3.0]), "weights"),
        (_mixture(weights=[0.0, 0.0]), "weights"),
        (_mixture(weights=[-1.0, 2.0]), "weights"),
        (_mixture(weights=[1.0, float("nan")]), "weights"),
        (_mixture(weights=["a", "b"]), "weights"),
        (NoiseMixture([]), "noises"),
        (NoiseMixture(GaussianNoise()), "noises"),
        (NoiseMixture([GaussianNoise()]), "noises"),
        (NoiseMixture([("g", GaussianNoise)]), "noises"),
        (NoiseMixture([("g", PCA())]), "noises"),
        (NoiseSequence([("g", GaussianNoise()), ("g", SpeckleNoise())]), "unique"),
        (NoiseSequence([("random_state", GaussianNoise())]), "conflict"),
        (NoiseSequence([("a__b", GaussianNoise())]), "__"),
        (NoiseSequence([("g", GaussianNoise(sigma=(0.5, 0.1)))]), "sigma"),
        (_mixture(random_state="seed"), "random_state"),
    ],
)
def test_bad_parameters(noise, match, X):
    with pytest.raises(ValueError, match=match):
        noise.transform(X)
    with pytest.raises(ValueError, match=match):
        noise.fit(X)


@pytest.mark.parametrize("noise", NOISES, ids=IDS)
def test_bad_input(noise):
    with pytest.raises(ValueError, match="NaN"):
        noise.transform(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="2D array"):
        noise.transform(np.zeros(4))
    fitted = clone(noise).fit(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="features"):
        fitted.transform(np.zeros((2, 5)))


# --------------------------------------------------------------- training


def test_bad_noise_is_reported_before_training():
    dae = DenoisingAutoencoder(noise=_mixture(weights=[1.0]), max_epochs=1)
    with pytest.raises(ValueError, match="weights"):
        dae.fit(np.zeros((4, 16)))


def test_autoencoder_trains_with_noise_mixture(tmp_path):
    X = np.random.default_rng(0).uniform(size=(40, 144)).astype(np.float32)
    noise = NoiseMixture(
        [
            ("gaussian", GaussianNoise((0.0, 0.5))),
            ("blocks", MaskingNoise(0.2, block_size=3)),
            ("shot", NoiseSequence([("poisson", PoissonNoise((10.0, 50.0)))])),
        ],
        weights=[2, 1, 1],
    )
    dae = DenoisingAutoencoder(noise=noise, max_epochs=1, random_state=0)
    dae.set_params(noise__gaussian__sigma=(0.1, 0.4))
    dae.fit(X)
    assert dae.transform(X).shape == X.shape
    assert dae.get_params()["noise__gaussian__sigma"] == (0.1, 0.4)
    # composite noise models and level ranges survive model files
    loaded = DenoisingAutoencoder.load(dae.save(tmp_path / "model.pt"))
    assert loaded.get_params()["noise__shot__poisson__peak"] == (10.0, 50.0)
    assert repr(loaded.noise) == repr(dae.noise)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("noise", NOISES, ids=IDS)
def test_corrupt_on_cuda(noise):
    x = torch.full((16, 1, 8, 8), 0.5, device="cuda")
    generator = torch.Generator(device="cuda").manual_seed(0)
    out = noise.corrupt(x, generator)
    assert out.device == x.device and out.shape == x.shape and out.dtype == x.dtype
    assert torch.all(x == 0.5) and not torch.equal(out, x)
