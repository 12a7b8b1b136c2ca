"""The ``--device`` option shared by the commands: checked, then resolved."""

import re


def add_device_argument(parser):
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, ...")


def check_device(parser, device):
    """Refuse a malformed ``--device`` value (exit code 2) without importing torch."""
    if not re.fullmatch(r"auto|cpu|cuda(:\d+)?|mps", device):
        parser.error(
            f"argument --device: invalid device {device!r}; use auto, cpu, cuda or "
            "cuda:N"
        )


def resolve_device(parser, device):
    """The torch device string of ``--device``; exit code 2 when it is absent."""
    from .._devices import resolve_device

    try:
        return resolve_device(device)
    except ValueError:
        parser.error(
            f"argument --device: {device!r} needs CUDA, which is not available "
            "on this machine; use --device auto or cpu"
        )
