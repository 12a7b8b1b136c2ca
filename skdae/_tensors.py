"""Zero-copy views of NumPy arrays as tensors."""

import warnings

import numpy as np
import torch


def as_tensor(array, dtype=None):
    """View ``array`` as a CPU tensor, converting (copying) only if needed.

    ``dtype`` is a NumPy dtype. Read-only arrays (memmaps) are viewed too: skdae
    never writes to a tensor made here.
    """
    array = np.ascontiguousarray(array, dtype=dtype)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not writable.*")
        return torch.from_numpy(array)
