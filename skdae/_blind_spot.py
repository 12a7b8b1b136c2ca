"""Blind-spot masking: training and scoring a denoiser on noisy images alone.

A network that sees pixel ``j`` of a noisy image can learn to copy it: the
identity is the best predictor of the noisy image itself. Blind-spot training
(Noise2Void, Krull et al. 2019; Noise2Self, Batson & Royer 2019) hides a random
subset of the pixels: each hidden pixel is replaced, in every channel, by
another value computed without it, the network predicts the image from this
masked input, and the loss is taken on the hidden pixels only. Where the noise
is independent from pixel to pixel and has mean zero, the expected loss is the
loss against the clean image plus the noise variance, so minimising it learns
the signal, never the noise.

Two replacements are offered:

* ``"neighbour"`` (Noise2Void): the value of a random other pixel of the 5x5
  window around the hidden one (the window clipped to the image);
* ``"local_mean"`` (Noise2Self): the mean of the up to 8 neighbours of the
  3x3 window around it.

Every image of a batch gets the same number of hidden pixels, at its own
random positions, drawn from the :class:`torch.Generator` it is given.
"""

import torch
import torch.nn.functional as F

#: The replacements of hidden pixels, by name.
REPLACEMENTS = ("neighbour", "local_mean")


def n_masked(height, width, density):
    """Hidden pixels per image: ``density * height * width``, at least one."""
    return max(1, int(round(density * height * width)))


def draw_positions(n_images, height, width, density, generator):
    """Flat positions ``(n_images, m)`` of ``m`` distinct random pixels per image.

    Raises ValueError for images of a single pixel, which have no neighbour to
    stand in for the hidden one.
    """
    n_pixels = height * width
    if n_pixels < 2:
        raise ValueError(
            f"Blind-spot masking needs images of at least 2 pixels, got "
            f"{height}x{width} (1 feature(s) per channel): a hidden pixel is "
            "replaced by its neighbours."
        )
    m = min(n_masked(height, width, density), n_pixels - 1)
    device = generator.device
    keys = torch.rand(n_images, n_pixels, generator=generator, device=device)
    return keys.topk(m, dim=1).indices


def _random_neighbours(positions, height, width, generator, radius=2):
    """Flat positions of a random other pixel in each position's window."""
    rows, cols = positions // width, positions % width
    top = (rows - radius).clamp(min=0)
    left = (cols - radius).clamp(min=0)
    n_rows = (rows + radius).clamp(max=height - 1) - top + 1
    n_cols = (cols + radius).clamp(max=width - 1) - left + 1
    others = n_rows * n_cols - 1  # the window without the hidden pixel: >= 1
    u = torch.rand(positions.shape, generator=generator, device=generator.device)
    k = (u * others).long().clamp(max=others - 1)
    centre = (rows - top) * n_cols + (cols - left)
    k = k + (k >= centre).long()  # skip the hidden pixel itself
    return (top + k // n_cols) * width + left + k % n_cols


def _local_means(images):
    """Mean of the 3x3 neighbours of every pixel, the pixel itself excluded."""
    c = images.shape[1]
    ring = torch.ones(1, 1, 3, 3, dtype=images.dtype, device=images.device)
    ring[0, 0, 1, 1] = 0.0
    sums = F.conv2d(images, ring.expand(c, 1, 3, 3), padding=1, groups=c)
    ones = torch.ones_like(images[:1, :1])
    counts = F.conv2d(ones, ring, padding=1)  # fewer neighbours at the border
    return sums / counts


def mask_images(images, positions, replacement, generator):
    """``images`` ``(n, c, h, w)`` with the pixels at ``positions`` replaced.

    A new tensor; ``images`` is not changed. Every channel of a hidden pixel is
    replaced, so the noise may be correlated across channels.
    """
    n, c, h, w = images.shape
    flat = images.reshape(n, c, h * w)
    index = positions.unsqueeze(1).expand(n, c, positions.shape[1])
    if replacement == "neighbour":
        sources = _random_neighbours(positions, h, w, generator)
        values = flat.gather(2, sources.unsqueeze(1).expand_as(index))
    elif replacement == "local_mean":
        values = _local_means(images).reshape(n, c, h * w).gather(2, index)
    else:
        raise ValueError(
            f"Unknown blind-spot replacement {replacement!r}; choose one of "
            f"{list(REPLACEMENTS)}."
        )
    masked = flat.scatter(2, index, values)
    return masked.reshape(n, c, h, w)


def at_positions(images, positions):
    """The values of ``images`` ``(n, c, h, w)`` at ``positions``: ``(n, c, 1, m)``.

    Shaped as images one pixel high, so that any per-image loss (mean squared
    error, PSNR) applies to them unchanged.
    """
    n, c, h, w = images.shape
    index = positions.unsqueeze(1).expand(n, c, positions.shape[1])
    return images.reshape(n, c, h * w).gather(2, index).unsqueeze(2)


class MaskedTargets:
    """Training targets with the positions the loss is taken on."""

    def __init__(self, targets, positions):
        self.targets = targets
        self.positions = positions

    def select(self, predictions):
        """Predictions and targets at the hidden pixels, each ``(n, c, 1, m)``."""
        return (
            at_positions(predictions, self.positions),
            at_positions(self.targets, self.positions),
        )


class BlindSpotMasking:
    """Masks training batches: hidden inputs, loss on the hidden pixels only.

    Parameters
    ----------
    density : float in (0, 1)
        Fraction of the pixels of each image (or patch) hidden per batch.
    replacement : {"neighbour", "local_mean"}
        What a hidden pixel is replaced by (see the module).
    """

    def __init__(self, density, replacement="neighbour"):
        self.density = density
        self.replacement = replacement

    def mask(self, inputs, targets, generator):
        """The masked ``inputs`` and the :class:`MaskedTargets` of a batch."""
        n, _, h, w = inputs.shape
        positions = draw_positions(n, h, w, self.density, generator)
        masked = mask_images(inputs, positions, self.replacement, generator)
        return masked, MaskedTargets(targets, positions)
