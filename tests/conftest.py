"""Shared fixtures: small synthetic images and the location of real MNIST."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

# The tests use tiny images, where torch's intra-op threads only fight over the
# two cores with the other pytest-xdist worker (seen: 250x slower steps).
torch.set_num_threads(1)

#: ../shared/data/mnist seen from the repository root (never copied into the repo)
MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
#: ../shared/data/natural: Train400, Set12, Kodak24 and LIVE1 as PNG files
NATURAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "natural"


def make_blob_images(n, height=12, width=12, seed=0):
    """``n`` smooth images (one or two Gaussian blobs) in [0, 1], flat float64."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    images = np.zeros((n, height, width))
    for image in images:
        for _ in range(rng.integers(1, 3)):
            cy, cx = rng.uniform(0, height), rng.uniform(0, width)
            s = rng.uniform(1.5, 3.0)
            image += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s**2))
    images /= images.max(axis=(1, 2), keepdims=True)
    return images.reshape(n, -1)


@pytest.fixture(scope="session")
def blobs():
    """200 training and 60 test images of 12x12 pixels, flat float64."""
    X = make_blob_images(260, seed=0)
    return X[:200], X[200:]


@pytest.fixture(scope="session")
def mnist_dir():
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"real MNIST not found at {MNIST_DIR}")
    return MNIST_DIR


@pytest.fixture(scope="session")
def natural_dir():
    if not (NATURAL_DIR / "set12").is_dir():
        pytest.skip(f"the natural images were not found at {NATURAL_DIR}")
    return NATURAL_DIR
