"""Reading IDX files (the MNIST file format), plain or gzip-compressed.

An IDX file is a header (a magic number giving the element type and the number
of dimensions, then one big-endian 32-bit size per dimension) followed by the
elements. The reader checks the header against what follows it while it reads:
it never decompresses more than the header announces, so a small ``.gz`` file
that inflates to gigabytes is refused after reading at most one byte more than
its header promised.
"""

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

#: Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
IMAGES_MAGIC = 0x00000803
#: Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
LABELS_MAGIC = 0x00000801

_CHUNK = 1 << 24  # bytes decompressed at a time


def _read_up_to(stream, n):
    """Up to ``n`` bytes of ``stream`` (fewer only at the end of the stream)."""
    buffer = bytearray()
    while len(buffer) < n:
        chunk = stream.read(min(n - len(buffer), _CHUNK))
        if not chunk:
            break
        buffer += chunk
    return buffer


def read_idx(path, *, magic, item_shape=None):
    """Read an IDX file of unsigned bytes as a uint8 array.

    Parameters
    ----------
    path : path-like
        The file; a name ending in ``.gz`` is decompressed while it is read.
    magic : int
        The expected magic number (it fixes the number of dimensions).
    item_shape : tuple of int, default=None
        The expected shape of one item (the dimensions after the first).

    Returns
    -------
    array : ndarray of uint8
        Of the shape the header announces.

    Raises
    ------
    ValueError
        When the file is not such an IDX file, is truncated, has trailing
        bytes, holds no items, or is corrupt gzip data. The message names the
        file.
    """
    path = Path(path)
    compressed = path.name.endswith(".gz")
    try:
        stream = gzip.open(path, "rb") if compressed else open(path, "rb")
        with stream:
            return _read_idx_stream(stream, path, magic, item_shape, compressed)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError(
            f"{path}: corrupt gzip file, cannot decompress it ({exc})."
        ) from exc


def _read_idx_stream(stream, path, magic, item_shape, compressed):
    ndim = magic & 0xFF
    header_size = 4 * (1 + ndim)
    header = _read_up_to(stream, header_size)
    if len(header) < 4:
        raise ValueError(
            f"{path}: not an IDX file, only {len(header)} bytes long (truncated?)."
        )
    (found_magic,) = struct.unpack_from(">I", header, 0)
    if found_magic != magic:
        kind = "images" if magic == IMAGES_MAGIC else "labels"
        raise ValueError(
            f"{path}: bad magic number 0x{found_magic:08X}, expected "
            f"0x{magic:08X} (IDX {kind} of unsigned bytes, {ndim} dimension"
            f"{'s' if ndim > 1 else ''}); the file is corrupt or not this kind "
            "of IDX file."
        )
    if len(header) < header_size:
        raise ValueError(
            f"{path}: truncated IDX header ({len(header)} bytes, expected at least "
            f"{header_size})."
        )
    dims = struct.unpack_from(f">{ndim}I", header, 4)
    if item_shape is not None and tuple(dims[1:]) != tuple(item_shape):
        raise ValueError(
            f"{path}: wrong item dimensions {'x'.join(map(str, dims[1:]))}, "
            f"expected {'x'.join(map(str, item_shape))}."
        )
    if dims[0] == 0:
        raise ValueError(f"{path}: the header announces 0 items; the file is empty.")
    expected = int(np.prod(dims, dtype=np.int64))
    announced = (
        f"the header announces {dims[0]} items of shape {tuple(dims[1:])} "
        f"({expected} bytes of data)"
    )
    if not compressed:  # the size is known before reading anything
        payload = os.fstat(stream.fileno()).st_size - header_size
        if payload != expected:
            problem = "truncated" if payload < expected else "has trailing bytes"
            raise ValueError(
                f"{path}: {problem}: {announced} but the file holds {payload} "
                "bytes of data."
            )
    data = _read_up_to(stream, expected)
    if len(data) < expected:
        raise ValueError(
            f"{path}: truncated: {announced} but the file holds {len(data)} bytes "
            "of data."
        )
    if stream.read(1):  # also makes gzip check its CRC
        raise ValueError(
            f"{path}: has trailing bytes: {announced} but the file holds more."
        )
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)
