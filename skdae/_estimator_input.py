"""Input checking of :class:`~skdae.DenoisingAutoencoder`.

The layout of images, lists of images and targets: what ``fit``, ``transform``
and ``score`` accept, read with ``channel_axis`` into (n, c, h, w) batches.
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ._disk_arrays import DiskImages, is_on_disk, is_on_disk_images
from ._images import (
    check_float32_range,
    check_has_pixels,
    check_image_shape_param,
    check_same_images,
    holds_images,
    is_image_list,
    resolve_channel_axis,
    resolve_flat_shape,
    to_batch,
)
from ._tensors import as_array_like

#: The dtypes the estimator computes in (others are converted to float64).
FLOATS = (np.float64, np.float32)


class EstimatorInputMixin:
    """Input checks of :class:`~skdae.DenoisingAutoencoder`.

    Reads ``channel_axis``, ``image_shape`` and ``patch_size`` and, after fit,
    ``image_shape_``, ``n_channels_``, ``n_features_in_`` and ``net_``.
    """

    def _check_images(self, X, *, reset, any_size=True):
        """Validate ``X``; return it and its (n, c, h, w) view and image shape.

        Torch tensors (even ones requiring gradients) are read as arrays. The
        layout is read from ``channel_axis`` at every call. After fit, images of
        another size than the fit's are accepted with ``any_size`` by a fully
        convolutional network (3-D and 4-D input; flat rows keep
        ``n_features_in_``).
        """
        X = given = as_array_like(X)
        check_has_pixels(X)
        X = check_array(
            X,
            allow_nd=True,
            dtype=FLOATS,
            ensure_all_finite=True,
            input_name="X",
            estimator=self,
        )
        check_has_pixels(X)  # again: lists have no shape before conversion
        check_float32_range(X)
        if reset:
            batch, shape = to_batch(
                X, check_image_shape_param(self.image_shape), self.channel_axis
            )
        elif X.ndim == 2:
            resolve_channel_axis(X.shape, self.channel_axis)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(self._n_features_message(X))
            batch, shape = to_batch(X, self.image_shape_, self.channel_axis)
        else:
            batch, shape = to_batch(X, None, self.channel_axis)
        if not reset:
            self._check_channels(batch.shape[1], "X")
            if tuple(shape) != tuple(self.image_shape_):
                if not (any_size and self.net_.module_.fully_convolutional):
                    check_same_images(shape, self.image_shape_, "X")
                return X, batch, shape  # images of another size: no pixel count
        # the column names of a DataFrame; the pixel count of the images
        validate_data(
            self,
            given if hasattr(given, "columns") else batch.reshape(len(batch), -1),
            reset=reset,
            skip_check_array=True,
        )
        return X, batch, shape

    def _check_disk_images(self, X, y, *, reset, any_size):
        """Validate ``X`` and ``y`` when one of them lives on disk, chunk by chunk.

        Returns the images and targets as :class:`~skdae._disk_arrays.DiskImages`
        (the same object when ``y`` is None) and the targets' [min, max]. Memory
        stays bounded by a chunk (:data:`~skdae._disk_arrays.CHUNK_BYTES`); an
        array that is not on disk is validated as usual first.
        """
        X = as_array_like(X)
        if not is_on_disk(X):
            X = check_array(
                X, allow_nd=True, dtype=FLOATS, ensure_all_finite=True, input_name="X"
            )
        flat_shape = check_image_shape_param(self.image_shape)
        if not reset:
            flat_shape = self.image_shape_
            if len(X.shape) == 2 and X.shape[1] != self.n_features_in_:
                raise ValueError(self._n_features_message(X))
        images = DiskImages(X, flat_shape, self.channel_axis, "X")
        shape = images.image_shape
        if reset and len(X.shape) > 2 and flat_shape is not None:
            h, w = shape
            if resolve_flat_shape(h * w, flat_shape) != (h, w):
                raise ValueError(
                    f"X holds {h}x{w} images but image_shape={self.image_shape!r}."
                )
        low, high, _ = images.scan()
        targets = images
        y = as_array_like(y)
        if is_on_disk_images(y) or (not is_on_disk(y) and holds_images(y)):
            if not is_on_disk(y):
                y = check_array(
                    y,
                    allow_nd=True,
                    dtype=FLOATS,
                    ensure_all_finite=True,
                    input_name="y",
                )
            targets = DiskImages(y, shape, self.channel_axis, "y")
            images.check_matches(targets)
            low, high, _ = targets.scan()
        if not reset:
            self._check_channels(images.n_channels, "X")
            if tuple(shape) != tuple(self.image_shape_):
                if not (any_size and self.net_.module_.fully_convolutional):
                    check_same_images(shape, self.image_shape_, "X")
                return images, targets, np.array([low, high])
        first = images.read_slice(0, 1)
        validate_data(self, first.reshape(1, -1), reset=reset, skip_check_array=True)
        return images, targets, np.array([low, high])

    def _check_channels(self, n_channels, name):
        """Raise if images of ``n_channels`` channels do not fit the network."""
        if n_channels != self.n_channels_:
            raise ValueError(
                f"{name} holds images of {n_channels} channel(s) but the model was "
                f"fitted on images of {self.n_channels_} (channel_axis="
                f"{self.channel_axis!r}). Set channel_axis to the axis that holds "
                "the channels: 1 for (n, c, h, w), -1 for (n, h, w, c), None for "
                "grayscale (n, h, w)."
            )

    def _check_image_list(self, images, name="X"):
        """Validate a list of images: one (1, c, h, w) float array per image.

        Each image is read as a batch of one (``image[np.newaxis]``), so
        ``channel_axis`` names the same axis as for an array of images. Returns
        the batches and the validated images (whose shapes and dtypes the
        outputs take).
        """
        batches, checked = [], []
        for i, image in enumerate(images):
            where = f"{name}[{i}]"
            image = check_array(
                np.asarray(as_array_like(image))[np.newaxis],
                allow_nd=True,
                dtype=FLOATS,
                ensure_all_finite=True,
                input_name=where,
            )
            check_has_pixels(image, where)
            check_float32_range(image, where)
            batch, _ = to_batch(image, None, self.channel_axis)
            batches.append(batch)
            checked.append(image)
        return batches, checked

    def _check_patch_size(self):
        """``patch_size`` (validated by fit) as (height, width), or None."""
        size = self.patch_size
        if size is None:
            return None
        if isinstance(size, numbers.Integral):
            return int(size), int(size)
        return int(size[0]), int(size[1])

    @staticmethod
    def _check_patch_fits(patch, sizes):
        """Raise if an image is smaller than the patches cut from it."""
        for i, (h, w) in enumerate(sizes):
            if h < patch[0] or w < patch[1]:
                raise ValueError(
                    f"Image {i} of X is {h}x{w} pixels, smaller than the "
                    f"{patch[0]}x{patch[1]} patches of patch_size: use a smaller "
                    "patch_size or leave that image out."
                )

    @staticmethod
    def _list_channels(batches):
        channels = {b.shape[1] for b in batches}
        if len(channels) > 1:
            raise ValueError(
                f"The images of X have different numbers of channels "
                f"({sorted(channels)}): convert them to one mode (all gray or all "
                "RGB) first."
            )
        return channels.pop()

    def _check_target_list(self, y, batches):
        """Validate a list of target images, one per image of X, of its shape."""
        if not is_image_list(y):
            raise ValueError(
                "X is a list of images, so y must be a list of as many images "
                "(or None)."
            )
        if len(y) != len(batches):
            raise ValueError(
                f"X and y hold different numbers of images: {len(batches)} and "
                f"{len(y)}."
            )
        targets, _ = self._check_image_list(y, "y")
        for i, (t, b) in enumerate(zip(targets, batches, strict=True)):
            if t.shape != b.shape:
                raise ValueError(
                    f"y[{i}] has the shape {t.shape[1:]} (channels, height, width) "
                    f"but X[{i}] has {b.shape[1:]}."
                )
        return targets

    def _stack_image_list(self, X, y):
        """A list of same-size images (and targets) as one array each."""
        _, checked = self._check_image_list(X)
        if len({image.shape for image in checked}) > 1:
            sizes = sorted({image.shape[1:] for image in checked})
            raise ValueError(
                f"The images of X have different sizes ({_short_list(sizes)}): "
                "a network trains on batches of one size. Set patch_size (e.g. "
                "patch_size=40) to train on random patches of them, or resize them."
            )
        X = np.concatenate(checked)
        if is_image_list(y):
            y = np.concatenate(self._check_image_list(y, "y")[1])
        return X, y

    def _n_features_message(self, X):
        """Error for flat rows of the wrong length, naming image sizes."""
        h, w = self.image_shape_
        message = (
            f"X has {X.shape[1]} features, but {type(self).__name__} is expecting "
            f"{self.n_features_in_} features as input: flat rows of the {h}x{w} "
            "images it was fitted on."
        )
        if X.shape[0] > 1:
            message += (
                f" A single {X.shape[0]}x{X.shape[1]} image given as a 2-D array "
                f"reads as {X.shape[0]} flat images of {X.shape[1]} pixels: pass it "
                "as image[np.newaxis], of shape "
                f"(1, {X.shape[0]}, {X.shape[1]})."
            )
        return message

    def _check_targets(self, y, X, batch, shape):
        """The clean targets as an (n, c, h, w) array; ``batch`` if y is None."""
        y = as_array_like(y)
        if not holds_images(y):
            return batch
        check_has_pixels(y, "y")
        y = check_array(
            y, allow_nd=True, dtype=FLOATS, ensure_all_finite=True, input_name="y"
        )
        check_float32_range(y, "y")
        if len(y) != len(X):
            raise ValueError(
                f"X and y hold different numbers of images: {len(X)} and {len(y)}."
            )
        if y.ndim == 2 and y.shape[1] != shape[0] * shape[1]:
            raise ValueError(
                f"y has {y.shape[1]} features per image but X holds "
                f"{shape[0]}x{shape[1]} images."
            )
        y_batch, y_shape = to_batch(
            y, shape if y.ndim == 2 else None, self.channel_axis
        )
        check_same_images(y_shape, shape, "y")
        if y_batch.shape[1] != batch.shape[1]:
            raise ValueError(
                f"y holds images of {y_batch.shape[1]} channel(s) but X of "
                f"{batch.shape[1]}."
            )
        return y_batch

    def _check_size(self, batch):
        """Channels and, for a network of one size, the size of ``batch``."""
        self._check_channels(batch.shape[1], "X")
        if not self.net_.module_.fully_convolutional:
            check_same_images(batch.shape[2:], self.image_shape_, "X")


def _short_list(values, limit=4):
    """``values`` as text, at most ``limit`` of them."""
    text = ", ".join(str(tuple(v)) for v in values[:limit])
    return text + (", ..." if len(values) > limit else "")
