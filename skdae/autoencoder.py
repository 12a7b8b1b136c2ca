"""The :class:`DenoisingAutoencoder` estimator."""

import copy
import numbers
import os
import warnings

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
)
from sklearn.utils.validation import check_array, check_is_fitted

from ._blind_spot import REPLACEMENTS
from ._devices import resolve_device
from ._disk_arrays import is_on_disk, is_on_disk_images
from ._estimator_input import FLOATS, EstimatorInputMixin
from ._estimator_net import TRAINING_MODES, EstimatorNetMixin
from ._images import (
    from_batch,
    holds_images,
    is_image_list,
    warn_if_not_noisy_unit_range,
    warn_if_not_unit_range,
)
from ._inference import InferenceMixin
from ._model_files import check_checkpointable, load_model, save_model
from ._param_validation import ChannelAxis, ImageShape, PatchSize, SubclassOf
from ._random import draw_seed
from ._tensors import as_array_like, tensor_copy
from ._training import (
    HoldOut,
    ImagePairs,
    PatchPairs,
    StreamedImagePairs,
    StreamedPatchPairs,
)
from ._transform_to import transform_to
from .architectures import ARCHITECTURES, BaseArchitecture
from .losses import LOSSES
from .metrics import psnr
from .noise import BaseNoise

__all__ = ["DenoisingAutoencoder"]

#: Attributes set by fit: all removed again when a first fit fails.
_FITTED = (
    "net_",
    "history_",
    "n_iter_",
    "image_shape_",
    "n_channels_",
    "latent_shape_",
    "device_",
    "n_features_in_",
    "feature_names_in_",
    "_seed",
)


