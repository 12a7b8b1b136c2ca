"""skdae's own parameter constraints, alone and in the estimators using them."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError
from torch import nn

from skdae import DenoisingAutoencoder, MaskingNoise
from skdae._param_validation import ImageShape, PositiveIntPair, SubclassOf

BAD_IMAGE_SHAPES = [(0, 4), (-1, -1), (4, -2), (2, 2, 2), (4,), (2.0, 8), (True, 8)]
BAD_IMAGE_SHAPES += ["4x4", 16]


@pytest.mark.parametrize("value", [(4, 4), [4, 4], (1, -1), (-1, 2), (np.int64(4), 4)])
def test_image_shape_accepts(value):
    assert ImageShape().is_satisfied_by(value)


@pytest.mark.parametrize("value", BAD_IMAGE_SHAPES + [None], ids=repr)
def test_image_shape_rejects(value):
    assert not ImageShape().is_satisfied_by(value)


@pytest.mark.parametrize("value", BAD_IMAGE_SHAPES, ids=repr)
@pytest.mark.parametrize(
    "estimator",
    [DenoisingAutoencoder(max_epochs=1), MaskingNoise(block_size=2)],
    ids=["autoencoder", "masking"],
)
def test_bad_image_shape_is_an_invalid_parameter(estimator, value):
    X = np.zeros((4, 16))
    expected = (
        f"'image_shape' parameter of {type(estimator).__name__} must be None or a "
        r"pair \(height, width\) of positive ints, one of which may be -1"
    )
    with pytest.raises(InvalidParameterError, match=expected):
        estimator.set_params(image_shape=value).fit(X)


def test_positive_int_pair():
    constraint = PositiveIntPair()
    assert constraint.is_satisfied_by((1, 2)) and constraint.is_satisfied_by([3, 4])
    for value in [(0, 2), (1, 2, 3), (1.0, 2), (True, 2), 4, "ab", None]:
        assert not constraint.is_satisfied_by(value), value
    assert str(constraint) == "a pair of two ints >= 1"


def test_subclass_of():
    constraint = SubclassOf(nn.Module)
    assert constraint.is_satisfied_by(nn.Conv2d)
    assert not constraint.is_satisfied_by(nn.Conv2d(1, 1, 1))  # an instance
    assert not constraint.is_satisfied_by(int)
    assert str(constraint) == "a torch.nn.Module subclass (the class, not an instance)"
