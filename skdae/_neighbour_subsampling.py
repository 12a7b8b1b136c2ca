"""Neighbour sub-sampling: training a denoiser on pairs cut from one noisy image.

Neighbor2Neighbor (Huang et al., CVPR 2021) makes a Noise2Noise pair out of a
single noisy image: the image is cut into 2x2 cells, one pixel of every cell is
drawn for the first sub-image ``g1(y)`` and one of its two horizontal or
vertical neighbours inside the cell for the second, ``g2(y)``. The two
half-size images show nearly the same scene (neighbouring pixels) under
independent noise, so a network trained to map ``g1(y)`` to ``g2(y)`` learns
to denoise, with the loss taken on every pixel (blind-spot training takes it on
the few hidden pixels only, hence learns more slowly).

The neighbours are not exactly the same scene: their difference is a small
bias, which the paper's regulariser corrects. With ``f`` the network and
``f(y)`` its output on the whole noisy image (no gradient), the loss is::

    |f(g1(y)) - g2(y)|^2 + gamma |f(g1(y)) - g2(y) - (g1(f(y)) - g2(f(y)))|^2

The second term equals ``|f(g1(y)) - (g2(y) + g1(f(y)) - g2(f(y)))|^2``: the
training criterion against a corrected target, which is how it is computed
here, so any criterion (mean squared error, PSNR) applies unchanged.

Images of odd height or width lose their last row or column to the cells.
Images one pixel high (or wide), such as a table of features read as images of
one row, are cut into 1x2 (or 2x1) cells, the two pixels of a cell forming the
pair. scikit-image and PyTorch offer no such sub-sampler; it is a gather of 2x2 cells,
written here.
"""

import torch

#: Weight of the regulariser. The paper ramps it from 0 to 2 over training;
#: skdae trains in resumable epochs of unknown number (``partial_fit``), so it
#: uses the middle of that ramp throughout.
REGULARIZATION = 1.0

# The 4 pixels of a 2x2 cell, numbered row-major (0 1 / 2 3), and for each the
# two that share an edge with it inside the cell.
_EDGE_NEIGHBOURS = ((1, 2), (0, 3), (0, 3), (1, 2))


def cell_shape(height, width):
    """The cells images of this size are cut into: 2x2, or 1x2 / 2x1 for a line.

    Raises ValueError for single-pixel images, which hold no pair.
    """
    shape = (min(2, height), min(2, width))
    if shape == (1, 1):
        raise ValueError(
            f"Neighbour sub-sampling needs images of at least 2 pixels, got "
            f"{height}x{width} (1 feature(s) per channel): each training pair "
            "is cut from cells of 2x2 neighbouring pixels (1x2 for images of "
            "one row)."
        )
    return shape


def draw_cells(n_images, height, width, generator):
    """Positions ``(first, second)`` inside each cell, each ``(n, h//ch, w//cw)``.

    Positions are numbered row-major inside the cell (see :func:`cell_shape`).
    In a 2x2 cell ``first`` is uniform over the 4 pixels and ``second`` uniform
    over the 2 that share an edge with it; in a 1x2 or 2x1 cell ``second`` is
    the other pixel.
    """
    ch, cw = cell_shape(height, width)
    shape = (n_images, height // ch, width // cw)
    device = generator.device
    if ch * cw == 2:
        first = torch.randint(2, shape, generator=generator, device=device)
        return first, 1 - first
    first = torch.randint(4, shape, generator=generator, device=device)
    which = torch.randint(2, shape, generator=generator, device=device)
    table = torch.tensor(_EDGE_NEIGHBOURS, device=device)
    return first, table[first, which]


def subsample(images, cells):
    """The image ``(n, c, h//ch, w//cw)`` of the pixels ``cells`` picks.

    ``cells`` (from :func:`draw_cells` for images of this size) holds a
    position inside each cell; every channel gets the same pixel.
    """
    n, c, h, w = images.shape
    ch, cw = cell_shape(h, w)
    hh, ww = cells.shape[1:]
    blocks = images[:, :, : ch * hh, : cw * ww].reshape(n, c, hh, ch, ww, cw)
    blocks = blocks.permute(0, 1, 2, 4, 3, 5).reshape(n, c, hh, ww, ch * cw)
    index = cells.unsqueeze(1).expand(n, c, hh, ww).unsqueeze(-1)
    return blocks.gather(4, index).squeeze(-1)


class SubsampledTargets:
    """Training targets of a sub-sampled pair: ``g2(y)`` and its corrected copy."""

    def __init__(self, targets, corrected, regularization):
        self.targets = targets
        self.corrected = corrected
        self.regularization = regularization

    def loss(self, criterion, predictions):
        """``criterion`` against the target plus the weighted regulariser."""
        fit = criterion(predictions, self.targets)
        if self.regularization == 0:
            return fit
        return fit + self.regularization * criterion(predictions, self.corrected)


class NeighbourSubsampling:
    """Turns batches of noisy images into Neighbor2Neighbor training pairs.

    Parameters
    ----------
    regularization : float, default=REGULARIZATION
        Weight ``gamma`` of the regulariser (see the module).
    """

    def __init__(self, regularization=REGULARIZATION):
        self.regularization = regularization

    def pair(self, inputs, denoised, generator):
        """Sub-sampled inputs ``g1(y)`` and their :class:`SubsampledTargets`.

        ``denoised`` is the network's output on the whole ``inputs`` (computed
        without gradient) or None when the regulariser is off.
        """
        n, _, h, w = inputs.shape
        first, second = draw_cells(n, h, w, generator)
        sub_inputs = subsample(inputs, first)
        targets = subsample(inputs, second)
        corrected = targets
        if denoised is not None:
            corrected = (
                targets + subsample(denoised, first) - subsample(denoised, second)
            )
        return sub_inputs, SubsampledTargets(targets, corrected, self.regularization)
