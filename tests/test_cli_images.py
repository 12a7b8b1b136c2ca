"""skdae train and skdae denoise on image files: colour and gray, odd sizes, errors."""

import numpy as np
import pytest
from PIL import Image

from skdae.cli import main

# image files of odd sizes, none of the size of another
_TRAIN_SIZES = [(23, 37), (25, 31), (29, 19), (21, 27)]


def _random_pixels(shape, seed):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _smooth_pixels(height, width, channels=None, seed=0):
    """A smooth 8-bit picture (gradients and a disc) with a little noise."""
    y, x = np.mgrid[:height, :width]
    base = (
        0.3
        + 0.4 * (x / width)
        + 0.2 * ((y - height / 2) ** 2 + (x - width / 2) ** 2 < 40)
    )
    noise = np.random.default_rng(seed).normal(0, 0.05, base.shape)
    image = np.clip(base + noise, 0, 1)
    if channels:
        image = np.stack([image, image[::-1], image[:, ::-1]][:channels], axis=-1)
    return np.round(image * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """Folders of 4 colour JPEG and 4 gray PNG files, and two test images."""
    root = tmp_path_factory.mktemp("photos")
    (root / "colour").mkdir()
    (root / "gray").mkdir()
    for i, (h, w) in enumerate(_TRAIN_SIZES):
        Image.fromarray(_smooth_pixels(h, w, 3, seed=i)).save(
            root / "colour" / f"{i}.jpg"
        )
        Image.fromarray(_smooth_pixels(h, w, seed=i)).save(root / "gray" / f"{i}.png")
    # the test images: a colour JPEG of 37x23 and a gray PNG of 23x37 pixels
    Image.fromarray(_smooth_pixels(23, 37, 3, seed=10)).save(root / "photo.jpg")
    Image.fromarray(_smooth_pixels(37, 23, seed=11)).save(root / "scan.png")
    return root


def _train(images, output, *extra):
    argv = ["train", *map(str, images), "--output", str(output), "--patch-size", "8"]
    return main([*argv, "--epochs", "1", "--device", "cpu", "--quiet", *extra])


@pytest.fixture(scope="module")
def colour_model(photos, tmp_path_factory):
    path = tmp_path_factory.mktemp("colour_model") / "colour.skdae"
    assert _train([photos / "colour"], path, "--architecture", "unet") == 0
    return path


@pytest.fixture(scope="module")
def gray_model(photos, tmp_path_factory):
    path = tmp_path_factory.mktemp("gray_model") / "gray.skdae"
    assert _train([photos / "gray"], path, "--level", "10,40") == 0
    return path


# --------------------------------------------------------------------------- #
# skdae train
# --------------------------------------------------------------------------- #


def test_train_saves_a_model_and_prints_a_summary(photos, tmp_path, capsys):
    from skdae import DenoisingAutoencoder

    path = tmp_path / "model.skdae"
    argv = [str(photos / "colour" / "0.jpg"), str(photos / "colour" / "1.jpg")]
    assert _train(argv, path, "--patches-per-epoch", "12", "--seed", "3") == 0
    summary = capsys.readouterr().out.strip().splitlines()
    assert len(summary) == 1  # --quiet: the summary only
    assert "residual model on 2 colour images" in summary[0]
    assert "12 patches of 8x8 per epoch, augmented" in summary[0]
    assert "sigma 25 (of 255, unclipped)" in summary[0]
    assert "1 epoch in" in summary[0] and str(path) in summary[0]
    model = DenoisingAutoencoder.load(path)
    assert model.n_channels_ == 3 and model.patch_size == 8 and model.augment
    assert model.architecture == "residual" and model.n_iter_ == 1
    assert model.noise.sigma == pytest.approx(25 / 255) and not model.noise.clip


def test_train_options_reach_the_model(photos, tmp_path, capsys):
    from skdae import DenoisingAutoencoder, SaltPepperNoise

    path = tmp_path / "model.skdae"
    extra = ["--noise", "salt-pepper", "--level", "0.05,0.2", "--no-augment"]
    extra += ["--gray", "--validation-fraction", "0.25", "--loss", "psnr"]
    extra += ["--batch-size", "5", "--lr", "0.01", "--architecture", "reference"]
    assert _train([photos / "colour"], path, *extra) == 0
    summary = capsys.readouterr().out
    assert "4 gray images" in summary and "validation loss" in summary
    model = DenoisingAutoencoder.load(path)
    assert isinstance(model.noise, SaltPepperNoise)
    assert tuple(model.noise.amount) == (0.05, 0.2)
    assert model.n_channels_ == 1 and not model.augment and model.loss == "psnr"
    assert model.batch_size == 5 and model.lr == 0.01
    assert model.validation_fraction == 0.25
    assert model.architecture == "reference"


@pytest.mark.parametrize("mode", ["neighbor2neighbor", "noise2self"])
def test_train_self_supervised_on_noisy_images(photos, tmp_path, capsys, mode):
    from skdae import DenoisingAutoencoder

    path = tmp_path / "model.skdae"
    assert _train([photos / "gray"], path, "--self-supervised", mode) == 0
    summary = capsys.readouterr().out
    assert f"with no added noise (self-supervised, {mode})" in summary
    model = DenoisingAutoencoder.load(path)
    assert model.training == mode and model.noise is None


def test_train_shows_the_epochs_and_a_progress_bar_in_a_terminal(
    photos, tmp_path, capsys, monkeypatch
):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    argv = ["train", str(photos / "gray"), "--output", str(tmp_path / "m.skdae")]
    argv += ["--patch-size", "8", "--epochs", "2", "--device", "cpu"]
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "train_loss" in printed.out and "Training a residual model" in printed.out
    assert "\x1b[" not in printed.out  # no colour codes: stdout is no terminal
    assert "%|" in printed.err  # tqdm's bar


def test_train_glob_pattern_into_a_new_folder(photos, tmp_path):
    pattern = str(photos / "gray" / "[01].png")
    model = tmp_path / "new" / "folder" / "m.skdae"
    assert _train([pattern], model, "--patches-per-epoch", "4") == 0
    assert model.is_file()


# --------------------------------------------------------------------------- #
# skdae denoise: a colour JPEG and a gray PNG of odd sizes
# --------------------------------------------------------------------------- #


def _denoise(model, *paths, output=None, extra=()):
    argv = ["denoise", str(model), *map(str, paths), "--device", "cpu", *extra]
    if output is not None:
        argv += ["--output", str(output)]
    return main(argv)


@pytest.mark.parametrize("model_name", ["colour_model", "gray_model"])
def test_denoise_colour_jpeg_and_gray_png(
    request, model_name, photos, tmp_path, capsys
):
    model = request.getfixturevalue(model_name)
    out = tmp_path / "out"
    assert _denoise(model, photos / "photo.jpg", photos / "scan.png", output=out) == 0
    printed = capsys.readouterr()
    assert f"into {out}/" in printed.out
    # a note where the model's channels differ from the image's
    kind = "grayscale" if model_name == "colour_model" else "colour"
    assert f"is a {kind} image" in printed.err
    with Image.open(out / "photo.jpg") as jpeg:
        assert (jpeg.format, jpeg.mode, jpeg.size) == ("JPEG", "RGB", (37, 23))
        denoised = np.asarray(jpeg)
    with Image.open(out / "scan.png") as png:
        assert (png.format, png.mode, png.size) == ("PNG", "L", (23, 37))
    # a denoised photograph, not noise or a blank
    original = np.asarray(Image.open(photos / "photo.jpg")).astype(float)
    assert np.abs(denoised - original).mean() < 40
    assert denoised.std() > 5


def test_denoise_a_folder_and_npy_arrays(gray_model, photos, tmp_path):
    batch = _smooth_pixels(23, 37, seed=5)[None].repeat(3, axis=0) / 255.0
    np.save(tmp_path / "batch.npy", batch)
    out = tmp_path / "out"
    assert (
        _denoise(gray_model, photos / "gray", tmp_path / "batch.npy", output=out) == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "0.png",
        "1.png",
        "2.png",
        "3.png",
        "batch.npy",
    ]
    result = np.load(out / "batch.npy")
    assert result.shape == (3, 23, 37) and 0 <= result.min() and result.max() <= 1
    for i, (h, w) in enumerate(_TRAIN_SIZES):
        with Image.open(out / f"{i}.png") as png:
            assert png.size == (w, h) and png.mode == "L"


def test_default_output_folder(gray_model, photos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _denoise(gray_model, photos / "scan.png") == 0
    assert (tmp_path / "denoised" / "scan.png").is_file()


def test_two_paths_are_input_and_output(colour_model, photos, tmp_path):
    target = tmp_path / "photo.npy"
    assert _denoise(colour_model, photos / "photo.jpg", target) == 0
    assert np.load(target).shape == (23, 37, 3)
    # a single colour image in a .npy, back to an image file
    assert _denoise(colour_model, target, tmp_path / "photo.png") == 0
    with Image.open(tmp_path / "photo.png") as png:
        assert png.mode == "RGB" and png.size == (37, 23)


def test_sixteen_bit_png_stays_sixteen_bit(gray_model, tmp_path):
    pixels = (_smooth_pixels(25, 33).astype(np.uint16) * 257).astype(np.uint16)
    Image.fromarray(pixels).save(tmp_path / "deep.png")
    assert _denoise(gray_model, tmp_path / "deep.png", output=tmp_path / "out") == 0
    with Image.open(tmp_path / "out" / "deep.png") as png:
        assert png.mode.startswith("I") and png.size == (33, 25)


def test_tile_is_passed_to_the_model(gray_model, photos, tmp_path, monkeypatch):
    from skdae import DenoisingAutoencoder

    seen = []
    transform = DenoisingAutoencoder.transform

    def spy(self, X):
        seen.append(self.tile_size)
        return transform(self, X)

    monkeypatch.setattr(DenoisingAutoencoder, "transform", spy)
    big = tmp_path / "big.png"
    Image.fromarray(_smooth_pixels(45, 53, seed=4)).save(big)
    assert (
        _denoise(gray_model, big, output=tmp_path / "tiled", extra=["--tile", "16"])
        == 0
    )
    assert _denoise(gray_model, big, output=tmp_path / "whole") == 0
    assert seen == [16, None]
    tiled = np.asarray(Image.open(tmp_path / "tiled" / "big.png"), dtype=float)
    whole = np.asarray(Image.open(tmp_path / "whole" / "big.png"), dtype=float)
    assert tiled.shape == whole.shape == (45, 53)
    assert np.abs(tiled - whole).mean() < 3  # the same denoiser, in tiles


# --------------------------------------------------------------------------- #
# Errors: one line on stderr, nothing written
# --------------------------------------------------------------------------- #


def _one_line_error(capsys):
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_missing_and_unreadable_inputs_stop_before_any_output(
    gray_model, photos, tmp_path, capsys
):
    out = tmp_path / "out"
    missing = tmp_path / "missing.png"
    assert _denoise(gray_model, photos / "scan.png", missing, output=out) == 1
    assert "does not exist" in _one_line_error(capsys)
    assert _denoise(gray_model, tmp_path / "no_folder", output=out) == 1
    assert "does not exist" in _one_line_error(capsys)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a JPEG")
    # a readable image before the broken one: nothing is written for it either
    assert _denoise(gray_model, photos / "scan.png", broken, output=out) == 1
    err = _one_line_error(capsys)
    assert "could not read" in err and "broken.jpg" in err
    assert not out.exists()


def test_existing_output_needs_force_and_inputs_are_never_overwritten(
    gray_model, photos, tmp_path, capsys
):
    out = tmp_path / "out"
    assert _denoise(gray_model, photos / "scan.png", output=out) == 0
    before = (out / "scan.png").read_bytes()
    assert _denoise(gray_model, photos / "scan.png", output=out) == 1
    assert "exists; add --force" in _one_line_error(capsys)
    assert _denoise(gray_model, photos / "scan.png", output=out, extra=["--force"]) == 0
    assert (out / "scan.png").read_bytes() == before  # the same model, the same image
    # the input's own folder as --output: refused, even with --force
    source = out / "scan.png"
    assert _denoise(gray_model, source, output=out, extra=["--force"]) == 1
    assert "never overwritten" in _one_line_error(capsys)
    # the two-path form refuses an existing OUTPUT (it may be a second input)
    assert _denoise(gray_model, photos / "photo.jpg", source) == 1
    assert "give --output DIR to denoise both" in _one_line_error(capsys)


def test_inputs_with_the_same_name(gray_model, photos, tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "scan.png").write_bytes((photos / "scan.png").read_bytes())
    paths = [photos / "scan.png", tmp_path / "a" / "scan.png", photos / "photo.jpg"]
    assert _denoise(gray_model, *paths, output=tmp_path / "out") == 1
    assert "would both be written to" in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "extra",
    [
        ["--tile", "4"],
        ["--tile", "x"],
        ["--device", "gpu"],
    ],
)
def test_denoise_usage_errors_exit_2(photos, tmp_path, extra, capsys):
    model = tmp_path / "missing.skdae"  # usage is checked first
    with pytest.raises(SystemExit) as exc:
        _denoise(model, photos / "scan.png", output=tmp_path / "o", extra=extra)
    assert exc.value.code == 2
    assert extra[0] in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_unknown_input_format_exits_2(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "m.skdae").write_bytes(b"")
    with pytest.raises(SystemExit) as exc:
        _denoise(tmp_path / "m.skdae", tmp_path / "notes.txt", output=tmp_path / "o")
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--level", "-1"], "--level"),
        (["--level", "abc"], "--level"),
        (["--level", "40,10"], "LOW must not exceed HIGH"),
        (["--level", "1,2,3"], "--level"),
        (["--level", "nan"], "--level"),
        (["--noise", "salt-pepper", "--level", "1.5"], "salt-pepper amount"),
        (["--noise", "poisson", "--level", "0"], "peak must be > 0"),
        (["--patch-size", "0"], "--patch-size"),
        (["--patch-size", "8.5"], "--patch-size"),
        (["--architecture", "vgg"], "--architecture"),
        (["--epochs", "0"], "--epochs"),
        (["--validation-fraction", "1"], "--validation-fraction"),
        (["--device", "gpu"], "--device"),
        (["--self-supervised", "noise2void"], "--self-supervised"),
        (["--self-supervised", "noise2self", "--level", "25"], "leave out --noise"),
        (
            ["--self-supervised", "noise2self", "--noise", "poisson"],
            "--self-supervised",
        ),
    ],
)
def test_train_usage_errors_exit_2(photos, tmp_path, capsys, extra, expected):
    with pytest.raises(SystemExit) as exc:
        _train([photos / "gray"], tmp_path / "m.skdae", *extra)
    assert exc.value.code == 2
    assert expected in capsys.readouterr().err
    assert not (tmp_path / "m.skdae").exists()


