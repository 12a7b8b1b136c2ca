"""Reproducibility: seeds across processes, fresh noise, untouched global RNGs.

* The same int ``random_state`` gives bit-identical results on the CPU, also in
  two separate Python processes.
* ``random_state=None`` gives new noise on every call, for every noise model.
* No public call changes the global NumPy, ``random`` or PyTorch generators,
  whatever ``random_state`` is.
* A :class:`numpy.random.RandomState` instance behaves as in scikit-learn: it
  advances with every use, and re-creating it with the same seed reproduces the
  whole sequence.
"""

import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.metrics import make_denoising_scorer

from ._helpers import make_blob_images, public_noise_models

ROOT = Path(__file__).resolve().parents[1]
FAST = dict(max_epochs=2, batch_size=8, device="cpu")  # bit-identity: a CPU promise


NOISE_MODELS = public_noise_models()
NOISE_IDS = sorted(NOISE_MODELS)


def noise_model(name, random_state):
    return clone(NOISE_MODELS[name]).set_params(random_state=random_state)


@pytest.fixture(scope="module")
def images():
    """16 images of 8x8 pixels in (0.2, 0.8): every noise model changes them."""
    return np.random.default_rng(0).uniform(0.2, 0.8, size=(16, 64))


# ------------------------------------------------------- across processes
_SCRIPT = textwrap.dedent(
    """
    import sys

    import numpy as np
    import torch

    from skdae import DenoisingAutoencoder, GaussianNoise

    torch.set_num_threads(1)  # speed only: two processes share the test cores
    X = np.random.default_rng(0).random((64, 64))  # 64 images of 8x8 pixels
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(0.3), max_epochs=2, random_state=0, device="cpu"
    )
    dae.fit(X)
    np.save(sys.argv[1], dae.transform(X))
    np.save(sys.argv[2], dae.net_.module_.network.encoder[0].weight.detach().numpy())
    """
)


def test_same_seed_bit_identical_across_processes(tmp_path):
    """Two fresh interpreters (different hash seeds), run side by side."""
    runs = []
    for tag, hash_seed in (("a", 1), ("b", 2)):
        out, weight = tmp_path / f"out_{tag}.npy", tmp_path / f"weight_{tag}.npy"
        env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
        process = subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, str(out), str(weight)], cwd=ROOT, env=env
        )
        runs.append((process, out, weight))
    for process, _, _ in runs:
        assert process.wait(timeout=300) == 0
    (out_a, weight_a), (out_b, weight_b) = (
        (np.load(out), np.load(weight)) for _, out, weight in runs
    )
    assert out_a.shape == (64, 64) and out_a.dtype == np.float64
    assert np.array_equal(weight_a, weight_b)
    assert np.array_equal(out_a, out_b)


# ----------------------------------------------------------- in a process
def test_same_seed_bit_identical_in_process():
    X = make_blob_images(24, 8, 8)
    a = DenoisingAutoencoder(noise=GaussianNoise(0.3), random_state=0, **FAST)
    b = DenoisingAutoencoder(noise=GaussianNoise(0.3), random_state=0, **FAST)
    assert np.array_equal(a.fit(X).transform(X), b.fit(X).transform(X))
    c = DenoisingAutoencoder(noise=GaussianNoise(0.3), random_state=1, **FAST)
    assert not np.array_equal(a.transform(X), c.fit(X).transform(X))


def test_noise_models_own_random_state_is_not_used_in_training():
    """Documented: the estimator's random_state alone drives the training noise."""
    X = make_blob_images(24, 8, 8)
    outs = [
        DenoisingAutoencoder(noise=GaussianNoise(0.3, random_state=rs), random_state=0)
        .set_params(**FAST)
        .fit(X)
        .transform(X)
        for rs in (None, 1, 2)
    ]
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[1], outs[2])


def test_partial_fit_follows_the_course_of_fit():
    """Two partial_fit calls train exactly as fit with max_epochs=2."""
    X = make_blob_images(24, 8, 8)
    noise = GaussianNoise(0.3)
    full = DenoisingAutoencoder(noise=noise, random_state=0, **FAST).fit(X)
    steps = DenoisingAutoencoder(noise=noise, random_state=0, **FAST)
    steps.partial_fit(X).partial_fit(X)
    assert np.array_equal(full.transform(X), steps.transform(X))


def test_random_state_none_trains_differently_each_fit():
    X = make_blob_images(24, 8, 8)
    a = DenoisingAutoencoder(noise=GaussianNoise(0.3), random_state=None, **FAST)
    b = DenoisingAutoencoder(noise=GaussianNoise(0.3), random_state=None, **FAST)
    assert not np.array_equal(a.fit(X).transform(X), b.fit(X).transform(X))


# ------------------------------------------------------------ noise models
def test_noise_models_discovered():
    assert {"GaussianNoise", "SaltPepperNoise"} <= set(NOISE_MODELS)


@pytest.mark.parametrize("name", NOISE_IDS)
def test_none_gives_fresh_noise_every_call(name, images):
    model = noise_model(name, None)
    outs = [model.transform(images), model.transform(images)]
    outs.append(model.fit_transform(images))
    outs.append(noise_model(name, None).transform(images))
    for out in outs:
        assert not np.array_equal(out, images), "no noise at all"
    for i in range(len(outs)):
        for j in range(i):
            assert not np.array_equal(outs[i], outs[j]), (i, j)


