"""Property-based robustness tests: systematically bad input for every public
estimator and function of skdae.

Every call either returns a correct result (the right shape, finite values,
float32 for float32 input and float64 otherwise, the same numbers as for the
same data given as a plain C-contiguous float array) or raises a ``ValueError``
or ``TypeError`` whose message names the problem: each generated defect (NaN,
infinity, complex numbers, strings, sparse matrices, the wrong number of
dimensions, empty arrays, images of the wrong size...) maps to the words its
message must contain (``WORDS``). Any other exception type is a bug. Inputs are
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
(``pytest -s``). A newly found bug goes into ``KNOWN_BUGS`` (the property tests
then skip the inputs that trigger it) with a strict xfail test that reproduces it;
once fixed, both go and the test stays as a regression test. The eight bugs this
suite found first are fixed and pinned by the ``test_regression_*`` tests.
"""

import collections
import copy
import inspect
import math
import os
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from hypothesis import HealthCheck, given, note, settings
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

from .conftest import make_blob_images

# ------------------------------------------------------------------ settings
settings.register_profile(
    "skdae-robustness",
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
_PROFILE = settings.get_profile("skdae-robustness")
_SCALE = float(os.environ.get("SKDAE_ROBUSTNESS_SCALE", "1"))


def examples(n):
    """The robustness profile with ``n`` examples (scaled)."""
    return settings(_PROFILE, max_examples=max(1, round(n * _SCALE)))


#: examples that reached the call under test, per estimator/function
COUNTS = collections.Counter()
#: examples skipped because they trigger a known bug, per bug
SKIPPED = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _one_thread_and_counts(request):
    """One torch thread (tiny networks on shared cores), and the counts printed."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)

    def finish():
        torch.set_num_threads(threads)
        width = max(map(len, COUNTS), default=10)
        print("\n\nrobustness examples run per estimator/function:")
        for label, count in sorted(COUNTS.items()):
            print(f"  {label:<{width}}  {count:5d}")
        print(f"  {'total':<{width}}  {sum(COUNTS.values()):5d}")
        if SKIPPED:
            print("examples skipped as known bugs (see KNOWN_BUGS):")
            for bug, count in sorted(SKIPPED.items()):
                print(f"  {bug:<{width}}  {count:5d}")

    request.addfinalizer(finish)


# -------------------------------------------------------- defects and words
#: words (any one, case-insensitive) that the error message for a defect must hold
WORDS = {
    "sparse": ("sparse",),
    "complex": ("complex",),
    "string": ("string", "convert"),
    "nan": ("nan",),
    "inf": ("infinity",),
    "1d": ("1d", "2d", "dimension", "batch of images"),
    "no_samples": ("sample", "empty", "batch of images"),
    "no_features": ("feature", "pixel", "empty"),
    "ndim": ("dim", "shape"),
    "channels": ("channel", "shape"),
    "not_square": ("perfect square", "image_shape"),
    "wrong_size": ("feature", "image", "shape"),
    "too_small": ("7x7", "too small", "window"),
    "n_mismatch": ("number", "sample", "shape"),
    "out_of_range": ("negative", "range", "[0, 1]"),
}

KINDS = ("flat", "3d", "4d", "flat", "channels_last", "1d", "5d")
DTYPES = (
    "float64",
    "float32",
    "float16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "object",
    "complex64",
    "complex128",
)
_FLOATISH = {"float64", "float32", "float16", "object", "complex64", "complex128"}
_SPARSE = ("csr_matrix", "csc_matrix", "coo_matrix", "csr_array")
LAYOUTS = ("c", "transposed", "strided", "negative_strides")


class Case:
    """A generated input and what was done to it.

    ``X`` is the input, ``values`` the same numbers as a C-contiguous array of
    ``dtype`` and ``shape`` the shape of ``np.asarray(X)``.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    @property
    def out_dtype(self):
        """The dtype a transformer must return for this input."""
        keeps = self.dtype == "float32" and self.container in ("array", "dataframe")
        return np.float32 if keeps else np.float64

    def canonical(self, dtype=None):
        """The same numbers as a plain C-contiguous float array of ``shape``."""
        values = self.values
        if np.iscomplexobj(values):  # only valid when empty: nothing to discard
            values = values.real
        return np.array(values, dtype=dtype or self.out_dtype).reshape(self.shape)

    def __repr__(self):
        return (
            f"Case(shape={self.shape}, dtype={self.dtype}, poison={self.poison}, "
            f"values={self.value_range}, layout={self.layout}, "
            f"readonly={self.readonly}, container={self.container})"
        )


def _shape(kind, n, h, w):
    return {
        "flat": (n, h * w),
        "3d": (n, h, w),
        "4d": (n, 1, h, w),
        "channels_last": (n, h, w, 1),
        "1d": (h * w,),
        "5d": (n, 1, h, w, 1),
    }[kind]


def _values(rng, shape, dtype, value_range):
    floats = dtype in _FLOATISH
    if value_range == "const":
        vals = np.full(shape, float(rng.integers(0, 2)))
    elif value_range == "unit":
        vals = rng.random(shape) if floats else rng.integers(0, 2, shape)
    elif value_range == "negative":
        vals = rng.uniform(-2, 1, shape) if floats else rng.integers(-3, 2, shape)
    else:  # 0..255, as 8-bit images
        vals = rng.integers(0, 128 if dtype == "int8" else 256, shape)
    if dtype == "object":
        return vals.astype(np.float64 if floats else np.int64).astype(object)
    out = vals.astype(dtype)
    if dtype.startswith("complex"):
        out = out + 1j * rng.integers(0, 2) * rng.random(shape)
        out = out.astype(dtype)
    return out


def _with_layout(a, layout):
    if layout == "transposed":
        return np.asfortranarray(a)  # a transposed C array, viewed back
    if layout == "strided":
        return np.repeat(a, 2, axis=-1)[..., ::2]
    if layout == "negative_strides":
        return np.ascontiguousarray(a[::-1])[::-1]
    return a.copy()


@st.composite
def cases(draw, sizes, kinds=KINDS):
    """A possibly defective input; see the module docstring."""
    kind = draw(st.sampled_from(kinds))
    n = draw(st.sampled_from((3, 1, 2, 5, 0)))
    h, w = draw(sizes)
    shape = _shape(kind, n, h, w)
    dtype = draw(st.sampled_from(DTYPES))
    ranges = ["unit", "const"]
    if dtype not in ("uint8", "bool"):
        ranges.append("negative")
    if dtype != "bool":
        ranges.append("0..255")
    value_range = draw(st.sampled_from(ranges))
    poisons = [None, None, None]
    if dtype in _FLOATISH:
        poisons += ["nan", "inf", "-inf"]
    if dtype == "object":
        poisons.append("string")
    poison = draw(st.sampled_from(poisons))
    layout = draw(st.sampled_from(LAYOUTS))
    readonly = draw(st.booleans())
    containers = ["array", "array", "list"]
    if len(shape) == 2:
        containers.append("dataframe")
        if dtype not in ("float16", "object", "complex64", "complex128"):
            containers.append("sparse")
    container = draw(st.sampled_from(containers))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    values = _values(rng, shape, dtype, value_range)
    if values.size == 0:
        poison = None
    if poison is not None:
        i = int(rng.integers(values.size))
        values.flat[i] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}.get(
            poison, "a"
        )
    X = _with_layout(values, layout)
    if readonly:
        X.flags.writeable = False
    if container == "list":
        X = X.tolist()
        eff_shape = np.asarray(X, dtype=object).shape
    elif container == "dataframe":
        X = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(shape[1])])
        eff_shape = X.shape
    elif container == "sparse":
        X = getattr(sp, draw(st.sampled_from(_SPARSE)))(X)
        eff_shape = X.shape
    else:
        eff_shape = X.shape
    case = Case(
        X=X,
        values=values,
        shape=tuple(eff_shape),
        dtype=dtype,
        poison=poison,
        value_range=value_range,
        layout=layout,
        readonly=readonly,
        container=container,
    )
    note(repr(case))
    return case


