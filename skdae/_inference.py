"""Inference of :class:`~skdae.DenoisingAutoencoder`: the network on images.

Images are run through the network in chunks of ``inference_batch_size``
(:func:`skdae.config_context`), or tile by tile when ``tile_size`` is set; the
output is checked finite before anyone sees it.
"""

import numpy as np
import torch
from sklearn.utils._param_validation import validate_parameter_constraints

from ._background_reader import DeviceStager, read_ahead
from ._config import get_config
from ._images import (
    from_batch,
    holds_images,
    is_image_list,
    warn_if_not_noisy_unit_range,
)
from ._tensors import tensor_copy
from ._tiling import tile_pair, tiled_apply
from .metrics import psnr


class InferenceMixin:
    """Running the fitted network of :class:`~skdae.DenoisingAutoencoder`.

    Uses ``net_``, ``tile_size``, ``channel_axis`` and the input checks of
    :class:`~skdae._estimator_input.EstimatorInputMixin`.
    """

    def _for_each_chunk(self, batch, fn, consume, name="X"):
        """Call ``consume(start, result)`` for ``fn(module, x)`` over ``batch``.

        ``batch`` is cut into chunks of ``inference_batch_size`` images; each
        chunk is copied into a tensor of its own (a user's network may write to
        its input) and ``result`` is the output as a NumPy array, which must be
        finite.
        """
        module = self.net_.module_
        device = self.net_.device
        was_training = module.training
        module.eval()
        size = get_config()["inference_batch_size"]
        try:
            for start, chunk, x in _chunks_on_device(batch, size, device):
                with torch.inference_mode():
                    result = fn(module, x)
                    result = result.cpu().numpy()
                _check_finite_output(result, chunk, name)
                consume(start, result)
        finally:
            module.train(was_training)

    def _map_batches(self, batch, fn, dtype, name="X"):
        """``fn(module, x)`` over ``batch``, chunk by chunk, as one NumPy array."""
        out = None

        def store(start, result):
            nonlocal out
            if out is None:
                out = np.empty((len(batch), *result.shape[1:]), dtype=dtype)
            out[start : start + len(result)] = result

        self._for_each_chunk(batch, fn, store, name)
        return out

    def _denoise_chunks(self, batch, consume):
        """Denoise ``batch``, one (n, c, h, w) array of same-size images.

        Calls ``consume(start, result)`` with the unclipped network output for
        each chunk of ``inference_batch_size`` images: the one place where
        :meth:`transform` and :meth:`score` run the network on images.
        """
        if self.tile_size is None:
            self._for_each_chunk(batch, _denoise, consume)
            return
        # read at every call (set_params on a fitted model): checked here too
        validate_parameter_constraints(
            {"tile_size": self._parameter_constraints["tile_size"]},
            {"tile_size": self.tile_size},
            caller_name=type(self).__name__,
        )
        module = self.net_.module_
        was_training = module.training
        module.eval()
        tile_h, tile_w = tile_pair(self.tile_size)
        # about a megapixel of tiles per forward pass (the network's feature
        # maps are tens of times larger than its input)
        tiles_per_pass = max(1, 2**20 // (tile_h * tile_w * batch.shape[1]))
        try:
            for i in range(len(batch)):
                # tiled_apply copies each batch of tiles: a user's network may
                # write to its input without touching the caller's array
                result = tiled_apply(
                    lambda x: _denoise(module, x),
                    batch[i],
                    tile_size=(tile_h, tile_w),
                    batch_size=tiles_per_pass,
                    device=self.net_.device,
                )
                _check_finite_output(result, batch[i : i + 1], "X")
                consume(i, result[np.newaxis])
        finally:
            module.train(was_training)

    def _denoise_batch(self, batch, dtype):
        """The denoised ``batch`` (n, c, h, w), clipped to [0, 1], as ``dtype``."""
        out = np.empty(batch.shape, dtype=dtype)

        def store(start, result):
            out[start : start + len(result)] = result

        self._denoise_chunks(batch, store)
        return np.clip(out, 0.0, 1.0, out=out)

    def _denoise_list(self, images):
        """Denoise a list of images, each in its own size, layout and dtype."""
        batches, checked = self._check_image_list(images)
        for batch in batches:
            self._check_size(batch)
        # helper, transform, set_output's wrapper, the caller
        warn_if_not_noisy_unit_range(batches, "The images in X", stacklevel=5)
        out = [None] * len(batches)
        for indices in _same_size_groups(batches):
            group = np.concatenate([batches[i] for i in indices])
            dtype = np.result_type(*(checked[i].dtype for i in indices))
            denoised = self._denoise_batch(group, dtype)
            for k, i in enumerate(indices):
                one = denoised[k : k + 1].astype(checked[i].dtype, copy=False)
                out[i] = from_batch(one, checked[i], self.channel_axis)[0]
        return out

    def _score_list(self, X, y):
        """Mean PSNR over a list of images of any sizes."""
        batches, _ = self._check_image_list(X)
        clean = batches
        if is_image_list(y) or holds_images(y):
            clean = self._check_target_list(y, batches)
        for batch in batches:
            self._check_size(batch)
        warn_if_not_noisy_unit_range(batches, "The images in X", stacklevel=4)
        values = np.empty(len(batches))
        for indices in _same_size_groups(batches):
            group = np.concatenate([batches[i] for i in indices])
            denoised = self._denoise_batch(group, np.float64)
            values[indices] = psnr(
                np.concatenate([clean[i] for i in indices]).reshape(len(indices), -1),
                denoised.reshape(len(indices), -1),
                per_image=True,
            )
        return float(values.mean())


def _chunks_on_device(batch, size, device):
    """``(start, chunk, tensor)`` for each chunk of ``size`` images of ``batch``.

    ``tensor`` is a float32 copy of ``chunk`` on ``device``. On CUDA the next
    chunks are converted in a background thread into pinned buffers and copied
    with non-blocking transfers (:mod:`skdae._background_reader`), so that the
    conversion and the copy overlap the network's work on the previous chunk.
    """
    if torch.device(device).type != "cuda":
        for start in range(0, len(batch), size):
            chunk = batch[start : start + size]
            yield start, chunk, tensor_copy(chunk, np.float32).to(device)
        return
    stager = DeviceStager(device)

    def read():
        for start in range(0, len(batch), size):
            chunk = batch[start : start + size]
            yield start, chunk, stager.pin(np.ascontiguousarray(chunk, np.float32))

    for start, chunk, staged in read_ahead(read()):
        yield start, chunk, stager.to_device(staged)


def _same_size_groups(batches):
    """Indices of ``batches`` grouped by image shape (c, h, w), in order."""
    groups = {}
    for i, batch in enumerate(batches):
        groups.setdefault(batch.shape[1:], []).append(i)
    return list(groups.values())


def _check_finite_output(result, images, name):
    """Raise if the network's output ``result`` for ``images`` is not finite."""
    if not np.isfinite(result).all():
        raise ValueError(
            f"The network's output holds NaN or infinity for {name} values in "
            f"[{float(images.min()):.3g}, {float(images.max()):.3g}]: values far "
            "outside [0, 1] overflow its float32 arithmetic. Images are expected "
            "in [0, 1]."
        )


def _denoise(module, x):
    """Network output (callers clip it to [0, 1] once it is checked finite)."""
    return module(x)
