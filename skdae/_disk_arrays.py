"""Image arrays that live on disk: NumPy memmaps, zarr arrays, h5py datasets.

:class:`DiskImages` reads the rows (images) or the patches that a training step
or an inference chunk needs from such an array, as float32 ``(n, c, h, w)``
arrays, and checks the whole array chunk by chunk (:meth:`DiskImages.scan`), so
that memory never grows with the size of the array. Nothing is ever written to
the array: every read is a copy.

A memory map's pages count towards the resident memory of the process once they
have been read; :class:`DiskImages` drops them from the process's page tables
(``madvise(MADV_DONTNEED)``: the data stays in the operating system's page
cache, the file is unchanged) every 32 MB mapped (counting at least a 2 MB
folio per read), so that reading a 20 GB memmap does not look like 20 GB of
memory. Copy-on-write memmaps
(``mode="c"``), whose private changes that would discard, are left alone.
"""

import mmap

import numpy as np

from ._images import _FLOAT32_SAFE, resolve_channel_axis, resolve_flat_shape

#: Packages whose array types are read lazily (never imported by skdae).
_LAZY_PACKAGES = ("zarr", "h5py")

#: Bytes (as float64) of one chunk of :meth:`DiskImages.scan` and of inference.
CHUNK_BYTES = 64 * 2**20

#: Bytes mapped from a memmap between two releases of its pages.
_RELEASE_BYTES = 32 * 2**20

#: What one read of a few bytes may map: the page cache holds files in folios
#: of up to 2 MB (a huge page), and a page fault maps the whole folio.
_FOLIO_BYTES = 2 * 2**20


def is_on_disk(X):
    """Whether ``X`` is an array that lives on disk and is read lazily.

    True for :class:`numpy.memmap` (and views of one), zarr arrays and h5py
    datasets; False for in-memory arrays, lists, DataFrames and tensors.
    """
    if isinstance(X, np.memmap):
        return True
    package = type(X).__module__.partition(".")[0]
    return package in _LAZY_PACKAGES and hasattr(X, "shape") and hasattr(X, "dtype")


def is_on_disk_images(y):
    """Whether ``y`` is an on-disk array of images (not 1-D class labels)."""
    return is_on_disk(y) and len(y.shape) >= 2


def describe(X):
    """A short name for the kind of array ``X`` is, for messages."""
    if isinstance(X, np.memmap):
        return "memmap"
    package = type(X).__module__.partition(".")[0]
    return f"{package} array" if package in _LAZY_PACKAGES else "array"


def release_pages(array):
    """Drop a shared memmap's pages from this process's resident memory.

    The pages stay in the operating system's page cache (a later read costs a
    page fault, not a disk read) and the file is not changed; dirty pages of a
    writable map are still written back. Does nothing for other arrays and for
    copy-on-write maps.
    """
    handle = getattr(array, "_mmap", None)
    if (
        handle is None
        or getattr(array, "mode", "c") == "c"
        or not hasattr(mmap, "MADV_DONTNEED")
    ):
        return
    try:
        handle.madvise(mmap.MADV_DONTNEED)
    except (OSError, ValueError):  # a closed map, or a platform without it
        pass


def check_finite_rows(chunk, start, name, kind):
    """Raise a ValueError naming the first image of ``chunk`` that is not finite.

    ``chunk`` holds the images ``start:start + len(chunk)`` of the array called
    ``name`` (a ``kind`` such as "memmap"), one image per row or per first-axis
    entry.
    """
    finite = np.isfinite(chunk.reshape(len(chunk), -1)).all(axis=1)
    if not finite.all():
        i = start + int(np.argmin(finite))
        raise ValueError(
            f"{name}[{i}] (image {i} of the {kind}, in the chunk of images "
            f"{start}:{start + len(chunk)}) holds NaN or infinity. Input contains "
            "NaN or infinity: remove or repair that image."
        )


