"""What a model file holds: the format's name and version, its entries, its size
caps, and the error every malformed file raises."""

import torch

FORMAT = "skdae.DenoisingAutoencoder"
#: The newest format version this skdae reads. Version 2 added the
#: ``weights_dtype`` entry (weights stored as float16); a file is written with
#: the lowest version that can hold it (1 unless its weights are float16), so
#: that older skdae versions read every file they can and tell the user to
#: upgrade for the others.
FORMAT_VERSION = 2

#: dtype name -> the torch dtype weights may be stored in. Float32 weights are
#: stored as they are; float16 halves the file (the weights are float32 again
#: once loaded).
WEIGHTS_DTYPES = {"float32": torch.float32, "float16": torch.float16}

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
OPTIONAL_PAYLOAD_KEYS = {"training_state", "weights_dtype"}
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
