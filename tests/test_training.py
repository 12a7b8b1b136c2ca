"""Training: failed fits, interruptions, early stopping, threads, optimizers."""

import threading
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback, EpochScoring

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae._initialization import build_initialized
from skdae._random import torch_generator
from skdae.architectures import Reference, resolve_architecture

from ._helpers import make_blob_images

FAST = dict(max_epochs=2, batch_size=16, random_state=0, device="cpu")
FITTED = ("net_", "history_", "n_iter_", "image_shape_", "latent_shape_")


def _weights(dae):
    return {k: v.detach().clone() for k, v in dae.net_.module_.state_dict().items()}


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


class _Fail(Callback):
    """Raise ``error`` at the end of training epoch ``epoch``."""

    def __init__(self, epoch, error=RuntimeError):
        self.epoch = epoch
        self.error = error

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise self.error("boom")


# ------------------------------------------------------------- failed fits
def test_failed_first_fit_leaves_no_fitted_state():
    X = make_blob_images(10)
    dae = DenoisingAutoencoder(validation_fraction=0.1, **FAST)
    with pytest.raises(ValueError, match="validation_fraction=0.1 leaves no"):
        dae.fit(X[:3])
    with pytest.raises(NotFittedError):
        check_is_fitted(dae)
    assert not any(hasattr(dae, name) for name in FITTED)
    assert not hasattr(dae, "n_features_in_")


def test_first_fit_failing_in_training_leaves_no_fitted_state():
    X = make_blob_images(32)
    dae = DenoisingAutoencoder(callbacks=[("fail", _Fail(epoch=1))], **FAST)
    with pytest.raises(RuntimeError, match="boom"):
        dae.fit(X)
    with pytest.raises(NotFittedError):
        dae.transform(X)
    assert not any(hasattr(dae, name) for name in FITTED)
    # and a later fit works from scratch, as a fresh estimator's does
    dae.set_params(callbacks=None).fit(X)
    fresh = DenoisingAutoencoder(**FAST).fit(X)
    _assert_same_weights(_weights(dae), _weights(fresh))


def test_failed_warm_start_keeps_previous_model():
    X = make_blob_images(32)
    dae = DenoisingAutoencoder(warm_start=True, **FAST).fit(X)
    before, history = _weights(dae), list(dae.history_)
    with pytest.raises(ValueError, match="12x12 images were expected"):
        dae.fit(np.zeros((4, 8, 8)))
    dae.set_params(callbacks=[("fail", _Fail(epoch=3))])
    with pytest.raises(RuntimeError, match="boom"):
        dae.fit(X)  # fails after a whole epoch of training
    _assert_same_weights(_weights(dae), before)
    assert dae.n_iter_ == 2 and list(dae.history_) == history
    assert dae.history_ is dae.net_.history and len(dae.history_) == 2


def test_keyboard_interrupt_in_first_epoch_leaves_estimator_unfitted():
    class Stop(Callback):
        def on_batch_end(self, net, **kwargs):
            raise KeyboardInterrupt

    dae = DenoisingAutoencoder(callbacks=[("stop", Stop())], **FAST)
    with pytest.warns(UserWarning, match="No epoch had finished"):
        dae.fit(make_blob_images(32))
    with pytest.raises(NotFittedError):
        check_is_fitted(dae)


# ------------------------------------------------------------ interruptions
class _InterruptAt(Callback):
    """KeyboardInterrupt in ``hook`` of epoch ``epoch`` (once only).

    For ``hook="on_batch_end"``, at the ``batch``-th training batch of the
    epoch. Records the weights at every epoch end (``weights[epoch]``).
    """

    def __init__(self, hook, epoch, batch=1):
        self.hook = hook
        self.epoch = epoch
        self.batch = batch
        self.fired = False

    def initialize(self):
        self.weights = {}
        self.seen = 0
        return self

    def _maybe(self, net, hook):
        if hook == self.hook and len(net.history) == self.epoch and not self.fired:
            self.fired = True
            raise KeyboardInterrupt

    def on_batch_end(self, net, training=False, **kwargs):
        self.seen += training
        if training and self.seen == self.batch:
            self._maybe(net, "on_batch_end")

    def on_epoch_begin(self, net, **kwargs):
        self.seen = 0
        self._maybe(net, "on_epoch_begin")

    def on_epoch_end(self, net, **kwargs):
        state = net.module_.state_dict()
        self.weights[len(net.history)] = {k: v.clone() for k, v in state.items()}
        self._maybe(net, "on_epoch_end")


