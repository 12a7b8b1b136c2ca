"""Property-based robustness tests: systematically bad input for every public
estimator and function of skdae.

Every call either returns a correct result (the right shape, finite values,
float32 for float32 input and float64 otherwise, the same numbers as for the
same data given as a plain C-contiguous float array) or raises a ``ValueError``
or ``TypeError`` whose message names the problem: each generated defect (NaN,
infinity, complex numbers, strings, sparse matrices, the wrong number of
dimensions, empty arrays, images of the wrong size...) maps to the words its
message must contain (``WORDS``). Each input has one correct outcome: input
with a defect must be refused, input without one must be accepted. Any other
exception type is a bug. Inputs are
never modified, read-only inputs work and no RuntimeWarning (overflow, empty
mean, discarded imaginary part) escapes.

uint8 images are treated as their numeric values: 0..255 become float64 0.0 to
255.0, never rescaled to [0, 1]. ``DenoisingAutoencoder.fit`` warns (UserWarning)
when its targets leave [0, 1], and the warning says that images in 0..255 "should
be divided by 255" when the targets are non-negative with a maximum above 2.

Inputs are drawn by :func:`cases`: shapes (1-D, flat 2-D with square and
non-square numbers of features, 3-D, 4-D ``(n, 1, h, w)``, channels-last 4-D,
5-D, no samples, no features, a single sample), dtypes (signed and unsigned
ints, bool, float16/32/64, object arrays of numbers or with a string, complex),
NaN and infinities, values in [0, 1], negative or in 0..255, memory layouts
(C, Fortran/transposed, strided, negative strides, read-only) and containers
(ndarray, nested lists, DataFrames with string column names, scipy sparse
matrices and arrays).

Examples per test are scaled by the environment variable
``SKDAE_ROBUSTNESS_SCALE`` (default 1; e.g. 10 for a long nightly run). The number
of examples run per estimator/function is printed at the end of the module
(``pytest -s``). A bug the property tests find is fixed, and pinned by a
``test_regression_*`` test with a minimal input. The strategies, defect
predicates and checks live in ``tests/_input_cases.py``.
"""

import collections
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from skdae import DenoisingAutoencoder, GaussianNoise, SaltPepperNoise
from skdae import noise as noise_module
from skdae.metrics import (
    make_denoising_scorer,
    mse,
    neg_mse_scorer,
    psnr,
    psnr_scorer,
    ssim,
    ssim_scorer,
)

from ._helpers import make_blob_images, public_noise_models
from ._input_cases import (
    _is_square,
    _snapshot,
    assert_unchanged,
    call,
    cases,
    check_array_out,
    check_outcome,
    check_range_warning,
    examples,
    image_defects,
    image_hw,
    metric_defects,
    target_defects,
    validation_defects,
)

# The generated inputs are often far outside [0, 1] (negative, 0..255), which
# skdae rightly warns about. Inside call() every warning is recorded and checked
# (check_outcome, check_range_warning); the reference results computed outside
# it would print the same warnings hundreds of times, so they are ignored here.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:The images given to the noise model:UserWarning"
    ),
    pytest.mark.filterwarnings("ignore:The images in X span:UserWarning"),
    pytest.mark.filterwarnings("ignore:Target images span:UserWarning"),
]

#: examples that reached the call under test, per estimator/function
COUNTS = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _print_counts(request):
    """The number of examples run per estimator/function, printed at the end."""

    def finish():
        width = max(map(len, COUNTS), default=10)
        print("\n\nrobustness examples run per estimator/function:")
        for label, count in sorted(COUNTS.items()):
            print(f"  {label:<{width}}  {count:5d}")
        print(f"  {'total':<{width}}  {sum(COUNTS.values()):5d}")

    request.addfinalizer(finish)


# ------------------------------------------------------------- fixtures
#: size of the images of the shared fitted model (conftest.fitted_dae)
HW = (12, 12)
N_CODE = 64 * 3 * 3  # latent code of the reference network for 12x12 images


