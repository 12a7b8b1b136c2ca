"""Conversions between users' arrays and the tensors skdae computes with.

Every tensor made from a user's array owns its memory: the networks and noise
models that receive it (possibly a user's own, which may write in place) can
never reach the caller's data, and a read-only buffer (a memmap opened with
``mode="r"``) never reaches torch, which assumes tensors are writable.
"""

import numpy as np
import torch


def tensor_copy(array, dtype=None):
    """A CPU tensor holding a copy of ``array``, converted to ``dtype``.

    Exactly one copy is made (the conversion, when ``dtype`` differs, is that
    copy), so the tensor never shares memory with ``array``.

    Parameters
    ----------
    array : ndarray
        The data; it may be read-only.
    dtype : NumPy dtype or None, default=None
        dtype of the tensor; ``None`` keeps that of ``array``.

    Returns
    -------
    torch.Tensor
        A writable, C-contiguous tensor.
    """
    return torch.from_numpy(np.array(array, dtype=dtype, order="C", copy=True))


def as_array_like(X):
    """``X`` itself, or a NumPy view of it if it is a :class:`torch.Tensor`.

    A tensor that requires gradients (or lives on a GPU) cannot be converted by
    NumPy; skdae only reads its values, so it is detached and moved to the CPU.
    Anything else is returned unchanged for the usual validation.
    """
    if isinstance(X, torch.Tensor):
        return X.detach().cpu().resolve_conj().resolve_neg().numpy()
    return X