def _scoring():
    # a callback writing its own history column in on_epoch_end
    return EpochScoring(lambda net, X, y: float(len(net.history)), name="epoch_no")


@pytest.mark.parametrize(
    "hook, first",
    [
        ("on_batch_end", True),
        ("on_epoch_begin", True),
        # before another callback has completed the epoch's history row
        ("on_epoch_end", True),
        # after all other callbacks (the row is complete, the weights stepped)
        ("on_epoch_end", False),
    ],
)
@pytest.mark.parametrize("validation", [None, 0.25])
def test_interrupted_training_resumes_bit_for_bit(hook, first, validation):
    X = make_blob_images(48)
    params = dict(
        noise=GaussianNoise(0.3),
        validation_fraction=validation,
        batch_size=16,
        random_state=0,
        device="cpu",
    )
    stop = ("stop", _InterruptAt(hook, epoch=2))
    others = [("score", _scoring())]
    callbacks = [stop, *others] if first else [*others, stop]
    full = DenoisingAutoencoder(callbacks=others, max_epochs=4, **params).fit(X)

    dae = DenoisingAutoencoder(callbacks=callbacks, max_epochs=4, **params)
    with pytest.warns(UserWarning, match="interrupted.*in epoch 2.*epoch 1, the last"):
        dae.fit(X)
    # the weights and the history describe the same epoch
    assert dae.n_iter_ == 1 == len(dae.history_)
    partial = DenoisingAutoencoder(callbacks=others, max_epochs=1, **params).fit(X)
    _assert_same_weights(_weights(dae), _weights(partial))
    assert dae.history_[:, "train_loss"] == partial.history_[:, "train_loss"]

    dae.set_params(warm_start=True, max_epochs=3, callbacks=others).fit(X)
    assert dae.n_iter_ == 4
    _assert_same_weights(_weights(dae), _weights(full))
    assert dae.history_[:, "train_loss"] == full.history_[:, "train_loss"]
    if validation:
        assert dae.history_[:, "valid_loss"] == full.history_[:, "valid_loss"]


def test_divergence_restores_last_finished_epoch():
    X = make_blob_images(48)

    class Blowup(Callback):
        def on_batch_end(self, net, training=False, **kwargs):
            if len(net.history) == 3 and training:
                net.history.record_batch("train_loss", float("nan"))

    dae = DenoisingAutoencoder(
        callbacks=[("blowup", Blowup())], **{**FAST, "max_epochs": 4}
    )
    with pytest.raises(FloatingPointError, match="weights of epoch 2 were restored"):
        dae.fit(X)
    two = DenoisingAutoencoder(**FAST).fit(X)
    assert dae.n_iter_ == 2
    _assert_same_weights(_weights(dae), _weights(two))
    assert not hasattr(dae.net_.guard, "last_")  # no stale copy kept


def test_keyboard_interrupt_keeps_last_finished_epoch():
    X = make_blob_images(64)
    dae = DenoisingAutoencoder(
        callbacks=[("stop", _InterruptAt("on_batch_end", epoch=3, batch=2))],
        max_epochs=5,
        batch_size=16,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="interrupted.*epoch 3.*epoch 2"):
        dae.fit(X)
    assert dae.n_iter_ == 2 and len(dae.history_) == 2
    saved = dict(dae.net_.callbacks_)["stop"].weights[2]
    for key, value in dae.net_.module_.state_dict().items():
        assert torch.equal(value, saved[key])
    assert np.all(np.isfinite(dae.transform(X)))
    dae.set_params(callbacks=None).partial_fit(X)  # resumes from there
    assert dae.n_iter_ == 3


def test_keyboard_interrupt_with_validation_keeps_last_finished_epoch():
    # weights and history describe the same epoch, even when an earlier epoch
    # had a better validation loss (resuming must follow the uninterrupted run)
    X = make_blob_images(64)
    stop = _InterruptAt("on_batch_end", epoch=4)
    dae = DenoisingAutoencoder(
        callbacks=[("stop", stop)],
        validation_fraction=0.25,
        max_epochs=6,
        batch_size=16,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="epoch 4.*epoch 3, the last finished"):
        dae.fit(X)
    assert dae.n_iter_ == 3
    saved = dict(dae.net_.callbacks_)["stop"].weights[3]
    for key, value in dae.net_.module_.state_dict().items():
        assert torch.equal(value, saved[key])


