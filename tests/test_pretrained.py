"""The pretrained denoisers shipped in the package: catalogue, model cards,
loading, denoising odd sizes, scoring, saving and fine-tuning."""

import fnmatch
import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from skdae import DenoisingAutoencoder, pretrained
from skdae.architectures import resolve_architecture
from skdae.datasets import load_mnist
from skdae.metrics import psnr
from skdae.pretrained import _catalogue

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "skdae" / "pretrained" / "models"
PHOTO_MODELS = {"gray": 1, "color": 3}  # name -> channels


@pytest.fixture(scope="module", params=_catalogue.NAMES)
def shipped(request):
    """Each shipped model, loaded once per module (tests must not change it)."""
    return request.param, pretrained.load(request.param)


def _smooth_image(height, width, channels, seed=0):
    """A smooth image in [0.1, 0.9]: what a denoiser must keep."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(height, width)
    planes = [
        0.5 + 0.4 * np.sin(2 * np.pi * (rng.uniform(0.5, 1.5) * yy + xx * c))
        for c in range(1, channels + 1)
    ]
    image = np.stack(planes, axis=-1).astype(np.float32)
    return image[..., 0] if channels == 1 else image


def _noisy(clean, sigma, seed=1):
    rng = np.random.default_rng(seed)
    return (clean + sigma * rng.standard_normal(clean.shape)).astype(np.float32)


# ---------------------------------------------------------------- catalogue
def test_available_lists_every_model_with_one_line():
    models = pretrained.available()
    assert isinstance(models, dict)
    assert list(models) == ["gray", "color", "mnist"]
    for description in models.values():
        assert isinstance(description, str) and description.strip()
        assert "\n" not in description and len(description) < 120


@pytest.mark.parametrize("name", ["grey", "Gray", "", "gray.skdae", None, 1, ("gray",)])
def test_unknown_name_lists_the_models(name):
    with pytest.raises(ValueError, match="Unknown pretrained model") as info:
        pretrained.load(name)
    for known in ("'gray'", "'color'", "'mnist'"):
        assert known in str(info.value)
    with pytest.raises(ValueError, match="Unknown pretrained model"):
        pretrained.model_card(name)


def test_model_cards_have_every_entry():
    for name in _catalogue.NAMES:
        card = pretrained.model_card(name)
        assert tuple(card) == _catalogue.CARD_KEYS
        assert card["description"] == pretrained.available()[name]
        for key in _catalogue.CARD_KEYS:
            if key in ("parameters", "seed"):
                assert isinstance(card[key], int) and card[key] >= 0
            elif key == "benchmark":
                assert card[key] is None or set(card[key]) == {
                    "title",
                    "header",
                    "rows",
                    "command",
                    "source",
                }
            else:
                assert isinstance(card[key], str) and card[key].strip(), key
        assert name in card["reproduce"]


def test_model_card_is_a_copy():
    card = pretrained.model_card("gray")
    card["description"] = "changed"
    assert pretrained.model_card("gray")["description"] != "changed"


def test_model_cards_describe_the_shipped_files(shipped):
    """Architecture, size, seed and dtype in a card are those of its file."""
    name, model = shipped
    card = pretrained.model_card(name)
    assert card["architecture"] == repr(resolve_architecture(model.architecture))
    assert card["parameters"] == sum(p.numel() for p in model.net_.module_.parameters())
    assert card["seed"] == model.random_state
    payload = torch.load(
        io.BytesIO((MODELS / f"{name}.skdae").read_bytes()), weights_only=True
    )
    assert payload.get("weights_dtype", "float32") == card["weights_dtype"]


# ----------------------------------------------------------- package data
def test_package_data_is_declared_and_present():
    """Every shipped file is matched by pyproject's package-data, and exists."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
        "setuptools"
    ]
    patterns = setuptools["package-data"]["skdae.pretrained"]
    excluded = setuptools["exclude-package-data"]["skdae.pretrained"]
    shipped = {f"{n}.{ext}" for n in _catalogue.NAMES for ext in ("skdae", "json")}
    records = {f"{n}.training.json" for n in _catalogue.NAMES}  # not shipped
    present = {p.name for p in MODELS.iterdir() if not p.name.startswith(".")}
    assert shipped <= present <= shipped | records
    for file in present:
        included = any(fnmatch.fnmatch(f"models/{file}", pat) for pat in patterns)
        left_out = any(fnmatch.fnmatch(f"models/{file}", pat) for pat in excluded)
        assert included and left_out == (file in records), file


def test_shipped_weights_fit_the_size_budget():
    total = sum((MODELS / f"{n}.skdae").stat().st_size for n in _catalogue.NAMES)
    assert total <= 10 * 2**20, f"{total / 2**20:.1f} MiB of model files"


