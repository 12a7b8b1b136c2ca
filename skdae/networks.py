"""PyTorch networks used by :class:`~skdae.DenoisingAutoencoder`.

The reference network, :class:`ReferenceAutoencoder`, as a plain
:class:`torch.nn.Module`. It is defined in :mod:`skdae.architectures`, next to its
specification :class:`~skdae.architectures.Reference` (every network lives there
with its specification); this module is its public address.
"""

from .architectures._reference import ReferenceAutoencoder

__all__ = ["ReferenceAutoencoder"]