def test_train_file_errors(photos, tmp_path, capsys):
    model = tmp_path / "m.skdae"
    # images smaller than the patches: the file is named
    assert _train([photos / "gray"], model, "--patch-size", "20") == 1
    err = _one_line_error(capsys)
    assert "smaller than --patch-size 20" in err and "2.png" in err
    # gray and colour together
    mixed = [photos / "scan.png", photos / "photo.jpg"]
    assert _train(mixed, model) == 1
    assert "--gray" in _one_line_error(capsys)
    # nothing to train on
    (tmp_path / "empty").mkdir()
    assert _train([tmp_path / "empty"], model) == 1
    assert "No image files" in _one_line_error(capsys)
    assert _train([str(tmp_path / "*.png")], model) == 1
    assert "matches no image files" in _one_line_error(capsys)
    assert _train([tmp_path / "missing.png"], model) == 1
    assert "does not exist" in _one_line_error(capsys)
    assert not model.exists()


def test_train_checks_the_output_before_reading_images(photos, tmp_path, capsys):
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nrubbish")
    model = tmp_path / "m.skdae"
    model.write_bytes(b"mine")
    assert _train([tmp_path / "broken.png"], model) == 1
    assert "exists; add --force" in _one_line_error(capsys)
    assert model.read_bytes() == b"mine"
    assert _train([tmp_path / "broken.png"], model, "--force") == 1
    err = _one_line_error(capsys)
    assert "broken.png" in err and "Cannot read" in err
    assert model.read_bytes() == b"mine"