class DenoisingAutoencoder(
    EstimatorInputMixin,
    EstimatorNetMixin,
    InferenceMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Convolutional denoising autoencoder as a scikit-learn transformer.

    ``fit(X, y)`` trains a PyTorch network, through :mod:`skorch`, to map the
    images ``X`` to the clean images ``y`` (``y`` defaults to ``X``);
    ``transform(X)`` returns the denoised images and ``score(X, y)`` their mean
    PSNR against ``y``.

    The default network and recipe are the reference design: Conv 1→32 3x3
    (padding 1) + ReLU + MaxPool 2, Conv 32→64 3x3 (padding 1) + ReLU + MaxPool 2,
    ConvTranspose 64→32 2x2 stride 2 + ReLU, ConvTranspose 32→1 2x2 stride 2 +
    Sigmoid (:class:`~skdae.networks.ReferenceAutoencoder`), trained with the mean
    squared error, Adam (``lr=1e-3``), 20 epochs and batches of 20 images.

    Parameters
    ----------
    noise : skdae noise model or None, default=None
        If given, every training batch is corrupted afresh with this noise model
        on every epoch (the original denoising-autoencoder formulation), so
        ``DenoisingAutoencoder(noise=GaussianNoise(0.5)).fit(X)`` learns to denoise
        from clean images alone. Its parameters are tunable as ``noise__sigma``
        etc.; its own ``random_state`` is not used (``random_state`` below drives
        training). Validation images (see ``validation_fraction``) get the same
        noise on every epoch. ``None`` trains on ``X`` as given.
    architecture : {"reference", "residual", "unet"}, architecture object or \
            torch.nn.Module subclass, default="reference"
        The network. ``"reference"`` is the reference autoencoder described above
        (:class:`~skdae.architectures.Reference`); ``"residual"`` a DnCNN-style
        network that predicts the noise (:class:`~skdae.architectures.Residual`);
        ``"unet"`` a small U-Net (:class:`~skdae.architectures.UNet`). Pass an
        architecture object, e.g. ``Residual(depth=12, channels=48)``, to set its
        size; its parameters are tunable as ``architecture__depth`` etc. A
        :class:`torch.nn.Module` subclass, or
        :class:`~skdae.architectures.CustomArchitecture` for one with keyword
        arguments, uses your own network.
    image_shape : (int, int) or None, default=None
        Height and width of the images for flat ``(n_samples, n_features)`` input.
        ``None`` infers square images and raises a ValueError when
        ``n_features`` is not a perfect square. One side may be ``-1`` to be
        inferred: ``image_shape=(1, -1)`` treats each sample as a one-pixel-high
        image, so any 2-D numeric data can be fitted. Ignored for 3-D and 4-D
        input, whose shape says it.
    channel_axis : "auto", None or int, default="auto"
        Which axis of the batch ``X`` holds the colour channels. ``"auto"``:
        2-D (flat) and 3-D ``(n, h, w)`` input is grayscale; 4-D input is
        channels-first ``(n, c, h, w)``, as torch gives it, when axis 1 has 1,
        3 or 4 entries, and otherwise channels-last ``(n, h, w, c)``, as image
        libraries give it, when the last axis has. A shape that fits both, such
        as ``(n, 3, h, 3)``, is read channels-first; pass ``channel_axis=-1``
        for the other reading. ``None`` forces grayscale: ``(n, h * w)``,
        ``(n, h, w)`` or ``(n, 1, h, w)``. An int names the axis of the 4-D
        batch: ``1`` for ``(n, c, h, w)``, ``-1`` (or 3) for ``(n, h, w, c)``.
        In a list of images each image is read as a batch of one
        (``image[np.newaxis]``), so the same number names the same axis.
        Read at every call: a model fitted on channels-last images denoises
        channels-first ones after ``set_params(channel_axis=1)``. The network
        gets as many input and output channels as the training images have
        (``n_channels_``).
    patch_size : int, (int, int) or None, default=None
        Train on random patches of this height and width instead of whole
        images, as DnCNN trains on 40x40 or 50x50 patches of photographs:
        every epoch draws fresh patch positions from the training images
        (an array, or a list of images of any sizes, each at least as large
        as the patches), so a few hundred photographs give an endless stream
        of training samples. Noise is drawn afresh for every patch, and
        targets ``y`` are cut at the same places. The images are stored once;
        batches of patches are cut as they are needed, so memory does not grow
        with the number of patches. With ``validation_fraction``, whole images
        are held out and the same validation patches are used every epoch.
        ``None`` trains on whole images, which must then all have one size.
    augment : bool, default=False
        With ``patch_size``, flip patches at random (horizontally, vertically)
        and, for square patches, transpose them: the 8 rotations and
        reflections of a square (4 flips for other patches).
    patches_per_epoch : int or None, default=None
        With ``patch_size``, the number of patches one epoch draws. ``None``
        draws ``ceil(h * w / (ph * pw))`` patches from each training image, as
        many as cover its area once (21 per 180x180 image for 40x40 patches);
        an int draws that many, choosing images in proportion to their areas.
    tile_size : int, (int, int) or None, default=None
        Denoise images in overlapping tiles of this size (height, width) at
        :meth:`transform` and :meth:`score` time, blended back without seams
        (neighbouring tiles overlap by an eighth of the tile size, weighted by a
        raised-cosine window). Memory is
        then bounded by a batch of tiles (about a megapixel) plus the output,
        whatever the image size: use it for photographs of many megapixels. The
        result matches whole-image denoising to within float rounding when the
        network's receptive-field radius is at most a quarter of the overlap
        (in PSNR, within 0.01 dB in skdae's tests). ``None`` denoises whole
        images. Read at every call, so ``set_params(tile_size=256)`` on a fitted
        model changes how the next :meth:`transform` runs.
    training : {"supervised", "noise2self", "neighbor2neighbor"}, \
default="supervised"
        What the network learns from. ``"supervised"``: to map ``X`` to the
        targets ``y`` (clean images, or ``X`` corrupted by ``noise``). This also
        covers Noise2Noise: ``fit(noisy_a, noisy_b)`` with two independent noisy
        copies of the same scenes learns to denoise without any clean image.
        The two self-supervised modes learn from the noisy images ``X`` alone;
        they need noise that is independent from pixel to pixel and has mean
        zero (Gaussian, Poisson, not clipped), and refuse ``y`` images and
        ``noise``. ``"noise2self"``: blind-spot training (Noise2Void/Noise2Self):
        in every training batch a fraction ``mask_density`` of the pixels of
        each image (or patch) is hidden, replaced as ``mask_replacement`` says,
        and the loss is taken on the hidden pixels only, against their noisy
        values, so the network cannot learn the identity and learns the signal
        instead. ``"neighbor2neighbor"`` (Huang et al., 2021): every image (or
        patch) is cut into 2x2 cells; one pixel of each cell forms a half-size
        input image, a neighbouring pixel of the same cell its target, and the
        loss, taken on every pixel, adds a regulariser computed from the
        network's output on the whole image. It learned faster and better than
        ``"noise2self"`` on photographs in skdae's measurements, but worse on
        small images with detail at the scale of a pixel such as MNIST digits
        (see the user guide); it needs a fully convolutional network and
        images (or patches) of at least 2 pixels, and an odd last row or
        column is left out of training. Masks and cells are drawn from the
        fit's own generators (``random_state``). Inference is the plain forward
        pass on the whole image. See the user guide, "Denoising without clean
        images".
    mask_density : float in (0, 1), default=0.1
        With ``training="noise2self"``, the fraction of the pixels of each
        training image or patch hidden in each batch (at least one pixel).
        Denser masks give more pixels to learn from per batch but show the
        network more replaced pixels; on Set12 (4 epochs) 0.1 and 0.2
        learned best, 0.6 dB ahead of 0.02 (see the user guide).
    mask_replacement : {"neighbour", "local_mean"}, default="neighbour"
        With ``training="noise2self"``, what a hidden pixel is replaced by, in
        every channel: ``"neighbour"``, a random other pixel of its 5x5
        neighbourhood (Noise2Void), or ``"local_mean"``, the mean of its 3x3
        neighbours (Noise2Self). ``"neighbour"`` learned clearly better in
        skdae's measurements (see the user guide).
    max_epochs : int, default=20
        Number of passes over the training data in :meth:`fit`.
    batch_size : int, default=20
        Images per training batch.
    lr : float, default=1e-3
        Learning rate.
    optimizer : torch optimizer class, default=torch.optim.Adam
        Optimizer, called as ``optimizer(params, lr=lr)``. Every
        :mod:`torch.optim` optimizer for dense gradients works, including
        :class:`torch.optim.LBFGS` (its closure is supplied).
    loss : {"mse", "psnr"}, default="mse"
        Training loss. ``"mse"``, the mean squared error over all pixels, is the
        reference recipe. ``"psnr"`` is minus the mean per-image PSNR in dB
        (:class:`~skdae.losses.PSNRLoss`), the quantity :meth:`score` reports:
        every image weighs the same whatever its error, so use it for a blind
        model trained over a range of noise levels (such as
        ``GaussianNoise(sigma=(0.1, 0.5))``), where the MSE would be dominated by
        the heavily corrupted images and the light noise would be neglected.
        ``history_`` then records losses in dB (negative, lower is better).
        Changing ``loss`` before resuming training (``warm_start``,
        :meth:`partial_fit`) keeps the weights but starts a fresh optimizer,
        whose state belonged to the other loss's gradients.
    validation_fraction : float in (0, 1) or None, default=None
        Fraction of the training images held out (at random) to compute a
        validation loss every epoch, recorded as ``valid_loss`` in ``history_``.
    early_stopping : bool, default=False
        Stop when the validation loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs and restore the weights of the best epoch.
        Needs ``validation_fraction``. The early-stopping state (best loss and
        weights, epochs without improvement) carries over to ``warm_start`` fits
        and :meth:`partial_fit` and is saved in model files and checkpoints.
    n_iter_no_change : int, default=5
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Improvement of the validation loss that counts for early stopping:
        relative for ``loss="mse"``, in dB for ``loss="psnr"``.
    callbacks : list of skorch callbacks or None, default=None
        Extra :mod:`skorch.callbacks` (instances, or ``(name, callback)`` pairs),
        copied at fit time.
    warm_start : bool, default=False
        If True, a second call to :meth:`fit` continues training the existing
        network for ``max_epochs`` more epochs instead of starting anew.
    checkpoint_path : str, path-like or None, default=None
        If given, the model is saved to this file (with :meth:`save`, replacing
        the file atomically) every ``checkpoint_every`` epochs. After a crash,
        ``DenoisingAutoencoder.load(checkpoint_path)`` gives the model of the last
        checkpoint; ``.set_params(warm_start=True, max_epochs=remaining).fit(X)``
        then finishes the training exactly as an uninterrupted run would have.
        ``fit`` raises an error before training if the folder does not exist,
        the path is a directory or ``""``, or a parameter cannot be saved (see
        :meth:`save`). Clones share the path: in a grid search every candidate
        and fold saves to this one file (safely, also with ``n_jobs``), which
        then holds the model of whichever fit saved last; leave it None there.
    checkpoint_every : int, default=1
        Epochs between checkpoints.
    device : str or torch.device, default="auto"
        ``"auto"`` trains on CUDA when available and on the CPU otherwise; any
        torch device string (``"cpu"``, ``"cuda"``, ``"cuda:1"``) is accepted. The
        training data is moved to the device once. On CUDA, with the default
        Adam optimizer, full-size training steps are replayed as a captured
        CUDA graph (same arithmetic, far fewer kernel launches). A model trained
        on a GPU unpickles and runs on a CPU-only machine.
    verbose : int, default=0
        0 is silent, 1 prints skorch's table of epochs, 2 also shows a progress
        bar over the batches of each epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, training noise and the validation
        split, each through a :class:`torch.Generator` of the fit's own. An int
        gives identical results for the same data on the CPU with the same
        number of torch threads. The global NumPy and PyTorch generators are
        never used or changed (except by a custom network with dropout or unusual
        layers: see the user guide), so fits in parallel threads are
        independent.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the :class:`torch.nn.Module`.
    history_ : skorch.History
        Per-epoch records: ``train_loss``, ``valid_loss`` (with validation),
        ``dur`` and per-batch values; ``history_[:, "train_loss"]`` is the loss
        curve.
    n_iter_ : int
        Number of epochs trained so far.
    image_shape_ : (int, int)
        Height and width of the training images; with ``patch_size`` and a
        list of images, of the patches. Flat input to :meth:`transform` must
        have images of this size.
    n_channels_ : int
        Number of channels of the training images (1 for grayscale).
    latent_shape_ : (int, int, int)
        Channels, height and width of the latent code (see :meth:`encode`).
    device_ : str
        Device the network lives on.
    n_features_in_ : int
        Number of values per training image (pixels times channels).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, for DataFrame input.

    See Also
    --------
    GaussianNoise : Additive Gaussian noise model.
    SaltPepperNoise : Impulse noise model.
    skdae.metrics.make_denoising_scorer : Scorers for model selection.

    Notes
    -----
    Input may be flat ``(n_samples, height * width)`` (as ``fetch_openml`` or
    ``load_digits`` give), ``(n_samples, height, width)``,
    ``(n_samples, channels, height, width)`` or
    ``(n_samples, height, width, channels)`` (see ``channel_axis``), or a list
    of images of different sizes (a list or tuple of NumPy arrays, tensors or
    DataFrames, one image each; nested lists of numbers are read as one array,
    as scikit-learn reads them); outputs have the layout of the input. Any
    image size works: images are padded (replicating the border) to the multiple
    the architecture needs (4 for the reference network) and cropped back.
    :meth:`transform` and :meth:`score` accept images of other sizes than
    those seen in :meth:`fit` (all built-in networks are fully convolutional;
    a custom network that is not declares ``fully_convolutional = False``). Values
    are expected in [0, 1]: ``transform`` returns images clipped to [0, 1] (the
    reference network ends in a sigmoid), so targets outside that range cannot be
    reproduced (a warning says so); ``transform`` and ``score`` warn about input
    on another scale (such as 0..255), and values beyond about 1.8e19 in
    magnitude are refused. float32 input gives float32 output and anything else
    float64; the network always computes in float32. The caller's data is never
    modified, even by a custom network that writes to its input: networks and
    noise models only ever see copies. :class:`torch.Tensor` input (also one
    requiring gradients) is read as an array. Class labels passed as a 1-D ``y`` (as a
    :class:`~sklearn.pipeline.Pipeline` does for every step) are ignored: the
    target is then ``X`` itself.

    Examples
    --------
    >>> import numpy as np
    >>> from skdae import DenoisingAutoencoder, GaussianNoise
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((40, 64))  # 40 images of 8x8 pixels, flat
    >>> dae = DenoisingAutoencoder(noise=GaussianNoise(0.2), max_epochs=2,
    ...                            random_state=0).fit(X)
    >>> dae.transform(X).shape
    (40, 64)
    >>> dae.encode(X).shape  # 64 channels of 2x2
    (40, 256)
    >>> len(dae.history_)
    2

    From noisy images alone (no clean version), by blind-spot training:

    >>> noisy = np.clip(0.5 + rng.normal(0, 0.2, (40, 8, 8)), 0, 1)
    >>> n2s = DenoisingAutoencoder(training="noise2self", max_epochs=2,
    ...                            random_state=0).fit(noisy)
    >>> n2s.transform(noisy).shape
    (40, 8, 8)
    """

    _parameter_constraints: dict = {
        "noise": [None, BaseNoise],
        "architecture": [
            StrOptions(set(ARCHITECTURES)),
            BaseArchitecture,
            SubclassOf(torch.nn.Module),
        ],
        "image_shape": [None, ImageShape()],
        "channel_axis": [StrOptions({"auto"}), None, ChannelAxis()],
        "patch_size": [None, PatchSize()],
        "tile_size": [None, PatchSize()],
        "augment": ["boolean"],
        "patches_per_epoch": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "training": [StrOptions(set(TRAINING_MODES))],
        "mask_density": [Interval(numbers.Real, 0, 1, closed="neither")],
        "mask_replacement": [StrOptions(set(REPLACEMENTS))],
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "optimizer": [callable],
        "loss": [StrOptions(set(LOSSES))],
        "validation_fraction": [None, Interval(numbers.Real, 0, 1, closed="neither")],
        "early_stopping": ["boolean"],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "callbacks": [None, list],
        "warm_start": ["boolean"],
        "checkpoint_path": [None, str, os.PathLike],
        "checkpoint_every": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        noise=None,
        *,
        architecture="reference",
        image_shape=None,
        channel_axis="auto",
        patch_size=None,
        augment=False,
        patches_per_epoch=None,
        tile_size=None,
        training="supervised",
        mask_density=0.1,
        mask_replacement="neighbour",
        max_epochs=20,
        batch_size=20,
        lr=1e-3,
        optimizer=torch.optim.Adam,
        loss="mse",
        validation_fraction=None,
        early_stopping=False,
        n_iter_no_change=5,
        tol=1e-4,
        callbacks=None,
        warm_start=False,
        checkpoint_path=None,
        checkpoint_every=1,
        device="auto",
        verbose=0,
        random_state=None,
    ):
        self.noise = noise
        self.architecture = architecture
        self.image_shape = image_shape
        self.channel_axis = channel_axis
        self.patch_size = patch_size
        self.augment = augment
        self.patches_per_epoch = patches_per_epoch
        self.tile_size = tile_size
        self.training = training
        self.mask_density = mask_density
        self.mask_replacement = mask_replacement
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.loss = loss
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.callbacks = callbacks
        self.warm_start = warm_start
        self.checkpoint_path = checkpoint_path
        self.checkpoint_every = checkpoint_every
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network to map ``X`` to ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels), (n_samples, h, w), \
(n_samples, c, h, w) or (n_samples, h, w, c), or list of images
            Training input images, values in [0, 1] (noisy, or clean when
            ``noise`` is set), in a layout read with ``channel_axis``. A list
            of images of different sizes needs ``patch_size``; a list of
            images of one size is stacked. A :class:`numpy.memmap`, zarr array
            or h5py dataset is never read whole: it is validated chunk by
            chunk, and each batch (or each batch's patches) is read as it is
            needed, in a background thread (see :ref:`on_disk`).
        y : array-like of the same shape as X, list of images, or None, \
default=None
            Clean target images (a list when ``X`` is one), or a second,
            independently noisy copy of ``X`` (Noise2Noise); ``None`` (or 1-D
            class labels) means ``X``. May live on disk like ``X``. Refused
            with the self-supervised ``training`` modes, which learn from
            ``X`` alone.

        Returns
        -------
        self : DenoisingAutoencoder
            The fitted estimator.

        Raises
        ------
        ValueError
            With ``training="noise2self"`` or ``"neighbor2neighbor"``, if
            target images ``y`` or a ``noise`` model are given.
        """
        resume = self.warm_start and hasattr(self, "net_")
        return self._fit(X, y, epochs=self.max_epochs, resume=resume)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Train for a single epoch, continuing from the current weights.

        The first call initialises the network as :meth:`fit` would.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels), (n_samples, h, w), \
(n_samples, c, h, w) or (n_samples, h, w, c), or list of images
            Training input images, as in :meth:`fit`.
        y : array-like of the same shape as X, list of images, or None, \
default=None
            Clean target images; ``None`` means ``X``.

        Returns
        -------
        self : DenoisingAutoencoder
            The updated estimator.

        Notes
        -----
        An ``X`` on disk is validated chunk by chunk at every call, which
        reads it once more than the epoch itself does.
        """
        return self._fit(X, y, epochs=1, resume=hasattr(self, "net_"))

    def _fit(self, X, y, *, epochs, resume):
        # a fit that fails leaves the estimator as it was: unfitted after a
        # failed first fit, the previous model after a failed warm start
        previous = {n: self.__dict__[n] for n in _FITTED if n in self.__dict__}
        if resume:  # training changes the net in place
            previous["net_"] = copy.deepcopy(self.net_)
        try:
            self._train(X, y, epochs=epochs, resume=resume)
        except FloatingPointError:
            net = self.__dict__.get("net_")
            if net is None or not len(net.history):  # nothing usable was learnt
                self._forget_fit(previous)
            else:
                self._set_fitted_state()
            raise
        except BaseException:
            self._forget_fit(previous)
            raise
        interrupted_in = self.net_.guard.interrupted_in_
        finished = len(self.net_.history)
        if not finished:  # interrupted in the first epoch: nothing learnt
            self._forget_fit(previous)
        else:
            self._set_fitted_state()
        if interrupted_in is not None:
            kept = (
                f"The model keeps the weights and the history of epoch {finished}, "
                "the last finished epoch. Call fit with warm_start=True, or "
                "partial_fit, to resume."
                if finished
                else "No epoch had finished: the estimator is not fitted."
            )
            warnings.warn(
                f"Training was interrupted (KeyboardInterrupt) in epoch "
                f"{interrupted_in}. {kept}",
                UserWarning,
                stacklevel=4,  # the caller of fit/partial_fit (through _fit_context)
            )
        return self

    def _train(self, X, y, *, epochs, resume):
        """Validate everything, build the net (first fit) and train it."""
        if self.checkpoint_path is not None:
            check_checkpointable(self)  # now, not after an epoch of work
        if self.noise is not None:
            self.noise._validate_params()
        if self.training != "supervised":
            self._check_self_supervised(y)
        if self.early_stopping and self.validation_fraction is None:
            raise ValueError(
                "early_stopping=True needs a validation set: set "
                "validation_fraction, e.g. validation_fraction=0.1."
            )
        patch = self._check_patch_size()
        if is_image_list(X) and patch is None:
            X, y = self._stack_image_list(X, y)
        if is_image_list(X):
            batches, _ = self._check_image_list(X)
            target_batches = batches
            if is_image_list(y) or holds_images(y):
                target_batches = self._check_target_list(y, batches)
            n_channels = self._list_channels(batches)
            low = min(float(t.min()) for t in target_batches)
            high = max(float(t.max()) for t in target_batches)
            target_range = np.array([low, high])
            n_images = len(batches)
        elif is_on_disk(X) or is_on_disk_images(y):  # read batch by batch, never whole
            source, target_source, target_range = self._check_disk_images(
                X, y, reset=not resume, any_size=patch is not None
            )
            n_channels, shape = source.n_channels, source.image_shape
            n_images = len(source)
        else:
            X, batch, shape = self._check_images(
                X, reset=not resume, any_size=patch is not None
            )
            targets = self._check_targets(y, X, batch, shape)
            n_channels = batch.shape[1]
            target_range = targets
            n_images = len(batch)
        if self.training != "supervised":  # noisy targets: only the scale matters
            warn_if_not_noisy_unit_range(
                target_range, "The noisy training images", stacklevel=6
            )
        else:
            warn_if_not_unit_range(
                target_range,
                "Target images",
                consequence="skdae's networks output images in [0, 1] (transform "
                "clips to that range).",
                stacklevel=6,  # helper, _train, _fit, fit, _fit_context, the caller
            )
        if patch is not None:
            sizes = [b.shape[2:] for b in batches] if is_image_list(X) else [shape]
            self._check_patch_fits(patch, sizes)
        if self.validation_fraction is not None:  # before anything is built
            HoldOut.n_valid(self.validation_fraction, n_images)
        if resume:
            self._check_channels(n_channels, "X")

        if not resume:
            self.device_ = resolve_device(self.device)
            self._seed = draw_seed(self.random_state)
            self.n_channels_ = int(n_channels)
            if is_image_list(X):  # no one image size: that of the patches
                self.image_shape_ = patch
                self.n_features_in_ = int(n_channels * patch[0] * patch[1])
                self.__dict__.pop("feature_names_in_", None)
            else:
                self.image_shape_ = shape
            self.net_ = self._build_net()
            self.net_.initialize()  # weights drawn from the seed's own generator
        else:
            self._update_net()
        net = self.net_
        if self.training == "neighbor2neighbor" and not net.module_.fully_convolutional:
            raise ValueError(
                "training='neighbor2neighbor' trains the network on half-size "
                "images, but this network needs images of the one size it was "
                "built for (fully_convolutional = False). Use a fully "
                "convolutional network, or training='noise2self'."
            )

        # copies: the network and the noise model (possibly a user's, writing in
        # place) never see the caller's memory
        if is_on_disk(X) or is_on_disk_images(y):
            inputs = None
        elif is_image_list(X):
            inputs = [tensor_copy(b[0], np.float32).to(net.device) for b in batches]
            target_t = (
                inputs
                if target_batches is batches
                else [
                    tensor_copy(t[0], np.float32).to(net.device) for t in target_batches
                ]
            )
        else:
            inputs = tensor_copy(batch, np.float32).to(net.device)
            target_t = inputs if targets is batch else tensor_copy(targets, np.float32)
            target_t = target_t.to(net.device)
        if inputs is None:
            dataset = (
                StreamedImagePairs(source, target_source, net.device)
                if patch is None
                else StreamedPatchPairs(
                    source,
                    target_source,
                    patch,
                    net.device,
                    n_patches=self.patches_per_epoch,
                    augment=self.augment,
                )
            )
        elif patch is None:
            dataset = ImagePairs(inputs, target_t)
        else:
            if not is_image_list(X):  # views into the one tensor: no copies
                same = target_t is inputs
                inputs = list(inputs)
                target_t = inputs if same else list(target_t)
            dataset = PatchPairs(
                inputs,
                target_t,
                patch,
                n_patches=self.patches_per_epoch,
                augment=self.augment,
            )

        if self.checkpoint_path is not None:
            net.guard.save = self._write_checkpoint
            net.guard.save_every = self.checkpoint_every
        try:
            net.partial_fit(dataset, epochs=epochs)
        finally:
            # the saver refers back to this estimator: never keep it in the net
            net.guard.save = None

    def _check_self_supervised(self, y):
        """Refuse what self-supervised training cannot use: targets, noise."""
        if holds_images(y) or is_image_list(y):
            raise ValueError(
                f"training={self.training!r} learns from the noisy images X alone "
                "and takes no target images y. Call fit(X); for pairs of "
                "independent noisy copies (Noise2Noise) use training='supervised' "
                "and fit(noisy_a, noisy_b)."
            )
        if self.noise is not None:
            raise ValueError(
                f"training={self.training!r} is for noisy images without clean "
                f"versions, but noise={self.noise!r} was given, which corrupts "
                "clean images. With clean images use training='supervised' and "
                "noise; with noisy images alone set noise=None."
            )

    def _forget_fit(self, previous):
        """Undo the fitted state of a failed fit: back to ``previous``."""
        for name in _FITTED:
            self.__dict__.pop(name, None)
        self.__dict__.update(previous)
        if "net_" in previous:  # the history of the restored copy of the net
            self.history_ = self.net_.history

    def _write_checkpoint(self):
        """Save the model as it is at the end of an epoch, atomically."""
        self._set_fitted_state()
        save_model(self, self.checkpoint_path)

    def _set_fitted_state(self):
        self.history_ = self.net_.history
        self.n_iter_ = len(self.net_.history)
        self.latent_shape_ = self._latent_shape()

    def _require(self, method):
        """Raise NotImplementedError if the network lacks ``encode``/``decode``."""
        check_is_fitted(self)
        network = self.net_.module_.network
        if self.net_.module_.has(method):
            return
        name = self.architecture
        if not isinstance(name, str):
            name = type(network).__name__
        if method == "encode":
            reason = "has no bottleneck, so it has no latent code"
        else:
            reason = (
                "cannot rebuild images from a latent code alone (a U-Net's decoder "
                "also needs the encoder's skip connections)"
            )
        raise NotImplementedError(
            f"The {name!r} architecture {reason}: {method} is not available. Use "
            "architecture='reference', or a custom network with encode and decode "
            "methods."
        )

    # -------------------------------------------------------------- inference
    def transform(self, X):
        """Denoise ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels), (n_samples, h, w), \
