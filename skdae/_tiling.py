"""Run an image-to-image function on large images, tile by tile, without seams.

:func:`tiled_apply` cuts images into overlapping tiles, runs the tiles through a
function (a denoising network) in batches and blends the results back with a
smooth weight window, so that memory is bounded by one batch of tiles plus the
output, whatever the image size.
"""

import math
import numbers

import numpy as np
import torch

from ._devices import resolve_device


def _pair(value, name, *, minimum):
    """``value`` (an int or a pair of ints) as an ``(h, w)`` tuple of ints."""
    values = (value, value) if isinstance(value, numbers.Integral) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    if (
        values is None
        or len(values) != 2
        or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values
        )
        or isinstance(value, bool)
    ):
        raise TypeError(
            f"{name} must be an int or a pair of ints (h, w); got {value!r}."
        )
    if min(values) < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
    return int(values[0]), int(values[1])


def tile_pair(tile_size):
    """A validated ``tile_size`` (an int or a pair) as a ``(h, w)`` tuple."""
    return _pair(tile_size, "tile_size", minimum=1)


def _tile_starts(length, tile, overlap):
    """Start offsets of the tiles along one axis of ``length`` pixels.

    The first tile starts at 0 and the last one ends at ``length``; the tiles in
    between are spread evenly, so neighbours overlap by ``overlap`` pixels or
    more. A single tile covers an axis no longer than ``tile``.
    """
    if length <= tile:
        return [0]
    n_tiles = math.ceil((length - overlap) / (tile - overlap))
    return [int(s) for s in np.round(np.linspace(0, length - tile, n_tiles))]


def _ramp(overlap, margin):
    """Ramp of ``overlap`` weights rising from 0 to 1 along a tile's side.

    0 over the first ``margin`` pixels, 1 over the last ``margin`` and a raised
    cosine in between, so that ``ramp + ramp[::-1] == 1``: two tiles that overlap
    by exactly ``overlap`` pixels blend into weights that sum to one, and the
    ``margin`` pixels next to a tile's side, which a network computes from its
    zero padding, are not used at all. Strictly positive for ``margin=0``.
    """
    i = np.arange(overlap) - margin + 1
    return np.sin(0.5 * np.pi * np.clip(i / (overlap - 2 * margin + 1), 0, 1)) ** 2