def test_missing_model_file(monkeypatch, tmp_path):
    (tmp_path / "gray.json").write_text(json.dumps(pretrained.model_card("gray")))
    monkeypatch.setattr(_catalogue, "_folder", lambda: tmp_path)
    with pytest.raises(
        FileNotFoundError, match=r"'gray' is not installed.*gray\.skdae"
    ):
        pretrained.load("gray")
    with pytest.raises(
        FileNotFoundError, match=r"'color' is not installed.*color\.json"
    ):
        pretrained.available()


# ------------------------------------------------------------------ using
def test_loads_on_the_cpu_by_default(shipped):
    _, model = shipped
    assert model.device_ == "cpu"
    assert model.checkpoint_path is None
    assert next(model.net_.module_.parameters()).dtype == torch.float32


@pytest.mark.parametrize("name", list(PHOTO_MODELS))
def test_photo_models_denoise_an_odd_size(name):
    model = pretrained.load(name)
    channels = PHOTO_MODELS[name]
    clean = _smooth_image(37, 53, channels)
    noisy = _noisy(clean, 25 / 255)
    denoised = model.transform(noisy[np.newaxis])[0]
    assert denoised.shape == clean.shape and denoised.dtype == np.float32
    assert psnr(clean[None], denoised[None]) > psnr(clean[None], noisy[None]) + 3


def test_gray_model_denoises_a_gray_batch_of_another_size():
    model = pretrained.load("gray")
    clean = np.stack([_smooth_image(29, 31, 1, seed) for seed in range(3)])
    noisy = _noisy(clean, 15 / 255)
    denoised = model.transform(noisy)
    assert denoised.shape == (3, 29, 31)
    assert model.score(noisy, clean) > psnr(clean, noisy) + 2


def test_mnist_model_reproduces_the_reference_figures(mnist_dir):
    """19.3 dB / 0.83 SSIM on the MNIST test set; 1,000 images here."""
    from skdae import GaussianNoise
    from skdae.metrics import ssim

    X, _ = load_mnist(subset="test", data_home=mnist_dir, return_X_y=True)
    X = X[:1000]
    noisy = GaussianNoise(0.5, random_state=1).fit_transform(X)
    denoised = pretrained.load("mnist").transform(noisy)
    assert psnr(X, denoised) > 18.8
    assert ssim(X, denoised) > 0.80


def test_scores_like_any_model(shipped):
    name, model = shipped
    if name == "mnist":
        clean = np.stack([_smooth_image(28, 28, 1, s) for s in range(4)])
    else:
        clean = np.stack(
            [_smooth_image(24, 40, PHOTO_MODELS[name], s) for s in range(4)]
        )
    noisy = np.clip(_noisy(clean, 0.1), 0, 1)
    score = model.score(noisy, clean)
    assert np.isfinite(score)
    assert score == pytest.approx(psnr(clean, model.transform(noisy)), abs=1e-4)


def test_saves_and_loads_back(shipped, tmp_path):
    name, model = shipped
    channels = PHOTO_MODELS.get(name, 1)
    side = 28 if name == "mnist" else 33
    noisy = np.clip(_noisy(_smooth_image(side, side, channels), 0.1), 0, 1)[None]
    path = model.save(tmp_path / f"{name}.skdae", weights_dtype="float16")
    loaded = DenoisingAutoencoder.load(path)
    np.testing.assert_array_equal(loaded.transform(noisy), model.transform(noisy))


def _fine_tuning_data(name):
    channels = PHOTO_MODELS.get(name, 1)
    side = 28 if name == "mnist" else 72  # larger than the patches
    clean = np.stack([_smooth_image(side, side, channels, s) for s in range(8)])
    return clean


def _small_epochs(model):
    """One short epoch: a few patches for the photo models, a few images else."""
    if model.patch_size is not None:
        model.set_params(patches_per_epoch=32)
    return model.set_params(batch_size=8, max_epochs=1, verbose=0)


@pytest.mark.parametrize("name", _catalogue.NAMES)
def test_fine_tunes_with_partial_fit(name):
    model = _small_epochs(pretrained.load(name))
    before = [p.detach().clone() for p in model.net_.module_.parameters()]
    epochs = model.n_iter_
    model.partial_fit(_fine_tuning_data(name))
    assert model.n_iter_ == epochs + 1
    after = list(model.net_.module_.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after))


@pytest.mark.parametrize("name", _catalogue.NAMES)
def test_fine_tunes_with_warm_start(name):
    model = _small_epochs(pretrained.load(name)).set_params(warm_start=True)
    epochs = model.n_iter_
    before = [p.detach().clone() for p in model.net_.module_.parameters()]
    model.fit(_fine_tuning_data(name))
    assert model.n_iter_ == epochs + 1  # went on from the shipped weights
    after = list(model.net_.module_.parameters())
    # one short epoch changes the weights only a little: they were not reset
    change = max((a - b).abs().max().item() for a, b in zip(before, after))
    assert 0 < change < 0.1


