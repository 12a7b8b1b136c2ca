"""Training losses of :class:`~skdae.DenoisingAutoencoder`.

``DenoisingAutoencoder(loss=...)`` picks one by name: ``"mse"`` (the reference
recipe, :class:`torch.nn.MSELoss`) or ``"psnr"`` (:class:`PSNRLoss`). The
classes are plain :class:`torch.nn.Module` losses, usable in any PyTorch loop.
"""

import torch
from torch import nn

__all__ = ["PSNRLoss", "resolve_loss"]


class PSNRLoss(nn.Module):
    """Minus the mean per-image PSNR, in dB: ``mean_i 10 * log10(mse_i)``.

    Minimising it maximises the mean PSNR that :func:`skdae.metrics.psnr` and
    :meth:`~skdae.DenoisingAutoencoder.score` report (images in [0, 1], peak 1;
    ``score`` also clips the output to [0, 1]).
    Its gradient for image ``i`` is the gradient of ``mse_i`` divided by
    ``mse_i``, so every image weighs the same whatever its error: a lightly
    corrupted image counts as much as a heavily corrupted one. With a plain MSE a
    model trained over a range of noise levels (blind denoising) learns mostly
    from the heavily corrupted images, whose errors dominate the mean, and
    neglects the light noise.

    The error is computed in float32 (or float64 for float64 input), also under
    mixed precision. Close to an exact reconstruction the gradient grows like
    one over the error: adaptive optimizers such as Adam (the default) take
    this in their stride, plain SGD may need a smaller learning rate.

    Parameters
    ----------
    eps : float, default=1e-10
        Added to each image's MSE before the logarithm, so an image reproduced
        exactly gives a finite loss (-100 dB) instead of ``-inf``.

    See Also
    --------
    skdae.metrics.psnr : The metric this loss optimises.
    torch.nn.MSELoss : The reference recipe's loss.

    Examples
    --------
    >>> import torch
    >>> from skdae.losses import PSNRLoss
    >>> target = torch.zeros(2, 1, 4, 4)
    >>> pred = target + torch.tensor([0.1, 0.01]).view(2, 1, 1, 1)
    >>> round(PSNRLoss()(pred, target).item(), 4)  # PSNRs of 20 dB and 40 dB
    -30.0
    """

    def __init__(self, eps=1e-10):
        super().__init__()
        self.eps = eps

    def forward(self, input, target):
        """Minus the mean PSNR of ``input`` against ``target`` (batch first)."""
        if input.shape != target.shape:
            raise ValueError(
                f"PSNRLoss needs input and target of the same shape, got "
                f"{tuple(input.shape)} and {tuple(target.shape)}."
            )
        dtype = torch.promote_types(input.dtype, torch.float32)
        diff = input.to(dtype) - target.to(dtype)
        per_image = diff.square().flatten(1).mean(dim=1)
        return 10.0 * torch.log10(per_image + self.eps).mean()


#: The loss classes by ``loss`` name, the one list of the names there are.
LOSSES = {"mse": nn.MSELoss, "psnr": PSNRLoss}


def resolve_loss(name):
    """The loss class of a ``loss`` name: ``"mse"`` or ``"psnr"``.

    Parameters
    ----------
    name : {"mse", "psnr"}
        Name of the loss.

    Returns
    -------
    loss_class : type
        A :class:`torch.nn.Module` subclass, instantiated by skorch.

    Examples
    --------
    >>> from skdae.losses import resolve_loss
    >>> resolve_loss("psnr").__name__
    'PSNRLoss'
    """
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown loss {name!r}; choose one of {sorted(LOSSES)}."
        ) from None