class DiskImages:
    """An on-disk array of images, read as float32 ``(n, c, h, w)`` pieces.

    Parameters
    ----------
    array : numpy.memmap, zarr array or h5py dataset
        Of shape ``(n, h * w)``, ``(n, h, w)``, ``(n, c, h, w)`` or
        ``(n, h, w, c)``, numeric.
    image_shape : (int, int) or None
        ``image_shape`` for flat rows (as in memory); ignored otherwise.
    channel_axis : "auto", None or int
        Read as for in-memory arrays.
    name : str
        Name of the array in messages ("X" or "y").
    """

    def __init__(self, array, image_shape, channel_axis, name="X"):
        shape = tuple(int(s) for s in array.shape)
        self.array = array
        self.name = name
        self.kind = describe(array)
        dtype = np.dtype(array.dtype)
        if dtype.kind not in "biuf":
            raise ValueError(
                f"{name} is a {self.kind} of dtype {dtype}; images must be numeric "
                "(float, integer or bool)."
            )
        if len(shape) >= 2 and 0 in shape[1:]:
            raise ValueError(
                f"{name} has 0 feature(s) (shape={shape}) while a minimum of 1 "
                "is required: its images are empty (0 pixels)."
            )
        if not shape or shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={shape}) while a minimum of "
                f"1 is required: {name} holds no images."
            )
        self.axis = resolve_channel_axis(shape, channel_axis, name)
        if len(shape) == 2:
            h, w = resolve_flat_shape(shape[1], image_shape)
            c = 1
        elif len(shape) == 3:
            (h, w), c = shape[1:], 1
        else:
            c = shape[self.axis]
            h, w = (s for i, s in enumerate(shape[1:], 1) if i != self.axis)
        self.dtype = dtype
        self.shape = shape
        self.image_shape = (int(h), int(w))
        self.n_channels = int(c)
        self._unread = _RELEASE_BYTES

    def __len__(self):
        return self.shape[0]

    @property
    def row_bytes(self):
        """Bytes of one image as float64 (the most a chunk's checks convert to)."""
        return 8 * self.n_channels * self.image_shape[0] * self.image_shape[1]

    def chunk_rows(self, limit_bytes=CHUNK_BYTES):
        """Images per chunk: about ``limit_bytes``, whole storage chunks if any."""
        rows = max(1, limit_bytes // self.row_bytes)
        stored = getattr(self.array, "chunks", None)
        if stored and stored[0] and stored[0] < rows:
            rows -= rows % int(stored[0])
        return int(rows)

    # ------------------------------------------------------------------ reads
    def _raw(self, start, stop):
        return np.asarray(self.array[start:stop])

    def _account(self, nbytes, pieces=1):
        """Release a memmap's pages every ``_RELEASE_BYTES`` mapped.

        A read of ``pieces`` separate places maps at least a folio each.
        """
        self._unread -= max(nbytes, pieces * _FOLIO_BYTES)
        if self._unread <= 0:
            release_pages(self.array)
            self._unread = _RELEASE_BYTES

    def _as_batch(self, raw, owned=False):
        """Raw rows as a C-contiguous float32 (k, c, h, w) array of its own.

        ``owned``: ``raw`` is already a fresh array (from fancy indexing), used
        as it is when it has the right dtype and layout.
        """
        k = len(raw)
        h, w = self.image_shape
        if raw.ndim == 4 and self.axis != 1:
            raw = np.moveaxis(raw, self.axis, 1)
        else:
            raw = raw.reshape(k, self.n_channels, h, w)
            if owned and raw.dtype == np.float32 and raw.flags.c_contiguous:
                return raw
        out = np.empty(raw.shape, dtype=np.float32)
        out[...] = raw
        return out

    def read_slice(self, start, stop):
        """Images ``start:stop`` as float32 (k, c, h, w)."""
        raw = self._raw(start, stop)
        self._account(raw.nbytes)
        return self._as_batch(raw)

    def read_rows(self, indices):
        """The images at ``indices`` (distinct ints, any order), float32."""
        indices = np.asarray(indices, dtype=np.int64)
        if not len(indices):
            return np.empty((0, self.n_channels, *self.image_shape), np.float32)
        if isinstance(self.array, np.ndarray):  # a memmap gathers in any order
            raw = self.array[indices]  # fancy indexing: a copy
            self._account(raw.nbytes, len(indices))
            return self._as_batch(raw, owned=True)
        order = np.argsort(indices, kind="stable")
        ascending = indices[order]
        first, last = int(ascending[0]), int(ascending[-1])
        if last - first + 1 == len(ascending):  # one contiguous run
            raw = self._raw(first, last + 1)
        elif hasattr(self.array, "oindex"):  # zarr
            raw = np.asarray(self.array.oindex[ascending])
        else:  # memmap, h5py (which needs ascending indices)
            raw = np.asarray(self.array[ascending])
        self._account(raw.nbytes, len(ascending))
        batch = self._as_batch(raw)
        if np.array_equal(order, np.arange(len(order))):
            return batch
        out = np.empty_like(batch)
        out[order] = batch
        return out

    def read_patch(self, j, top, left, height, width):
        """The (c, height, width) patch of image ``j`` at (top, left), float32."""
        rows, cols = slice(top, top + height), slice(left, left + width)
        if len(self.shape) == 2:  # flat rows: read the image's rows of pixels
            w = self.image_shape[1]
            raw = np.asarray(self.array[j, top * w : (top + height) * w])
            raw = raw.reshape(1, height, w)[:, :, cols]
        elif len(self.shape) == 3:
            raw = np.asarray(self.array[j, rows, cols])[np.newaxis]
        elif self.axis == 1:
            raw = np.asarray(self.array[j, :, rows, cols])
        else:
            index = [j, rows, cols]
            index.insert(self.axis, slice(None))
            raw = np.moveaxis(np.asarray(self.array[tuple(index)]), self.axis - 1, 0)
        self._account(raw.nbytes)
        out = np.empty(raw.shape, dtype=np.float32)
        out[...] = raw
        return out

    # ----------------------------------------------------------------- checks
    def scan(self):
        """Check every image, chunk by chunk; return (min, max, mean).

        Raises a ValueError naming the first image that holds NaN or infinity,
        or values too large for float32 arithmetic.
        """
        low, high, total, count = np.inf, -np.inf, 0.0, 0
        step = self.chunk_rows()
        for start in range(0, len(self), step):
            stop = min(start + step, len(self))
            raw = self._raw(start, stop)
            self._account(raw.nbytes)
            flat = raw.reshape(len(raw), -1)
            if self.dtype.kind == "f":
                check_finite_rows(flat, start, self.name, self.kind)
            chunk_low = float(flat.min())
            chunk_high = float(flat.max())
            largest = max(chunk_high, -chunk_low)
            if largest > _FLOAT32_SAFE:
                i = start + int(np.argmax(np.abs(flat.astype(np.float64)).max(axis=1)))
                raise ValueError(
                    f"{self.name}[{i}] (image {i} of the {self.kind}) holds values "
                    f"up to {largest:.3g} in magnitude, too large for the network's "
                    f"float32 arithmetic (|x| must stay below {_FLOAT32_SAFE:.3g}, "
                    "beyond which squares overflow). Images are expected in [0, 1]."
                )
            low, high = min(low, chunk_low), max(high, chunk_high)
            total += float(flat.sum(dtype=np.float64))
            count += flat.size
        release_pages(self.array)
        return low, high, total / count

    def check_matches(self, other):
        """Raise if ``other`` (targets) does not hold images like these."""
        if len(other) != len(self):
            raise ValueError(
                f"X and y hold different numbers of images: {len(self)} and "
                f"{len(other)}."
            )
        if other.image_shape != self.image_shape:
            (h, w), (th, tw) = self.image_shape, other.image_shape
            raise ValueError(
                f"y holds {th}x{tw} images but {h}x{w} images were expected (the "
                "size of the images of X)."
            )
        if other.n_channels != self.n_channels:
            raise ValueError(
                f"y holds images of {other.n_channels} channel(s) but X of "
                f"{self.n_channels}."
            )