@pytest.mark.parametrize("name", NOISE_IDS)
def test_int_gives_the_same_noise_every_call(name, images):
    model = noise_model(name, 3)
    first = model.transform(images)
    assert not np.array_equal(first, images)
    assert np.array_equal(first, model.transform(images))
    assert np.array_equal(first, model.fit_transform(images))
    assert np.array_equal(first, noise_model(name, 3).transform(images))
    assert not np.array_equal(first, noise_model(name, 4).transform(images))


@pytest.mark.parametrize("name", NOISE_IDS)
def test_random_state_instance_semantics(name, images):
    """A RandomState advances on every call; re-created, it replays the sequence."""
    a = noise_model(name, np.random.RandomState(42))
    b = noise_model(name, np.random.RandomState(42))
    seq_a = [a.transform(images) for _ in range(3)]
    seq_b = [b.transform(images) for _ in range(3)]
    for x, y in zip(seq_a, seq_b, strict=True):
        assert np.array_equal(x, y)
    assert not np.array_equal(seq_a[0], seq_a[1])
    assert not np.array_equal(seq_a[1], seq_a[2])


def test_random_state_instance_semantics_autoencoder():
    X = make_blob_images(24, 8, 8)

    def fit(rs):
        dae = DenoisingAutoencoder(noise=GaussianNoise(0.3), random_state=rs, **FAST)
        return dae.fit(X).transform(X)

    assert np.array_equal(fit(np.random.RandomState(7)), fit(np.random.RandomState(7)))
    shared = np.random.RandomState(7)
    first, second = fit(shared), fit(shared)
    assert np.array_equal(first, fit(np.random.RandomState(7)))
    assert not np.array_equal(first, second)  # the instance advanced
    replay = np.random.RandomState(7)
    assert np.array_equal(first, fit(replay))
    assert np.array_equal(second, fit(replay))


# ------------------------------------------------------- global RNG state
def _global_states():
    return np.random.get_state(), random.getstate(), torch.get_rng_state()


def _assert_global_states_unchanged(before, what):
    np_before, py_before, torch_before = before
    np_after, py_after, torch_after = _global_states()
    assert np_after[0] == np_before[0] and np_after[2:] == np_before[2:], what
    assert np.array_equal(np_after[1], np_before[1]), f"{what}: NumPy global RNG"
    assert py_after == py_before, f"{what}: random module RNG"
    assert torch.equal(torch_after, torch_before), f"{what}: torch global RNG"


RANDOM_STATES = [0, None, "RandomState"]


def _rs(value):
    return np.random.RandomState(5) if value == "RandomState" else value


@pytest.mark.parametrize("random_state", RANDOM_STATES, ids=str)
@pytest.mark.parametrize(
    "config",
    [
        {"noise": "gaussian"},
        {"noise": None},
        {"noise": "gaussian", "validation_fraction": 0.25, "early_stopping": True},
        {"noise": "gaussian", "architecture": "residual"},
        {"noise": "gaussian", "architecture": "unet"},
    ],
    ids=["default", "no-noise", "validation", "residual", "unet"],
)
def test_autoencoder_leaves_global_rngs_alone(config, random_state):
    X = make_blob_images(24, 8, 8)
    params = {**config, "noise": GaussianNoise(0.3) if config["noise"] else None}
    # seed the global generators to something particular, then never reseed
    np.random.seed(123)
    random.seed(123)
    torch.manual_seed(123)
    dae = DenoisingAutoencoder(random_state=_rs(random_state), **FAST, **params)
    for what, fn in [
        ("fit", lambda: dae.fit(X)),
        ("transform", lambda: dae.transform(X)),
        ("partial_fit", lambda: dae.partial_fit(X)),
        ("score", lambda: dae.score(X, X)),
        ("fit_transform", lambda: dae.fit_transform(X)),
        ("scorer", lambda: make_denoising_scorer(noise=GaussianNoise())(dae, X)),
    ]:
        before = _global_states()
        fn()
        _assert_global_states_unchanged(before, what)
    if config.get("architecture") is None:  # the reference network has a code
        before = _global_states()
        dae.decode(dae.encode(X))
        _assert_global_states_unchanged(before, "encode/decode")


@pytest.mark.parametrize("random_state", RANDOM_STATES, ids=str)
@pytest.mark.parametrize("name", NOISE_IDS)
def test_noise_models_leave_global_rngs_alone(name, random_state, images):
    model = noise_model(name, _rs(random_state))
    np.random.seed(7)
    random.seed(7)
    torch.manual_seed(7)
    for what in ("transform", "fit", "fit_transform", "transform"):
        before = _global_states()
        getattr(model, what)(images)
        _assert_global_states_unchanged(before, f"{name}.{what}")
    before = _global_states()
    model.corrupt(torch.as_tensor(images), torch.Generator().manual_seed(0))
    _assert_global_states_unchanged(before, f"{name}.corrupt")
