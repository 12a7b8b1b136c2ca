"""Image files: load_images reads PNG/JPEG/TIFF/BMP, write_image writes them back."""

import numpy as np
import pytest
import tifffile
from PIL import Image

from skdae.datasets import load_images
from skdae.datasets._image_files import _read_file, _write_16bit_png, write_image


def random_pixels(shape, dtype, seed=0):
    top = np.iinfo(dtype).max
    return np.random.default_rng(seed).integers(0, top + 1, shape, dtype=dtype)


@pytest.mark.parametrize("suffix", [".png", ".bmp", ".tif", ".tiff"])
@pytest.mark.parametrize("shape", [(5, 7), (6, 4, 3)])
def test_8bit_lossless_formats_read_exactly(tmp_path, suffix, shape):
    pixels = random_pixels(shape, np.uint8)
    path = tmp_path / f"image{suffix}"
    if suffix.startswith(".tif"):
        tifffile.imwrite(path, pixels, photometric="rgb" if len(shape) == 3 else None)
    else:
        Image.fromarray(pixels).save(path)
    [image] = load_images(path)
    assert image.dtype == np.float32 and image.shape == shape
    np.testing.assert_array_equal(image, pixels.astype(np.float32) / 255)


@pytest.mark.parametrize("shape", [(5, 7), (6, 4, 3), (6, 4, 4), (3, 5, 2)])
def test_16bit_png_and_tiff_keep_all_16_bits(tmp_path, shape):
    pixels = random_pixels(shape, np.uint16)
    if len(shape) == 2:
        expected = pixels
    else:
        expected = {2: pixels[..., 0], 3: pixels, 4: pixels[..., :3]}[shape[-1]]
    if len(shape) == 2:
        Image.fromarray(pixels).save(tmp_path / "a.png")  # Pillow: I;16
    else:
        _write_16bit_png(tmp_path / "a.png", pixels)  # Pillow cannot
    tifffile.imwrite(
        tmp_path / "b.tif",
        pixels,
        photometric="rgb" if len(shape) == 3 and shape[-1] >= 3 else "minisblack",
        extrasamples=["unassalpha"] if len(shape) == 3 and shape[-1] != 3 else None,
    )
    for image in load_images(tmp_path, dtype=np.float64):
        assert image.shape == expected.shape  # alpha dropped
        np.testing.assert_array_equal(image, expected / 65535)


def test_16bit_colour_png_made_by_another_encoder_reads_exactly(tmp_path):
    # the Sub-filtered rows of _write_16bit_png are undone by Pillow's decoder
    # with 6 bytes a pixel; check against a hand-made unfiltered file too
    import struct
    import zlib

    pixels = random_pixels((9, 11, 3), np.uint16, seed=3)
    rows = pixels.astype(">u2").reshape(9, -1).view(np.uint8)
    data = b"".join(b"\x00" + row.tobytes() for row in rows)

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 11, 9, 16, 2, 0, 0, 0)
    (tmp_path / "plain.png").write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(data))
        + chunk(b"IEND", b"")
    )
    [image] = load_images(tmp_path / "plain.png", dtype=np.float64)
    np.testing.assert_array_equal(image, pixels / 65535)


def test_alpha_is_dropped_and_palette_read_as_rgb(tmp_path):
    rgba = random_pixels((4, 5, 4), np.uint8)
    Image.fromarray(rgba).save(tmp_path / "a.png")
    Image.fromarray(rgba[..., [0, 3]]).save(tmp_path / "b.png")  # gray + alpha
    Image.fromarray(rgba[..., :3]).convert("P").save(tmp_path / "c.png")
    a, b, c = load_images(tmp_path)
    np.testing.assert_array_equal(a, rgba[..., :3] / np.float32(255))
    np.testing.assert_array_equal(b, rgba[..., 0] / np.float32(255))
    assert c.shape == (4, 5, 3)


