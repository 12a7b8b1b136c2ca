"""Behaviour of DenoisingAutoencoder: training, layouts, errors, state."""

import os
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae.metrics import psnr
from skdae.noise import BaseNoise

from ._helpers import make_blob_images

# CPU: bit-identical results for the same seed are a CPU promise (cuDNN may
# pick non-deterministic kernels); CUDA has its own tests, marked gpu
FAST = dict(max_epochs=2, batch_size=16, random_state=0, device="cpu")


# --------------------------------------------------------------- learning
def test_training_loss_drops(fitted_dae):
    losses = fitted_dae.history_[:, "train_loss"]
    assert len(losses) == 4 == fitted_dae.n_iter_
    assert losses[-1] < 0.7 * losses[0]


def test_denoising_beats_noisy_input(fitted_dae, blobs):
    _, X_test = blobs
    noisy = GaussianNoise(0.3, random_state=1).transform(X_test)
    assert fitted_dae.score(noisy, X_test) > psnr(X_test, noisy) + 3.0


def test_score_is_mean_psnr_of_transform(fitted_dae, blobs):
    _, X_test = blobs
    noisy = GaussianNoise(0.3, random_state=1).transform(X_test)
    assert fitted_dae.score(noisy, X_test) == pytest.approx(
        psnr(X_test, fitted_dae.transform(noisy))
    )
    # y=None and 1-D labels both mean "compare with X"
    assert fitted_dae.score(X_test) == pytest.approx(
        psnr(X_test, fitted_dae.transform(X_test))
    )
    labels = np.zeros(len(X_test))
    assert fitted_dae.score(X_test, labels) == fitted_dae.score(X_test)


def test_fit_with_explicit_targets(blobs):
    X_train, X_test = blobs
    noisy = GaussianNoise(0.3, random_state=0).transform(X_train)
    dae = DenoisingAutoencoder(max_epochs=3, batch_size=10, random_state=0)
    dae.fit(noisy, X_train)
    noisy_test = GaussianNoise(0.3, random_state=1).transform(X_test)
    assert dae.score(noisy_test, X_test) > psnr(X_test, noisy_test) + 2.0


# ----------------------------------------------------------- shapes, dtypes
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("layout", ["flat", "3d", "4d"])
def test_layout_and_dtype_preserved(fitted_dae, blobs, dtype, layout):
    X = blobs[1].astype(dtype)
    shaped = {"flat": X, "3d": X.reshape(-1, 12, 12), "4d": X.reshape(-1, 1, 12, 12)}
    Xin = shaped[layout]
    out = fitted_dae.transform(Xin)
    assert out.shape == Xin.shape and out.dtype == dtype
    assert np.all((out >= 0) & (out <= 1))
    np.testing.assert_allclose(
        out.reshape(len(X), -1), fitted_dae.transform(blobs[1]), atol=1e-6
    )


def test_integer_input_gives_float64(fitted_dae):
    X = (make_blob_images(5) > 0.5).astype(np.int64)
    assert fitted_dae.transform(X).dtype == np.float64


def test_input_never_modified(fitted_dae, blobs):
    X = blobs[1].copy()
    X_ro = X.copy()
    X_ro.setflags(write=False)
    fitted_dae.transform(X_ro)
    fitted_dae.score(X_ro, X_ro)
    DenoisingAutoencoder(noise=GaussianNoise(0.5), max_epochs=1, random_state=0).fit(
        X_ro
    )
    np.testing.assert_array_equal(X_ro, X)
    X32 = X.astype(np.float32)  # float32 needs no conversion: still untouched
    before = X32.copy()
    DenoisingAutoencoder(noise=GaussianNoise(0.5), max_epochs=1, random_state=0).fit(
        X32
    )
    np.testing.assert_array_equal(X32, before)


@pytest.mark.parametrize("shape", [(28, 28), (32, 32), (17, 23), (5, 3), (1, 1)])
def test_any_image_size(shape):
    h, w = shape
    X = np.random.default_rng(0).random((12, h, w))
    dae = DenoisingAutoencoder(**FAST).fit(X)
    assert dae.transform(X).shape == X.shape
    assert dae.image_shape_ == shape
    flat = DenoisingAutoencoder(image_shape=shape, **FAST).fit(X.reshape(12, -1))
    assert flat.transform(X.reshape(12, -1)).shape == (12, h * w)
    np.testing.assert_allclose(
        flat.transform(X.reshape(12, -1)), dae.transform(X).reshape(12, -1)
    )


def test_tabular_data_as_row_images():
    X = np.random.default_rng(0).random((30, 7))
    dae = DenoisingAutoencoder(image_shape=(1, -1), **FAST).fit(X)
    assert dae.image_shape_ == (1, 7)
    assert dae.transform(X).shape == (30, 7)