def test_ctrl_c_still_warns_with_early_stopping_on():
    X = make_blob_images(60)
    dae = DenoisingAutoencoder(
        validation_fraction=0.25,
        early_stopping=True,
        callbacks=[("stop", _InterruptAt("on_batch_end", epoch=2))],
        **{**FAST, "max_epochs": 5},
    )
    with pytest.warns(UserWarning, match="interrupted"):
        dae.fit(X)
    assert dae.n_iter_ == 1


def test_divergence_raises_clear_error():
    X = make_blob_images(64)
    # a huge learning rate with plain SGD blows the weights up to inf/NaN
    dae = DenoisingAutoencoder(
        optimizer=torch.optim.SGD,
        lr=1e20,
        max_epochs=3,
        batch_size=16,
        random_state=0,
    )
    with pytest.raises(FloatingPointError, match="diverged.*Lower the learning rate"):
        dae.fit(X)
    # the model learnt nothing usable: it is not fitted
    with pytest.raises(NotFittedError):
        dae.transform(X)


# ------------------------------------------------------------ early stopping
ES = dict(
    validation_fraction=0.25,
    early_stopping=True,
    n_iter_no_change=3,
    tol=0.25,
    batch_size=16,
    random_state=0,
    device="cpu",
)


def test_checkpoint_resume_with_early_stopping_follows_uninterrupted_run(tmp_path):
    X = make_blob_images(64)
    full = DenoisingAutoencoder(max_epochs=20, **ES).fit(X)
    stopped_at, best = full.n_iter_, full.net_.guard.best_epoch_
    assert 3 < stopped_at < 20 and best < stopped_at  # a real early stop

    path = tmp_path / "ckpt.skdae"
    crashed_at = stopped_at - 1  # the checkpoint holds misses and best weights
    DenoisingAutoencoder(max_epochs=crashed_at, checkpoint_path=path, **ES).fit(X)
    resumed = DenoisingAutoencoder.load(path)
    assert resumed.net_.guard.best_epoch_ == best
    assert resumed.net_.guard.misses_ == crashed_at - best
    resumed.set_params(warm_start=True, max_epochs=20 - crashed_at).fit(X)

    assert resumed.n_iter_ == stopped_at
    assert resumed.history_[:, "valid_loss"] == full.history_[:, "valid_loss"]
    # both end with the weights of the best epoch
    _assert_same_weights(_weights(resumed), _weights(full))


def test_early_stopping_restores_best_epoch_and_ctrl_c_the_last():
    X = make_blob_images(64)
    full = DenoisingAutoencoder(max_epochs=20, **ES).fit(X)
    best = full.net_.guard.best_epoch_
    at_best = DenoisingAutoencoder(**{**ES, "early_stopping": False}, max_epochs=best)
    _assert_same_weights(_weights(full), _weights(at_best.fit(X)))

    # Ctrl-C keeps the last finished epoch (not the best) and the state, so
    # resuming ends exactly as the uninterrupted run
    stop = ("stop", _InterruptAt("on_batch_end", epoch=full.n_iter_))
    dae = DenoisingAutoencoder(max_epochs=20, callbacks=[stop], **ES)
    with pytest.warns(UserWarning, match="interrupted"):
        dae.fit(X)
    assert dae.n_iter_ == full.n_iter_ - 1
    dae.set_params(warm_start=True, callbacks=None).fit(X)
    assert dae.n_iter_ == full.n_iter_
    _assert_same_weights(_weights(dae), _weights(full))


def test_early_stop_is_reported_only_when_verbose(capsys):
    X = make_blob_images(64)
    DenoisingAutoencoder(max_epochs=20, **ES).fit(X)
    assert capsys.readouterr().out == ""
    DenoisingAutoencoder(max_epochs=20, verbose=1, **ES).fit(X)
    assert "Stopping since valid_loss has not improved" in capsys.readouterr().out


def test_warm_start_after_early_stop_counts_misses_afresh():
    X = make_blob_images(64)
    dae = DenoisingAutoencoder(max_epochs=20, warm_start=True, **ES).fit(X)
    first = dae.n_iter_
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an early stop is no interruption
        dae.fit(X)
    assert dae.n_iter_ >= first + ES["n_iter_no_change"]


