"""Apply a fitted estimator chunk by chunk, writing into an array on disk."""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._background_reader import read_ahead
from ._config import get_config
from ._disk_arrays import CHUNK_BYTES, check_finite_rows, describe, release_pages
from ._images import is_image_list
from ._tensors import as_array_like

__all__ = ["transform_to"]

#: Bytes written to a memmap between two releases of its pages.
_RELEASE_BYTES = 32 * 2**20


def transform_to(estimator, X, out, *, batch_size=None):
    """Write ``estimator.transform(X)`` into ``out``, chunk by chunk.

    Denoises (or transforms) data larger than memory: ``X`` is read a chunk
    of images at a time (the next chunk in a background thread while the
    current one is computed), each chunk is passed to
    ``estimator.transform`` and the result is written into the rows of
    ``out``, an array that may live on disk (a :class:`numpy.memmap`, a
    zarr array or an h5py dataset). Memory is bounded by a few chunks,
    whatever the size of ``X``: a 20 GB memmap can be denoised into a 20 GB
    memmap on a machine with much less memory.

    Parameters
    ----------
    estimator : fitted estimator
        A fitted :class:`~skdae.DenoisingAutoencoder`, or any fitted
        transformer (such as a :class:`~sklearn.pipeline.Pipeline` ending in
        one) whose ``transform`` maps each row (image) on its own.
    X : array-like of shape (n_samples, ...)
        The input: a :class:`numpy.memmap`, a zarr array, an h5py dataset or
        an in-memory array, in any layout ``estimator.transform`` accepts.
        Never modified: each chunk is a copy.
    out : array of shape (n_samples, ...)
        Where the output goes: a writable :class:`numpy.memmap` (e.g.
        ``np.lib.format.open_memmap(path, mode="w+", ...)``), zarr array,
        h5py dataset or NumPy array, of a floating dtype and of the shape
        ``estimator.transform(X)`` has (for a denoiser, the shape of ``X``).
        Values are converted to its dtype.
    batch_size : int or None, default=None
        Images per chunk. ``None`` takes ``inference_batch_size`` (see
        :func:`skdae.config_context`), fewer for large images so that a chunk
        stays within 64 MB.

    Returns
    -------
    out : array
        ``out`` itself, filled in (flushed to the disk for a memmap).

    Raises
    ------
    ValueError
        If ``out`` has the wrong number of rows or the wrong shape, is not of
        a floating dtype, or is read-only; if a chunk of ``X`` holds NaN or
        infinity (naming the image); or whatever ``estimator.transform``
        raises for a chunk. Rows already written stay written.
    TypeError
        If ``X`` is a list of images rather than one array.

    Warns
    -----
    UserWarning
        Warnings of ``estimator.transform`` (such as input on the wrong scale)
        are given once, for the first chunk that raises them.

    See Also
    --------
    skdae.DenoisingAutoencoder.transform : Returns the output in memory
        (reading an on-disk ``X`` chunk by chunk too).

    Examples
    --------
    >>> import tempfile, os
    >>> import numpy as np
    >>> from skdae import DenoisingAutoencoder, transform_to
    >>> folder = tempfile.mkdtemp()
    >>> X = np.lib.format.open_memmap(os.path.join(folder, "noisy.npy"),
    ...                               mode="w+", dtype=np.float32, shape=(50, 8, 8))
    >>> X[:] = np.random.default_rng(0).random((50, 8, 8))
    >>> dae = DenoisingAutoencoder(max_epochs=1, random_state=0).fit(X)
    >>> out = np.lib.format.open_memmap(os.path.join(folder, "denoised.npy"),
    ...                                 mode="w+", dtype=np.float32, shape=X.shape)
    >>> transform_to(dae, X, out, batch_size=16).shape
    (50, 8, 8)
    >>> bool(np.allclose(out, dae.transform(X[:])))
    True
    """
    check_is_fitted(estimator)
    if not hasattr(estimator, "transform"):
        raise TypeError(f"{type(estimator).__name__} has no transform method.")
    X = as_array_like(X)
    if is_image_list(X) or not hasattr(X, "shape") or not len(X.shape):
        raise TypeError(
            "transform_to needs X as one array (a memmap, zarr array, h5py dataset "
            f"or ndarray), not {type(X).__name__}; for a list of images of "
            "different sizes, call transform on each."
        )
    n = int(X.shape[0])
    _check_out(out, n)
    rows = _chunk_rows(X) if batch_size is None else int(batch_size)
    if rows < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size!r}.")

    def read():
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            chunk = np.array(X[start:stop])  # a copy: X is never modified
            release_pages(X)
            yield start, chunk

    seen = set()
    written = 0
    for start, chunk in read_ahead(read()):
        if chunk.dtype.kind in "fc":
            check_finite_rows(chunk, start, "X", describe(X))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = estimator.transform(chunk)
        for warning in caught:
            key = (warning.category, str(warning.message).partition(" span")[0])
            if key not in seen:
                seen.add(key)
                warnings.warn(warning.message, warning.category, stacklevel=2)
        result = np.asarray(result)
        if start == 0:
            expected = (n, *result.shape[1:])
            if tuple(out.shape) != expected:
                raise ValueError(
                    f"out has the shape {tuple(out.shape)} but the output of "
                    f"{type(estimator).__name__}.transform has {expected}."
                )
        out[start : start + len(result)] = result
        written += result.nbytes
        if written >= _RELEASE_BYTES:
            release_pages(out)
            written = 0
    if isinstance(out, np.memmap):
        out.flush()
    release_pages(out)
    return out


def _chunk_rows(X):
    """Default images per chunk: ``inference_batch_size``, within CHUNK_BYTES."""
    per_row = 8 * int(np.prod(X.shape[1:], dtype=np.int64))
    return int(
        max(1, min(get_config()["inference_batch_size"], CHUNK_BYTES // per_row))
    )


def _check_out(out, n):
    """Raise if ``out`` cannot take ``n`` rows of floating output."""
    shape = getattr(out, "shape", None)
    if shape is None or not len(shape):
        raise ValueError(
            f"out must be an array (memmap, zarr array, h5py dataset, ndarray); "
            f"got {type(out).__name__}."
        )
    dtype = np.dtype(out.dtype)
    if dtype.kind != "f":
        raise ValueError(
            f"out has the dtype {dtype}; it must be a floating dtype (float32 or "
            "float64) to hold denoised images."
        )
    if int(shape[0]) != n:
        raise ValueError(f"out has {shape[0]} rows but X has {n} images.")
    if _read_only(out):
        raise ValueError(
            f"out is read-only (a {describe(out)} opened for reading): open it "
            "for writing, e.g. a memmap with mode='w+' or 'r+'."
        )


def _read_only(out):
    if isinstance(out, np.ndarray):
        return not out.flags.writeable
    if getattr(out, "read_only", False):  # zarr
        return True
    file = getattr(out, "file", None)  # h5py
    return getattr(file, "mode", None) == "r"