def test_encode_decode(fitted_dae, blobs):
    X = blobs[1]
    codes = fitted_dae.encode(X)
    assert fitted_dae.latent_shape_ == (64, 3, 3)
    assert codes.shape == (len(X), 64 * 3 * 3)
    np.testing.assert_allclose(
        fitted_dae.decode(codes), fitted_dae.transform(X), atol=1e-6
    )
    with pytest.raises(ValueError, match="latent code"):
        fitted_dae.decode(codes[:, :10])


# -------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((4, 16), np.nan), "NaN"),
        (np.full((4, 16), np.inf), "infinity"),
        (np.zeros(16), "Expected 2D array"),
        (np.zeros((2, 1, 1, 4, 4)), "dimensions"),
        (np.zeros((4, 15)), "not a perfect square"),
        (np.zeros((4, 5, 5, 2)), "which axis of X"),
        (np.zeros((0, 16)), "0 sample"),
    ],
)
def test_bad_input_raises_clear_error(X, match):
    with pytest.raises(ValueError, match=match):
        DenoisingAutoencoder(**FAST).fit(X)


def test_wrong_size_at_transform(fitted_dae):
    with pytest.raises(ValueError, match="144 features"):
        fitted_dae.transform(np.zeros((3, 100)))
    # a fully convolutional network denoises images of any size
    assert fitted_dae.transform(np.zeros((3, 10, 10))).shape == (3, 10, 10)


def test_targets_must_match(blobs):
    X = blobs[0][:20]
    with pytest.raises(ValueError, match="different numbers of images"):
        DenoisingAutoencoder(**FAST).fit(X, X[:10])
    with pytest.raises(ValueError, match="12x12"):
        DenoisingAutoencoder(**FAST).fit(X, np.zeros((20, 10, 10)))