# ------------------------------------------------------------------ threads
def test_threads_give_sequential_results_and_leave_global_rng_alone():
    X = make_blob_images(40)
    params = dict(max_epochs=1, random_state=0, noise=GaussianNoise(0.3))
    sequential = _weights(DenoisingAutoencoder(**params).fit(X))
    state = torch.random.get_rng_state()
    results = [None] * 4

    def fit(i):
        results[i] = _weights(DenoisingAutoencoder(**params).fit(X))

    for _ in range(3):
        threads = [threading.Thread(target=fit, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for result in results:
            _assert_same_weights(result, sequential)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_threaded_cross_validation_equals_sequential():
    X = make_blob_images(40)
    dae = DenoisingAutoencoder(max_epochs=1, random_state=0, noise=GaussianNoise(0.3))
    sequential = cross_val_score(dae, X, cv=4)
    with joblib.parallel_backend("threading", n_jobs=4):
        threaded = cross_val_score(dae, X, cv=4, n_jobs=4)
    np.testing.assert_array_equal(threaded, sequential)


def test_fit_never_touches_global_rng():
    X = make_blob_images(40)
    torch.manual_seed(1)
    a = DenoisingAutoencoder(**FAST).fit(X)
    state = torch.random.get_rng_state()
    torch.manual_seed(2)  # a different global state gives the same model
    b = DenoisingAutoencoder(**FAST).fit(X)
    torch.manual_seed(1)
    assert torch.equal(torch.random.get_rng_state(), state)
    _assert_same_weights(_weights(a), _weights(b))


def test_initialisation_follows_pytorch_defaults():
    """Same distributions as PyTorch's own initialisation (bounds, means)."""
    dae = DenoisingAutoencoder(architecture=Reference(channels=(32, 64)), **FAST)
    dae.set_params(max_epochs=1, lr=1e-12).fit(make_blob_images(16))
    for m in dae.net_.module_.modules():
        if isinstance(m, torch.nn.modules.conv._ConvNd):
            fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(m.weight)
            bound = 1 / fan_in**0.5
            assert m.weight.abs().max() <= bound * 1.001
            assert m.weight.abs().max() > 0.9 * bound
            assert m.bias.abs().max() <= bound * 1.001


@pytest.mark.parametrize("name", ["reference", "residual", "unet"])
def test_initialisation_draws_what_pytorch_draws(name):
    """Layer by layer, the very numbers PyTorch's own init draws from that seed."""
    architecture = resolve_architecture(name)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        pytorch = architecture.build()
    ours = build_initialized(architecture.build, torch_generator(5), "cpu")
    theirs = pytorch.state_dict()
    assert ours.state_dict().keys() == theirs.keys()
    for key, value in ours.state_dict().items():
        assert torch.equal(value, theirs[key]), key


def test_custom_layers_draw_from_the_fit_generator():
    class Scale(torch.nn.Module):  # a layer of its own, with its own init
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.randn(1))

        def forward(self, x):
            return x * self.weight

    def build():
        return torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3, padding=1), Scale())

    state = torch.random.get_rng_state()
    a = build_initialized(build, torch_generator(1), "cpu").state_dict()
    b = build_initialized(build, torch_generator(1), "cpu").state_dict()
    c = build_initialized(build, torch_generator(2), "cpu").state_dict()
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["1.weight"], c["1.weight"])


# --------------------------------------------------------------- optimizers
def _optimizers():
    names = []
    for name in dir(torch.optim):
        cls = getattr(torch.optim, name)
        if (
            isinstance(cls, type)
            and issubclass(cls, torch.optim.Optimizer)
            and cls is not torch.optim.Optimizer
        ):
            names.append(name)
    return names


#: Optimizers that cannot train a convolutional network at all: SparseAdam needs
#: sparse gradients (embeddings), Muon only takes 2-D weight matrices.
_CANNOT_TRAIN_CONVOLUTIONS = {"SparseAdam", "Muon"}


@pytest.mark.parametrize("architecture", ["reference", "residual", "unet"])
@pytest.mark.parametrize("name", _optimizers())
def test_every_torch_optimizer_trains_every_architecture(name, architecture):
    if name in _CANNOT_TRAIN_CONVOLUTIONS:
        pytest.skip(f"{name} cannot train convolutional networks")
    X = make_blob_images(8, height=8, width=8)
    dae = DenoisingAutoencoder(
        architecture=architecture,
        optimizer=getattr(torch.optim, name),
        max_epochs=1,
        batch_size=8,
        lr=1e-3,
        random_state=0,
        device="cpu",
    ).fit(X)
    assert np.isfinite(dae.history_[-1, "train_loss"])
    assert np.all(np.isfinite(dae.transform(X)))