(n_samples, c, h, w) or (n_samples, h, w, c), or list of images
            Noisy images, values in [0, 1] (noisy values may stray outside),
            in a layout read with ``channel_axis``. Images of any size are
            denoised (flat rows must have ``n_features_in_`` pixels; a network
            declared ``fully_convolutional = False`` needs the size seen in
            :meth:`fit`). A list holds one image per element, each of shape
            ``(h, w)``, ``(h, w, c)`` or ``(c, h, w)`` and of any size. Not
            modified. A :class:`numpy.memmap`, zarr array or h5py dataset is
            read chunk by chunk (the output is returned in memory; to write it
            to disk, use :func:`skdae.transform_to`).

        Returns
        -------
        X_denoised : ndarray of the same shape as X, or list of ndarray
            Denoised images in [0, 1], in the layout of ``X``; float32 for
            float32 input, else float64. A list for a list: each image in its
            own shape and dtype.

        Raises
        ------
        ValueError
            If ``X`` holds images of another number of channels (or of another
            size, for a network that is not fully convolutional), NaN,
            infinity or values too large for float32 arithmetic, or if the
            network's output is not finite.

        Warns
        -----
        UserWarning
            If ``X`` cannot be (noisy) images in [0, 1], such as 8-bit images.
        """
        check_is_fitted(self)
        if is_image_list(X):
            return self._denoise_list(X)
        if is_on_disk(X):  # chunk by chunk, into an array in memory
            dtype = np.float32 if X.dtype == np.float32 else np.float64
            return transform_to(self, X, np.empty(X.shape, dtype=dtype))
        X, batch, _ = self._check_images(X, reset=False)
        # helper, transform, set_output's wrapper, the caller
        warn_if_not_noisy_unit_range(batch, "The images in X", stacklevel=4)
        out = self._denoise_batch(batch, X.dtype)
        return from_batch(out, X, self.channel_axis)

    def encode(self, X):
        """Latent code of each image: the output of the encoder, flattened.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels), (n_samples, h, w), \
