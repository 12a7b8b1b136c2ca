"""Seeds for NumPy and PyTorch drawn from a scikit-learn ``random_state``.

``random_state=None`` takes fresh operating-system entropy instead of drawing from
NumPy's global generator, so no public function of skdae ever changes global RNG
state.
"""

import numpy as np
import torch
from sklearn.utils import check_random_state

_MAX_SEED = 2**63 - 1


def draw_seed(random_state):
    """Return a 63-bit integer seed from ``random_state``.

    ``None`` draws fresh entropy (a different seed on every call); an int always
    gives the same seed; a :class:`numpy.random.RandomState` is advanced by one
    draw, as in scikit-learn.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(2, np.uint64)[0] >> 1)
    rng = check_random_state(random_state)
    return int(rng.randint(0, 2**31 - 1)) << 32 | int(rng.randint(0, 2**31 - 1))


def child_seed(seed, *keys):
    """Derive an independent seed from ``seed`` and integer ``keys``."""
    state = np.random.SeedSequence([seed, *keys]).generate_state(2, np.uint64)
    return int(state[0] >> 1)


def torch_generator(seed, device="cpu"):
    """A :class:`torch.Generator` on ``device`` seeded with ``seed``."""
    generator = torch.Generator(device=device)
    generator.manual_seed(seed & _MAX_SEED)
    return generator
