"""Hostile and malformed model files: every one gives a ModelFileError.

A model file is a zip archive written by :func:`torch.save`. Whatever a file holds
(damaged bytes, a text or ``.npy`` file, missing or unknown entries, invalid
hyperparameters, networks past the size cap, weights of the wrong shape, values
nested or shared to exhaust the loader), :meth:`DenoisingAutoencoder.load` either
returns a working model or raises :class:`skdae.ModelFileError` naming the file;
no other exception, and no allocation far beyond the file's own size. The
hypothesis tests mutate a valid payload (dropped keys, values of the wrong type,
random bytes, truncations).
"""

import copy
import io
import os
import sys
import time
import zipfile

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skdae import DenoisingAutoencoder, ModelFileError
from skdae._model_files import MAX_PARAMETERS, parameter_count
from skdae._model_files._format import FORMAT_VERSION
from skdae.architectures import Reference, Residual, UNet
from skdae.cli import main

from ._helpers import make_blob_images

_SETTINGS = settings(
    max_examples=int(os.environ.get("SKDAE_MODEL_FILE_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def X():
    return make_blob_images(16, 8, 8)


@pytest.fixture(scope="module")
def model_bytes(X, tmp_path_factory):
    model = DenoisingAutoencoder(
        architecture=Reference(channels=(2, 3)),
        max_epochs=1,
        batch_size=8,
        random_state=0,
        device="cpu",
    ).fit(X)
    path = tmp_path_factory.mktemp("model") / "m.skdae"
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def payload(model_bytes):
    return torch.load(io.BytesIO(model_bytes), weights_only=True)


def _write(tmp_path, payload, name="bad.skdae"):
    path = tmp_path / name
    torch.save(payload, path)
    return path


def _refused(path, match=None):
    with pytest.raises(ModelFileError, match=match) as info:
        DenoisingAutoencoder.load(path)
    assert str(path) in str(info.value)
    assert "weights_only=False" not in str(info.value)
    assert not str(info.value).rstrip(".").endswith(":")
    return str(info.value)


# ----------------------------------------------------------- whole files
def test_valid_file_loads(model_bytes, tmp_path, X):
    path = tmp_path / "m.skdae"
    path.write_bytes(model_bytes)
    assert DenoisingAutoencoder.load(path).transform(X).shape == X.shape


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file(model_bytes, tmp_path, cut):
    path = tmp_path / "cut.skdae"
    path.write_bytes(model_bytes[: int(len(model_bytes) * cut)])
    _refused(path)


def test_text_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a model\n" * 10)
    _refused(path, "not a skdae model file")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.skdae"
    path.write_bytes(b"")
    message = _refused(path, "is empty")
    assert "Details" not in message


def test_npy_file_as_model(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.zeros((3, 784)))
    message = _refused(path, "not a skdae model file")
    assert "weights_only" not in message


def test_directory_as_model(tmp_path):
    _refused(tmp_path, "directory")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        DenoisingAutoencoder.load(tmp_path / "nowhere.skdae")


def test_other_torch_file(tmp_path):
    _refused(_write(tmp_path, {"a": torch.zeros(2)}), "not a skdae model file")


# --------------------------------------------------------- payload entries
@pytest.mark.parametrize(
    "key",
    ["params", "fitted", "history", "module_state", "optimizer_state", "optimizer"],
)
def test_missing_entry(payload, tmp_path, key):
    bad = copy.copy(payload)
    del bad[key]
    _refused(_write(tmp_path, bad), key)


@pytest.mark.parametrize("version", ["2", None, 2.0, [1], -1, True])
def test_bad_format_version(payload, tmp_path, version):
    bad = dict(payload, format_version=version)
    _refused(_write(tmp_path, bad), "format_version")


def test_newer_format_version(payload, tmp_path):
    newer = FORMAT_VERSION + 1
    _refused(_write(tmp_path, dict(payload, format_version=newer)), "newer skdae")


def _float16(payload, **changes):
    state = {
        k: v.half() if v.is_floating_point() else v
        for k, v in payload["module_state"].items()
    }
    return (
        dict(payload, format_version=2, weights_dtype="float16", module_state=state)
        | changes
    )


def test_float16_payload_loads(payload, tmp_path, X):
    model = DenoisingAutoencoder.load(_write(tmp_path, _float16(payload)))
    assert all(p.dtype == torch.float32 for p in model.net_.module_.parameters())
    assert np.isfinite(model.transform(X)).all()


@pytest.mark.parametrize(
    "dtype", ["float64", "half", "bfloat16", 16, None, ["float16"]]
)
def test_unknown_weights_dtype(payload, tmp_path, dtype):
    message = _refused(_write(tmp_path, _float16(payload, weights_dtype=dtype)))
    assert "weights_dtype" in message and "['float16', 'float32']" in message


def test_weights_dtype_in_a_version_1_file(payload, tmp_path):
    bad = _float16(payload, format_version=1)
    _refused(_write(tmp_path, bad), "weights_dtype entry, which format version 1")


def test_weights_not_of_the_declared_dtype(payload, tmp_path):
    # declared float16, stored float32: the message names both dtypes
    bad = dict(_float16(payload), module_state=payload["module_state"])
    message = _refused(_write(tmp_path, bad))
    assert "dtype torch.float32" in message
    assert "torch.float16 (its weights_dtype)" in message


def test_float16_weights_without_the_declaration(payload, tmp_path):
    bad = _float16(payload)
    del bad["weights_dtype"]
    message = _refused(_write(tmp_path, bad))
    assert "dtype torch.float16" in message and "needs" in message


def test_unknown_parameter(payload, tmp_path):
    bad = dict(payload, params={**payload["params"], "colour": "red"})
    _refused(_write(tmp_path, bad), "unknown parameters.*colour")


def test_unknown_noise_parameter(payload, tmp_path):
    noise = {"__noise model__": "GaussianNoise", "params": {"volume": 11}}
    bad = dict(payload, params={**payload["params"], "noise": noise})
    _refused(_write(tmp_path, bad), "volume")


@pytest.mark.parametrize(
    "name", ["BaseNoise", "_BaseNoiseComposition", "os", "CustomArchitecture"]
)
def test_classes_outside_the_allow_list(payload, tmp_path, name):
    kind = "architecture" if "Arch" in name else "noise model"
    value = {f"__{kind}__": name, "params": {}}
    key = "architecture" if kind == "architecture" else "noise"
    bad = dict(payload, params={**payload["params"], key: value})
    _refused(_write(tmp_path, bad))


@pytest.mark.parametrize("optimizer", ["Optimizer", "os", 3, "LRScheduler"])
def test_unknown_optimizer(payload, tmp_path, optimizer):
    _refused(_write(tmp_path, dict(payload, optimizer=optimizer)), "optimizer")


@pytest.mark.parametrize(
    "name, value",
    [("batch_size", 0), ("lr", -1.0), ("loss", "l7"), ("max_epochs", "ten")],
)
def test_invalid_hyperparameter(payload, tmp_path, name, value):
    bad = dict(payload, params={**payload["params"], name: value})
    _refused(_write(tmp_path, bad), "invalid hyperparameters")


def test_wrong_state_dict_shape(payload, tmp_path):
    state = dict(payload["module_state"])
    name = next(k for k, v in state.items() if v.dim() == 4)
    state[name] = torch.zeros(state[name].numel())  # same size, other shape
    _refused(_write(tmp_path, dict(payload, module_state=state)), "shape")


def test_missing_and_extra_weights(payload, tmp_path):
    state = dict(payload["module_state"])
    state.pop(next(iter(state)))
    state["evil"] = torch.zeros(1)
    _refused(_write(tmp_path, dict(payload, module_state=state)), "do not fit")


def test_wrong_dtype(payload, tmp_path):
    state = {k: v.double() for k, v in payload["module_state"].items()}
    _refused(_write(tmp_path, dict(payload, module_state=state)), "dtype")


def test_optimizer_state_of_the_wrong_shape(payload, tmp_path):
    optimizer_state = copy.deepcopy(payload["optimizer_state"])
    optimizer_state["state"][0]["exp_avg"] = torch.zeros(7, 7)
    bad = dict(payload, optimizer_state=optimizer_state)
    _refused(_write(tmp_path, bad), "optimizer state")


def test_deeply_nested_lists(payload, tmp_path):
    nested = []
    for _ in range(5000):
        nested = [nested]
    bad = dict(payload, history=nested)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)  # torch.save recurses; the loader must not
    try:
        path = _write(tmp_path, bad)
    finally:
        sys.setrecursionlimit(limit)
    _refused(path, "nested")


def test_shared_lists_cannot_exhaust_the_loader(payload, tmp_path):
    shared = [0.0]
    for _ in range(8):
        shared = [shared] * 50  # 50**8 values if walked naively, a tiny file
    bad = dict(payload, history=[{"batches": shared}])
    start = time.perf_counter()
    _refused(_write(tmp_path, bad), "more values than its size")
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize("device", ["meta", "disk", 3, "cpu:0:1"])
def test_bad_device(payload, tmp_path, device):
    fitted = dict(payload["fitted"], device_=device)
    _refused(_write(tmp_path, dict(payload, fitted=fitted)), "device")


def test_missing_gpu_falls_back_to_the_cpu(payload, tmp_path, X):
    fitted = dict(payload["fitted"], device_="cuda:99")
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded = DenoisingAutoencoder.load(
            _write(tmp_path, dict(payload, fitted=fitted))
        )
    assert loaded.device_ == "cpu"


# --------------------------------------------- small files, huge allocations
def test_huge_residual_network_refused_before_building(payload, tmp_path):
    arch = {"__architecture__": "Residual", "params": {"depth": 10**7, "channels": 32}}
    bad = dict(payload, params={**payload["params"], "architecture": arch})
    start = time.perf_counter()
    _refused(_write(tmp_path, bad), f"more than {MAX_PARAMETERS} weights")
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(
    "arch",
    [
        {"__architecture__": "Reference", "params": {"channels": [10**6, 10**6]}},
        {"__architecture__": "UNet", "params": {"depth": 40, "channels": 32}},
        {"__architecture__": "Residual", "params": {"depth": 1, "channels": 8}},
        {"__architecture__": "Residual", "params": {"depth": 8, "channels": 0}},
        {"__architecture__": "Residual", "params": {"depth": "8", "channels": 8}},
    ],
)
def test_architectures_past_the_cap_or_invalid(payload, tmp_path, arch):
    bad = dict(payload, params={**payload["params"], "architecture": arch})
    _refused(_write(tmp_path, bad))


def test_huge_images_refused(payload, tmp_path):
    fitted = dict(payload["fitted"], image_shape_=[10**5, 10**5])
    fitted["n_features_in_"] = 10**10
    fitted.pop("feature_names_in_", None)
    _refused(_write(tmp_path, dict(payload, fitted=fitted)), "pixels")


def test_deflated_tensor_refused_without_inflating(model_bytes, tmp_path):
    # ZipInfo(...) defaults to ZIP_STORED; open(..., "w") honours the ZipFile's
    # compression, so build it with deflate on
    path = tmp_path / "bomb.skdae"
    source = zipfile.ZipFile(io.BytesIO(model_bytes))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for entry in source.infolist():
            if entry.filename.endswith("/data/0"):
                info = zipfile.ZipInfo(entry.filename)
                info.compress_type = zipfile.ZIP_DEFLATED
                with out.open(info, "w", force_zip64=True) as sink:
                    chunk = bytes(2**20)
                    for _ in range(256):  # 256 MiB of zeros, a few hundred KB
                        sink.write(chunk)
            else:
                info = copy.copy(entry)
                info.compress_type = zipfile.ZIP_STORED
                out.writestr(info, source.read(entry))
    assert path.stat().st_size < 2**21
    start = time.perf_counter()
    _refused(path, "compressed")
    assert time.perf_counter() - start < 2


def test_parameter_count_matches_the_built_networks():
    for arch in [
        Reference(),
        Reference(channels=(3, 5)),
        Residual(),
        Residual(depth=2, channels=4),
        Residual(depth=5, channels=7),
        UNet(),
        UNet(depth=1, channels=3),
        UNet(depth=3, channels=5),
    ]:
        built = sum(p.numel() for p in arch.build().parameters())
        assert parameter_count(arch) == built, arch


# ------------------------------------------------------------- paths
def test_load_never_restores_a_path(payload, tmp_path, X):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    bad = dict(payload, params={**payload["params"], "checkpoint_path": str(victim)})
    loaded = DenoisingAutoencoder.load(_write(tmp_path, bad))
    assert loaded.checkpoint_path is None
    loaded.partial_fit(X)
    assert victim.read_text() == "precious"


def test_saved_files_hold_no_path(X, tmp_path):
    model = DenoisingAutoencoder(
        max_epochs=1, random_state=0, checkpoint_path=tmp_path / "ckpt.skdae"
    ).fit(X)
    payload = torch.load(model.save(tmp_path / "m.skdae"), weights_only=True)
    assert payload["params"]["checkpoint_path"] is None


# ----------------------------------------------------------------- CLI
def test_cli_denoise_with_a_broken_model_prints_one_line(tmp_path, capsys):
    model = tmp_path / "model.skdae"
    model.write_text("broken")
    np.save(tmp_path / "x.npy", np.zeros((2, 8, 8)))
    code = main(
        ["denoise", str(model), str(tmp_path / "x.npy"), str(tmp_path / "o.npy")]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert str(model) in err and "Traceback" not in err


# ------------------------------------------------------- property-based
def _paths(value, prefix=()):
    """Every key path into the nested dicts and lists of ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list) and len(value) <= 3:
        for i, item in enumerate(value):
            yield (*prefix, i)
            yield from _paths(item, (*prefix, i))


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(-3, 3), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(-3, 3), max_size=3),
    st.sampled_from(
        [
            torch.zeros(3),
            torch.zeros(2, 2, dtype=torch.float64),
            torch.zeros(()),
            {"__tuple__": 5},
            {"__noise model__": "GaussianNoise", "params": []},
            {"__architecture__": "UNet", "params": {"depth": 10**9}},
        ]
    ),
)


def _check_load(path, X):
    try:
        loaded = DenoisingAutoencoder.load(path)
    except ModelFileError as exc:
        assert str(path) in str(exc)
        return
    loaded.transform(X[:2])  # a file that loads gives a working model


@_SETTINGS
@given(data=st.data())
def test_mutated_payloads(payload, tmp_path, X, data):
    paths = list(_paths(payload))
    path = data.draw(st.sampled_from(paths), label="path")
    bad = copy.deepcopy(payload)
    parent = bad
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans(), label="drop"):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(_VALUES, label="value")
    _check_load(_write(tmp_path, bad), X)


@_SETTINGS
@given(data=st.data())
def test_mutated_bytes(model_bytes, tmp_path, X, data):
    raw = bytearray(model_bytes)
    kind = data.draw(st.sampled_from(["truncate", "flip", "random", "splice"]))
    if kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    elif kind == "random":
        raw = bytearray(data.draw(st.binary(max_size=2000)))
    else:
        i = data.draw(st.integers(0, len(raw)))
        raw[i:i] = data.draw(st.binary(min_size=1, max_size=64))
    path = tmp_path / "mutated.skdae"
    path.write_bytes(bytes(raw))
    _check_load(path, X)
