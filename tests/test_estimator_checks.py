"""scikit-learn's common estimator checks on every public estimator, and
skdae.utils.estimator_checks on every noise model (and on broken ones)."""

import inspect
import numbers
import os
import random

import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdae import (
    DenoisingAutoencoder,
    GaussianNoise,
    MaskingNoise,
    NoiseMixture,
    NoiseSequence,
    PoissonNoise,
    SaltPepperNoise,
    SpeckleNoise,
)
from skdae import noise as noise_module
from skdae.noise import BaseNoise, _Level
from skdae.utils.estimator_checks import check_noise_model

# A noise model draws one noise field per call: the noise a row receives depends on
# its position in the call, so a row transformed alone, or after a permutation of
# the rows, is corrupted differently. (Fixed random_state still gives identical
# output for identical calls, which check_transformer_general verifies.)
_NOISE_XFAIL = {
    "check_methods_subset_invariance": "noise depends on the row's position in X",
    "check_methods_sample_order_invariance": "noise depends on the row's position",
}

ESTIMATORS = [
    # image_shape=(1, -1): the checks feed tabular data with any number of
    # features; each row becomes a one-pixel-high image.
    DenoisingAutoencoder(
        image_shape=(1, -1), max_epochs=2, batch_size=8, random_state=0
    ),
    GaussianNoise(sigma=0.3, random_state=0),
    SaltPepperNoise(amount=0.2, random_state=0),
    SpeckleNoise(0.3, random_state=0),
    PoissonNoise(20.0, random_state=0),
    MaskingNoise(0.3, random_state=0),
    # the checks feed any number of features: one-pixel-high images
    MaskingNoise(0.3, block_size=2, image_shape=(1, -1), random_state=0),
    GaussianNoise((0.1, 0.4), random_state=0),
    NoiseMixture(
        [("gaussian", GaussianNoise(0.2)), ("impulse", SaltPepperNoise(0.1))],
        random_state=0,
    ),
    NoiseSequence(
        [("gaussian", GaussianNoise(0.1)), ("impulse", SaltPepperNoise(0.1))],
        random_state=0,
    ),
]


def _expected_failed_checks(estimator):
    if isinstance(estimator, BaseNoise):
        return _NOISE_XFAIL
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
# The checks feed random data far outside [0, 1] (e.g. values up to 100), which
# skdae's noise models and autoencoder rightly warn about; these warnings say
# nothing about the checks, so they are kept out of the warnings summary.
@pytest.mark.filterwarnings("ignore:The images given to the noise model:UserWarning")
@pytest.mark.filterwarnings("ignore:The images in X span:UserWarning")
@pytest.mark.filterwarnings("ignore:Target images span:UserWarning")
def test_sklearn_compatible(estimator, check):
    check(estimator)


# --------------------------------------------------- skdae's noise-model checks


def _builtin_noise_models():
    """An instance of every public noise model, with levels and ranges."""
    return [
        GaussianNoise(),
        GaussianNoise(sigma=(0.1, 0.4), clip=False),
        SaltPepperNoise(),
        SaltPepperNoise(amount=(0.05, 0.3)),
        SpeckleNoise(),
        PoissonNoise(),
        PoissonNoise(peak=(5.0, 30.0)),
        MaskingNoise(),
        MaskingNoise(amount=0.3, block_size=3),
        MaskingNoise(amount=0.3, block_size=2, image_shape=(4, -1)),
        NoiseMixture(
            [("gaussian", GaussianNoise(0.2)), ("impulse", SaltPepperNoise())],
            weights=[0.7, 0.3],
        ),
        NoiseSequence([("poisson", PoissonNoise()), ("gaussian", GaussianNoise(0.1))]),
    ]


def test_every_public_noise_model_is_checked():
    public = {
        getattr(noise_module, name)
        for name in noise_module.__all__
        if not inspect.isabstract(getattr(noise_module, name))
    }
    assert public == {type(noise) for noise in _builtin_noise_models()}


@pytest.mark.parametrize("noise", _builtin_noise_models(), ids=repr)
def test_builtin_noise_models_pass_check_noise_model(noise):
    params = noise.get_params()
    check_noise_model(noise)
    assert noise.get_params() == params  # the checks ran on clones
    assert not hasattr(noise, "n_features_in_")


def test_base_noise_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        BaseNoise()

    class NoCorrupt(BaseNoise):
        pass

    with pytest.raises(TypeError, match="abstract.*corrupt"):
        NoCorrupt()


class _UniformNoise(BaseNoise):
    """A correct noise model; the broken ones below override one thing."""

    _parameter_constraints = {
        **BaseNoise._parameter_constraints,
        "width": [_Level(numbers.Real, 0, None, closed="left")],
    }

    def __init__(self, width=0.2, random_state=None):
        self.width = width
        self.random_state = random_state

    def corrupt(self, x, generator):
        width = self._draw_level(self.width, x, generator)
        u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        return (x + width * (u - 0.5)).clamp(0, 1)


