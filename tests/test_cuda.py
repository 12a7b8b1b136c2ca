"""Training on a GPU: CUDA-graph replay of the training step, and GPU models on CPUs.

All but the first test need CUDA and are marked ``gpu``; they skip elsewhere.
"""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback, GradientNormClipping, LRScheduler

import skdae
from skdae import DenoisingAutoencoder, GaussianNoise, SaltPepperNoise
from skdae.metrics import psnr

from ._helpers import make_blob_images

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(scope="module")
def X():
    # 14x14 (padded to 16 inside), 100 images: 6 full batches of 16 and a short one
    return make_blob_images(100, height=14, width=14, seed=4).astype(np.float32)


def _fit(X, *, graphs=True, epochs=2, **params):
    params = {
        "noise": GaussianNoise(0.3),
        "batch_size": 16,
        "max_epochs": epochs,
        "random_state": 0,
        "device": "cuda",
        **params,
    }
    with skdae.config_context(cuda_graphs=graphs):
        return DenoisingAutoencoder(**params).fit(X)


class GraphProbe(Callback):
    """Records, at each epoch end, whether the net replays a captured graph."""

    def __init__(self):
        self.seen = []

    def on_epoch_end(self, net, **kwargs):
        graphed = net.__dict__.get("_graphed_step")
        self.seen.append(None if graphed is None else graphed.captures)


def test_gpu_trained_optimizer_state_trains_on_the_cpu():
    """A capturable (GPU-style) Adam state is turned back for CPU training."""
    X = make_blob_images(40, 8, 8)
    dae = DenoisingAutoencoder(max_epochs=1, batch_size=8, device="cpu", random_state=0)
    dae.fit(X)
    for group in dae.net_.optimizer_.param_groups:
        group["capturable"] = True  # as it comes from a GPU (pickle or model file)
    dae.partial_fit(X)
    assert dae.n_iter_ == 2
    assert not any(g["capturable"] for g in dae.net_.optimizer_.param_groups)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("architecture", ["reference", "residual", "unet"])
def test_graph_replay_matches_eager_training(X, architecture):
    probe = GraphProbe()
    graphed = _fit(X, architecture=architecture, callbacks=[probe])
    eager = _fit(X, architecture=architecture, graphs=False)
    # the clone of the probe made at fit time is in the net's callbacks
    seen = dict(graphed.net_.callbacks_)["GraphProbe"].seen
    assert seen == [1, 1], seen  # captured once, in the first epoch, kept
    np.testing.assert_allclose(
        graphed.history_[:, "train_loss"], eager.history_[:, "train_loss"], rtol=2e-3
    )
    np.testing.assert_allclose(graphed.transform(X), eager.transform(X), atol=2e-3)


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("architecture", ["reference", "residual", "unet"])
def test_graph_replay_training_denoises(X, architecture):
    """Trained under graphs, the model beats its noisy input by 2 dB.

    The baseline is the noisy input itself (12.9 dB here; an all-zero output
    scores 10.5 dB). Eager training on the CPU with these settings beats it by
    4.7 (reference), 10 (residual) and 7 dB (U-Net) after 8 epochs.
    """
    noisy = GaussianNoise(0.3, random_state=1).transform(X)
    dae = _fit(X, architecture=architecture, epochs=8)
    assert dae.score(noisy, X) > psnr(X, noisy) + 2.0


@pytest.mark.gpu
@needs_cuda
def test_learning_rate_schedule_is_followed_under_graphs(X):
    def fit(graphs):
        scheduler = LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.1)
        return _fit(X, graphs=graphs, epochs=3, lr=1e-2, callbacks=[scheduler])

    graphed, eager = fit(True), fit(False)
    np.testing.assert_allclose(
        graphed.history_[:, "train_loss"], eager.history_[:, "train_loss"], rtol=2e-3
    )
    np.testing.assert_allclose(graphed.transform(X), eager.transform(X), atol=2e-3)


@pytest.mark.gpu
@needs_cuda
def test_gradient_callbacks_train_eagerly(X):
    probe = GraphProbe()
    clip = GradientNormClipping(gradient_clip_value=1e-3)
    dae = _fit(X, callbacks=[probe, clip])
    assert dict(dae.net_.callbacks_)["GraphProbe"].seen == [None, None]
    assert np.isfinite(dae.history_[:, "train_loss"]).all()


@pytest.mark.gpu
@needs_cuda
def test_graphs_with_impulse_noise_and_partial_fit(X):
    dae = _fit(X, noise=SaltPepperNoise(0.2), epochs=1)
    first = dae.history_[-1, "train_loss"]
    for _ in range(3):
        dae.partial_fit(X)  # a new graph each call, same weights and optimizer
    assert dae.n_iter_ == 4
    assert dae.history_[-1, "train_loss"] < first


@pytest.mark.gpu
@needs_cuda
def test_same_seed_gives_close_results_on_cuda(X):
    a, b = _fit(X), _fit(X)
    np.testing.assert_allclose(a.transform(X), b.transform(X), atol=1e-4)


_LOAD_ON_CPU = """
import pickle, sys
import numpy as np
import torch
from skdae import DenoisingAutoencoder
assert not torch.cuda.is_available()
X = np.load(sys.argv[1])
expected = np.load(sys.argv[2])
for model in (DenoisingAutoencoder.load(sys.argv[3]),
              pickle.load(open(sys.argv[4], "rb"))):
    assert model.device_ == "cpu", model.device_
    np.testing.assert_allclose(model.transform(X), expected, atol=1e-3)
    model.partial_fit(X)              # training continues on the CPU
    assert model.n_iter_ == 3
print("ok")
"""


@pytest.mark.gpu
@needs_cuda
def test_gpu_model_loads_and_trains_on_a_cpu_only_machine(X, tmp_path):
    import pickle

    dae = _fit(X)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "expected.npy", dae.transform(X))
    dae.save(tmp_path / "model.skdae")
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(dae))
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _LOAD_ON_CPU,
            *(str(tmp_path / f) for f in ("X.npy", "expected.npy", "model.skdae")),
            str(tmp_path / "model.pkl"),
        ],
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("ok")