def validation_defects(case):
    """Defects that scikit-learn-style input validation must reject."""
    d = []
    if case.container == "sparse":
        d.append("sparse")
    if case.dtype.startswith("complex"):
        d.append("complex")
    if case.poison == "string":
        d.append("string")
    if case.poison == "nan":
        d.append("nan")
    if case.poison in ("inf", "-inf"):
        d.append("inf")
    shape = case.shape
    if case.container == "list" and not math.prod(shape):
        d = [x for x in d if x != "complex"]  # no numbers left to be complex
    if len(shape) == 1:
        d.append("1d")
    elif shape[0] == 0:
        d.append("no_samples")
    if len(shape) >= 2 and math.prod(shape[1:]) == 0:
        d.append("no_features")  # no columns, or images of zero pixels
    return d


def _is_square(k):
    return math.isqrt(k) ** 2 == k


def image_hw(shape):
    """Height and width of the images of a valid autoencoder input."""
    if len(shape) == 2:
        side = math.isqrt(shape[1])
        return side, side
    return tuple(auto_layout(shape)[1:])


def auto_layout(shape):
    """(channels, height, width) of a 3-D or 4-D batch under channel_axis="auto".

    None for a 4-D shape that neither reading fits.
    """
    if len(shape) == 3:
        return 1, shape[1], shape[2]
    if shape[1] in (1, 3, 4):
        return shape[1], shape[2], shape[3]
    if shape[3] in (1, 3, 4):
        return shape[3], shape[1], shape[2]
    return None