class _ReturnsInput(_UniformNoise):
    def corrupt(self, x, generator):
        return x


class _ReturnsView(_UniformNoise):
    def corrupt(self, x, generator):
        return x[:]


class _ReturnsArray(_UniformNoise):
    def corrupt(self, x, generator):
        return super().corrupt(x, generator).numpy()


class _ChangesDtype(_UniformNoise):
    def corrupt(self, x, generator):
        return super().corrupt(x, generator).double()


class _ChangesShape(_UniformNoise):
    def corrupt(self, x, generator):
        return super().corrupt(x, generator).reshape(len(x), -1)


class _ModifiesInput(_UniformNoise):
    def corrupt(self, x, generator):
        out = super().corrupt(x, generator)
        x.mul_(0.5)
        return out


class _ReturnsNaN(_UniformNoise):
    def corrupt(self, x, generator):
        return super().corrupt(x, generator) * float("nan")


class _Irreproducible(_UniformNoise):
    def corrupt(self, x, generator):
        own = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "little"))
        return super().corrupt(x, own)


class _GlobalTorch(_UniformNoise):
    def corrupt(self, x, generator):
        torch.rand(1)
        return super().corrupt(x, generator)


class _GlobalNumpy(_UniformNoise):
    def corrupt(self, x, generator):
        np.random.rand()  # noqa: NPY002
        return super().corrupt(x, generator)


class _GlobalPython(_UniformNoise):
    def corrupt(self, x, generator):
        random.random()
        return super().corrupt(x, generator)


class _OwnSeed(_UniformNoise):
    def corrupt(self, x, generator):
        seed = 0 if self.random_state is None else self.random_state
        return super().corrupt(x, torch.Generator().manual_seed(seed))


class _Stateful(_UniformNoise):
    def corrupt(self, x, generator):
        self.n_calls_ = getattr(self, "n_calls_", 0) + 1
        return super().corrupt(x, generator)


class _ChangesParameter(_UniformNoise):
    def corrupt(self, x, generator):
        self.width = self.width * 0.5
        return super().corrupt(x, generator)


class _ConvertsInInit(_UniformNoise):
    def __init__(self, width=0.2, random_state=None):
        self.width = width * 1.0  # a new object: clone sees the change
        self.random_state = random_state


class _SetsAttributeInInit(_UniformNoise):
    def __init__(self, width=0.2, random_state=None):
        self.width = width
        self.random_state = random_state
        self.scale_ = 2


class _LambdaParameter(_UniformNoise):
    def __init__(self, width=0.2, random_state=None, hook=lambda x: x):
        self.width = width
        self.random_state = random_state
        self.hook = hook


class _FitReturnsNone(_UniformNoise):
    def fit(self, X, y=None):
        super().fit(X)


class _IgnoresLevelRange(_UniformNoise):
    def corrupt(self, x, generator):
        u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        return (x + float(self.width) * (u - 0.5)).clamp(0, 1)


class _DrawsForFixedLevel(_UniformNoise):
    def corrupt(self, x, generator):
        if isinstance(self.width, tuple):
            torch.rand(1, generator=generator)  # a range always draws
        return super().corrupt(x, generator)


class _NotANoise(BaseEstimator):
    def corrupt(self, x, generator):
        return x.clone()


@pytest.mark.parametrize(
    "noise, match",
    [
        (_NotANoise(), "not a noise model"),
        (_UniformNoise(width=-1.0), "invalid parameters.*'width'"),
        (_ConvertsInInit(width=1), "cannot be cloned"),
        (_SetsAttributeInInit(), "scale_"),
        (_LambdaParameter(), "cannot be pickled"),
        (_ReturnsInput(), "returned its input or a view"),
        (_ReturnsView(), "returned its input or a view"),
        (_ReturnsArray(), "returned ndarray, not a torch.Tensor"),
        (_ChangesDtype(), "keep the shape, dtype and device"),
        (_ChangesShape(), "keep the shape, dtype and device"),
        (_ModifiesInput(), "modified its input tensor"),
        (_ReturnsNaN(), "NaN"),
        (_Irreproducible(), "not reproducible"),
        (_GlobalTorch(), "global PyTorch random state"),
        (_GlobalNumpy(), "NumPy's global random state"),
        (_GlobalPython(), "Python's global random state"),
        (_OwnSeed(), "depends on random_state"),
        (_Stateful(), "set attributes \\['n_calls_'\\]"),
        (_ChangesParameter(), "changed the noise model's parameters"),
        (_FitReturnsNone(), "fit must return the noise model itself"),
        (_IgnoresLevelRange(), "fails with the range width=\\(0.2, 0.2\\)"),
        (_DrawsForFixedLevel(), "width=\\(0.2, 0.2\\) must give exactly the noise"),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, str) else "",
)
def test_check_noise_model_reports_broken_noise_models(noise, match):
    assert check_noise_model(_UniformNoise()) is None  # the unbroken parent passes
    with pytest.raises(AssertionError, match=match):
        check_noise_model(noise)
