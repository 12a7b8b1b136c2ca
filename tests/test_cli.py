"""The skdae command: exit codes, files written, the no-data message."""

import json
import subprocess
import sys

import numpy as np
import pytest

from skdae.cli import main


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


def test_denoise_errors(demo_run, tmp_path, capsys):
    _, out = demo_run
    assert main(["denoise", str(tmp_path / "none.pkl"), "a.npy", "b.npy"]) == 1
    assert "does not exist" in capsys.readouterr().err
    np.save(tmp_path / "bad.npy", np.zeros((2, 10, 10)))
    assert (
        main(
            [
                "denoise",
                str(out / "model.skdae"),
                str(tmp_path / "bad.npy"),
                str(tmp_path / "o.npy"),
            ]
        )
        == 1
    )
    assert "28x28 images were expected" in capsys.readouterr().err


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