def test_jpeg_and_as_gray(tmp_path):
    pixels = np.full((8, 8, 3), (200, 40, 90), np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.jpg", quality=100)
    Image.fromarray(pixels[..., 0]).save(tmp_path / "b.jpeg")
    [colour, gray] = load_images(tmp_path)
    assert colour.shape == (8, 8, 3) and gray.shape == (8, 8)
    np.testing.assert_allclose(colour, pixels / 255, atol=3 / 255)
    [luma, same] = load_images(tmp_path, as_gray=True)
    assert luma.shape == (8, 8) and luma.dtype == np.float32
    expected = (0.2125 * 200 + 0.7154 * 40 + 0.0721 * 90) / 255
    np.testing.assert_allclose(luma, expected, atol=3 / 255)
    np.testing.assert_array_equal(same, gray)


def test_camera_rotation_is_applied(tmp_path):
    image = Image.fromarray(random_pixels((4, 6, 3), np.uint8))
    exif = image.getexif()
    exif[0x0112] = 6  # shown rotated by 90 degrees clockwise
    image.save(tmp_path / "rotated.jpg", exif=exif)
    [loaded] = load_images(tmp_path / "rotated.jpg")
    assert loaded.shape == (6, 4, 3)


def test_folder_glob_and_list_order(tmp_path):
    for name, value in [("c.png", 3), ("a.PNG", 1), ("b.bmp", 2)]:
        Image.fromarray(np.full((2, 2), value, np.uint8)).save(tmp_path / name)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"AppleDouble junk")
    (tmp_path / "sub").mkdir()
    Image.fromarray(np.full((2, 2), 9, np.uint8)).save(tmp_path / "sub" / "d.png")

    def values(images):
        return [round(float(image[0, 0]) * 255) for image in images]

    assert values(load_images(tmp_path)) == [1, 2, 3]
    assert values(load_images(str(tmp_path))) == [1, 2, 3]
    assert values(load_images(tmp_path / "*.png")) == [3]  # case-sensitive glob
    assert values(load_images(f"{tmp_path}/**/*.png")) == [3, 9]
    order = [tmp_path / "c.png", str(tmp_path / "b.bmp"), tmp_path / "a.PNG"]
    assert values(load_images(order)) == [3, 2, 1]  # the order given