def image_defects(shape, fitted_hw=None, any_size=True):
    """Defects of the image layout for DenoisingAutoencoder (fitted on fitted_hw,
    one channel); ``any_size``: other sizes than the fit's are accepted (3-D and
    4-D input of transform and score)."""
    d = []
    if len(shape) < 2:
        return d
    if len(shape) >= 5:
        d.append("ndim")
    elif len(shape) == 4 and auto_layout(shape) is None:
        d.append("channels")
    elif fitted_hw is None:
        if len(shape) == 2 and shape[1] > 0 and not _is_square(shape[1]):
            d.append("not_square")
        if len(shape) > 2 and math.prod(shape[1:]) == 0:
            d.append("no_features")  # images of zero pixels
    elif len(shape) == 2:
        if shape[1] != fitted_hw[0] * fitted_hw[1]:
            d.append("wrong_size")
    elif math.prod(shape[1:]) == 0:
        d.append("no_features" if any_size else "wrong_size")
    elif auto_layout(shape)[0] != 1:
        d.append("channels")
    elif not any_size and tuple(auto_layout(shape)[1:]) != tuple(fitted_hw):
        d.append("wrong_size")
    return d


def sparse_may(defects):
    """Split off "sparse": densifying (and so a correct result) is fine too."""
    return [d for d in defects if d != "sparse"], [d for d in defects if d == "sparse"]


def target_defects(case, n_images, hw):
    """Defects (must, may) of target images ``y`` for X of n_images hw images."""
    if len(case.shape) < 2 and case.container != "sparse":
        return [], []  # 1-D y: class labels, documented to be ignored
    d = validation_defects(case)
    if case.shape[0] != n_images:
        d.append("n_mismatch")
    return sparse_may(d + image_defects(case.shape, hw, any_size=False))


def metric_defects(case, *, ssim_images=False):
    d = validation_defects(case)
    shape = case.shape
    if len(shape) >= 2 and shape[0] > 0 and math.prod(shape[1:]) == 0:
        d.append("no_features")
    if ssim_images and len(shape) >= 2:
        if len(shape) >= 5:
            d.append("ndim")
        elif len(shape) == 4 and auto_layout(shape) is None:
            d.append("channels")
        elif len(shape) == 2 and not _is_square(shape[1]):
            d.append("not_square")
        elif min(image_hw(shape)) < 7:
            d.append("too_small")
    return d


# ------------------------------------------------------------ known bugs
_METRICS = ("skdae.metrics.mse(", "skdae.metrics.psnr(", "skdae.metrics.ssim(")
_FITS = tuple(
    f"DenoisingAutoencoder.{m}" for m in ("fit", "partial_fit", "fit_transform")
)
_WITH_Y = "(X, y)"  # labels of calls with a generated y


def _zero_pixel_images(case):
    shape = case.shape
    return len(shape) > 1 and shape[0] > 0 and math.prod(shape[1:]) == 0


#: bug id -> predicate(label, case) telling which inputs trigger a known, open bug;
#: each open bug has a strict xfail test. None are open.
KNOWN_BUGS = {}


def known_bug(label, case):
    for bug, triggers in KNOWN_BUGS.items():
        if triggers(label, case):
            SKIPPED[bug] += 1
            return bug
    return None


# -------------------------------------------------------------- harness
def _snapshot(X):
    if isinstance(X, pd.DataFrame):
        return X.copy(deep=True)
    if sp.issparse(X):
        return X.copy()
    if isinstance(X, np.ndarray):
        return X.copy(), X.flags.writeable
    return copy.deepcopy(X)


