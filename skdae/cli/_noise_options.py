"""The noise models the ``--noise`` and ``--level`` options choose."""

import argparse
import math

DEFAULT_LEVEL = {"gaussian": 0.5, "salt-pepper": 0.2}


def make_noise(kind, level, seed=None):
    from ..noise import GaussianNoise, SaltPepperNoise

    level = DEFAULT_LEVEL[kind] if level is None else level
    if kind == "gaussian":
        return GaussianNoise(sigma=level, random_state=seed)
    return SaltPepperNoise(amount=level, random_state=seed)


def describe_noise(noise):
    params = ", ".join(
        f"{k}={v}" for k, v in noise.get_params().items() if k != "random_state"
    )
    return f"{type(noise).__name__}({params})"


# ``skdae train``: noise for photographs. A level is one value or a range
# "LOW,HIGH" (a blind model: one level drawn per patch). Gaussian sigma is given
# in 8-bit gray levels (25 means sigma 25/255 on images in [0, 1]), unclipped,
# as the Gaussian denoising benchmarks add it.

#: Noise name: (default level, what a level means, (lowest, highest) allowed).
TRAIN_NOISES = {
    "gaussian": (25.0, "sigma in 8-bit gray levels (0-255 scale, unclipped)", None),
    "salt-pepper": (0.1, "fraction of the pixels, in [0, 1]", (0.0, 1.0)),
    "speckle": (0.2, "relative sigma of x + x * sigma * N(0, 1)", None),
    "poisson": (30.0, "photons at white (lower is noisier; > 0)", None),
}


def parse_level(text):
    """``--level``: one number, or ``LOW,HIGH``; finite and non-negative."""
    parts = text.split(",")
    if len(parts) > 2:
        raise argparse.ArgumentTypeError(f"give one number or LOW,HIGH; got {text!r}")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a number or a LOW,HIGH range: {text!r}"
        ) from None
    if not all(math.isfinite(v) and v >= 0 for v in values):
        raise argparse.ArgumentTypeError(f"levels must be finite and >= 0; got {text}")
    if len(values) == 2 and values[0] > values[1]:
        raise argparse.ArgumentTypeError(f"LOW must not exceed HIGH; got {text}")
    return values[0] if len(values) == 1 else tuple(values)


def check_train_level(kind, level):
    """A message if ``level`` is out of range for the noise ``kind``, else None."""
    values = level if isinstance(level, tuple) else (level,)
    if kind == "salt-pepper" and max(values) > 1:
        return f"the salt-pepper amount must be in [0, 1]; got {_level_text(level)}"
    if kind == "poisson" and min(values) <= 0:
        return f"the poisson peak must be > 0; got {_level_text(level)}"
    return None


def _level_text(level):
    return f"{level[0]:g},{level[1]:g}" if isinstance(level, tuple) else f"{level:g}"


def make_train_noise(kind, level):
    """The noise model of ``skdae train --noise kind --level level``."""
    from ..noise import GaussianNoise, PoissonNoise, SaltPepperNoise, SpeckleNoise

    level = TRAIN_NOISES[kind][0] if level is None else level
    if kind == "gaussian":
        scaled = (
            tuple(v / 255 for v in level) if isinstance(level, tuple) else level / 255
        )
        return GaussianNoise(sigma=scaled, clip=False)
    if kind == "salt-pepper":
        return SaltPepperNoise(amount=level)
    if kind == "speckle":
        return SpeckleNoise(sigma=level)
    return PoissonNoise(peak=level)


def describe_train_noise(kind, level):
    """``--noise`` and ``--level`` in words, on the scale they were given in."""
    level = TRAIN_NOISES[kind][0] if level is None else level
    text = _level_text(level).replace(",", " to ")
    if kind == "gaussian":
        return f"Gaussian noise of sigma {text} (of 255, unclipped)"
    if kind == "salt-pepper":
        return f"salt-and-pepper noise on a fraction {text} of the pixels"
    if kind == "speckle":
        return f"speckle noise of relative sigma {text}"
    return f"Poisson noise of peak {text} photons"
