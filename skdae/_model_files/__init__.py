"""Safe model files: weights and hyperparameters, loadable without pickle.

A model file is written with :func:`torch.save` and holds only tensors and plain
Python values (dicts, lists, strings, numbers, booleans, None). It is read back with
``torch.load(..., weights_only=True)``, whose restricted unpickler refuses any other
object, so opening a model file from someone else cannot run code. Classes are
stored by name and resolved against allow-lists: skdae's noise models and
architectures, and :mod:`torch.optim` optimizers.

Reading is defensive: every way a file can be malformed gives a
:class:`ModelFileError` naming the file and the problem, and a small file cannot
make :func:`load_model` allocate much more memory than its own size. The zip
archive must store its entries uncompressed (as :func:`torch.save` does), the
hyperparameters read from it must pass the same validation as in ``fit``, the
network they describe must have at most :data:`MAX_PARAMETERS` weights and its
(padded) images at most :data:`MAX_PIXELS` pixels, and the stored tensors must
have exactly the shapes and dtypes of that network, all checked before any
network or tensor is materialised. Paths are never restored from a file
(``checkpoint_path`` is always None after loading).

Weights may be stored as float16 (``save_model(..., weights_dtype="float16")``):
such a file declares it in a ``weights_dtype`` entry (format version 2, so that
older readers ask for an upgrade), every float32 weight of the network must then
be stored as float16 exactly, and the weights are float32 again once loaded.
``include_optimizer=False`` stores a fresh optimizer state (no per-weight
state), which any reader accepts.

Files are written atomically (:func:`write_atomically`): to a uniquely named
temporary file in the same folder, flushed to the disk, then renamed over the
target, so the target is always either the old file or the complete new one, even
with several processes writing the same path (the last rename wins).

The modules, one step each:

- ``_format``: the format's name, version, entries and size caps;
  :class:`ModelFileError`.
- ``_encoding``: parameter values to plain values and back (the allow-lists).
- ``_writing``: atomic writes, :func:`save_model`, :func:`check_checkpointable`.
- ``_reader``: opening the archive safely; the :class:`Reader` whose ``fail``
  raises :class:`ModelFileError` naming the file.
- ``_network_size``: the weights and padded pixels of a network, computed
  without building it.
- ``_weights``: stored tensors against the network's shapes and dtypes.
- ``_loading``: :func:`load_model`, checking hyperparameters and fitted state.
"""

from ._format import MAX_PARAMETERS, MAX_PIXELS, ModelFileError
from ._loading import load_model
from ._network_size import parameter_count
from ._writing import check_checkpointable, save_model, write_atomically

__all__ = [
    "MAX_PARAMETERS",
    "MAX_PIXELS",
    "ModelFileError",
    "check_checkpointable",
    "load_model",
    "parameter_count",
    "save_model",
    "write_atomically",
]