def test_too_few_images_for_validation_names_the_flag(photos, tmp_path, capsys):
    one = [photos / "gray" / "0.png"]
    assert _train(one, tmp_path / "m.skdae", "--validation-fraction", "0.5") == 1
    err = _one_line_error(capsys)
    assert "--validation-fraction" in err and "validation_fraction" not in err


# --------------------------------------------------------------------------- #
# The command's lists agree with the library's
# --------------------------------------------------------------------------- #


def test_lists_agree_with_the_library():
    from skdae._estimator_net import TRAINING_MODES
    from skdae.architectures import ARCHITECTURES
    from skdae.cli._image_files import PICTURE_SUFFIXES
    from skdae.cli._train import ARCHITECTURE_NAMES, SELF_SUPERVISED
    from skdae.datasets._image_files import IMAGE_EXTENSIONS

    assert set(ARCHITECTURE_NAMES) == set(ARCHITECTURES)
    assert set(PICTURE_SUFFIXES) == set(IMAGE_EXTENSIONS)
    assert {"supervised", *SELF_SUPERVISED} == set(TRAINING_MODES)


def test_train_and_denoise_are_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "train" in text and "denoise" in text and "demo" in text
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in ("--patch-size", "--noise", "--level", "--architecture", "--epochs"):
        assert flag in text
    assert "25/255" in text and "(default: residual)" in text


def test_documented_command_lines_parse():
    """Every skdae command line of the README and the user guide is valid."""
    import re
    import shlex
    from pathlib import Path

    from skdae import cli

    root = Path(__file__).resolve().parents[1]
    text = (root / "README.md").read_text() + (
        root / "docs" / "user_guide.rst"
    ).read_text()
    lines = re.findall(
        r"^\s*(?:\.venv/bin/)?skdae (?:train|denoise|demo)\b.*$", text, re.M
    )
    assert sum("skdae train" in line for line in lines) >= 3
    assert sum("skdae denoise" in line for line in lines) >= 4
    parser = cli._build_parser()
    for line in lines:
        words = shlex.split(line.split("#")[0])
        parser.parse_args(words[words.index("skdae") + 1 :])  # exits 2 if invalid