@pytest.fixture(scope="module")
def fitted(fitted_dae):
    return fitted_dae


#: any image size; square half the time (flat input must be square)
ANY_SIZES = st.one_of(
    st.integers(1, 8).map(lambda s: (s, s)),
    st.tuples(st.integers(0, 8), st.integers(0, 8)),
)
#: mostly the fitted 12x12, sometimes a size with 144 pixels but another shape
FITTED_SIZES = st.sampled_from(
    [HW] * 6 + [(4, 4), (2, 72), (1, 144), (12, 11), (0, 12), (13, 13), (16, 9)]
)
#: latent codes of 576 features, or not
CODE_SIZES = st.sampled_from([(24, 24)] * 4 + [(4, 4), (1, 576), (0, 24), (2, 288)])
#: images large enough for SSIM's 7x7 window, or not
METRIC_SIZES = st.one_of(
    st.integers(7, 9).map(lambda s: (s, s)),
    st.tuples(st.integers(0, 10), st.integers(0, 10)),
)


NOISE_MODELS = public_noise_models(random_state=0)


# ------------------------------------------------ DenoisingAutoencoder: fit
@examples(150)
@given(
    case=cases(ANY_SIZES),
    method=st.sampled_from(["fit", "partial_fit", "fit_transform"]),
)
def test_autoencoder_fit(case, method):
    label = f"DenoisingAutoencoder.{method}"
    COUNTS[label] += 1
    defects = validation_defects(case) + image_defects(case.shape)
    dae = DenoisingAutoencoder(max_epochs=1, batch_size=8, random_state=0, device="cpu")
    snapshot = _snapshot(case.X)
    result, err, caught = call(getattr(dae, method), case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    check_range_warning(case.values, caught)
    if method == "fit_transform":
        out = result
    else:
        assert result is dae
        out = dae.transform(case.X)
    check_array_out(out, case.shape, case.out_dtype, unit=True)
    hw = image_hw(case.shape)
    assert dae.image_shape_ == hw
    assert dae.n_features_in_ == math.prod(case.shape[1:])
    assert dae.n_iter_ == 1
    if case.container == "dataframe":
        assert list(dae.feature_names_in_) == list(case.X.columns)


@examples(60)
@given(case=cases(FITTED_SIZES))
def test_autoencoder_fit_targets(case):
    """fit(X, y) with a possibly defective y: used exactly as a clean array."""
    label = "DenoisingAutoencoder.fit(X, y)"
    COUNTS[label] += 1
    n = case.shape[0] if len(case.shape) > 1 and case.shape[0] else 3
    X = make_blob_images(n, *HW, seed=1)
    defects = target_defects(case, n, HW)
    dae = DenoisingAutoencoder(max_epochs=1, batch_size=8, random_state=0, device="cpu")
    snapshot = _snapshot(case.X)
    result, err, caught = call(dae.fit, X, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    assert result is dae
    labels = len(case.shape) < 2
    check_range_warning(X if labels else case.values, caught)
    reference = DenoisingAutoencoder(
        max_epochs=1, batch_size=8, random_state=0, device="cpu"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        reference.fit(X, None if labels else case.canonical(np.float64))
    assert np.array_equal(dae.transform(X), reference.transform(X))


# ------------------------------------ DenoisingAutoencoder: fitted methods
@pytest.mark.parametrize("method", ["transform", "encode", "score"])
@examples(150)
@given(case=cases(FITTED_SIZES))
def test_autoencoder_inference(fitted, method, case):
    label = f"DenoisingAutoencoder.{method}"
    COUNTS[label] += 1
    defects = validation_defects(case) + image_defects(
        case.shape, HW, any_size=method != "encode"
    )
    snapshot = _snapshot(case.X)
    result, err, caught = call(getattr(fitted, method), case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    n = case.shape[0]
    flat = case.canonical().reshape(n, -1)
    if len(case.shape) > 2:  # one channel: the same values as (n, h, w) images
        flat = case.canonical().reshape(n, *image_hw(case.shape))
    if method == "transform":
        check_array_out(result, case.shape, case.out_dtype, unit=True)
        expected = fitted.transform(flat).reshape(case.shape)
        assert np.array_equal(result, expected)
    elif method == "encode":
        check_array_out(result, (n, N_CODE), case.out_dtype)
        assert np.array_equal(result, fitted.encode(flat))
    else:
        assert isinstance(result, float) and math.isfinite(result), result
        expected = psnr(flat.reshape(n, -1), fitted.transform(flat).reshape(n, -1))
        assert result == pytest.approx(expected, rel=1e-9)


@examples(80)
@given(case=cases(FITTED_SIZES))
def test_autoencoder_score_targets(fitted, case):
    label = "DenoisingAutoencoder.score(X, y)"
    COUNTS[label] += 1
    n = case.shape[0] if len(case.shape) > 1 and case.shape[0] else 3
    X = make_blob_images(n, *HW, seed=1)
    defects = target_defects(case, n, HW)
    snapshot = _snapshot(case.X)
    result, err, caught = call(fitted.score, X, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    assert isinstance(result, float) and math.isfinite(result), result
    if len(case.shape) < 2:
        expected = fitted.score(X)
    else:
        clean = case.canonical(np.float64).reshape(n, -1)
        expected = psnr(clean, fitted.transform(X))
    assert result == pytest.approx(expected, rel=1e-9)


@examples(80)
@given(case=cases(CODE_SIZES, kinds=("flat", "flat", "flat", "3d", "1d")))
def test_autoencoder_decode(fitted, case):
    label = "DenoisingAutoencoder.decode"
    COUNTS[label] += 1
    defects = validation_defects(case)
    if len(case.shape) > 2:
        defects.append("ndim")
    elif len(case.shape) == 2 and case.shape[1] not in (0, N_CODE):
        defects.append("wrong_size")
    snapshot = _snapshot(case.X)
    result, err, caught = call(fitted.decode, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    check_array_out(result, (case.shape[0], HW[0] * HW[1]), case.out_dtype)
    assert np.array_equal(result, fitted.decode(case.canonical()))


# ---------------------------------------------------------- noise models
def noise_defects(model, case, method):
    """Defects a noise model must reject, besides those of input validation.

    Values outside [0, 1] are no defect: noise models warn about them (checked
    by ``check_range_warning``) and corrupt them all the same. ``fit`` needs no
    image geometry: only corrupting in blocks does.
    """
    d = []
    shape = case.shape
    if len(shape) > 2 and shape[0] > 0 and 0 in shape[1:]:
        d.append("no_features")  # images of zero pixels
    if getattr(model, "block_size", 1) > 1 and len(shape) == 2 and method != "fit":
        if shape[1] and not _is_square(shape[1]):
            d.append("not_square")  # blocks need the image geometry
    return d


@pytest.mark.parametrize("name", sorted(NOISE_MODELS))
@examples(100)
@given(
    case=cases(ANY_SIZES),
    method=st.sampled_from(["transform", "fit_transform", "fit", "fitted_transform"]),
)
def test_noise_model(name, case, method):
    label = f"{name}.{method}"
    COUNTS[label] += 1
    model = clone(NOISE_MODELS[name])
    defects = validation_defects(case)
    defects += [d for d in noise_defects(model, case, method) if d not in defects]
    if (
        method == "fitted_transform"
        and len(case.shape) > 1
        and math.prod(case.shape[1:])
    ):
        # fitted on valid data with the same features, then transform
        model.fit(np.full((2, *case.shape[1:]), 0.5))
        fn = model.transform
    else:
        fn = getattr(model, method.replace("fitted_", ""))
    snapshot = _snapshot(case.X)
    result, err, caught = call(fn, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    if method != "fit":
        check_range_warning(case.values, caught)
    if method == "fit":
        assert result is model
        assert model.n_features_in_ == case.shape[1]
        return
    in_unit = case.value_range in ("unit", "const")
    check_array_out(result, case.shape, case.out_dtype, unit=in_unit)
    expected = clone(NOISE_MODELS[name]).transform(case.canonical())
    assert np.array_equal(result, expected), "differs from plain-array input"


# --------------------------------------------------------------- metrics
def _expected_metric(metric, a, b, per_image):
    a = a.reshape(len(a), -1).astype(np.float64)
    b = b.reshape(len(b), -1).astype(np.float64)
    if metric == "ssim":
        return None
    values = np.mean((a - b) ** 2, axis=1)
    if metric == "psnr":
        values = 10 * np.log10(1.0 / values)
    return values if per_image else values.mean()


@pytest.mark.parametrize("metric", ["mse", "psnr", "ssim"])
@examples(150)
@given(
    case=cases(METRIC_SIZES),
    position=st.sampled_from(["y_pred", "y_true"]),
    per_image=st.booleans(),
)
def test_metric(metric, case, position, per_image):
    label = f"skdae.metrics.{metric}({position})"
    COUNTS[label] += 1
    fn = {"mse": mse, "psnr": psnr, "ssim": ssim}[metric]
    other = np.random.default_rng(1).uniform(0.25, 0.75, size=case.shape)
    args = (case.X, other) if position == "y_true" else (other, case.X)
    defects = metric_defects(case, ssim_images=metric == "ssim")
    snapshot = _snapshot(case.X)
    other_copy = other.copy()
    result, err, caught = call(fn, *args, per_image=per_image)
    assert_unchanged(case.X, snapshot)
    assert np.array_equal(other, other_copy)
    if not check_outcome(label, defects, err, caught):
        return
    n = case.shape[0]
    if per_image:
        check_array_out(result, (n,), np.float64)
    else:
        assert isinstance(result, float) and math.isfinite(result), result
    plain = case.canonical(np.float64)
    pair = (plain, other) if position == "y_true" else (other, plain)
    expected = _expected_metric(metric, *pair, per_image)
    if expected is None:  # ssim: same value as for plain arrays
        expected = fn(*pair, per_image=per_image)
    np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------- scorers
SCORERS = {
    "psnr_scorer": psnr_scorer,
    "ssim_scorer": ssim_scorer,
    "neg_mse_scorer": neg_mse_scorer,
    "make_denoising_scorer(noise=...)": make_denoising_scorer(
        noise=GaussianNoise(0.1, random_state=0)
    ),
}


@pytest.mark.parametrize("name", sorted(SCORERS))
@examples(80)
@given(case=cases(FITTED_SIZES))
def test_scorer_X(fitted, name, case):
    label = f"{name}(X)"
    COUNTS[label] += 1
    scorer = SCORERS[name]
    defects = validation_defects(case) + image_defects(case.shape, HW)
    if "ssim" in name and not defects and min(image_hw(case.shape)) < 7:
        defects.append("too_small")  # images of another size than the fit's
    snapshot = _snapshot(case.X)
    result, err, caught = call(scorer, fitted, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    assert isinstance(result, float) and math.isfinite(result), result
    expected = scorer(fitted, case.canonical())
    assert result == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", sorted(SCORERS))
@examples(60)
@given(case=cases(FITTED_SIZES))
def test_scorer_y(fitted, name, case):
    label = f"{name}(X, y)"
    COUNTS[label] += 1
    scorer = SCORERS[name]
    n = case.shape[0] if len(case.shape) > 1 and case.shape[0] else 3
    X = make_blob_images(n, *HW, seed=1)
    if len(case.shape) < 2 and case.container != "sparse":
        defects = []  # 1-D y: labels, the clean images are X
    else:
        defects = validation_defects(case)
        if case.shape[0] != n:
            defects.append("n_mismatch")
        elif math.prod(case.shape[1:]) != HW[0] * HW[1]:
            defects.append("wrong_size")
        # the right number of pixels per image in any layout is accepted: the
        # scorers compare flat images
    snapshot = _snapshot(case.X)
    result, err, caught = call(scorer, fitted, X, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught):
        return
    assert isinstance(result, float) and math.isfinite(result), result
    if len(case.shape) < 2:
        expected = scorer(fitted, X)
    else:
        expected = scorer(fitted, X, case.canonical(np.float64).reshape(n, -1))
    assert result == pytest.approx(expected, rel=1e-9)


# -------------------------------------------------- explicit decisions
def test_uint8_images_are_their_numeric_values():
    """uint8 0..255 -> float64 0..255, never rescaled; fit says to divide by 255."""
    X8 = (make_blob_images(12, 8, 8, seed=2) * 255).round().astype(np.uint8)
    X64 = X8.astype(np.float64)
    with pytest.warns(UserWarning, match="divided by 255"):
        dae = DenoisingAutoencoder(
            max_epochs=1, batch_size=8, random_state=0, device="cpu"
        ).fit(X8)
    with pytest.warns(UserWarning, match="divided by 255"):
        ref = DenoisingAutoencoder(
            max_epochs=1, batch_size=8, random_state=0, device="cpu"
        ).fit(X64)
    out = dae.transform(X8)
    assert out.dtype == np.float64
    assert np.array_equal(out, ref.transform(X64))
    assert np.array_equal(out, dae.transform(X64))
    same = SaltPepperNoise(amount=0.0).transform(X8)
    assert same.dtype == np.float64 and np.array_equal(same, X64)
    assert mse(X8, np.zeros_like(X8)) == mse(X64, np.zeros_like(X64))
    assert mse(X8, np.zeros_like(X8)) > 1000  # 0..255 squared, not 0..1


def test_values_in_unit_range_do_not_warn():
    X = make_blob_images(8, 8, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DenoisingAutoencoder(
            max_epochs=1, batch_size=8, random_state=0, device="cpu"
        ).fit(X)


def test_read_only_memmap(tmp_path, fitted):
    """A read-only np.memmap (e.g. a large data set on disk) works everywhere."""
    path = tmp_path / "images.npy"
    np.save(path, make_blob_images(10, *HW, seed=4).astype(np.float32))
    X = np.load(path, mmap_mode="r")
    assert not X.flags.writeable
    before = np.array(X)
    dae = DenoisingAutoencoder(
        max_epochs=1, batch_size=8, random_state=0, device="cpu"
    ).fit(X, X)
    assert dae.transform(X).dtype == np.float32
    fitted.transform(X)
    fitted.encode(X)
    fitted.score(X, X)
    for model in NOISE_MODELS.values():
        assert clone(model).fit_transform(X).dtype == np.float32
    mse(X, X)
    psnr(X, before + 0.1)
    ssim(X, X)
    psnr_scorer(fitted, X, X)
    assert np.array_equal(X, before)


def test_noise_transform_checks_features_seen_in_fit():
    for name, model in NOISE_MODELS.items():
        fitted_model = clone(model).fit(np.full((2, 16), 0.5))
        with pytest.raises(ValueError, match="features"):
            fitted_model.transform(np.full((2, 25), 0.5))
        # feature names seen in fit are checked too
        df = pd.DataFrame(np.full((2, 4), 0.5), columns=list("abcd"))
        named = clone(model).fit(df)
        assert list(named.feature_names_in_) == list("abcd"), name
        with pytest.raises(ValueError, match="feature names"):
            named.transform(df.rename(columns={"a": "z"}))


# ------------------------------------------------------------ fixed bugs
# Each test pins a bug this suite found (and that was fixed) with a minimal input.
def _raises_naming(fn, pattern, types=(ValueError, TypeError)):
    """``fn()`` raises one of ``types`` with a message matching ``pattern``."""
    with pytest.raises(types, match=f"(?i){pattern}"):
        fn()


def _fresh():
    return DenoisingAutoencoder(
        max_epochs=1, batch_size=8, random_state=0, device="cpu"
    )


@pytest.mark.parametrize("shape", [(3, 0, 8), (3, 8, 0), (3, 1, 0, 0)])
def test_regression_fit_zero_pixel_images(shape):
    _raises_naming(lambda: _fresh().fit(np.zeros(shape)), "empty|pixel|feature")


@pytest.mark.parametrize(
    "method", ["fit", "transform", "encode", "decode", "score", "noise.fit_transform"]
)
def test_regression_empty_dataframe(fitted, method):
    df = pd.DataFrame(np.zeros((3, 0)))
    fn = {
        "fit": lambda: _fresh().fit(df),
        "transform": lambda: fitted.transform(df),
        "encode": lambda: fitted.encode(df),
        "decode": lambda: fitted.decode(df),
        "score": lambda: fitted.score(df),
        "noise.fit_transform": lambda: GaussianNoise().fit_transform(df),
    }[method]
    _raises_naming(fn, "feature|empty")


@pytest.mark.parametrize("metric", [mse, psnr, ssim], ids=["mse", "psnr", "ssim"])
@pytest.mark.parametrize("position", ["y_true", "y_pred"])
def test_regression_metrics_sparse(metric, position):
    """Sparse images are refused, naming the argument, never densified."""
    X = make_blob_images(3, 8, 8)
    args = (sp.csr_matrix(X), X + 0.1)
    if position == "y_pred":
        args = args[::-1]
    with pytest.raises(TypeError, match=f"{position} is a sparse matrix"):
        metric(*args)


@pytest.mark.parametrize("metric", [mse, psnr, ssim], ids=["mse", "psnr", "ssim"])
def test_regression_metrics_complex(metric):
    X = make_blob_images(3, 8, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent ComplexWarning either
        _raises_naming(lambda: metric(X + 0.5j, X), "complex", ValueError)


def test_regression_scorer_complex_targets(fitted):
    X = make_blob_images(3, *HW)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _raises_naming(lambda: psnr_scorer(fitted, X, X + 0.5j), "complex", ValueError)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(
    "metric, shape",
    [
        (mse, (3, 0)),
        (mse, (3, 0, 4)),
        (psnr, (3, 0)),
        (psnr, (3, 1, 4, 0)),
        (ssim, (3, 0)),
    ],
    ids=["mse-flat", "mse-3d", "psnr-flat", "psnr-4d", "ssim-flat"],
)
def test_regression_metrics_zero_pixel_images(metric, shape):
    _raises_naming(lambda: metric(np.zeros(shape), np.zeros(shape)), "empty|pixel")


@pytest.mark.parametrize("method", ["fit", "score", "psnr_scorer"])
def test_regression_sparse_targets_refused(fitted, method):
    """Sparse target images are refused with a TypeError naming sparse data."""
    X = make_blob_images(4, *HW, seed=1)
    y = sp.csr_matrix(make_blob_images(4, *HW, seed=2))
    call_with = {
        "fit": lambda: _fresh().fit(X, y),
        "score": lambda: fitted.score(X, y),
        "psnr_scorer": lambda: psnr_scorer(fitted, X, y),
    }[method]
    _raises_naming(call_with, "sparse", TypeError)


@pytest.mark.parametrize("shape", [(3, 0, 4), (3, 4, 0), (3, 1, 0, 5)])
def test_regression_masking_blocks_zero_pixel_images(shape):
    model = noise_module.MaskingNoise(block_size=3, random_state=0)
    _raises_naming(
        lambda: model.transform(np.zeros(shape)), r"its images are empty \(0 pixels\)"
    )


@pytest.mark.parametrize("method", ["fit", "transform", "score"])
def test_regression_values_beyond_float32(fitted, method):
    """Values the network's float32 arithmetic cannot hold are refused up front."""
    X = make_blob_images(4, *HW)
    X[0, 0] = 1e300
    fn = {
        "fit": lambda: _fresh().fit(X),
        "transform": lambda: fitted.transform(X),
        "score": lambda: fitted.score(X),
    }[method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # outside [0, 1]
        _raises_naming(fn, r"1e\+300.*too large for the network's float32", ValueError)
