"""Writing model files and checkpoints: atomic, concurrent, checked up front."""

import errno
import os
import threading
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skdae import DenoisingAutoencoder, GaussianNoise, NoiseMixture, SaltPepperNoise
from skdae._model_files import write_atomically
from skdae.noise import BaseNoise

from ._helpers import make_blob_images


@pytest.fixture(scope="module")
def X():
    return make_blob_images(16, 8, 8)


BAD_PATHS = ["missing folder", "directory", "empty"]


def _bad_path(tmp_path, kind):
    """A path no model file can be written to: one of ``BAD_PATHS``."""
    return {
        "missing folder": tmp_path / "nowhere" / "m.skdae",
        "directory": tmp_path,
        "empty": "",
    }[kind]


def _leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# ------------------------------------------------------------ atomic writes
def test_two_writers_of_one_path_do_not_collide(tmp_path):
    """Writer A is still writing when writer B writes the whole file: with a
    shared temporary name, B's rename took A's file away (FileNotFoundError)."""
    target = tmp_path / "model.skdae"
    b_done = threading.Event()
    errors = []

    def slow_write(file):
        file.write(b"A" * 100)
        b_done.wait(5)
        file.write(b"A")

    def writer_a():
        try:
            write_atomically(target, slow_write)
        except Exception as exc:  # reported below
            errors.append(exc)

    thread = threading.Thread(target=writer_a)
    thread.start()
    write_atomically(target, lambda file: file.write(b"B" * 10))
    b_done.set()
    thread.join()
    assert errors == []
    assert target.read_bytes() == b"A" * 101  # the last rename wins, whole
    assert _leftovers(tmp_path) == []


def test_failed_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "model.skdae"
    target.write_bytes(b"old")

    def failing(file):
        file.write(b"partial")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_atomically(target, failing)
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_save_on_a_full_disk(fitted_dae, tmp_path, monkeypatch):
    target = tmp_path / "model.skdae"
    fitted_dae.save(target)
    before = target.read_bytes()

    def full_disk(obj, file, *args, **kwargs):
        file.write(b"\0" * 10)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(OSError, match="disk is full") as info:
        fitted_dae.save(target)
    assert info.value.errno == errno.ENOSPC
    assert str(target) in str(info.value)
    assert target.read_bytes() == before  # intact, not a 0-byte file
    assert _leftovers(tmp_path) == []
    with pytest.raises(OSError, match="disk is full"):
        fitted_dae.save(tmp_path / "new.skdae")
    assert not (tmp_path / "new.skdae").exists()


def test_saved_file_has_the_usual_permissions(fitted_dae, tmp_path):
    mask = os.umask(0)
    os.umask(mask)
    path = fitted_dae.save(tmp_path / "model.skdae")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("kind", BAD_PATHS)
def test_save_to_a_bad_path(fitted_dae, tmp_path, kind):
    path = _bad_path(tmp_path, kind)
    with pytest.raises((OSError, ValueError)) as info:
        fitted_dae.save(path)
    assert (
        ("empty" in str(info.value))
        if kind == "empty"
        else str(path) in str(info.value)
    )


# ------------------------------------------------------- checkpoint checks
@pytest.mark.parametrize("kind", BAD_PATHS)
def test_bad_checkpoint_path_fails_before_training(X, tmp_path, kind):
    path = _bad_path(tmp_path, kind)
    dae = DenoisingAutoencoder(max_epochs=1, random_state=0, checkpoint_path=path)
    with pytest.raises((OSError, ValueError), match="checkpoint_path"):
        dae.fit(X)
    assert not hasattr(dae, "net_")  # no epoch was trained


def test_unsavable_noise_fails_before_training(X, tmp_path):
    class MyNoise(BaseNoise):
        _parameter_constraints = {}

        def corrupt(self, x, generator):
            return x

    dae = DenoisingAutoencoder(
        noise=MyNoise(), max_epochs=1, checkpoint_path=tmp_path / "c.skdae"
    )
    with pytest.raises(ValueError, match="checkpoint_path is set.*noise"):
        dae.fit(X)
    assert not hasattr(dae, "net_")
    assert not (tmp_path / "c.skdae").exists()


def test_noise_with_a_random_state_object_is_checkpointed(X, tmp_path):
    path = tmp_path / "c.skdae"
    noise = GaussianNoise(0.3, random_state=np.random.RandomState(0))
    DenoisingAutoencoder(
        noise=noise, max_epochs=1, random_state=0, checkpoint_path=path
    ).fit(X)
    loaded = DenoisingAutoencoder.load(path)
    # unused in training (the estimator's random_state drives the noise)
    assert loaded.noise.random_state is None
    assert loaded.noise.sigma == 0.3


def test_mixture_weights_array_is_checkpointed(X, tmp_path):
    path = tmp_path / "c.skdae"
    noise = NoiseMixture(
        [("g", GaussianNoise(0.2)), ("s", SaltPepperNoise(0.1))],
        weights=np.array([0.7, 0.3]),
    )
    DenoisingAutoencoder(
        noise=noise, max_epochs=1, random_state=0, checkpoint_path=path
    ).fit(X)
    loaded = DenoisingAutoencoder.load(path)
    np.testing.assert_array_equal(loaded.noise.weights, [0.7, 0.3])


def test_grid_search_with_a_checkpoint_path_in_parallel(X, tmp_path):
    """Every fit writes the same file: concurrently safe, last writer wins."""
    path = tmp_path / "ckpt.skdae"
    pipe = Pipeline(
        [
            (
                "dae",
                DenoisingAutoencoder(
                    max_epochs=1,
                    batch_size=8,
                    random_state=0,
                    device="cpu",
                    checkpoint_path=path,
                ),
            )
        ]
    )
    search = GridSearchCV(pipe, {"dae__lr": [1e-3, 2e-3]}, cv=2, n_jobs=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FitFailedWarning)
        search.fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert DenoisingAutoencoder.load(path).n_iter_ == 1
    assert _leftovers(tmp_path) == []
