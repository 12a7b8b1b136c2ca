"""Searches over skdae pipelines on a Dask cluster, through joblib's Dask backend.

Every test runs on a real ``distributed.LocalCluster`` (worker processes, loopback
only) that the module starts and stops itself; its workers are started with
``CUDA_VISIBLE_DEVICES=""``, so they have no GPU on any machine. Skipped when
dask or distributed are not installed (``pip install "skdae[distributed]"``).
"""

import os
import pickle
import time
import warnings
from contextlib import contextmanager

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline
from skorch.callbacks import Callback

from skdae import DenoisingAutoencoder, GaussianNoise

from ._helpers import make_blob_images

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")
from distributed.protocol import dask_deserialize, dask_serialize  # noqa: E402
from distributed.protocol.numpy import (  # noqa: E402
    deserialize_numpy_ndarray,
    serialize_numpy_ndarray,
)

#: seconds allowed to start the cluster, to connect, and to close it
TIMEOUT = 60
#: the thread settings that distributed's nanny writes before it spawns a worker
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@contextmanager
def local_cluster(n_workers, threads_per_worker, cuda_visible_devices=""):
    """A LocalCluster of worker processes on 127.0.0.1 and a Client to it.

    Started with distributed's default thread settings (the thread variables of
    the test process are removed while the workers spawn), its workers seeing
    the GPUs ``cuda_visible_devices`` (none by default). The nanny writes its
    settings into this process's environment too: ``os.environ`` is restored
    afterwards.
    """
    saved = dict(os.environ)
    for name in THREAD_VARIABLES:
        os.environ.pop(name, None)
    cluster = client = None
    try:
        with warnings.catch_warnings():
            # a second cluster's HTTP server takes another port than 8787
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                env={"CUDA_VISIBLE_DEVICES": cuda_visible_devices},
                death_timeout=TIMEOUT,
            )
        client = distributed.Client(cluster, timeout=TIMEOUT)
        client.wait_for_workers(n_workers, timeout=TIMEOUT)
        yield client
    finally:
        if client is not None:
            client.close(timeout=TIMEOUT)
        if cluster is not None:
            cluster.close(timeout=TIMEOUT)
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread each, as in the user guide."""
    with local_cluster(n_workers=2, threads_per_worker=1) as client:
        yield client


@contextmanager
def dask_backend(**params):
    with joblib.parallel_config(
        backend="dask", wait_for_workers_timeout=TIMEOUT, **params
    ):
        yield


@pytest.fixture(scope="module")
def X():
    return make_blob_images(48, height=8, width=8, seed=3)


def make_pipeline(**dae_params):
    dae = {
        "max_epochs": 2,
        "batch_size": 8,
        "device": "cpu",
        "random_state": 0,
        **dae_params,
    }
    return Pipeline(
        [
            ("noise", GaussianNoise(0.3, random_state=0)),
            ("dae", DenoisingAutoencoder(**dae)),
        ]
    )


class ThreadProbe(Callback):
    """Records, for its fit, the process, the torch threads and the time span."""

    def on_train_begin(self, net, **kwargs):
        self.pid = os.getpid()
        self.torch_threads = torch.get_num_threads()
        self.start = time.monotonic()

    def on_train_end(self, net, **kwargs):
        self.end = time.monotonic()


def probes(estimators):
    return [dict(e[-1].net_.callbacks_)["ThreadProbe"] for e in estimators]


def peak_concurrent_fits(fits):
    """Most fits that ran at the same time in one process."""
    peak = 0
    for fit in fits:
        same = [f for f in fits if f.pid == fit.pid]
        peak = max(peak, sum(f.start <= fit.start < f.end for f in same))
    return peak


# ------------------------------------------------------ counting deserialisations
#: (kind, shape) of every CountingArray this process received
RECEIVED = []


def _rebuild_counting_array(array):
    RECEIVED.append(("pickle", array.shape))
    return array.view(CountingArray)


class CountingArray(np.ndarray):
    """An array that counts, in each process, how often it arrives there.

    Counted on both ways into a worker: pickled inside a task (data sent with
    every task) and through Dask's own serialisation (scattered data, and
    transfers between workers).
    """

    def __reduce_ex__(self, protocol):
        return _rebuild_counting_array, (np.asarray(self),)


@dask_serialize.register(CountingArray)
def _serialize_counting_array(x):
    return serialize_numpy_ndarray(np.asarray(x))


@dask_deserialize.register(CountingArray)
def _deserialize_counting_array(header, frames):
    array = deserialize_numpy_ndarray(header, frames)
    RECEIVED.append(("dask", array.shape))
    return array.view(CountingArray)


def _received(dask_worker):
    received = list(RECEIVED)
    RECEIVED.clear()
    return received


def times_received(client, shape):
    """How often each worker received an array of ``shape`` (and forget it)."""
    counts = client.run(_received)
    return sorted(sum(s == shape for _, s in got) for got in counts.values())


# ------------------------------------------------------------------------ tests
def test_search_on_cluster_equals_sequential_search(client, X):
    grid = {"dae__lr": [1e-3, 1e-2], "noise__sigma": [0.2, 0.4]}
    sequential = GridSearchCV(make_pipeline(), grid, cv=2).fit(X, X)
    with dask_backend():
        on_cluster = GridSearchCV(make_pipeline(), grid, cv=2).fit(X, X)
    for key in ("split0_test_score", "split1_test_score", "mean_test_score"):
        np.testing.assert_array_equal(
            on_cluster.cv_results_[key], sequential.cv_results_[key], err_msg=key
        )
    assert on_cluster.best_params_ == sequential.best_params_
    assert np.unique(sequential.cv_results_["mean_test_score"]).size == 4


def test_fitted_estimators_come_back_as_cpu_models(client, X):
    with dask_backend():
        result = cross_validate(make_pipeline(), X, X, cv=2, return_estimator=True)
    for pipe in result["estimator"]:
        dae = pipe[-1]
        assert dae.device_ == "cpu"
        assert next(dae.net_.module_.parameters()).device.type == "cpu"
        assert pickle.loads(pickle.dumps(pipe))[-1].n_iter_ == 2
    # the models fitted on the workers are those a sequential run fits
    local = cross_validate(make_pipeline(), X, X, cv=2, return_estimator=True)
    for remote, here in zip(result["estimator"], local["estimator"]):
        np.testing.assert_array_equal(remote.transform(X), here.transform(X))


def test_device_auto_on_a_worker_without_gpu_trains_on_the_cpu(client, X):
    with dask_backend():
        result = cross_validate(
            make_pipeline(device="auto"), X, X, cv=2, return_estimator=True
        )
    assert [pipe[-1].device_ for pipe in result["estimator"]] == ["cpu", "cpu"]
    # the workers have no GPU whatever this machine has
    assert set(client.run(torch.cuda.is_available).values()) == {False}


def test_torch_uses_one_thread_per_worker_thread(client, X):
    with dask_backend():
        result = cross_validate(
            make_pipeline(callbacks=[ThreadProbe()]), X, X, cv=4, return_estimator=True
        )
    fits = probes(result["estimator"])
    assert len({f.pid for f in fits} - {os.getpid()}) >= 1  # ran on the workers
    assert [f.torch_threads for f in fits] == [1, 1, 1, 1]
    assert peak_concurrent_fits(fits) == 1  # one thread per worker: one fit


def test_two_threads_per_worker_run_two_single_threaded_fits():
    X = make_blob_images(32, height=8, width=8, seed=4)
    with local_cluster(n_workers=1, threads_per_worker=2), dask_backend():
        result = cross_validate(
            make_pipeline(max_epochs=3, callbacks=[ThreadProbe()]),
            X,
            X,
            cv=4,
            return_estimator=True,
        )
    fits = probes(result["estimator"])
    assert len({f.pid for f in fits}) == 1
    # torch threads of all fits running at once = the worker's 2 threads
    assert [f.torch_threads for f in fits] == [1, 1, 1, 1]
    assert peak_concurrent_fits(fits) == 2


def test_arrays_are_sent_to_each_worker_once(client, X):
    X = X.view(CountingArray)
    grid = {"dae__lr": [1e-3, 3e-3, 1e-2]}
    times_received(client, X.shape)  # start counting from zero
    with dask_backend():
        search = GridSearchCV(make_pipeline(), grid, cv=3).fit(X, X)
    # 9 fits of 3 candidates and 3 folds, X passed as input and target: joblib
    # scatters arguments over 1 kB once per search, the workers share them
    assert len(search.cv_results_["params"]) * 3 == 9
    assert times_received(client, X.shape) == [1, 1]


def test_lists_of_images_need_scatter(client, X):
    images = list(X.reshape(-1, 8, 8).view(CountingArray))
    grid = {"dae__lr": [1e-3, 1e-2]}
    times_received(client, (8, 8))
    with dask_backend():
        GridSearchCV(make_pipeline(), grid, cv=2).fit(images, images)
    # a list is sent with every one of the 4 tasks
    assert sum(times_received(client, (8, 8))) == 4 * len(images)
    with dask_backend(scatter=[images]):
        search = GridSearchCV(make_pipeline(), grid, cv=2).fit(images, images)
    # scattered: once to each worker
    assert times_received(client, (8, 8)) == [len(images), len(images)]
    assert len(search.cv_results_["params"]) == 2


def test_model_pickled_on_a_gpu_worker_unpickles_on_a_cpu_only_client(X, monkeypatch):
    """As a model fitted with device="cuda" comes back to a client without CUDA.

    The tensors are pickled as CUDA tensors are (their storage tagged "cuda:0"),
    without needing a GPU.
    """
    dae = DenoisingAutoencoder(max_epochs=1, batch_size=8, device="cpu", random_state=0)
    dae.fit(X)
    expected = dae.transform(X)
    dae.set_params(device="cuda")
    dae.device_ = dae.net_.device = "cuda"
    with monkeypatch.context() as patch:
        patch.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
        data = pickle.dumps(dae)
    assert b"cuda:0" in data
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = pickle.loads(data)
    assert any("CUDA" in str(w.message) for w in caught)
    assert model.device_ == "cpu"
    assert next(model.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_array_equal(model.transform(X), expected)
    model.partial_fit(X)  # and keeps training on the CPU
    assert model.n_iter_ == 2


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_one_worker_per_gpu(X):
    """A worker pinned to GPU 0 trains with device="cuda"; the models come back."""
    with local_cluster(1, 1, cuda_visible_devices="0") as client, dask_backend():
        assert set(client.run(torch.cuda.device_count).values()) == {1}
        result = cross_validate(
            make_pipeline(device="cuda"), X, X, cv=2, return_estimator=True
        )
    for pipe in result["estimator"]:
        assert pipe[-1].device_ == "cuda"
        assert np.isfinite(pipe.transform(X)).all()
