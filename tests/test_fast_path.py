"""The fast training path gives the results of skorch's standard path.

skdae slices batches from in-memory tensors (no DataLoader), corrupts them on the
device and, on the CPU, runs its own networks in the channels-last memory format.
A plain skorch ``NeuralNet`` fed the very same batches, in the same order, with the
same corruption and from the same initial weights, through a standard
``DataLoader``, must end the epoch with the same weights and outputs.
"""

import numpy as np
import pytest
import torch
from skorch import NeuralNet

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae._padding import PaddedNetwork
from skdae._random import child_seed, draw_seed, torch_generator
from skdae._training import _use_channels_last
from skdae.architectures import Reference

from ._helpers import make_blob_images

BATCH = 16
SIGMA = 0.4


@pytest.fixture(scope="module")
def images():
    # 100 images of 14x14: not a multiple of 4, so padding and cropping run too;
    # the last batch (100 = 6 * 16 + 4) is a short one
    return make_blob_images(100, height=14, width=14, seed=3).astype(np.float32)


def _fit_skdae(images, epochs=1):
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(SIGMA),
        max_epochs=epochs,
        batch_size=BATCH,
        device="cpu",
        random_state=0,
    )
    return dae.fit(images)


def _epoch_batches(images, seed, epoch=1):
    """Replay skdae's shuffling and corruption of epoch ``epoch`` (from 1)."""
    x = torch.from_numpy(images).reshape(-1, 1, 14, 14)
    order = torch.randperm(
        len(x), generator=torch_generator(child_seed(seed, epoch, 0))
    )
    noise = torch_generator(child_seed(seed, epoch, 1))
    noisy, clean = [], []
    for start in range(0, len(x), BATCH):
        xb = x[order[start : start + BATCH]]
        noisy.append(GaussianNoise(SIGMA).corrupt(xb, noise))
        clean.append(xb)
    return torch.cat(noisy), torch.cat(clean)


def _fit_standard_skorch(images, channels_last):
    """One epoch of a stock skorch NeuralNet over a standard DataLoader."""
    seed = draw_seed(0)
    noisy, clean = _epoch_batches(images, seed)
    net = NeuralNet(
        module=PaddedNetwork,
        module__architecture=Reference(),
        criterion=torch.nn.MSELoss,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        batch_size=BATCH,
        max_epochs=1,
        train_split=None,
        iterator_train__shuffle=False,  # the order is already skdae's
        device="cpu",
        verbose=0,
    )
    with torch.random.fork_rng(devices=[]):
        # skdae's weights: PyTorch's initialisation, drawing from a generator
        # seeded by the fit, gives what the global generator seeded alike gives
        torch.manual_seed(child_seed(seed, 3))
        net.initialize()
    if channels_last:
        net.module_.to(memory_format=torch.channels_last)
    net.partial_fit(torch.utils.data.TensorDataset(noisy, clean), y=None)
    return net


def _weights(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_skdae_networks_run_channels_last_on_cpu_only(images):
    dae = _fit_skdae(images)
    module = dae.net_.module_
    assert _use_channels_last(module, "cpu")
    assert not _use_channels_last(module, "cuda")
    weight = module.network.encoder[0].weight
    assert weight.is_contiguous(memory_format=torch.channels_last)


def test_fast_path_equals_standard_skorch_path(images):
    dae = _fit_skdae(images)
    reference = _fit_standard_skorch(images, channels_last=True)
    got, want = _weights(dae.net_.module_), _weights(reference.module_)
    assert got.keys() == want.keys()
    for key in want:
        # same operations on the same layouts (bitwise equal in practice)
        torch.testing.assert_close(got[key], want[key], rtol=1e-6, atol=1e-7)
    # the per-batch losses skorch recorded match too, batch by batch
    fast = [b["train_loss"] for b in dae.history_[-1]["batches"]]
    slow = [b["train_loss"] for b in reference.history[-1]["batches"]]
    np.testing.assert_allclose(fast, slow, rtol=1e-6)
    assert [b["train_batch_size"] for b in dae.history_[-1]["batches"]] == [
        16,
        16,
        16,
        16,
        16,
        16,
        4,
    ]
    assert dae.history_[-1]["train_loss"] == pytest.approx(
        reference.history[-1]["train_loss"], rel=1e-5
    )


def test_fast_path_matches_contiguous_layout(images):
    """Channels-last changes float rounding only, not what is learnt."""
    dae = _fit_skdae(images)
    reference = _fit_standard_skorch(images, channels_last=False)
    got, want = _weights(dae.net_.module_), _weights(reference.module_)
    for key in want:
        assert want[key].is_contiguous()
        torch.testing.assert_close(got[key], want[key], rtol=1e-4, atol=1e-5)
    ref_out = reference.forward(torch.from_numpy(images).reshape(-1, 1, 14, 14))
    out = dae.transform(images).reshape(-1, 1, 14, 14)
    np.testing.assert_allclose(out, ref_out.clamp(0, 1).numpy(), atol=1e-5)


def test_two_fits_are_identical(images):
    first, second = _fit_skdae(images, epochs=2), _fit_skdae(images, epochs=2)
    for key, value in _weights(first.net_.module_).items():
        assert torch.equal(value, _weights(second.net_.module_)[key]), key
    assert first.history_[:, "train_loss"] == second.history_[:, "train_loss"]
    np.testing.assert_array_equal(first.transform(images), second.transform(images))
    np.testing.assert_array_equal(first.encode(images), second.encode(images))
