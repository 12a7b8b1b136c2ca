"""Resolution of the ``device`` parameter."""

import torch


def resolve_device(device):
    """Return the torch device string for ``device`` ("auto", "cpu", "cuda:1", ...).

    ``"auto"`` picks CUDA when available and the CPU otherwise. Raises a ValueError
    for an invalid string or for a CUDA device on a machine without CUDA.
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a valid torch device; use 'auto', 'cpu', "
            "'cuda' or 'cuda:N'."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine (torch was built without CUDA or no GPU is visible). Use "
            "device='auto' to fall back to the CPU."
        )
    return str(dev)