def test_empty_folder_and_unmatched_glob(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(FileNotFoundError, match="No image files .* in the folder"):
        load_images(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"matches no image files"):
        load_images(tmp_path / "*.png")


def test_missing_and_unreadable_files_are_named(tmp_path):
    missing = tmp_path / "missing.png"
    with pytest.raises(FileNotFoundError, match="missing.png"):
        load_images(missing)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a PNG file")
    Image.fromarray(np.zeros((3, 3), np.uint8)).save(tmp_path / "good.png")
    with pytest.raises(OSError, match="broken.png"):
        load_images(tmp_path)
    bad_tiff = tmp_path / "broken.tif"
    bad_tiff.write_bytes(b"II*\x00 truncated")
    with pytest.raises(OSError, match="broken.tif"):
        load_images([bad_tiff])
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes((tmp_path / "good.png").read_bytes()[:40])
    with pytest.raises(OSError, match="truncated.png"):
        load_images(truncated)


def test_unsupported_images_are_named(tmp_path):
    tifffile.imwrite(
        tmp_path / "stack.tif", np.zeros((5, 4, 4), np.uint8), photometric="minisblack"
    )
    with pytest.raises(ValueError, match="stack.tif holds 5 pages"):
        load_images(tmp_path / "stack.tif")
    tifffile.imwrite(tmp_path / "signed.tif", np.zeros((4, 4), np.int16))
    with pytest.raises(ValueError, match="signed.tif holds int16"):
        load_images(tmp_path / "signed.tif")


def test_invalid_arguments(tmp_path):
    Image.fromarray(np.zeros((3, 3), np.uint8)).save(tmp_path / "a.png")
    with pytest.raises(ValueError, match="dtype must be np.float32 or np.float64"):
        load_images(tmp_path, dtype=np.int32)
    with pytest.raises(TypeError, match="path"):
        load_images(3)
    with pytest.raises(TypeError, match="list of files"):
        load_images([tmp_path / "a.png", 3])
    with pytest.raises(ValueError, match="empty list"):
        load_images([])


def test_files_not_modified(tmp_path):
    Image.fromarray(random_pixels((4, 4, 4), np.uint8)).save(tmp_path / "a.png")
    before = (tmp_path / "a.png").read_bytes()
    load_images(tmp_path, as_gray=True)
    assert (tmp_path / "a.png").read_bytes() == before


# ----------------------------------------------------------------- write_image
@pytest.mark.parametrize("suffix", [".png", ".tif", ".bmp", ".jpg"])
@pytest.mark.parametrize("shape", [(7, 5), (7, 5, 3)])
def test_write_then_read_8bit(tmp_path, suffix, shape):
    image = np.random.default_rng(0).random(shape)
    if suffix == ".jpg":  # lossy: a smooth image, compared loosely
        image = np.broadcast_to(np.linspace(0.2, 0.8, 5)[None, :, None], (7, 5, 3))
        image = image[..., 0] if len(shape) == 2 else image
    write_image(tmp_path / f"out{suffix}", image)
    pixels, _ = _read_file(tmp_path / f"out{suffix}")
    assert pixels.dtype == np.uint8 and pixels.shape == shape
    [back] = load_images(tmp_path / f"out{suffix}", dtype=np.float64)
    tolerance = 4 / 255 if suffix == ".jpg" else 0.5 / 255 + 1e-12
    np.testing.assert_allclose(back, image, atol=tolerance)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
@pytest.mark.parametrize("shape", [(7, 5), (7, 5, 3)])
def test_write_like_a_16bit_source(tmp_path, suffix, shape):
    source = tmp_path / f"source{suffix}"
    pixels = random_pixels(shape, np.uint16)
    if suffix == ".png" and len(shape) == 3:
        _write_16bit_png(source, pixels)
    elif suffix == ".png":
        Image.fromarray(pixels).save(source)
    else:
        tifffile.imwrite(source, pixels, photometric="rgb" if len(shape) == 3 else None)
    [image] = load_images(source, dtype=np.float64)
    write_image(tmp_path / f"out{suffix}", image, like=source)
    written, _ = _read_file(tmp_path / f"out{suffix}")
    assert written.dtype == np.uint16
    np.testing.assert_array_equal(written, pixels)  # exact round trip
    # an 8-bit-only format written like a 16-bit source is 8-bit
    write_image(tmp_path / "out.bmp", image, like=source)
    assert _read_file(tmp_path / "out.bmp")[0].dtype == np.uint8


def test_write_like_restores_the_sources_alpha(tmp_path):
    rgba = random_pixels((4, 5, 4), np.uint8)
    Image.fromarray(rgba).save(tmp_path / "source.png")
    [image] = load_images(tmp_path / "source.png")
    write_image(tmp_path / "out.png", image, like=tmp_path / "source.png")
    written, has_alpha = _read_file(tmp_path / "out.png")
    assert has_alpha
    np.testing.assert_array_equal(written, rgba)
    # a gray source with alpha, 16 bits
    la = random_pixels((4, 5, 2), np.uint16)
    _write_16bit_png(tmp_path / "la.png", la)
    [gray] = load_images(tmp_path / "la.png", dtype=np.float64)
    write_image(tmp_path / "la_out.png", gray, like=tmp_path / "la.png")
    np.testing.assert_array_equal(_read_file(tmp_path / "la_out.png")[0], la)
    # JPEG and BMP have no alpha
    write_image(tmp_path / "out.jpg", image, like=tmp_path / "source.png")
    assert _read_file(tmp_path / "out.jpg")[0].shape == (4, 5, 3)
    write_image(tmp_path / "la.bmp", gray, like=tmp_path / "la.png")
    assert _read_file(tmp_path / "la.bmp")[0].shape == (4, 5)


def test_write_clips_and_rejects_bad_input(tmp_path):
    write_image(tmp_path / "clip.png", np.array([[-0.5, 1.5]]))
    np.testing.assert_array_equal(_read_file(tmp_path / "clip.png")[0], [[0, 255]])
    with pytest.raises(ValueError, match="unknown image format '.gif'"):
        write_image(tmp_path / "a.gif", np.zeros((2, 2)))
    with pytest.raises(ValueError, match="expected a float image"):
        write_image(tmp_path / "a.png", np.zeros((2, 2), np.uint8))
    with pytest.raises(ValueError, match="expected a float image"):
        write_image(tmp_path / "a.png", np.zeros((2, 2, 5)))
    with pytest.raises(ValueError, match="expected a float image"):
        write_image(tmp_path / "a.png", np.zeros((2, 2, 3, 1)))
    with pytest.raises(ValueError, match="a.png: the image holds NaN"):
        write_image(tmp_path / "a.png", np.full((2, 2), np.nan))
    assert not (tmp_path / "a.png").exists()


# ------------------------------------------------------------------- real data
def test_real_natural_images(natural_dir):
    set12 = load_images(natural_dir / "set12")
    assert len(set12) == 12
    assert all(
        image.ndim == 2 and image.shape in ((256, 256), (512, 512)) for image in set12
    )
    assert all(0 <= image.min() and image.max() <= 1 for image in set12)
    kodak = load_images(natural_dir / "kodak24" / "kodim0[1-3].png")
    assert [image.shape[2] for image in kodak] == [3, 3, 3]
    gray = load_images(natural_dir / "kodak24" / "kodim01.png", as_gray=True)[0]
    assert gray.shape == kodak[0].shape[:2]
