"""The skdae command: exit codes, files written, the no-data message."""

import gzip
import json
import struct
import subprocess
import sys

import numpy as np
import pytest

from skdae import cli
from skdae.cli import _demo, main

from ._helpers import make_blob_images


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory, mnist_dir):
    out = tmp_path_factory.mktemp("demo")
    code = main(
        [
            "demo",
            "--data-home",
            str(mnist_dir.parent),
            "--n-train",
            "1500",
            "--n-test",
            "200",
            "--epochs",
            "2",
            "--batch-size",
            "20",
            "--validation-fraction",
            "0.1",
            "--output",
            str(out),
            "--quiet",
        ]
    )
    return code, out


def test_demo_writes_figures_results_and_model(demo_run):
    code, out = demo_run
    assert code == 0
    assert {p.name for p in out.iterdir()} == {
        "comparison.png",
        "loss_curve.png",
        "results.json",
        "model.skdae",
    }
    for png in ("comparison.png", "loss_curve.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    results = json.loads((out / "results.json").read_text())
    assert results["n_train"] == 1500 and results["n_test"] == 200
    assert results["epochs"] == 2 and len(results["train_loss"]) == 2
    assert len(results["valid_loss"]) == 2
    assert results["denoised"]["psnr"] > results["noisy"]["psnr"] + 3
    assert results["denoised"]["ssim"] > results["noisy"]["ssim"]


def test_denoise_npy_and_png(demo_run, tmp_path):
    _, out = demo_run
    rng = np.random.default_rng(0)
    images = rng.random((3, 28, 28))
    np.save(tmp_path / "in.npy", images)
    assert (
        main(
            [
                "denoise",
                str(out / "model.skdae"),
                str(tmp_path / "in.npy"),
                str(tmp_path / "out.npy"),
            ]
        )
        == 0
    )
    result = np.load(tmp_path / "out.npy")
    assert result.shape == (3, 28, 28) and result.min() >= 0 and result.max() <= 1

    import matplotlib.image as mpimg

    mpimg.imsave(tmp_path / "in.png", images[0], cmap="gray", vmin=0, vmax=1)
    assert (
        main(
            [
                "denoise",
                str(out / "model.skdae"),
                str(tmp_path / "in.png"),
                str(tmp_path / "out.png"),
            ]
        )
        == 0
    )
    assert mpimg.imread(tmp_path / "out.png").shape[:2] == (28, 28)


def test_denoise_errors_and_other_sizes(demo_run, tmp_path, capsys):
    _, out = demo_run
    assert main(["denoise", str(tmp_path / "none.pkl"), "a.npy", "b.npy"]) == 1
    assert "does not exist" in capsys.readouterr().err
    # the network is fully convolutional: images of another size are denoised
    np.save(tmp_path / "small.npy", np.zeros((2, 10, 10)))
    argv = ["denoise", str(out / "model.skdae"), str(tmp_path / "small.npy")]
    assert main([*argv, str(tmp_path / "o.npy")]) == 0
    assert np.load(tmp_path / "o.npy").shape == (2, 10, 10)


def test_no_data_message_without_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("SKDAE_DATA_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("HOME", str(tmp_path))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "skdae",
            "demo",
            "--data-home",
            str(tmp_path / "nowhere"),
            "--output",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "nowhere" in proc.stderr and "SKDAE_DATA_HOME" in proc.stderr
    assert "--data-home" in proc.stderr and "--download" in proc.stderr
    assert "data_home=" not in proc.stderr and "download=True" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--epochs", "many"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_denoise_refuses_unsafe_model_file(tmp_path, capsys):
    import pickle

    (tmp_path / "evil.skdae").write_bytes(pickle.dumps({"not": "a model"}))
    np.save(tmp_path / "in.npy", np.zeros((1, 28, 28)))
    code = main(
        [
            "denoise",
            str(tmp_path / "evil.skdae"),
            str(tmp_path / "in.npy"),
            str(tmp_path / "out.npy"),
        ]
    )
    assert code == 1
    assert "not a safe skdae model file" in capsys.readouterr().err
    assert not (tmp_path / "out.npy").exists()


# --------------------------------------------------------------------------- #
# A tiny data set in the MNIST format, so that runs take a second
# --------------------------------------------------------------------------- #


def _write_idx(path, array):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(f">I{array.ndim}I", 0x800 | array.ndim, *array.shape)
    path.write_bytes(gzip.compress(header + array.tobytes()))


def _write_tiny(folder, names, n_train=40, n_test=6, label=0):
    folder.mkdir(parents=True, exist_ok=True)
    images = (make_blob_images(n_train + n_test, 28, 28) * 255).astype(np.uint8)
    images = images.reshape(-1, 28, 28)
    parts = {"train": images[:n_train], "test": images[n_train:]}
    for part, split_images in parts.items():
        _write_idx(folder / f"{names[part]}-images-idx3-ubyte.gz", split_images)
        labels = np.full(len(split_images), label)
        _write_idx(folder / f"{names[part]}-labels-idx1-ubyte.gz", labels)


@pytest.fixture(scope="module")
def tiny_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("tiny")
    _write_tiny(home / "mnist", {"train": "train", "test": "t10k"})
    _write_tiny(
        home / "emnist",
        {"train": "emnist-letters-train", "test": "emnist-letters-test"},
        label=1,
    )
    return home


def _tiny_demo(home, out, *extra):
    return [
        "demo",
        "--data-home",
        str(home),
        "--epochs",
        "1",
        "--batch-size",
        "10",
        "--output",
        str(out),
        *extra,
    ]


# --------------------------------------------------------------------------- #
# Arguments are checked before any work
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "option, value",
    [
        ("--epochs", "0"),
        ("--level", "-0.5"),
        ("--batch-size", "0"),
        ("--lr", "-1"),
        ("--lr", "nan"),
        ("--validation-fraction", "1.5"),
        ("--validation-fraction", "0"),
        ("--seed", "4294967296"),
        ("--seed", "-1"),
        ("--n-train", "-24300"),
        ("--n-train", "0"),
        ("--n-test", "0"),
        ("--device", "gpu"),
        ("--emnist-split", "letters"),  # without --dataset emnist
    ],
)
def test_bad_values_exit_2_naming_the_flag(tmp_path, capsys, option, value):
    # The data home is empty: a check made after loading the data would fail
    # with exit code 1 instead.
    argv = ["demo", "--data-home", str(tmp_path / "nowhere")]
    argv += ["--output", str(tmp_path / "out"), option, value]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err
    assert "max_epochs" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_salt_pepper_level_above_one_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--noise", "salt-pepper", "--level", "1.5"])
    assert exc.value.code == 2
    assert "argument --level" in capsys.readouterr().err


def test_emnist_split_is_checked(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--dataset", "emnist", "--emnist-split", "bogus"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "argument --emnist-split" in err and "'bogus'" in err and "letters" in err


def test_help_lists_every_emnist_split_and_shows_defaults(capsys):
    from skdae.datasets import EMNIST_SPLITS

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for split in EMNIST_SPLITS:
        assert split in help_text.split("--emnist-split SPLIT EMNIST", 1)[1][:100]
    for default in ("(default: 20)", "(default: 0.001)", "(default: gaussian)"):
        assert default in help_text
    assert "emnist" in help_text.split("--dataset", 1)[1][:60]


def test_version_and_help_do_not_import_torch():
    code = (
        "import sys, skdae.cli\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
        "try:\n"
        "    skdae.cli.main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'torch' not in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    from skdae import __version__

    assert proc.stdout.strip() == f"skdae {__version__}"


def test_existing_file_as_output_folder(tmp_path, capsys):
    (tmp_path / "taken").write_text("mine")
    argv = ["demo", "--data-home", str(tmp_path / "nowhere")]
    assert main([*argv, "--output", str(tmp_path / "taken")]) == 1
    err = capsys.readouterr().err
    assert "--output" in err and "existing file" in err
    assert len(err.strip().splitlines()) == 1
    assert (tmp_path / "taken").read_text() == "mine"
    # Below a file: cannot be created.
    assert main([*argv, "--output", str(tmp_path / "taken" / "sub")]) == 1
    assert "is a file" in capsys.readouterr().err


def test_cuda_without_cuda_exits_2(tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available")
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--device", "cuda", "--output", str(tmp_path / "out")])
    assert exc.value.code == 2
    assert "argument --device" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- #
# Demo runs on the tiny data set
# --------------------------------------------------------------------------- #


def test_quiet_prints_only_the_results_and_level_0_is_valid_json(
    tiny_home, tmp_path, capsys
):
    out = tmp_path / "out"
    assert main(_tiny_demo(tiny_home, out, "--quiet", "--level", "0")) == 0
    printed = capsys.readouterr().out
    assert "train_loss" not in printed and "Training" not in printed
    assert "PSNR" in printed and "inf" in printed

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    results = json.loads((out / "results.json").read_text(), parse_constant=refuse)
    assert results["noisy"]["psnr"] is None
    assert results["denoised"]["psnr"] > 0


def test_redirected_output_has_no_colour_and_describes_the_options(tiny_home, tmp_path):
    argv = _tiny_demo(tiny_home, tmp_path / "out", "--noise", "salt-pepper")
    argv += ["--level", "0.3", "--epochs", "2"]
    proc = subprocess.run(
        [sys.executable, "-m", "skdae", *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "train_loss" in proc.stdout  # the epoch table is there ...
    assert "\x1b" not in proc.stdout  # ... without colour codes
    assert "SaltPepperNoise(amount=0.3" in proc.stdout
    assert "Gaussian" not in proc.stdout


def test_emnist_dataset(tiny_home, tmp_path):
    out = tmp_path / "out"
    argv = _tiny_demo(tiny_home, out, "--dataset", "emnist", "--quiet")
    assert main([*argv, "--emnist-split", "letters"]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["dataset"] == "emnist" and results["emnist_split"] == "letters"
    assert results["n_train"] == 40 and results["n_test"] == 6


def test_results_are_written_when_plotting_fails(
    tiny_home, tmp_path, capsys, monkeypatch
):
    def broken_plot(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(_demo, "plot", broken_plot)
    out = tmp_path / "out"
    assert main(_tiny_demo(tiny_home, out, "--quiet")) == 1
    assert {p.name for p in out.iterdir()} == {"model.skdae", "results.json"}
    err = capsys.readouterr().err
    assert "no fonts" in err and len(err.strip().splitlines()) == 1


def test_largest_seed(tiny_home, tmp_path):
    # The test noise's seed (seed + 1) wraps around to 0.
    out = tmp_path / "out"
    assert main(_tiny_demo(tiny_home, out, "--quiet", "--seed", "4294967295")) == 0
    assert json.loads((out / "results.json").read_text())["seed"] == 2**32 - 1


def test_more_images_than_available(tiny_home, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(_tiny_demo(tiny_home, out, "--n-train", "1000", "--n-test", "3")) == 0
    assert "only 40 training images exist" in capsys.readouterr().out
    results = json.loads((out / "results.json").read_text())
    assert results["n_train"] == 40 and results["n_test"] == 3


# --------------------------------------------------------------------------- #
# skdae denoise: inputs and outputs
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def tiny_model(tiny_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny_model")
    assert main(_tiny_demo(tiny_home, out, "--quiet")) == 0
    return out / "model.skdae"


def _denoise(model, source, target):
    return main(["denoise", str(model), str(source), str(target)])


def test_batch_to_png_is_refused_before_any_work(tiny_model, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.random.default_rng(0).random((5, 784)))
    assert _denoise(tiny_model, tmp_path / "x.npy", tmp_path / "out.png") == 1
    assert "holds 5 images" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()
    np.save(tmp_path / "y.npy", np.zeros((3, 28, 28)))
    assert _denoise(tiny_model, tmp_path / "y.npy", tmp_path / "out.png") == 1
    assert "holds 3 images" in capsys.readouterr().err
    np.save(tmp_path / "z.npy", np.zeros((1, 784)))  # one flat image is fine
    assert _denoise(tiny_model, tmp_path / "z.npy", tmp_path / "out.png") == 0
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"


def test_png_of_another_size(tiny_model, tmp_path):
    import matplotlib.pyplot as plt

    plt.imsave(tmp_path / "big.png", np.zeros((56, 57)), cmap="gray")
    assert _denoise(tiny_model, tmp_path / "big.png", tmp_path / "out.png") == 0
    assert plt.imread(tmp_path / "out.png").shape[:2] == (56, 57)


def test_uint8_is_scaled_and_out_of_range_floats_refused(tiny_model, tmp_path, capsys):
    images = np.random.default_rng(0).random((2, 28, 28))
    np.save(tmp_path / "u8.npy", np.round(images * 255).astype(np.uint8))
    np.save(tmp_path / "f.npy", np.round(images * 255) / 255)
    assert _denoise(tiny_model, tmp_path / "u8.npy", tmp_path / "a.npy") == 0
    assert "dividing them by 255" in capsys.readouterr().err
    assert _denoise(tiny_model, tmp_path / "f.npy", tmp_path / "b.npy") == 0
    np.testing.assert_allclose(
        np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"), atol=1e-6
    )
    np.save(tmp_path / "255.npy", images * 255)
    assert _denoise(tiny_model, tmp_path / "255.npy", tmp_path / "c.npy") == 1
    err = capsys.readouterr().err
    assert "[0, 1]" in err and "from 0" in err
    np.save(tmp_path / "i.npy", np.zeros((2, 28, 28), dtype=np.int64))
    assert _denoise(tiny_model, tmp_path / "i.npy", tmp_path / "d.npy") == 1
    assert "int64" in capsys.readouterr().err


def test_npy_header_larger_than_the_file(tiny_model, tmp_path, capsys):
    path = tmp_path / "huge.npy"
    with open(path, "wb") as f:
        header = {"descr": "<f8", "fortran_order": False, "shape": (10**6, 78400)}
        np.lib.format.write_array_header_1_0(f, header)
        f.write(bytes(100))
    assert _denoise(tiny_model, path, tmp_path / "out.npy") == 1
    err = capsys.readouterr().err
    assert "truncated" in err and "(1000000, 78400)" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\nrubbish"])
def test_broken_png(tiny_model, tmp_path, capsys, content):
    (tmp_path / "in.png").write_bytes(content)
    assert _denoise(tiny_model, tmp_path / "in.png", tmp_path / "out.png") == 1
    err = capsys.readouterr().err
    assert "could not read" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_colour_png_and_a_gray_model_keep_the_colour(tiny_model, tmp_path, capsys):
    from PIL import Image

    pixels = np.random.default_rng(0).integers(0, 256, (28, 28, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "rgb.png")
    assert _denoise(tiny_model, tmp_path / "rgb.png", tmp_path / "out.png") == 0
    assert "denoising each channel as a gray image" in capsys.readouterr().err
    result = np.asarray(Image.open(tmp_path / "out.png"))
    assert result.shape == (28, 28, 3)
    # each channel is denoised as the gray image it is
    for channel in range(3):
        Image.fromarray(pixels[..., channel]).save(tmp_path / f"{channel}.png")
        gray = tmp_path / f"{channel}.png"
        assert _denoise(tiny_model, gray, tmp_path / f"out{channel}.png") == 0
        alone = np.asarray(Image.open(tmp_path / f"out{channel}.png"))
        assert alone.shape == (28, 28)
        assert np.abs(alone.astype(int) - result[..., channel]).max() <= 1


def test_paths_that_cannot_work(tiny_model, tmp_path, capsys):
    np.save(tmp_path / "in.npy", np.zeros((28, 28)))
    (tmp_path / "dir.npy").mkdir()
    (tmp_path / "file").write_text("")
    cases = {
        "folder": (tmp_path, tmp_path / "in.npy", tmp_path / "o.npy"),
        "is a folder": (tiny_model, tmp_path / "in.npy", tmp_path / "dir.npy"),
        "is a file": (tiny_model, tmp_path / "in.npy", tmp_path / "file" / "o.npy"),
        "is the INPUT": (tiny_model, tmp_path / "in.npy", tmp_path / "in.npy"),
        "does not exist": (tiny_model, tmp_path / "none.npy", tmp_path / "o.npy"),
    }
    for expected, (model, source, target) in cases.items():
        assert _denoise(model, source, target) == 1, expected
        err = capsys.readouterr().err
        assert expected in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "o.npy").exists()
    with pytest.raises(SystemExit) as exc:
        _denoise(tiny_model, tmp_path / "in.npy", tmp_path / "out.txt")
    assert exc.value.code == 2


# --------------------------------------------------------------------------- #
# Any argument value: a valid value or exit code 2, never another exception
# --------------------------------------------------------------------------- #

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_NUMERIC_OPTIONS = {
    "--epochs": lambda v: isinstance(v, int) and v >= 1,
    "--batch-size": lambda v: isinstance(v, int) and v >= 1,
    "--n-train": lambda v: isinstance(v, int) and v >= 1,
    "--n-test": lambda v: isinstance(v, int) and v >= 1,
    "--seed": lambda v: isinstance(v, int) and 0 <= v < 2**32,
    "--lr": lambda v: np.isfinite(v) and v > 0,
    "--level": lambda v: np.isfinite(v) and v >= 0,
    "--validation-fraction": lambda v: np.isfinite(v) and 0 < v < 1,
}


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    option=st.sampled_from(sorted(_NUMERIC_OPTIONS)),
    value=st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=12),
    ),
)
def test_any_option_value_parses_to_a_valid_value_or_exits_2(option, value):
    parser = cli._build_parser()
    try:
        args = parser.parse_args(["demo", f"{option}={value}"])
    except SystemExit as exc:
        assert exc.code == 2
        return
    parsed = getattr(args, option[2:].replace("-", "_"))
    assert _NUMERIC_OPTIONS[option](parsed), (option, value, parsed)


def test_failed_download_names_the_flag(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torchvision", None)
    monkeypatch.delitem(sys.modules, "torchvision.datasets", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("SKDAE_DATA_HOME", raising=False)
    argv = ["demo", "--data-home", str(tmp_path / "nowhere"), "--download"]
    assert main([*argv, "--output", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "--download needs torchvision" in err
    assert "download=True" not in err and "data_home" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_fit_errors_name_the_flags(tiny_home, tmp_path, capsys):
    out = tmp_path / "out"
    argv = _tiny_demo(tiny_home, out, "--n-train", "3", "--validation-fraction", "0.1")
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "--validation-fraction" in err and "validation_fraction" not in err
    assert not out.exists()
