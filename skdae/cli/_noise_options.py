"""The noise models the ``--noise`` and ``--level`` options choose."""

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