(n_samples, c, h, w) or (n_samples, h, w, c)
            Images of the size seen in :meth:`fit`.

        Returns
        -------
        codes : ndarray of shape (n_samples, prod(latent_shape_))
            The encoder's feature maps (channels, height, width in C order), usable
            as features for another estimator.
        """
        self._require("encode")
        # codes are features of one length: images of the size seen in fit
        X, batch, _ = self._check_images(X, reset=False, any_size=False)
        out = self._map_batches(batch, lambda module, x: module.encode(x), X.dtype)
        return out.reshape(len(out), -1)

    def decode(self, codes):
        """Images reconstructed from latent codes made by :meth:`encode`.

        Parameters
        ----------
        codes : array-like of shape (n_samples, prod(latent_shape_))
            Latent codes.

        Returns
        -------
        images : ndarray of shape (n_samples, n_features_in_)
            Flat images.
        """
        self._require("decode")
        n_code = int(np.prod(self.latent_shape_))
        codes = as_array_like(codes)
        if len(getattr(codes, "shape", ())) == 2 and codes.shape[1] == 0:
            # before check_array, whose error for a DataFrame without columns
            # names no problem
            raise ValueError(
                f"codes have 0 features (shape={tuple(codes.shape)}) but the latent "
                f"code of this model has {n_code} (latent_shape_={self.latent_shape_})."
            )
        codes = check_array(codes, dtype=FLOATS, input_name="codes", estimator=self)
        if codes.shape[1] != n_code:
            raise ValueError(
                f"codes have {codes.shape[1]} features but the latent code of this "
                f"model has {n_code} (latent_shape_={self.latent_shape_})."
            )
        z = codes.reshape(len(codes), *self.latent_shape_)
        out = self._map_batches(
            z,
            lambda module, c: module.decode(c, self.image_shape_),
            codes.dtype,
            name="codes",
        )
        return out.reshape(len(out), -1)

    def score(self, X, y=None):
        """Mean PSNR (dB) of the denoised ``X`` against the clean ``y``.

        Uses :func:`skdae.metrics.psnr` (per image, then averaged over the
        images, also for a list of images of different sizes); higher is
        better.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_pixels), (n_samples, h, w), \
