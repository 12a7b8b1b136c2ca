"""What a model file holds: the format's name and version, its entries, its size
caps, and the error every malformed file raises."""

FORMAT = "skdae.DenoisingAutoencoder"
FORMAT_VERSION = 1

#: Most weights (trainable parameters) a network in a model file may have: 10**8,
#: 400 MB in float32 (the default network has about 27,000).
MAX_PARAMETERS = 10**8

#: Most pixels an image of a model file may have once padded to the
#: architecture's size multiple: 2**22, e.g. 2048x2048.
MAX_PIXELS = 2**22

#: Most image channels a model file may declare.
MAX_CHANNELS = 2**10

# Nesting deeper than this in a model file is refused (the format needs 6 levels).
MAX_DEPTH = 32

PAYLOAD_KEYS = {
    "format",
    "format_version",
    "params",
    "optimizer",
    "fitted",
    "history",
    "module_state",
    "optimizer_state",
}
#: Entries a model file may hold beyond those above (older files lack them).
OPTIONAL_PAYLOAD_KEYS = {"training_state"}
#: The early-stopping state (``EpochGuard.state_dict()``): key -> allowed types.
TRAINING_STATE = {
    "best_score": (float, int),
    "best_epoch": (int,),
    "misses": (int,),
    "stopped": (bool,),
}


class ModelFileError(ValueError):
    """A file given to :meth:`DenoisingAutoencoder.load` is not a valid model file.

    Raised for every kind of malformed file: not a model file at all (a text or
    ``.npy`` file, an empty or truncated file, a pickle), a file holding objects
    other than tensors and plain values, missing or unknown entries, invalid
    hyperparameters, a network larger than the documented size cap, or weights
    that do not fit the network the hyperparameters describe. The message names
    the file and the problem. A subclass of :class:`ValueError`.

    Examples
    --------
    >>> from skdae import DenoisingAutoencoder, ModelFileError
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = path.write_text("not a model")
    >>> try:
    ...     DenoisingAutoencoder.load(path)
    ... except ModelFileError as exc:
    ...     print(str(exc).endswith("is not a skdae model file (not a zip archive "
    ...                             "written by torch.save)."))
    True
    """
