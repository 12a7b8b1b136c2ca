"""skdae's own parameter constraints, for ``_parameter_constraints`` dicts.

They extend scikit-learn's constraint objects (:class:`~sklearn.utils.
_param_validation.Interval`, ``StrOptions``, ...), so that
``BaseEstimator._validate_params`` rejects a bad value with an
:class:`~sklearn.utils._param_validation.InvalidParameterError` that says what
the parameter must be.
"""

import numbers

from sklearn.utils._param_validation import HasMethods, _Constraint

from ._images import check_image_shape_param


class _SkdaeConstraint(HasMethods):
    """Base of skdae's constraints: a subclass defines ``is_satisfied_by`` and
    ``__str__``.

    scikit-learn's ``make_constraint`` only accepts instances of its own
    constraint classes (and raises "Unknown constraint type" for any other
    ``_Constraint``), so skdae's constraints derive from one of them,
    :class:`~sklearn.utils._param_validation.HasMethods`, whose check they
    replace entirely.
    """

    def __init__(self):
        _Constraint.__init__(self)  # not HasMethods': no methods to check
        self.methods = []


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class ImageShape(_SkdaeConstraint):
    """A pair ``(height, width)`` of positive ints, one of which may be -1.

    The -1 is inferred from the number of features. Tuples and lists are
    accepted; combine with ``None`` in the constraint list to allow it.
    """

    def is_satisfied_by(self, val):
        if val is None:
            return False
        try:
            check_image_shape_param(val)
        except ValueError:
            return False
        return True

    def __str__(self):
        return (
            "a pair (height, width) of positive ints, one of which may be -1 to be "
            "inferred from the number of features"
        )


class PositiveIntPair(_SkdaeConstraint):
    """A pair (tuple or list) of two ints, both at least 1."""

    def is_satisfied_by(self, val):
        return (
            isinstance(val, (tuple, list))
            and len(val) == 2
            and all(_is_int(v) and v >= 1 for v in val)
        )

    def __str__(self):
        return "a pair of two ints >= 1"


class SubclassOf(_SkdaeConstraint):
    """A class (not an instance) that is a subclass of ``base``.

    Parameters
    ----------
    base : type
        The required base class.
    """

    def __init__(self, base):
        super().__init__()
        self.base = base

    def is_satisfied_by(self, val):
        return isinstance(val, type) and issubclass(val, self.base)

    def __str__(self):
        name = f"{self.base.__module__}.{self.base.__qualname__}"
        if name.startswith("torch.nn.modules."):
            name = f"torch.nn.{self.base.__qualname__}"
        return f"a {name} subclass (the class, not an instance)"


class ChannelAxis(_SkdaeConstraint):
    """An int naming an image axis of a 4-D batch: 1, 2, 3 or -3, -2, -1."""

    def is_satisfied_by(self, val):
        return _is_int(val) and val in (-3, -2, -1, 1, 2, 3)

    def __str__(self):
        return "an int naming an axis of the 4-D batch (1, 2, 3, -1, -2 or -3)"


class PatchSize(_SkdaeConstraint):
    """A positive int or a pair (height, width) of positive ints."""

    def is_satisfied_by(self, val):
        if _is_int(val):
            return val >= 1
        return PositiveIntPair().is_satisfied_by(val)

    def __str__(self):
        return "a positive int or a pair (height, width) of positive ints"