def test_each_load_is_a_new_model():
    a, b = pretrained.load("mnist"), pretrained.load("mnist")
    assert a is not b and a.net_.module_ is not b.net_.module_


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_unavailable_device_is_refused():
    with pytest.raises(ValueError, match="cuda"):
        pretrained.load("gray", device="cuda")


# ---------------------------------------------------------------------- CLI
def _write_png(path, image):
    from PIL import Image

    Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)).save(path)


def _read_png(path):
    from PIL import Image

    return np.asarray(Image.open(path), dtype=np.float32) / 255


@pytest.mark.parametrize("name", list(PHOTO_MODELS))
def test_cli_denoises_with_a_shipped_model(name, tmp_path, capsys):
    from skdae.cli import main

    clean = _smooth_image(37, 53, PHOTO_MODELS[name])
    _write_png(tmp_path / "clean.png", clean)
    clean = _read_png(tmp_path / "clean.png")
    _write_png(tmp_path / "photo.png", _noisy(clean, 25 / 255))
    noisy = _read_png(tmp_path / "photo.png")
    argv = ["denoise", "--model", name, str(tmp_path / "photo.png")]
    assert main([*argv, str(tmp_path / "out.png"), "--device", "cpu"]) == 0
    assert "photo.png -> " in capsys.readouterr().out
    denoised = _read_png(tmp_path / "out.png")
    assert denoised.shape == clean.shape
    assert psnr(clean[None], denoised[None]) > psnr(clean[None], noisy[None]) + 3
    # the folder form: every path is an INPUT
    _write_png(tmp_path / "second.png", noisy)
    out = tmp_path / "out"
    argv += [str(tmp_path / "second.png"), "--output", str(out), "--quiet"]
    assert main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == ["photo.png", "second.png"]
    np.testing.assert_array_equal(_read_png(out / "photo.png"), denoised)
    assert capsys.readouterr().out == ""  # --quiet


def test_cli_gray_model_on_a_colour_image(tmp_path, capsys):
    from skdae.cli import main

    _write_png(tmp_path / "photo.png", _noisy(_smooth_image(20, 24, 3), 0.05))
    argv = ["denoise", "--model", "gray", str(tmp_path / "photo.png")]
    assert main([*argv, str(tmp_path / "out.png")]) == 0
    assert _read_png(tmp_path / "out.png").shape == (20, 24, 3)
    assert "denoising each channel as a gray image (--model color denoises color " in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (
            "grey",
            "'grey' is not a model shipped with skdae (choose from gray, color, mnist)",
        ),
        ("model.skdae", "give it as the first path, without --model"),
    ],
)
def test_cli_unknown_shipped_model_exits_2(model, expected, tmp_path, capsys):
    from skdae.cli import main

    _write_png(tmp_path / "photo.png", _smooth_image(8, 8, 1))
    argv = ["denoise", "--model", model, str(tmp_path / "photo.png")]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--output", str(tmp_path / "out")])
    assert exc.value.code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_model_file_without_input_exits_2(tmp_path, capsys):
    from skdae.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["denoise", str(tmp_path / "model.skdae")])
    assert exc.value.code == 2
    assert "give a MODEL file and at least one INPUT, or --model" in (
        capsys.readouterr().err
    )


# --------------------------------------------------------------- the docs
def _model_cards_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "model_cards", ROOT / "docs" / "model_cards.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_render_every_card(tmp_path):
    model_cards = _model_cards_module()
    text = model_cards.write_model_cards(tmp_path / "cards.inc").read_text()
    for name in _catalogue.NAMES:
        card = pretrained.model_card(name)
        assert f".. _pretrained_{name}:" in text
        assert f"``{name}``: {card['description']}" in text
        assert f"{card['parameters']:,} parameters" in text
        assert card["reproduce"] in text and card["training_time"] in text
    # the measured mnist card has its table; a card without one says so
    assert ".. list-table:: MNIST test set" in text
    assert "     - 19." in text


def test_docs_render_a_table_or_its_absence(monkeypatch):
    model_cards = _model_cards_module()
    card = pretrained.model_card("gray")
    card["benchmark"] = {
        "title": "Set12",
        "header": ["method", "σ 25"],
        "rows": [["BM3D", "30.01 / 0.853"]],
        "command": "python -m benchmarks pretrained",
        "source": "benchmarks/published/x.json",
    }
    monkeypatch.setattr(model_cards.pretrained, "model_card", lambda name: card)
    lines = model_cards.render_card("gray")
    start = lines.index(".. list-table:: Set12")
    assert lines[start + 3 : start + 9] == [
        "   * - method",
        "     - σ 25",
        "   * - BM3D",
        "     - 30.01 / 0.853",
        "",
        "Measured by ``python -m benchmarks pretrained``; full results (every "
        "method's time, machine, versions) in ``benchmarks/published/x.json``.",
    ]
    card["benchmark"] = None
    assert model_cards.NOT_MEASURED in model_cards.render_card("gray")
