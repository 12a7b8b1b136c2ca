"""Inputs for the property-based robustness tests (tests/test_robustness.py).

:func:`cases` draws possibly defective inputs; the ``*_defects`` predicates say
which defects an input has (each maps to the words an error message must hold,
``WORDS``); :func:`call` and :func:`check_outcome` run a call and check it either
succeeded on valid input or raised a ``ValueError``/``TypeError`` naming a defect.
"""

import copy
import math
import os
import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st

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
    else:  # either defect may be reported first when both are there
        if auto_layout(shape)[0] != 1:
            d.append("channels")
        if not any_size and tuple(auto_layout(shape)[1:]) != tuple(fitted_hw):
            d.append("wrong_size")
    return d


def target_defects(case, n_images, hw):
    """Defects of target images ``y`` for X of n_images hw images."""
    if len(case.shape) < 2 and case.container != "sparse":
        return []  # 1-D y: class labels, documented to be ignored
    d = validation_defects(case)
    if case.shape[0] != n_images:
        d.append("n_mismatch")
    return d + image_defects(case.shape, hw, any_size=False)


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


def check_outcome(label, defects, err, caught):
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
        allowed = list(defects)
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
