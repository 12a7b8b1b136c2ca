"""The catalogue of shipped models: their names, model cards and files.

Each shipped model ``NAME`` is two files in the package folder ``models/``:
``NAME.skdae``, the model file (weights stored as float16, read by
:meth:`DenoisingAutoencoder.load <skdae.DenoisingAutoencoder.load>`), and
``NAME.json``, its model card. They are read with :mod:`importlib.resources`,
so they are found wherever the package is installed, also from a zip archive.
"""

import copy
import json
from importlib import resources

#: The shipped models, in the order :func:`available` lists them.
NAMES = ("gray", "color", "mnist")

#: The entries of every model card (see :func:`model_card`).
CARD_KEYS = (
    "description",
    "task",
    "architecture",
    "parameters",
    "weights_dtype",
    "training_data",
    "recipe",
    "device",
    "training_time",
    "seed",
    "reproduce",
    "benchmark",
)


def _folder():
    return resources.files(__package__) / "models"


def _check_name(name):
    if not isinstance(name, str) or name not in NAMES:
        choices = "; ".join(f"{n!r} ({available()[n]})" for n in NAMES)
        raise ValueError(
            f"Unknown pretrained model {name!r}. The models shipped with skdae "
            f"are: {choices}."
        )


def _missing(name, resource):
    return FileNotFoundError(
        f"The pretrained model {name!r} is not installed: {resource} is missing "
        "from the skdae package (it was built without its data files). "
        "Reinstall skdae, e.g. `pip install --force-reinstall skdae`."
    )


def _read_card(name):
    resource = _folder() / f"{name}.json"
    try:
        text = resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _missing(name, resource) from None
    return json.loads(text)


def available():
    """The names of the shipped models, each with a one-line description.

    Returns
    -------
    models : dict of str to str
        Model name -> what it denoises, in one line, for every model that
        :func:`load` accepts: ``"gray"`` (grayscale photographs),
        ``"color"`` (RGB photographs) and ``"mnist"`` (MNIST digits).

    See Also
    --------
    model_card : Everything known about one model.
    load : Load a model by its name.

    Examples
    --------
    >>> from skdae import pretrained
    >>> for name, description in pretrained.available().items():
    ...     print(f"{name}: {description[:30]}...")
    gray: blind Gaussian denoiser for g...
    color: blind Gaussian denoiser for R...
    mnist: the reference recipe on MNIS...
    """
    return {name: _read_card(name)["description"] for name in NAMES}


def model_card(name):
    """The model card of a shipped model: what it is, how it was trained.

    Parameters
    ----------
    name : str
        A name listed by :func:`available`.

    Returns
    -------
    card : dict
        A new dict (changing it changes nothing else) with the entries

        - ``description`` (str): what the model denoises, in one line;
        - ``task`` (str): the images and the noise it was trained for;
        - ``architecture`` (str): the network, as its ``repr``;
        - ``parameters`` (int): the number of weights of the network;
        - ``weights_dtype`` (str): how the weights are stored in the file;
        - ``training_data`` (str), ``recipe`` (str): what it was trained on,
          and how (noise, patches, epochs, optimizer);
        - ``device`` (str), ``training_time`` (str): where it was trained and
          for how long;
        - ``seed`` (int): the ``random_state`` of its training;
        - ``reproduce`` (str): the command that trains it again from the
          repository;
        - ``benchmark`` (dict or None): its benchmark table, with ``title``
          (str), ``header`` (list of str), ``rows`` (list of lists of str),
          ``command`` (str, the benchmark's command line) and ``source`` (str,
          where the full results are published), or None before it is
          measured.

    Raises
    ------
    ValueError
        If ``name`` is not a shipped model's name; the message lists them.

    Examples
    --------
    >>> from skdae import pretrained
    >>> card = pretrained.model_card("mnist")
    >>> card["weights_dtype"]
    'float16'
    """
    _check_name(name)
    return copy.deepcopy(_read_card(name))


def load(name, *, device="cpu"):
    """Load a shipped pretrained denoiser, offline, from the installed package.

    Parameters
    ----------
    name : str
        Which model: one of the names :func:`available` lists, ``"gray"``
        (blind Gaussian denoiser for grayscale photographs, sigma 0 to 55 on
        the 0-255 scale), ``"color"`` (the same for RGB photographs) or
        ``"mnist"`` (the reference recipe trained on MNIST).
    device : str, default="cpu"
        Device to load the model onto, as the ``device`` parameter of
        :class:`~skdae.DenoisingAutoencoder`: ``"cpu"``, ``"cuda"``,
        ``"cuda:1"``, ``"mps"`` or ``"auto"`` (a GPU when there is one).

    Returns
    -------
    model : DenoisingAutoencoder
        A new fitted model (each call reads the file again), which denoises
        with ``transform``, scores, saves, and keeps training with
        ``partial_fit`` or ``fit`` with ``warm_start=True`` (fine-tuning on
        one's own images; its optimizer state starts afresh, as the shipped
        files hold the weights only). The photograph models are fully
        convolutional and denoise images of any size.

    Raises
    ------
    ValueError
        If ``name`` is not a shipped model's name (the message lists them), or
        ``device`` is not a device.
    FileNotFoundError
        If the model's file is missing from the installed package.

    See Also
    --------
    available : The names and what each model denoises.
    model_card : How a model was trained, and its benchmark table.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import pretrained
    >>> dae = pretrained.load("gray")
    >>> rng = np.random.default_rng(0)
    >>> clean = np.tile(np.linspace(0, 1, 53, dtype=np.float32), (37, 1))
    >>> noisy = clean + 25 / 255 * rng.standard_normal(clean.shape)
    >>> denoised = dae.transform(noisy[np.newaxis])[0]
    >>> denoised.shape
    (37, 53)
    >>> bool(np.abs(denoised - clean).mean() < np.abs(noisy - clean).mean())
    True
    """
    _check_name(name)
    from ..autoencoder import DenoisingAutoencoder

    resource = _folder() / f"{name}.skdae"
    if not resource.is_file():
        raise _missing(name, resource)
    with resources.as_file(resource) as path:
        return DenoisingAutoencoder.load(path, device=device)
