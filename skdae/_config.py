"""Global switches for skdae's fast paths, in the style of :func:`sklearn.config_context`.

The switches change how fast a computation runs, never what it computes (up to
float rounding): benchmarks and tests turn them off to compare against the plain
path, and users turn them off to debug.
"""

import numbers
import threading
from contextlib import contextmanager

_DEFAULTS = {
    "cuda_graphs": True,
    "channels_last": True,
    "inference_batch_size": 512,
}
_local = threading.local()


def _config():
    if not hasattr(_local, "config"):
        _local.config = dict(_DEFAULTS)
    return _local.config


def get_config():
    """Current values of skdae's switches (a copy).

    Returns
    -------
    config : dict
        ``cuda_graphs`` (bool): replay full-size CUDA training steps as CUDA
        graphs; ``channels_last`` (bool): run skdae's own networks in the
        channels-last memory format on the CPU; ``inference_batch_size`` (int):
        images per forward pass in ``transform``, ``encode``, ``decode`` and
        ``score``, which bounds their extra memory.

    Examples
    --------
    >>> import skdae
    >>> skdae.get_config()["inference_batch_size"]
    512
    """
    return dict(_config())


def set_config(*, cuda_graphs=None, channels_last=None, inference_batch_size=None):
    """Set skdae's switches for the current thread; ``None`` leaves one as it is.

    Parameters
    ----------
    cuda_graphs : bool, default=None
        Replay full-size training steps on CUDA as captured CUDA graphs.
    channels_last : bool, default=None
        Run skdae's own networks in the channels-last memory format on the CPU.
    inference_batch_size : int, default=None
        Images per forward pass at inference time.

    See Also
    --------
    config_context : The same switches for a ``with`` block.
    get_config : Read the switches.
    """
    new = {
        "cuda_graphs": cuda_graphs,
        "channels_last": channels_last,
        "inference_batch_size": inference_batch_size,
    }
    for key in ("cuda_graphs", "channels_last"):
        if new[key] is not None and not isinstance(new[key], bool):
            raise TypeError(f"{key} must be a bool; got {new[key]!r}.")
    size = new["inference_batch_size"]
    if size is not None and (
        not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1
    ):
        raise ValueError(f"inference_batch_size must be an int >= 1; got {size!r}.")
    config = _config()
    config.update({k: v for k, v in new.items() if v is not None})


@contextmanager
def config_context(**switches):
    """Set skdae's switches inside a ``with`` block (see :func:`set_config`).

    Examples
    --------
    >>> import skdae
    >>> with skdae.config_context(inference_batch_size=64):
    ...     skdae.get_config()["inference_batch_size"]
    64
    >>> skdae.get_config()["inference_batch_size"]
    512
    """
    old = get_config()
    set_config(**switches)
    try:
        yield
    finally:
        _config().clear()
        _config().update(old)
