"""Safe model files: save/load without pickle, refusal of code payloads."""

import os
import pickle

import numpy as np
import pytest
import torch

from skdae import DenoisingAutoencoder, GaussianNoise

from ._helpers import make_blob_images


@pytest.fixture(scope="module")
def X():
    return make_blob_images(64)


def test_round_trip(fitted_dae, X, tmp_path):
    path = fitted_dae.save(tmp_path / "model.skdae")
    loaded = DenoisingAutoencoder.load(path)
    np.testing.assert_array_equal(loaded.transform(X), fitted_dae.transform(X))
    assert loaded.get_params()["noise"].get_params() == fitted_dae.noise.get_params()
    assert (
        loaded.get_params(deep=False).keys() == fitted_dae.get_params(deep=False).keys()
    )
    assert loaded.history_[:, "train_loss"] == fitted_dae.history_[:, "train_loss"]
    assert loaded.image_shape_ == fitted_dae.image_shape_
    assert loaded.latent_shape_ == fitted_dae.latent_shape_


def test_resumed_training_matches_uninterrupted(X, tmp_path):
    params = dict(
        noise=GaussianNoise(sigma=(0.2)), batch_size=16, random_state=3, device="cpu"
    )
    a = DenoisingAutoencoder(max_epochs=1, **params).fit(X)
    a.save(tmp_path / "a.skdae")
    b = DenoisingAutoencoder.load(tmp_path / "a.skdae")
    a.partial_fit(X)
    b.partial_fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_tuple_and_feature_names_survive(tmp_path):
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame(make_blob_images(32), columns=[f"px{i}" for i in range(144)])
    model = DenoisingAutoencoder(image_shape=(12, 12), max_epochs=1, random_state=0)
    model.fit(X)
    loaded = DenoisingAutoencoder.load(model.save(tmp_path / "m.skdae"))
    assert loaded.image_shape == (12, 12)
    assert list(loaded.feature_names_in_) == list(X.columns)


class _Payload:
    """Runs code when unpickled (what a malicious 'model' file would do)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (self.marker,))


def test_malicious_payload_is_refused(tmp_path):
    marker = str(tmp_path / "pwned")
    evil = tmp_path / "evil.skdae"
    torch.save({"format": "skdae.DenoisingAutoencoder", "x": _Payload(marker)}, evil)
    with pytest.raises(ValueError, match="not a safe skdae model file"):
        DenoisingAutoencoder.load(evil)
    assert not os.path.exists(marker)
    # a plain pickle of a (possibly tampered) estimator is refused too
    pickled = tmp_path / "model.pkl"
    pickled.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(ValueError, match="not a safe skdae model file"):
        DenoisingAutoencoder.load(pickled)
    assert not os.path.exists(marker)


def test_not_a_model_file(tmp_path):
    other = tmp_path / "weights.pt"
    torch.save({"a": torch.zeros(2)}, other)
    with pytest.raises(ValueError, match="not a skdae model file"):
        DenoisingAutoencoder.load(other)
    junk = tmp_path / "junk.skdae"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(ValueError, match="not a skdae model file"):
        DenoisingAutoencoder.load(junk)


def test_cuda_trained_model_loads_on_cpu(fitted_dae, X, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("needs a machine without CUDA")
    path = fitted_dae.save(tmp_path / "m.skdae")
    payload = torch.load(path, weights_only=True)
    payload["fitted"]["device_"] = "cuda"  # as written on a GPU machine
    payload["params"]["device"] = "cuda"
    torch.save(payload, path)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded = DenoisingAutoencoder.load(path)
    assert loaded.device_ == "cpu"
    np.testing.assert_array_equal(loaded.transform(X), fitted_dae.transform(X))


def test_unsavable_parts(X, tmp_path):
    from skdae.noise import BaseNoise

    class MyNoise(BaseNoise):
        _parameter_constraints = {}

        def corrupt(self, x, generator):
            return x

    model = DenoisingAutoencoder(noise=MyNoise(), max_epochs=1, random_state=0).fit(X)
    with pytest.raises(ValueError, match="only skdae.s own noise models"):
        model.save(tmp_path / "m.skdae")
    with pytest.raises(Exception, match="fitted"):
        DenoisingAutoencoder().save(tmp_path / "m.skdae")


def test_partial_fits_follow_the_same_course_as_one_fit(X):
    params = dict(noise=GaussianNoise(0.3), batch_size=16, random_state=0, device="cpu")
    whole = DenoisingAutoencoder(max_epochs=3, **params).fit(X)
    steps = DenoisingAutoencoder(**params)
    for _ in range(3):
        steps.partial_fit(X)
    np.testing.assert_array_equal(steps.transform(X), whole.transform(X))


_CRASHING_FIT = """
import os, sys
import numpy as np
import torch
torch.set_num_threads(1)  # as the test process (conftest): same float rounding
from skorch.callbacks import Callback
from skdae import DenoisingAutoencoder, GaussianNoise

class Crash(Callback):
    def on_batch_end(self, net, training=False, **kwargs):
        if len(net.history) == 3:   # power cut in the middle of epoch 3
            os._exit(17)

