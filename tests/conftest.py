"""Shared fixtures: small synthetic images, one fitted model, real MNIST."""

from pathlib import Path

import matplotlib
import pytest
import torch

from skdae import DenoisingAutoencoder, GaussianNoise

from ._helpers import make_blob_images

matplotlib.use("Agg")

# The tests use tiny images, where torch's intra-op threads only fight over the
# two cores with the other pytest-xdist worker (seen: 250x slower steps).
torch.set_num_threads(1)

#: ../shared/data/mnist seen from the repository root (never copied into the repo)
MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"
#: ../shared/data/natural: Train400, Set12, Kodak24 and LIVE1 as PNG files
NATURAL_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "natural"


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


@pytest.fixture(scope="session")
def fitted_dae(blobs):
    """A DenoisingAutoencoder fitted on the ``blobs`` training images (12x12).

    Trained with Gaussian noise (sigma 0.3) for 4 epochs, on the CPU. Shared by
    every module that needs some fitted model: tests must not change it (no
    fit, partial_fit or set_params); a test that needs its own configuration or
    changes the model fits one of its own.
    """
    X_train, _ = blobs
    return DenoisingAutoencoder(
        noise=GaussianNoise(0.3),
        max_epochs=4,
        batch_size=10,
        random_state=0,
        device="cpu",
    ).fit(X_train)