def _same_values(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == object:
        return all(
            x is y or x == y or (x != x and y != y)
            for x, y in zip(a.flat, b.flat, strict=True)
        )
    return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def assert_unchanged(X, snapshot):
    if isinstance(X, pd.DataFrame):
        pd.testing.assert_frame_equal(X, snapshot)
    elif sp.issparse(X):
        assert type(X) is type(snapshot)
        assert _same_values(X.toarray(), snapshot.toarray()), "sparse input modified"
    elif isinstance(X, np.ndarray):
        original, writeable = snapshot
        assert X.flags.writeable == writeable, "input writeable flag changed"
        assert _same_values(X, original), "input array modified"
    else:
        assert X == snapshot, "input list modified"


def call(fn, *args, **kwargs):
    """Run ``fn``; return (result, exception or None, recorded warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return fn(*args, **kwargs), None, caught
        except Exception as exc:  # classified by check_outcome
            return None, exc, caught


def check_outcome(label, defects, err, caught, may=()):
    """Check an error against the defects; return True if the call succeeded."""
    bad = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if issubclass(w.category, RuntimeWarning)
    ]
    assert not bad, f"{label} emitted {bad}"
    if err is not None:
        assert isinstance(err, (ValueError, TypeError)), (
            f"{label} raised {type(err).__name__} (only ValueError or TypeError "
            f"are acceptable): {err}"
        )
        allowed = list(defects) + list(may)
        assert allowed, f"{label} rejected valid input: {type(err).__name__}: {err}"
        words = sorted({w for d in allowed for w in WORDS[d]})
        message = str(err).lower()
        assert any(w.lower() in message for w in words), (
            f"{label} raised {type(err).__name__}({str(err)[:300]!r}) naming none "
            f"of {words} (defects {allowed})"
        )
        return False
    assert not defects, f"{label} accepted input with defects {defects}"
    return True


def check_array_out(out, shape, dtype, *, unit=False):
    assert isinstance(out, np.ndarray), type(out)
    assert out.shape == tuple(shape), (out.shape, shape)
    assert out.dtype == dtype, (out.dtype, dtype)
    assert np.all(np.isfinite(out)), "non-finite output"
    if unit:
        assert out.min(initial=0) >= 0 and out.max(initial=1) <= 1, "outside [0, 1]"


def _user_messages(caught):
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def check_range_warning(values, caught):
    """fit warns iff targets leave [0, 1]; 0..N-like data: 'divided by N'."""
    values = np.asarray(values, dtype=np.float64)
    messages = [m for m in _user_messages(caught) if "[0, 1]" in m]
    low, high = values.min(), values.max()
    if low < -1e-3 or high > 1 + 1e-3:
        assert messages, f"no warning for targets in [{low}, {high}]"
        if low >= 0 and high > 2:
            assert any(f"divided by {high:.4g}" in m for m in messages), messages
    else:
        assert not messages, messages


# ------------------------------------------------------------- fixtures
#: size of the images the shared model is fitted on
HW = (8, 8)
N_CODE = 64 * 2 * 2  # latent code of the reference network for 8x8 images


@pytest.fixture(scope="module")
def fitted():
    X = make_blob_images(16, *HW, seed=3)
    return DenoisingAutoencoder(
        max_epochs=1, batch_size=8, random_state=0, device="cpu"
    ).fit(X)


#: any image size; square half the time (flat input must be square)
ANY_SIZES = st.one_of(
    st.integers(1, 8).map(lambda s: (s, s)),
    st.tuples(st.integers(0, 8), st.integers(0, 8)),
)
#: mostly the fitted 8x8, sometimes a size with 64 pixels but another shape
FITTED_SIZES = st.sampled_from(
    [HW] * 6 + [(4, 4), (2, 32), (1, 64), (8, 7), (0, 8), (9, 9), (16, 4)]
)
#: latent codes of 256 features, or not
CODE_SIZES = st.sampled_from([(16, 16)] * 4 + [(4, 4), (1, 256), (0, 16), (2, 128)])
#: images large enough for SSIM's 7x7 window, or not
METRIC_SIZES = st.one_of(
    st.integers(7, 9).map(lambda s: (s, s)),
    st.tuples(st.integers(0, 10), st.integers(0, 10)),
)


def _concrete_noise(cls):
    """Whether ``cls`` is a noise model class that implements ``corrupt``."""
    return (
        isinstance(cls, type)
        and issubclass(cls, noise_module.BaseNoise)
        and not getattr(cls.corrupt, "__isabstractmethod__", False)
        and not inspect.isabstract(cls)
    )


def _noise_models():
    """Every public noise model that builds with its defaults, and variants."""
    models = {}
    for name in noise_module.__all__:
        cls = getattr(noise_module, name)
        if not _concrete_noise(cls):
            continue
        try:
            models[name] = cls()
        except TypeError:
            continue
    parts = [(name.lower(), model) for name, model in models.items()]
    for name in noise_module.__all__:
        cls = getattr(noise_module, name)
        if name not in models and _concrete_noise(cls):
            if "noises" in inspect.signature(cls).parameters:
                models[f"{name}(all)"] = cls([(n, clone(m)) for n, m in parts])
    for name, model in list(models.items()):
        if "block_size" in model.get_params(deep=False):
            models[f"{name}(block_size=3)"] = clone(model).set_params(block_size=3)
    for model in models.values():
        model.set_params(random_state=0)
    return models


NOISE_MODELS = _noise_models()


def test_noise_models_discovered():
    assert {"GaussianNoise", "SaltPepperNoise"} <= set(NOISE_MODELS)


# ------------------------------------------------ DenoisingAutoencoder: fit
@examples(150)
@given(
    case=cases(ANY_SIZES),
    method=st.sampled_from(["fit", "partial_fit", "fit_transform"]),
)
def test_autoencoder_fit(case, method):
    label = f"DenoisingAutoencoder.{method}"
    if known_bug(label, case):
        return
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
    if known_bug(label, case):
        return
    COUNTS[label] += 1
    n = case.shape[0] if len(case.shape) > 1 and case.shape[0] else 3
    X = make_blob_images(n, *HW, seed=1)
    defects, may = target_defects(case, n, HW)
    dae = DenoisingAutoencoder(max_epochs=1, batch_size=8, random_state=0, device="cpu")
    snapshot = _snapshot(case.X)
    result, err, caught = call(dae.fit, X, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught, may=may):
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
    if known_bug(label, case):
        return
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
    if known_bug(label, case):
        return
    COUNTS[label] += 1
    n = case.shape[0] if len(case.shape) > 1 and case.shape[0] else 3
    X = make_blob_images(n, *HW, seed=1)
    defects, may = target_defects(case, n, HW)
    snapshot = _snapshot(case.X)
    result, err, caught = call(fitted.score, X, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught, may=may):
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
    if known_bug(label, case):
        return
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
def noise_may_defects(model, case):
    """Defects a noise model may, but need not, reject."""
    may = []
    shape = case.shape
    if len(shape) > 2 and 0 in shape[1:]:
        may.append("no_features")  # zero-size images: an empty result is fine too
    if case.value_range in ("negative", "0..255"):
        may.append("out_of_range")
    if getattr(model, "block_size", 1) > 1 and len(shape) == 2:
        if shape[1] and not _is_square(shape[1]):
            may.append("not_square")
    return may


@pytest.mark.parametrize("name", sorted(NOISE_MODELS))
@examples(100)
@given(
    case=cases(ANY_SIZES),
    method=st.sampled_from(["transform", "fit_transform", "fit", "fitted_transform"]),
)
def test_noise_model(name, case, method):
    label = f"{name}.{method}"
    if known_bug(label, case):
        return
    COUNTS[label] += 1
    model = clone(NOISE_MODELS[name])
    defects = validation_defects(case)
    may = noise_may_defects(model, case)
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
    if not check_outcome(label, defects, err, caught, may=may):
        return
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
    if known_bug(label, case):
        return
    COUNTS[label] += 1
    fn = {"mse": mse, "psnr": psnr, "ssim": ssim}[metric]
    other = np.random.default_rng(1).uniform(0.25, 0.75, size=case.shape)
    args = (case.X, other) if position == "y_true" else (other, case.X)
    defects, may = sparse_may(metric_defects(case, ssim_images=metric == "ssim"))
    snapshot = _snapshot(case.X)
    other_copy = other.copy()
    result, err, caught = call(fn, *args, per_image=per_image)
    assert_unchanged(case.X, snapshot)
    assert np.array_equal(other, other_copy)
    if not check_outcome(label, defects, err, caught, may=may):
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
    if known_bug(label, case):
        return
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
    if known_bug(label, case):
        return
    COUNTS[label] += 1
    scorer = SCORERS[name]
    n = case.shape[0] if len(case.shape) > 1 and case.shape[0] else 3
    X = make_blob_images(n, *HW, seed=1)
    if len(case.shape) < 2 and case.container != "sparse":
        defects, may = [], []  # 1-D y: labels, the clean images are X
    else:
        defects, may = sparse_may(validation_defects(case))
        if case.shape[0] != n:
            defects.append("n_mismatch")
        elif math.prod(case.shape[1:]) != HW[0] * HW[1]:
            defects.append("wrong_size")
        # the same pixels in another layout may be accepted
        may += image_defects(case.shape, HW)
    snapshot = _snapshot(case.X)
    result, err, caught = call(scorer, fitted, X, case.X)
    assert_unchanged(case.X, snapshot)
    if not check_outcome(label, defects, err, caught, may=may):
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
    "method", ["fit", "transform", "encode", "score", "noise.fit_transform"]
)
def test_regression_empty_dataframe(fitted, method):
    df = pd.DataFrame(np.zeros((3, 0)))
    fn = {
        "fit": lambda: _fresh().fit(df),
        "transform": lambda: fitted.transform(df),
        "encode": lambda: fitted.encode(df),
        "score": lambda: fitted.score(df),
        "noise.fit_transform": lambda: GaussianNoise().fit_transform(df),
    }[method]
    _raises_naming(fn, "feature|empty")


@pytest.mark.parametrize("metric", [mse, psnr, ssim], ids=["mse", "psnr", "ssim"])
@pytest.mark.parametrize("position", ["y_true", "y_pred"])
def test_regression_metrics_sparse(metric, position):
    X = make_blob_images(3, 8, 8)
    args = (sp.csr_matrix(X), X + 0.1)
    if position == "y_pred":
        args = args[::-1]
    try:
        value = metric(*args)
    except (TypeError, ValueError) as exc:
        assert "sparse" in str(exc).lower(), exc
    else:  # densifying is fine too
        assert value == pytest.approx(metric(X, X + 0.1))


@pytest.mark.parametrize("metric", [mse, psnr, ssim], ids=["mse", "psnr", "ssim"])
def test_regression_metrics_complex(metric):
    X = make_blob_images(3, 8, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent ComplexWarning either
        _raises_naming(lambda: metric(X + 0.5j, X), "complex", ValueError)


def test_regression_scorer_complex_targets(fitted):
    X = make_blob_images(3, 8, 8)
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
def test_regression_sparse_targets_ignored(fitted, method):
    X = make_blob_images(4, 8, 8, seed=1)
    y = make_blob_images(4, 8, 8, seed=2)
    call_with = {
        "fit": lambda t: _fresh().fit(X, t).transform(X),
        "score": lambda t: fitted.score(X, t),
        "psnr_scorer": lambda t: psnr_scorer(fitted, X, t),
    }[method]
    try:
        result = call_with(sp.csr_matrix(y))
    except (TypeError, ValueError) as exc:
        assert "sparse" in str(exc).lower(), exc
    else:  # densifying is fine too
        np.testing.assert_array_equal(result, call_with(y))


@pytest.mark.parametrize("shape", [(3, 0, 4), (3, 4, 0), (3, 1, 0, 5)])
def test_regression_masking_blocks_zero_pixel_images(shape):
    model = noise_module.MaskingNoise(block_size=3, random_state=0)
    try:
        out = model.transform(np.zeros(shape))
    except ValueError as exc:
        assert re.search("(?i)empty|pixel|feature", str(exc)), exc
    else:
        assert out.shape == shape


@pytest.mark.parametrize("method", ["fit", "transform", "score"])
def test_regression_values_beyond_float32(fitted, method):
    X = make_blob_images(4, 8, 8)
    X[0, 0] = 1e300
    fn = {
        "fit": lambda: _fresh().fit(X).transform(X),
        "transform": lambda: fitted.transform(X),
        "score": lambda: fitted.score(X),
    }[method]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # outside [0, 1]
            out = fn()
    except ValueError as exc:
        assert re.search("(?i)float32|too large|range", str(exc)), exc
    else:
        assert np.all(np.isfinite(out))