X = np.load(sys.argv[1])
DenoisingAutoencoder(
    noise=GaussianNoise(0.3), batch_size=16, max_epochs=5, random_state=0,
    device="cpu", checkpoint_path=sys.argv[2], callbacks=[Crash()],
).fit(X)
"""


def test_checkpoint_survives_a_crash_and_resumes_exactly(X, tmp_path):
    import subprocess
    import sys

    np.save(tmp_path / "X.npy", X)
    ckpt = tmp_path / "ckpt.skdae"
    proc = subprocess.run(
        [sys.executable, "-c", _CRASHING_FIT, str(tmp_path / "X.npy"), str(ckpt)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 17, proc.stderr
    resumed = DenoisingAutoencoder.load(ckpt)
    assert resumed.n_iter_ == 2
    assert not list(tmp_path.glob("*.tmp"))
    resumed.set_params(warm_start=True, max_epochs=3, checkpoint_path=None).fit(X)
    whole = DenoisingAutoencoder(
        noise=GaussianNoise(0.3),
        batch_size=16,
        max_epochs=5,
        random_state=0,
        device="cpu",
    ).fit(X)
    assert resumed.n_iter_ == 5
    np.testing.assert_array_equal(resumed.transform(X), whole.transform(X))


# ------------------------------------------------------ compact model files
def test_float16_file_is_half_the_size_and_denoises_alike(tmp_path):
    from skdae.architectures import Residual

    X = make_blob_images(64, 16, 16)
    noisy = GaussianNoise(0.2, random_state=1).fit_transform(X)
    model = DenoisingAutoencoder(
        architecture=Residual(depth=4, channels=32),
        noise=GaussianNoise(0.2),
        max_epochs=2,
        batch_size=16,
        random_state=0,
        device="cpu",
    ).fit(X)
    full = model.save(tmp_path / "full.skdae", include_optimizer=False)
    half = model.save(
        tmp_path / "half.skdae", weights_dtype="float16", include_optimizer=False
    )
    ratio = os.path.getsize(half) / os.path.getsize(full)
    assert 0.45 < ratio < 0.6, ratio
    loaded = DenoisingAutoencoder.load(half)
    assert all(p.dtype == torch.float32 for p in loaded.net_.module_.parameters())
    for a, b in zip(model.net_.module_.parameters(), loaded.net_.module_.parameters()):
        torch.testing.assert_close(b, a.half().float(), rtol=0, atol=0)
    assert abs(loaded.score(noisy, X) - model.score(noisy, X)) < 0.01
    # the optimizer state stays float32 when it is stored
    with_adam = model.save(tmp_path / "adam.skdae", weights_dtype="float16")
    resumed = DenoisingAutoencoder.load(with_adam)
    state = resumed.net_.optimizer_.state_dict()["state"]
    assert state and all(s["exp_avg_sq"].dtype == torch.float32 for s in state.values())


def test_file_without_optimizer_state_trains_on(fitted_dae, X, tmp_path):
    path = fitted_dae.save(tmp_path / "m.skdae", include_optimizer=False)
    loaded = DenoisingAutoencoder.load(path)
    assert loaded.net_.optimizer_.state_dict()["state"] == {}
    np.testing.assert_array_equal(loaded.transform(X), fitted_dae.transform(X))
    before = [p.detach().clone() for p in loaded.net_.module_.parameters()]
    loaded.partial_fit(X)
    assert loaded.n_iter_ == fitted_dae.n_iter_ + 1
    assert loaded.net_.optimizer_.state_dict()["state"]
    after = list(loaded.net_.module_.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after))


@pytest.mark.parametrize("dtype", ["float64", "half", torch.float16, None])
def test_unknown_weights_dtype_is_refused_before_writing(fitted_dae, tmp_path, dtype):
    with pytest.raises(ValueError, match=r"weights_dtype must be one of \['float16'"):
        fitted_dae.save(tmp_path / "m.skdae", weights_dtype=dtype)
    assert not list(tmp_path.iterdir())


def test_weight_beyond_float16_is_refused(X, tmp_path):
    model = DenoisingAutoencoder(max_epochs=1, random_state=0, device="cpu").fit(X)
    with torch.no_grad():
        next(model.net_.module_.parameters())[0] = 1e6
    with pytest.raises(ValueError, match="beyond torch.float16's range"):
        model.save(tmp_path / "m.skdae", weights_dtype="float16")
    assert not list(tmp_path.iterdir())
    model.save(tmp_path / "m.skdae")  # float32 holds it


def test_include_optimizer_must_be_a_bool(fitted_dae, tmp_path):
    with pytest.raises(TypeError, match="include_optimizer must be True or False"):
        fitted_dae.save(tmp_path / "m.skdae", include_optimizer="no")


def test_float16_file_keeps_the_early_stopping_weights(X, tmp_path):
    model = DenoisingAutoencoder(
        noise=GaussianNoise(0.2),
        validation_fraction=0.25,
        early_stopping=True,
        max_epochs=2,
        batch_size=16,
        random_state=0,
        device="cpu",
    ).fit(X)
    best = model.net_.guard.state_dict()["best_weights"]
    assert best is not None
    path = model.save(tmp_path / "m.skdae", weights_dtype="float16")
    stored = torch.load(path, weights_only=True)["training_state"]["best_weights"]
    assert {t.dtype for t in stored.values() if t.is_floating_point()} == {
        torch.float16
    }
    loaded = DenoisingAutoencoder.load(path)
    for name, tensor in loaded.net_.guard.state_dict()["best_weights"].items():
        want = best[name].cpu()
        if want.is_floating_point():
            want = want.half().float()
        torch.testing.assert_close(tensor.cpu(), want, rtol=0, atol=0)
    loaded.partial_fit(X)  # trains on, early stopping included