def test_unfitted_raises():
    for method in ("transform", "encode", "score"):
        with pytest.raises(NotFittedError):
            getattr(DenoisingAutoencoder(), method)(np.zeros((2, 16)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_epochs": 0}, "max_epochs"),
        ({"lr": -1.0}, "lr"),
        ({"image_shape": (3, 3, 3)}, "image_shape"),
        ({"device": "banana"}, "not a valid torch device"),
        ({"early_stopping": True}, "validation_fraction"),
        ({"noise": GaussianNoise(sigma=-1.0)}, "sigma"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        DenoisingAutoencoder(**{**FAST, **params}).fit(np.zeros((10, 16)))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_requested_without_cuda():
    with pytest.raises(ValueError, match="CUDA is not available"):
        DenoisingAutoencoder(**{**FAST, "device": "cuda"}).fit(np.zeros((10, 16)))


def test_out_of_range_targets_warn():
    X = np.random.default_rng(0).integers(0, 256, (10, 16)).astype(float)
    with pytest.warns(UserWarning, match="divided by 255"):
        DenoisingAutoencoder(**FAST).fit(X)


# --------------------------------------------------------- reproducibility
def test_same_seed_same_model_and_no_global_rng_change(blobs):
    X = blobs[0][:60]
    torch_state = torch.get_rng_state()
    np_state = np.random.get_state()[1].copy()
    a = DenoisingAutoencoder(noise=GaussianNoise(0.3), **FAST).fit(X).transform(X)
    b = DenoisingAutoencoder(noise=GaussianNoise(0.3), **FAST).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), torch_state)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    c = DenoisingAutoencoder(noise=GaussianNoise(0.3), **{**FAST, "random_state": 1})
    assert not np.array_equal(a, c.fit(X).transform(X))


class _RecordingNoise(BaseNoise):
    """Gaussian noise that records the first noise field of each call."""

    _parameter_constraints = {}

    def __init__(self, log=None):
        self.log = log

    def corrupt(self, x, generator):
        noise = torch.randn(
            x.shape, generator=generator, dtype=x.dtype, device=x.device
        )
        self.log.append(noise[:1].clone())
        return (x + 0.2 * noise).clamp(0, 1)


def test_training_noise_is_fresh_each_epoch():
    X = make_blob_images(16)
    log = []
    # batch_size=16: one training batch per epoch, then one validation batch
    dae = DenoisingAutoencoder(
        noise=_RecordingNoise(log),
        validation_fraction=0.25,
        batch_size=16,
        max_epochs=3,
        random_state=0,
    )
    dae.fit(X)
    train, valid = log[0::2], log[1::2]
    assert len(train) == len(valid) == 3
    assert not torch.equal(train[0], train[1]) and not torch.equal(train[1], train[2])
    assert torch.equal(valid[0], valid[1]) and torch.equal(valid[1], valid[2])


# ------------------------------------------------------- skorch integration
class _CountEpochs(Callback):
    def initialize(self):
        self.epochs = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


def test_callbacks_history_and_copying():
    X = make_blob_images(40)
    counter = _CountEpochs()
    dae = DenoisingAutoencoder(callbacks=[("count", counter)], **FAST).fit(X)
    assert dict(dae.net_.callbacks_)["count"].epochs == 2
    assert not hasattr(counter, "epochs")  # the user's object is not touched
    assert list(dae.history_[:, "epoch"]) == [1, 2]


def test_verbose_output(capsys):
    X = make_blob_images(40)
    DenoisingAutoencoder(**FAST).fit(X)
    assert capsys.readouterr().out == ""
    DenoisingAutoencoder(verbose=1, **FAST).fit(X)
    out = capsys.readouterr().out
    assert "train_loss" in out and "epoch" in out
    DenoisingAutoencoder(verbose=2, **FAST).fit(X)
    captured = capsys.readouterr()
    assert "/3 [" in captured.err  # tqdm bar over the 3 batches of an epoch


def test_validation_and_early_stopping():
    X = make_blob_images(60)
    dae = DenoisingAutoencoder(validation_fraction=0.2, **FAST).fit(X)
    assert all("valid_loss" in row for row in dae.history_)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stopper = DenoisingAutoencoder(
            validation_fraction=0.2,
            early_stopping=True,
            n_iter_no_change=1,
            tol=0.9,
            max_epochs=10,
            batch_size=16,
            random_state=0,
        ).fit(X)
    # every epoch must improve the validation loss by 90%: stops after 2 epochs
    assert stopper.n_iter_ == 2
    # skorch stops by raising KeyboardInterrupt: that is not an interruption
    assert not [w for w in caught if "interrupted" in str(w.message)]


def test_warm_start_and_partial_fit():
    X = make_blob_images(40)
    dae = DenoisingAutoencoder(warm_start=True, **FAST).fit(X)
    first = dae.net_.module_.network.encoder[0].weight.detach().clone()
    dae.fit(X)
    assert dae.n_iter_ == 4
    assert not torch.equal(first, dae.net_.module_.network.encoder[0].weight)
    cold = DenoisingAutoencoder(**FAST).fit(X).fit(X)
    assert cold.n_iter_ == 2
    pf = DenoisingAutoencoder(**FAST)
    for expected in (1, 2, 3):
        pf.partial_fit(X)
        assert pf.n_iter_ == expected
    with pytest.raises(ValueError, match="12x12 images were expected"):
        pf.partial_fit(np.zeros((4, 8, 8)))


# ---------------------------------------------------------------- state
def test_clone_get_set_params():
    dae = DenoisingAutoencoder(noise=GaussianNoise(0.3), max_epochs=3)
    params = dae.get_params(deep=True)
    assert params["noise__sigma"] == 0.3 and params["max_epochs"] == 3
    dae.set_params(noise__sigma=0.1, batch_size=7)
    assert dae.noise.sigma == 0.1 and dae.batch_size == 7
    twin = clone(dae)
    assert twin.noise is not dae.noise and twin.get_params()["noise__sigma"] == 0.1


def test_pickle_round_trip(fitted_dae, blobs):
    restored = pickle.loads(pickle.dumps(fitted_dae))
    np.testing.assert_array_equal(
        restored.transform(blobs[1]), fitted_dae.transform(blobs[1])
    )
    assert restored.history_[:, "train_loss"] == fitted_dae.history_[:, "train_loss"]
    assert restored.device_ == "cpu"


def test_model_saved_for_cuda_loads_on_cpu(blobs):
    """A net pickled with device 'cuda' falls back to the CPU on unpickling."""
    if torch.cuda.is_available():
        pytest.skip("the fallback only happens on a machine without CUDA")
    dae = DenoisingAutoencoder(**FAST).fit(blobs[0][:40])
    expected = dae.transform(blobs[1])
    dae.net_.device = "cuda"
    dae.device_ = "cuda"
    payload = pickle.dumps(dae)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        restored = pickle.loads(payload)
    assert any("CUDA" in str(w.message) for w in caught)
    assert restored.device_ == "cpu"
    np.testing.assert_array_equal(restored.transform(blobs[1]), expected)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fit_then_cpu_unpickle(blobs, tmp_path):
    import subprocess
    import sys

    dae = DenoisingAutoencoder(**{**FAST, "device": "cuda"}).fit(blobs[0])
    assert dae.device_.startswith("cuda")
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(dae))
    np.save(tmp_path / "X.npy", blobs[1])
    np.save(tmp_path / "expected.npy", dae.transform(blobs[1]))
    code = (
        "import pickle, numpy as np, sys; d = pickle.load(open(sys.argv[1], 'rb'));"
        "X = np.load(sys.argv[2]); e = np.load(sys.argv[3]);"
        "assert d.device_ == 'cpu'; np.testing.assert_allclose(d.transform(X), e, atol=1e-4)"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            str(path),
            str(tmp_path / "X.npy"),
            str(tmp_path / "expected.npy"),
        ],
        check=True,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},
    )