(n_samples, c, h, w) or (n_samples, h, w, c), or list of images
            Noisy images, of any size (as in :meth:`transform`).
        y : array-like of the same shape as X, list of images, or None, \
default=None
            Clean images (a list of images of the same shapes when ``X`` is a
            list); ``None`` (or 1-D labels) compares with ``X`` itself.

        Returns
        -------
        score : float
            Mean PSNR in dB.
        """
        check_is_fitted(self)
        if is_image_list(X):
            return self._score_list(X, y)
        X, batch, shape = self._check_images(X, reset=False)
        clean = self._check_targets(y, X, batch, shape)
        warn_if_not_noisy_unit_range(batch, "The images in X")
        values = np.empty(len(batch))

        def rate(start, denoised):  # chunk by chunk: no full-size temporaries
            np.clip(denoised, 0.0, 1.0, out=denoised)
            stop = start + len(denoised)
            values[start:stop] = psnr(
                clean[start:stop].reshape(len(denoised), -1),
                denoised.reshape(len(denoised), -1),
                per_image=True,
            )

        self._denoise_chunks(batch, rate)
        return float(values.mean())

    # ------------------------------------------------------------ persistence
    def save(self, path, *, weights_dtype="float32", include_optimizer=True):
        """Save the fitted model to a file that loads without pickle.

        The file holds the weights, the optimizer state, the hyperparameters and
        the training history as tensors and plain values (written with
        :func:`torch.save`). :meth:`load` reads it with ``weights_only=True``, so
        loading a model file from someone else cannot run code, unlike a pickle.
        Callbacks are not saved; noise models and optimizers are saved by name
        (skdae's noise models and :mod:`torch.optim` optimizers only), NumPy
        arrays as lists, and a noise model's own ``random_state`` object (unused
        in training) as None; ``checkpoint_path`` is not saved.

        The file is written atomically: to a uniquely named temporary file in the
        same folder, flushed to the disk and renamed over ``path``, so ``path``
        is never left partly written and is always the old or the new file.

        For a model to publish, ``weights_dtype="float16"`` and
        ``include_optimizer=False`` make the file much smaller (with Adam, about
        a sixth of the default: half the bytes per weight, and Adam's two
        moments per weight left out); loaded, it denoises as before to within
        about 0.01 dB and trains on from its weights with a fresh optimizer
        state.

        Parameters
        ----------
        path : str or path-like
            File to write, e.g. ``"model.skdae"``.
        weights_dtype : {"float32", "float16"}, default="float32"
            Storage type of the network's floating-point weights (and of the
            best weights kept for early stopping). ``"float16"`` halves their
            size; :meth:`load` turns them back into float32 (the network always
            computes in float32), so the loaded model differs from this one
            only by float16's rounding of each weight (a relative error of at
            most 2**-11). Weights beyond float16's range (+-65504) are refused
            with a ValueError. A float16 file is written as format version 2,
            which older skdae versions refuse with a message asking to upgrade
            (float32 files stay version 1). The optimizer state is always stored
            in float32: Adam's second moments are too small for float16.
        include_optimizer : bool, default=True
            Store the optimizer's state (Adam's moment estimates), so that
            training resumes exactly where it stopped. With False the file holds
            a fresh optimizer state: ``partial_fit`` and ``warm_start`` fits
            continue from the saved weights with new moment estimates, as when
            fine-tuning a published model.

        Returns
        -------
        path : pathlib.Path
            The file written.

        Raises
        ------
        ValueError
            If a parameter cannot be stored (a custom network or noise model, a
            callable that is not a :mod:`torch.optim` optimizer), if
            ``weights_dtype`` is not ``"float32"`` or ``"float16"``, or if a
            weight does not fit float16.
        OSError
            If the file cannot be written; ``errno.ENOSPC`` with a message
            saying so when the disk is full. The previous file, if any, is left
            unchanged.

        See Also
        --------
        load : Read the file back.
        """
        check_is_fitted(self)
        return save_model(
            self, path, weights_dtype=weights_dtype, include_optimizer=include_optimizer
        )

    @classmethod
    def load(cls, path, *, device=None):
        """Load a model written by :meth:`save`, without unpickling any object.

        Parameters
        ----------
        path : str or path-like
            Model file.
        device : str or None, default=None
            Device to load onto. ``None`` uses the device the model was trained on
            when available and falls back to the CPU (with a warning) otherwise,
            so a CUDA-trained model loads on a CPU-only machine.

        Returns
        -------
        model : DenoisingAutoencoder
            The fitted model; training can continue with ``partial_fit`` or
            ``warm_start=True``. Its ``checkpoint_path`` is None: a model file
            never restores a path.

        Raises
        ------
        ModelFileError
            A :class:`ValueError` naming the file, for every file that is not a
            valid model file: empty, truncated, damaged, a text, ``.npy`` or
            pickle file, or a directory; holding anything but tensors and plain
            values (for example a malicious pickle payload); missing or unknown
            entries or parameters; invalid hyperparameters; a network of more
            than 10**8 weights or images of more than 2**22 pixels (padded to
            the architecture's size multiple); weights or optimizer state whose
            shapes or dtypes do not fit the network the hyperparameters
            describe. All of this is checked before the network is built or the
            stored tensors are read.
        FileNotFoundError
            If ``path`` does not exist.
        """
        return load_model(cls, path, device=device)

    def __sklearn_is_fitted__(self):
        return hasattr(self, "net_")

    def __setstate__(self, state):
        # pickled before these parameters existed
        state.setdefault("loss", "mse")
        state.setdefault("training", "supervised")
        state.setdefault("mask_density", 0.1)
        state.setdefault("mask_replacement", "neighbour")
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:
            # skorch maps a CUDA-trained net to the CPU when CUDA is missing
            self.device_ = str(net.device)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