def _axis_windows(length, tile, overlap):
    """``(start, weights)`` per tile along one axis; the weights sum to 1 per pixel.

    Each tile's window is 1 in its middle and ramps down over ``overlap`` pixels
    at each side that has a neighbouring tile (not at the image border): 0 on the
    quarter of the overlap next to the side, a raised cosine over the middle
    half. The windows are then divided by their sum at each pixel, so any
    overlap (also a larger one, where the tiles are spread evenly) blends into
    a weighted average.
    """
    tile = min(tile, length)
    starts = _tile_starts(length, tile, overlap)
    starts_windows = _windows(starts, length, tile, overlap, margin=overlap // 4)
    if starts_windows is None:  # a pixel got no weight (tiles small for the overlap)
        starts_windows = _windows(starts, length, tile, overlap, margin=0)
    return starts_windows


def _windows(starts, length, tile, overlap, margin):
    """The normalised windows of ``_axis_windows``, or None if a sum is 0."""
    ramp = _ramp(min(overlap, tile), margin)
    windows = []
    for start in starts:
        window = np.ones(tile)
        if start > 0:
            window[: len(ramp)] = np.minimum(window[: len(ramp)], ramp)
        if start + tile < length:
            window[tile - len(ramp) :] = np.minimum(
                window[tile - len(ramp) :], ramp[::-1]
            )
        windows.append(window)
    total = np.zeros(length)
    for start, window in zip(starts, windows):
        total[start : start + tile] += window
    if total.min() <= 0:
        return None
    return [
        (start, (window / total[start : start + tile]).astype(np.float32))
        for start, window in zip(starts, windows)
    ]


def _as_batch(images):
    """``images`` as a 4-D array or tensor (not copied), and whether it was 3-D."""
    if isinstance(images, torch.Tensor):
        batch = images.detach()
        if batch.is_complex() or batch.dtype == torch.bool:
            raise TypeError(
                f"images must hold real numbers; got a tensor of dtype {batch.dtype}."
            )
    else:
        batch = np.asarray(images)
        if batch.dtype.kind not in "fiu":
            raise TypeError(
                f"images must hold real numbers; got an array of dtype {batch.dtype}."
            )
    if batch.ndim not in (3, 4):
        raise ValueError(
            "images must have shape (channels, height, width) or (n_images, "
            f"channels, height, width); got shape {tuple(batch.shape)}."
        )
    if min(batch.shape) == 0:
        raise ValueError(f"images must not be empty; got shape {tuple(batch.shape)}.")
    return (batch[None] if batch.ndim == 3 else batch), batch.ndim == 3


def _gather_tiles(batch, group, height, width, device):
    """The tiles ``(index, top, left)`` of ``group`` as one float32 tensor on ``device``."""
    channels = batch.shape[1]
    tiles = torch.empty((len(group), channels, height, width), dtype=torch.float32)
    for k, (index, top, left) in enumerate(group):
        tile = batch[index, :, top : top + height, left : left + width]
        if isinstance(tile, np.ndarray):  # read-only, memory-mapped, any dtype
            tiles[k].numpy()[...] = tile
        else:
            tiles[k].copy_(tile)
    return tiles.to(device)


def tiled_apply(fn, images, *, tile_size, overlap=None, batch_size=8, device="cpu"):
    """Apply an image-to-image function to large images by overlapping tiles.

    The images are cut into tiles of ``tile_size`` that overlap their
    neighbours by at least ``overlap`` pixels; ``fn`` runs on batches of up to
    ``batch_size`` tiles (copied to ``device`` batch by batch) under
    :func:`torch.inference_mode`, and its outputs are blended back with a
    smooth window. Along each side of a tile that has a neighbour (not along
    the image borders), the tile's weight is 0 over the first quarter of the
    overlap, rises as a raised cosine over its middle half and is 1 beyond;
    the weights are normalised to sum to one at every pixel. The result has no
    seams, and for a translation-equivariant convolutional network whose
    receptive-field radius is at most a quarter of the overlap, it equals the
    result of ``fn`` on the whole image up to float rounding (tile pixels
    computed from the network's zero padding get no weight); with a larger
    radius those pixels get a small weight and the results differ a little.

    Memory is bounded by one batch of tiles (with ``fn``'s own working memory)
    plus the float32 output: the input is never copied as a whole.

    Parameters
    ----------
    fn : callable
        Maps a float32 :class:`torch.Tensor` of shape ``(b, c, th, tw)`` on
        ``device`` to a tensor of shape ``(b, c_out, th, tw)`` (usually ``c_out
        == c``), e.g. a network in eval mode. It must treat the images of a
        batch independently (a network in eval mode does; batch normalisation
        in training mode does not). Its exceptions propagate.
    images : ndarray or torch.Tensor of shape (c, h, w) or (n, c, h, w)
        Images of any size, channels first, of any real dtype (each tile is
        converted to float32). A tensor may live on any device. Not modified.
    tile_size : int or tuple of (int, int)
        Tile height and width (an int for square tiles). Where an image is
        smaller than a tile along an axis, the tile shrinks to the image there,
        so an image smaller than a tile is processed whole.
    overlap : int or tuple of (int, int), default=None
        Minimum overlap of neighbouring tiles, in pixels, vertically and
        horizontally; each must be smaller than the tile side. None means
        ``tile_size // 8`` per axis. Choose at least the radius of ``fn``'s
        receptive field (the number of 3x3 convolution layers of a plain
        convolutional network such as :class:`~skdae.architectures.Residual`;
        four times that for an exact result) so that the pixels a tile computes
        from zero padding get little or no weight; that
        is the caller's concern. A network that downsamples (a U-Net) is not
        exactly translation-equivariant, so its tiled result differs slightly
        from the whole-image one whatever the overlap.
    batch_size : int, default=8
        Tiles per call of ``fn``.
    device : str or torch.device, default="cpu"
        Where ``fn`` runs: the tiles are copied there batch by batch and the
        results copied back to the CPU. ``"auto"`` picks CUDA when available.

    Returns
    -------
    output : ndarray of shape (c_out, h, w) or (n, c_out, h, w), float32
        The blended result, on the CPU, with as many dimensions as ``images``.

    Raises
    ------
    TypeError
        For a ``tile_size`` or ``overlap`` that is not an int or a pair of
        ints, images that are not real numbers, or an ``fn`` that does not
        return a tensor.
    ValueError
        For images that are not 3-D or 4-D, an ``overlap`` not smaller than the
        tile, or an ``fn`` whose output has the wrong batch size or tile size.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skdae._tiling import tiled_apply
    >>> image = np.random.default_rng(0).random((3, 100, 150))
    >>> blur = torch.nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    >>> tiled = tiled_apply(blur, image, tile_size=64, overlap=16)
    >>> tiled.shape, tiled.dtype
    ((3, 100, 150), dtype('float32'))
    >>> whole = blur(torch.from_numpy(image).float()[None])[0].numpy()
    >>> bool(np.abs(tiled - whole).max() < 1e-6)  # 3x3 blur: radius 1 <= 16 / 4
    True
    """
    tile_h, tile_w = tile_pair(tile_size)
    if overlap is None:
        overlap_h, overlap_w = tile_h // 8, tile_w // 8
    else:
        overlap_h, overlap_w = _pair(overlap, "overlap", minimum=0)
    if overlap_h >= tile_h or overlap_w >= tile_w:
        raise ValueError(
            f"overlap must be smaller than the tile size along each axis; got "
            f"overlap={overlap!r} for tile_size={tile_size!r}."
        )
    if (
        not isinstance(batch_size, numbers.Integral)
        or isinstance(batch_size, bool)
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an int >= 1; got {batch_size!r}.")
    device = resolve_device(device)
    batch, squeeze = _as_batch(images)
    n_images, _, height, width = batch.shape

    rows = _axis_windows(height, tile_h, overlap_h)
    cols = _axis_windows(width, tile_w, overlap_w)
    th, tw = len(rows[0][1]), len(cols[0][1])
    row_weights = {top: torch.from_numpy(w).to(device) for top, w in rows}
    col_weights = {left: torch.from_numpy(w).to(device) for left, w in cols}
    tiles = [
        (index, top, left)
        for index in range(n_images)
        for top, _ in rows
        for left, _ in cols
    ]

    output = None
    with torch.inference_mode():
        for first in range(0, len(tiles), batch_size):
            group = tiles[first : first + batch_size]
            x = _gather_tiles(batch, group, th, tw, device)
            y = fn(x)
            if not isinstance(y, torch.Tensor):
                raise TypeError(
                    f"fn must return a torch.Tensor; got {type(y).__name__}."
                )
            if y.ndim != 4 or y.shape[0] != len(group) or y.shape[2:] != x.shape[2:]:
                raise ValueError(
                    f"fn must map tiles of shape {tuple(x.shape)} to tensors of "
                    f"shape ({len(group)}, channels, {th}, {tw}); got "
                    f"{tuple(y.shape)}."
                )
            weights = torch.stack(
                [
                    row_weights[top][:, None] * col_weights[left][None]
                    for _, top, left in group
                ]
            )
            y = (y.to(torch.float32) * weights[:, None]).cpu().numpy()
            if output is None:
                output = np.zeros((n_images, y.shape[1], height, width), np.float32)
            for (index, top, left), weighted in zip(group, y):
                output[index, :, top : top + th, left : left + tw] += weighted
    return output[0] if squeeze else output
