"""``skdae denoise``: apply a saved model to a .npy or .png file."""

from pathlib import Path

from ._errors import CLIError
from ._image_files import IMAGE_SUFFIXES, read_npy, read_png, write_images
from ._paths import check_input_file, check_output_file


def add_parser(subparsers, formatter_class):
    """Add the ``denoise`` subcommand to ``subparsers``."""
    den = subparsers.add_parser(
        "denoise",
        help="apply a saved model to images",
        formatter_class=formatter_class,
        description=(
            "Denoise images with a model saved by `skdae demo` (model.skdae) or "
            "by DenoisingAutoencoder.save. INPUT is a .npy array of images in "
            "[0, 1] ((n, h*w), (n, h, w) or a single (h, w) image; uint8 arrays "
            "are divided by 255) or a .png image (colour is converted to gray); "
            "OUTPUT is .npy (any number of images) or .png (one image)."
        ),
    )
    den.add_argument("model", help="model file (model.skdae)")
    den.add_argument("input", help=".npy or .png input")
    den.add_argument("output", help=".npy or .png output")
    den.set_defaults(run=run, subparser=den)
    return den


def _batch_layout(shape, image_shape, path, from_png):
    """How INPUT of ``shape`` maps to the model's images: (single, n_images)."""
    height, width = image_shape
    n_pixels = height * width
    model = f"the model was trained on {height}x{width} images"
    if len(shape) == 2 and tuple(shape) == (height, width):
        return True, 1
    if from_png:
        raise CLIError(
            f"{path} holds a {shape[0]}x{shape[1]} image but {model} (a later "
            "version will accept any size)"
        )
    if len(shape) == 3:
        if tuple(shape[1:]) != (height, width):
            raise CLIError(f"{path} holds {shape[1]}x{shape[2]} images but {model}")
        n = shape[0]
    elif len(shape) == 2 and shape[1] == n_pixels:
        n = shape[0]
    else:
        raise CLIError(
            f"{path} holds an array of shape {tuple(shape)}: {model}; give one "
            f"({height}, {width}) image, ({'n'}, {height}, {width}) images or "
            f"(n, {n_pixels}) flat images"
        )
    if n == 0:
        raise CLIError(f"{path} holds no images")
    return False, n


def run(args, parser):
    """Run ``skdae denoise``; returns the exit code."""
    for name, value in (("INPUT", args.input), ("OUTPUT", args.output)):
        if Path(value).suffix.lower() not in IMAGE_SUFFIXES:
            parser.error(f"{name} {value}: use a .npy or a .png file")
    check_input_file(args.model, "MODEL")
    check_input_file(args.input, "INPUT")
    check_output_file(args.output, args.input)
    from_png = Path(args.input).suffix.lower() == ".png"
    shape, load_images = (read_png if from_png else read_npy)(args.input)
    if len(shape) not in (2, 3):
        raise CLIError(
            f"{args.input} holds an array of shape {tuple(shape)}; give one "
            "(h, w) image, (n, h, w) images or (n, h*w) flat images"
        )
    to_png = Path(args.output).suffix.lower() == ".png"
    if to_png and len(shape) == 3 and shape[0] != 1:
        raise CLIError(
            f"{args.input} holds {shape[0]} images, but a PNG OUTPUT holds one "
            "image; write a .npy file for a batch"
        )

    from ..autoencoder import DenoisingAutoencoder

    try:  # weights-only model file: loading it cannot run code
        model = DenoisingAutoencoder.load(args.model)
    except (ValueError, OSError) as exc:
        raise CLIError(f"could not load the model: {exc}") from None
    single, n_images = _batch_layout(shape, model.image_shape_, args.input, from_png)
    if to_png and n_images != 1:
        raise CLIError(
            f"{args.input} holds {n_images} images, but a PNG OUTPUT holds one "
            "image; write a .npy file for a batch"
        )
    images = load_images()
    batch = images[None] if single else images
    try:
        denoised = model.transform(batch)
    except ValueError as exc:
        raise CLIError(f"cannot denoise {args.input}: {exc}") from None
    if single:
        denoised = denoised[0]
    elif to_png:  # one image, flat or not
        denoised = denoised.reshape(model.image_shape_)
    write_images(args.output, denoised)
    print(f"denoised {n_images} image(s) -> {args.output}")
    return 0
