"""The skorch side of :class:`~skdae.DenoisingAutoencoder`.

Batches are sliced from tensors held in memory (on the training device) instead of
being collated sample by sample by a :class:`torch.utils.data.DataLoader`; the
training loop, callbacks and history are skorch's own. One callback,
:class:`EpochGuard`, keeps the weights of the last finished and of the best epoch
and restores them (interruption, divergence, early stopping). Everything random
draws from generators seeded by the fit (see :mod:`skdae._initialization` for
the initial weights).

Speed (see ``benchmarks/``): on the CPU, skdae's own networks are converted to the
channels-last memory format, which oneDNN's convolution and pooling kernels run
20-30 % faster in training and up to twice as fast in inference; the values
computed are the same up to float rounding. The per-batch loop records exactly
what skorch's records, with less Python work per batch. On CUDA, full-size
training steps are replayed as a CUDA graph (:mod:`skdae._cuda_graphs`).
"""

import copy
import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from torch.optim import LBFGS

from ._background_reader import DeviceStager, read_ahead
from ._blind_spot import MaskedTargets
from ._config import get_config
from ._cuda_graphs import GRAPHABLE_OPTIMIZERS, GraphedTrainStep, graphs_supported
from ._initialization import build_initialized
from ._neighbour_subsampling import SubsampledTargets
from ._random import child_seed, torch_generator
from .architectures._registry import OWN_NETWORKS


def _use_channels_last(module, device, optimizer=None):
    """Whether to run ``module`` (a PaddedNetwork) in channels-last format.

    Only skdae's own networks, only on the CPU: a user's network may ``view`` its
    feature maps (which fails on channels-last tensors), and the gain on GPUs
    depends on the GPU and the precision. Not with L-BFGS, which flattens the
    gradients with ``view``.
    """
    network = getattr(module, "network", None)
    return (
        get_config()["channels_last"]
        and torch.device(device).type == "cpu"
        and not (isinstance(optimizer, type) and issubclass(optimizer, LBFGS))
        and network is not None
        and type(network) in OWN_NETWORKS
    )


class ImagePairs(torch.utils.data.Dataset):
    """Input and target images, both ``(n, c, h, w)`` tensors, and a row subset.

    ``targets`` may be the very same tensor as ``inputs`` (denoising from clean
    data alone), in which case no second copy exists.
    """

    def __init__(self, inputs, targets, indices=None):
        self.inputs = inputs
        self.targets = targets
        self.indices = indices

    def __len__(self):
        return len(self.inputs) if self.indices is None else len(self.indices)

    def __getitem__(self, i):
        j = i if self.indices is None else int(self.indices[i])
        return self.inputs[j], self.targets[j]

    @property
    def device(self):
        return self.inputs.device

    def subset(self, indices):
        if self.indices is not None:
            indices = self.indices[indices]
        return self._with_indices(indices)

    def _with_indices(self, indices):
        """The same images, restricted to the rows ``indices``."""
        return ImagePairs(self.inputs, self.targets, indices)


class PatchPairs(ImagePairs):
    """Training images of any sizes, from which batches of random patches are cut.

    The images are held once, as ``(c, h, w)`` tensors (views into one tensor
    when they came as one array); an epoch draws only the coordinates of its
    patches, and each batch gathers its own patches, so memory never grows with
    the number of patches. Targets, when they differ from the inputs, are cut
    at the same places.

    Parameters
    ----------
    inputs, targets : list of torch.Tensor of shape (c, h, w)
        Input and target images (``targets`` may be ``inputs`` itself); every
        image at least as large as ``patch_size``.
    patch_size : (int, int)
        Height and width of the patches.
    n_patches : int or None
        Patches per pass; None draws ``ceil(h * w / (ph * pw))`` from each image
        (as many as cover its area once).
    augment : bool
        Random flips and, for square patches, transpositions: the 8 rotations
        and reflections of a square (4 flips for other patches).
    indices : tensor of int or None
        The images of this subset (a validation split is a split by image).
    """

    def __init__(
        self, inputs, targets, patch_size, n_patches=None, augment=False, indices=None
    ):
        super().__init__(inputs, targets, indices)  # len(): images, as HoldOut splits
        self.patch_size = patch_size
        self.n_patches = n_patches
        self.augment = augment

    @property
    def device(self):
        return self.inputs[0].device

    def _with_indices(self, indices):
        return PatchPairs(
            self.inputs,
            self.targets,
            self.patch_size,
            self.n_patches,
            self.augment,
            indices,
        )

    def _images(self):
        if self.indices is None:
            return torch.arange(len(self.inputs))
        return torch.as_tensor(self.indices)

    def patches_per_pass(self):
        """Number of patches one pass (epoch) draws."""
        if self.n_patches is not None:
            return int(self.n_patches)
        ph, pw = self.patch_size
        return sum(
            -(-(self.inputs[j].shape[1] * self.inputs[j].shape[2]) // (ph * pw))
            for j in self._images().tolist()
        )

    def draw(self, generator, augment=None):
        """Patch coordinates of one pass: (image, top, left, transform) rows.

        With ``n_patches=None`` every image gives its share (see the class) in
        random order; otherwise images are drawn with probabilities in
        proportion to their areas. Positions are uniform over each image.
        """
        augment = self.augment if augment is None else augment
        ph, pw = self.patch_size
        images = self._images()
        heights, widths = self._sizes(images)
        if self.n_patches is None:
            counts = -(-(heights * widths) // (ph * pw))
            which = torch.repeat_interleave(torch.arange(len(images)), counts)
            which = which[torch.randperm(len(which), generator=generator)]
        else:
            areas = (heights * widths).double()
            which = torch.multinomial(
                areas, int(self.n_patches), replacement=True, generator=generator
            )
        n = len(which)
        top = (
            torch.rand(n, generator=generator, dtype=torch.float64)
            * (heights[which] - ph + 1)
        ).long()
        left = (
            torch.rand(n, generator=generator, dtype=torch.float64)
            * (widths[which] - pw + 1)
        ).long()
        if augment:
            kinds = 8 if ph == pw else 4
            transform = torch.randint(kinds, (n,), generator=generator)
        else:
            transform = torch.zeros(n, dtype=torch.long)
        return torch.stack([images[which], top, left, transform], dim=1)

    def _sizes(self, images):
        """Heights and widths of ``images`` as tensors."""
        heights = torch.tensor([self.inputs[j].shape[1] for j in images.tolist()])
        widths = torch.tensor([self.inputs[j].shape[2] for j in images.tolist()])
        return heights, widths

    def gather(self, rows):
        """The input and target patches at ``rows`` (from :meth:`draw`)."""
        ph, pw = self.patch_size
        same = self.targets is self.inputs
        xs, ys = [], []
        for j, top, left, transform in rows.tolist():
            x = _transformed(
                self.inputs[j][:, top : top + ph, left : left + pw], transform
            )
            xs.append(x)
            if not same:
                y = self.targets[j][:, top : top + ph, left : left + pw]
                ys.append(_transformed(y, transform))
        xb = torch.stack(xs)
        return xb, (xb if same else torch.stack(ys))


class StreamedImagePairs(ImagePairs):
    """Input and target images on disk (:class:`~skdae._disk_arrays.DiskImages`).

    Batches are read as they are needed, in a background thread
    (:func:`~skdae._background_reader.read_ahead`), and moved to ``device``;
    the batches and their order are those :class:`ImagePairs` gives for the
    same images in memory, so training is the same.
    """

    def __init__(self, inputs, targets, device, indices=None):
        super().__init__(inputs, targets, indices)
        self._device = torch.device(device)

    @property
    def device(self):
        return self._device

    def _with_indices(self, indices):
        return StreamedImagePairs(self.inputs, self.targets, self._device, indices)

    def stream(self, order, batch_size):
        """Batches of the rows ``order`` (a tensor; None: all, in order)."""
        n = len(self) if order is None else len(order)
        if order is not None:
            order = order.cpu().numpy()
        stager = DeviceStager(self._device)
        same = self.targets is self.inputs

        def read():
            for start in range(0, n, batch_size):
                if order is None:
                    stop = min(start + batch_size, n)
                    xb = self.inputs.read_slice(start, stop)
                    yb = xb if same else self.targets.read_slice(start, stop)
                else:
                    rows = order[start : start + batch_size]
                    xb = self.inputs.read_rows(rows)
                    yb = xb if same else self.targets.read_rows(rows)
                xs = stager.pin(xb)
                yield xs, (xs if same else stager.pin(yb))

        for xs, ys in read_ahead(read()):
            xb = stager.to_device(xs)
            yield xb, (xb if ys is xs else stager.to_device(ys))


class StreamedPatchPairs(PatchPairs):
    """:class:`PatchPairs` of images on disk: each batch reads only its patches.

    The patch coordinates, and hence the batches, are those :class:`PatchPairs`
    draws for the same images in memory.
    """

    def __init__(
        self,
        inputs,
        targets,
        patch_size,
        device,
        n_patches=None,
        augment=False,
        indices=None,
    ):
        super().__init__(inputs, targets, patch_size, n_patches, augment, indices)
        self._device = torch.device(device)

    @property
    def device(self):
        return self._device

    def _with_indices(self, indices):
        return StreamedPatchPairs(
            self.inputs,
            self.targets,
            self.patch_size,
            self._device,
            self.n_patches,
            self.augment,
            indices,
        )

    def _sizes(self, images):
        h, w = self.inputs.image_shape
        n = len(images)
        return torch.full((n,), h, dtype=torch.long), torch.full(
            (n,), w, dtype=torch.long
        )

    def gather(self, rows):
        ph, pw = self.patch_size
        same = self.targets is self.inputs
        xs, ys = [], []
        for j, top, left, transform in rows.tolist():
            patch = self.inputs.read_patch(j, top, left, ph, pw)
            xs.append(_transformed(torch.from_numpy(patch), transform))
            if not same:
                patch = self.targets.read_patch(j, top, left, ph, pw)
                ys.append(_transformed(torch.from_numpy(patch), transform))
        xb = torch.stack(xs)
        return xb, (xb if same else torch.stack(ys))

    def stream(self, rows, batch_size):
        """Batches of the patches at ``rows``, read ahead and moved to the device."""
        stager = DeviceStager(self._device)

        def read():
            for start in range(0, len(rows), batch_size):
                xb, yb = self.gather(rows[start : start + batch_size])
                xs = stager.pin(xb.numpy())
                yield xs, (xs if yb is xb else stager.pin(yb.numpy()))

        for xs, ys in read_ahead(read()):
            xb = stager.to_device(xs)
            yield xb, (xb if ys is xs else stager.to_device(ys))


def _transformed(patch, transform):
    """``patch`` (c, h, w) flipped (bits 0 and 1) and transposed (bit 2)."""
    if transform & 4:
        patch = patch.transpose(1, 2)
    if transform & 1:
        patch = patch.flip(2)
    if transform & 2:
        patch = patch.flip(1)
    return patch


class PatchBatches:
    """Iterate over batches of patches of a :class:`PatchPairs`.

    Each pass draws its patch coordinates from a generator seeded with
    ``seed_fn()``, called at the start of the pass: fresh patches every epoch
    for training; a constant seed (and no augmentation) gives validation the
    same patches every epoch.
    """

    def __init__(self, dataset, batch_size, seed_fn, augment=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.seed_fn = seed_fn
        self.augment = augment

    def __len__(self):
        return -(-self.dataset.patches_per_pass() // self.batch_size)

    def __iter__(self):
        rows = self.dataset.draw(torch_generator(self.seed_fn()), self.augment)
        if isinstance(self.dataset, StreamedPatchPairs):
            yield from self.dataset.stream(rows, self.batch_size)
            return
        for start in range(0, len(rows), self.batch_size):
            yield self.dataset.gather(rows[start : start + self.batch_size])


class BatchIterator:
    """Iterate over an :class:`ImagePairs` in batches of tensor slices.

    When shuffling, each pass (epoch) draws its permutation from a generator seeded
    with ``seed_fn()``, called at the start of the pass.
    """

    def __init__(self, dataset, batch_size, shuffle=False, seed_fn=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed_fn = seed_fn

    def __len__(self):
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        ds, bs = self.dataset, self.batch_size
        n = len(ds)
        if self.shuffle:
            order = torch.randperm(n, generator=torch_generator(self.seed_fn()))
            if ds.indices is not None:
                order = ds.indices[order]
        elif ds.indices is not None:
            order = ds.indices
        elif isinstance(ds, StreamedImagePairs):
            order = None
        else:
            for start in range(0, n, bs):
                yield ds.inputs[start : start + bs], ds.targets[start : start + bs]
            return
        if isinstance(ds, StreamedImagePairs):
            yield from ds.stream(order, bs)
            return
        order = order.to(ds.inputs.device)
        same = ds.targets is ds.inputs
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            xb = ds.inputs.index_select(0, idx)
            yield xb, (xb if same else ds.targets.index_select(0, idx))


class HoldOut:
    """skorch ``train_split``: a random fraction of the rows for validation."""

    def __init__(self, fraction, seed):
        self.fraction = fraction
        self.seed = seed

    @staticmethod
    def n_valid(fraction, n):
        """Validation images out of ``n``; ValueError if either part is empty."""
        n_valid = int(round(fraction * n))
        if n_valid < 1 or n_valid >= n:
            raise ValueError(
                f"validation_fraction={fraction} leaves no validation or no "
                f"training images out of {n}."
            )
        return n_valid

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = self.n_valid(self.fraction, n)
        order = torch.randperm(n, generator=torch_generator(self.seed))
        return dataset.subset(order[n_valid:]), dataset.subset(order[:n_valid])


def _snapshot(net, epoch):
    """The weights and optimizer state of ``net`` after ``epoch`` epochs."""
    return (
        epoch,
        copy.deepcopy(net.module_.state_dict()),
        copy.deepcopy(net.optimizer_.state_dict()),
    )


class EpochGuard(Callback):
    """Keep the last finished epoch (and the best one) and restore them.

    The one place where skdae's training keeps copies of the weights. It runs
    after every other callback (:class:`DenoisingNet` puts it last), so an epoch is
    finished only once all callbacks have handled its end; it then

    * snapshots the weights and optimizer state (the *last finished epoch*);
    * with ``patience`` set, does early stopping: an epoch whose ``valid_loss``
      improves on the best one by more than ``threshold`` (relative, or absolute
      with ``threshold_mode="abs"``) becomes the *best epoch*, any other counts as
      a miss, and ``patience`` misses in a row stop training;
    * calls ``save()`` every ``save_every`` epochs (checkpoints), after the early
      stopping state has been updated, so a checkpoint holds it.

    When training ends it restores: after an interruption (KeyboardInterrupt from
    Ctrl-C or any callback, at any point of an epoch; ``interrupted_in_`` is then
    the number of the epoch cut short) the last finished epoch,
    dropping the record of the unfinished one, so weights and history describe
    the same epoch and resuming follows the uninterrupted run; otherwise, with
    early stopping, the best epoch. When a batch's loss is not finite it restores
    the last finished epoch and raises FloatingPointError.

    The early-stopping state survives between fits (``warm_start``,
    ``partial_fit``) and is saved in model files (:meth:`state_dict`), so training
    resumed from a checkpoint stops where the uninterrupted run stops. After an
    early stop, the next fit starts counting misses afresh (and keeps the best
    epoch found so far).
    """

    def __init__(self, patience=None, threshold=1e-4, threshold_mode="rel", save=None):
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.save = save
        self.save_every = 1
        self.best_score_ = math.inf
        self.best_epoch_ = 0
        self.best_weights_ = None
        self.misses_ = 0
        self.stopped_ = False

    # ------------------------------------------------------------ state I/O
    def state_dict(self):
        """Early-stopping state as plain values and tensors (for model files)."""
        return {
            "best_score": float(self.best_score_),
            "best_epoch": int(self.best_epoch_),
            "misses": int(self.misses_),
            "stopped": bool(self.stopped_),
            "best_weights": self.best_weights_,
        }

    def load_state_dict(self, state, device="cpu"):
        """Restore what :meth:`state_dict` returned; best weights go to ``device``."""
        self.best_score_ = float(state["best_score"])
        self.best_epoch_ = int(state["best_epoch"])
        self.misses_ = int(state["misses"])
        self.stopped_ = bool(state["stopped"])
        weights = state["best_weights"]
        if weights is not None:
            weights = {k: v.to(device) for k, v in weights.items()}
        self.best_weights_ = weights

    # ------------------------------------------------------------ callbacks
    def on_train_begin(self, net, **kwargs):
        if self.stopped_:  # a new fit after an early stop: fresh patience
            self.misses_ = 0
            self.stopped_ = False
        self.last_ = _snapshot(net, len(net.history))
        self.end_epoch_ = None  # set by DenoisingNet.fit_loop
        self.interrupted_in_ = None  # the epoch cut short, if any

    def _improved(self, score):
        if self.threshold_mode == "abs":
            return score < self.best_score_ - self.threshold
        if not math.isfinite(self.best_score_):
            return True
        return score < self.best_score_ * (1 - self.threshold)

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        self.last_ = _snapshot(net, epoch)
        stop = False
        if self.patience is not None:
            score = net.history[-1, "valid_loss"]
            if self._improved(score):
                self.best_score_, self.best_epoch_, self.misses_ = score, epoch, 0
                self.best_weights_ = self.last_[1]
            else:
                self.misses_ += 1
                stop = self.misses_ >= self.patience
                if stop:
                    self.stopped_ = True
                    if net.verbose:
                        print(
                            f"Stopping since valid_loss has not improved in the "
                            f"last {self.patience} epochs. The best was "
                            f"{self.best_score_:.6f} in epoch {self.best_epoch_}."
                        )
        if self.save is not None and epoch % self.save_every == 0:
            self.save()
        if stop:
            raise KeyboardInterrupt  # skorch's way to end training early

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        key = "train_loss" if training else "valid_loss"
        value = net.history[-1, "batches", -1, key]
        if not math.isfinite(value):
            epoch = len(net.history)
            n_batch = len(net.history[-1]["batches"])
            restored = self._restore_last(net)
            del self.last_  # training ends here: keep no copy in the net
            raise FloatingPointError(
                f"Training diverged: the {key.replace('_', ' ')} became {value} in "
                f"epoch {epoch}, batch {n_batch}. The weights of epoch {restored} "
                f"were restored. Lower the learning rate (lr={net.lr}) or check "
                "the data for extreme values."
            )

    def _restore_last(self, net):
        epoch, module_state, optimizer_state = self.last_
        net.module_.load_state_dict(module_state)
        net.optimizer_.load_state_dict(optimizer_state)
        net.__dict__.pop("_graphed_step", None)  # refers to the replaced state
        del net.history[epoch:]
        return epoch

    def on_train_end(self, net, **kwargs):
        finished = self.last_[0]
        cut_short = len(net.history) > finished
        ended_early = self.end_epoch_ is not None and finished < self.end_epoch_
        if cut_short or (ended_early and not self.stopped_):
            self.interrupted_in_ = len(net.history)
            self._restore_last(net)
        elif self.best_weights_ is not None and self.best_epoch_ != finished:
            net.module_.load_state_dict(self.best_weights_)
        del self.last_


class DenoisingNet(NeuralNet):
    """skorch net that corrupts each training batch afresh with ``noise``.

    Parameters
    ----------
    noise : skdae noise model or None
        Corrupts training inputs batch by batch (new noise every epoch) and
        validation inputs (the same noise every epoch, so validation losses are
        comparable).
    seed : int
        Seeds initialisation, shuffling and noise, each through a
        :class:`torch.Generator` of its own (never the global generator). Each
        epoch derives its generators from ``seed`` and its epoch number, so
        training resumed after an interruption (or continued with
        ``partial_fit``) follows exactly the same course as training run in one go.
    guard : EpochGuard
        Keeps the last finished and the best epoch (see :class:`EpochGuard`);
        always the last callback.
    blind_spot : :class:`~skdae._blind_spot.BlindSpotMasking` or None
        Self-supervised training: hides pixels of every (already corrupted)
        input batch and takes the loss on them only, with fresh masks every
        epoch and the same validation masks every epoch.
    subsampling : :class:`~skdae._neighbour_subsampling.NeighbourSubsampling` or None
        Self-supervised training (Neighbor2Neighbor): every (already
        corrupted) batch becomes a pair of half-size sub-images, the network
        maps the first to the second, with the regulariser computed from its
        output on the whole batch; fresh cells every epoch, the same
        validation cells every epoch.
    """

    def __init__(
        self,
        *args,
        noise=None,
        seed=0,
        guard=None,
        blind_spot=None,
        subsampling=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.noise = noise
        self.blind_spot = blind_spot
        self.subsampling = subsampling
        self.seed = seed
        self.guard = EpochGuard() if guard is None else guard

    def __setstate__(self, state):
        state.setdefault("guard", EpochGuard())  # pickled before it existed
        state.setdefault("subsampling", None)
        super().__setstate__(state)

    def initialize_callbacks(self):
        super().initialize_callbacks()
        self.callbacks_.append(("epoch_guard", self.guard))
        return self

    def initialize_module(self):
        kwargs = self.get_params_for("module")
        generator = torch_generator(child_seed(self.seed, 3))
        self.module_ = build_initialized(
            lambda: self.initialized_instance(self.module, kwargs),
            generator,
            self.device,
        )
        if _use_channels_last(self.module_, self.device, self.optimizer):
            # values unchanged; only the layout of the 4-D weights (and hence of
            # every feature map computed from them) becomes NHWC
            self.module_ = self.module_.to(memory_format=torch.channels_last)
        return self

    def initialize_optimizer(self, *args, **kwargs):
        super().initialize_optimizer(*args, **kwargs)
        if (
            torch.device(self.device).type == "cuda"
            and isinstance(self.optimizer_, GRAPHABLE_OPTIMIZERS)
            and not self.optimizer_.state
        ):
            # step counters on the GPU, so that a whole step can be captured as a
            # CUDA graph (same arithmetic as the default)
            for group in self.optimizer_.param_groups:
                group["capturable"] = True
        return self

    def _reconcile_optimizer_device(self):
        """Undo ``capturable`` for a net trained on a GPU and now on the CPU."""
        if torch.device(self.device).type != "cuda":
            for group in self.optimizer_.param_groups:
                if group.get("capturable"):
                    group["capturable"] = False

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        epochs = self.max_epochs if epochs is None else epochs
        self.guard.end_epoch_ = len(self.history) + epochs
        self._reconcile_optimizer_device()
        graphs = (
            get_config()["cuda_graphs"]
            and not self._self_supervised()  # masks of varying positions
            and graphs_supported(self)
        )
        self._graphed_step = GraphedTrainStep(self) if graphs else None
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        finally:
            # generators live on the device: never pickle them with the net
            for name in (
                "_graphed_step",
                "_noise_generator",
                "_valid_noise_generator",
                "_mask_generator",
                "_valid_mask_generator",
            ):
                self.__dict__.pop(name, None)

    def get_iterator(self, dataset, training=False):
        if isinstance(dataset, PatchPairs):
            if training:  # fresh patches every epoch, fixed by the epoch number
                return PatchBatches(
                    dataset,
                    self.batch_size,
                    seed_fn=lambda: child_seed(self.seed, len(self.history), 0),
                )
            return PatchBatches(  # the same validation patches every epoch
                dataset,
                max(self.batch_size, 256),
                seed_fn=lambda: child_seed(self.seed, 5),
                augment=False,
            )
        if training:
            return BatchIterator(
                dataset,
                self.batch_size,
                shuffle=True,
                # len(history) is the number of the epoch about to run
                seed_fn=lambda: child_seed(self.seed, len(self.history), 0),
            )
        return BatchIterator(dataset, max(self.batch_size, 256))

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is not None and self.noise is not None:
            device = iterator.dataset.device
            if training:  # fresh noise every epoch, fixed by the epoch number
                seed = child_seed(self.seed, len(self.history), 1)
                self._noise_generator = torch_generator(seed, device)
            else:  # the same validation noise every epoch
                seed = child_seed(self.seed, 2)
                self._valid_noise_generator = torch_generator(seed, device)
        if iterator is not None and self._self_supervised():
            device = iterator.dataset.device
            if training:  # fresh masks every epoch, fixed by the epoch number
                seed = child_seed(self.seed, len(self.history), 6)
                self._mask_generator = torch_generator(seed, device)
            else:  # the same validation masks every epoch
                self._valid_mask_generator = torch_generator(
                    child_seed(self.seed, 7), device
                )
        return super().run_single_epoch(
            iterator, training, prefix, step_fn, **fit_params
        )

    def _self_supervised(self):
        """Whether batches are masked or sub-sampled (self-supervised training)."""
        return self.blind_spot is not None or self.subsampling is not None

    def _corrupt(self, batch, generator, mask_generator=None, training=False):
        """``batch`` corrupted by ``noise``, then masked or sub-sampled (if any)."""
        Xi, yi = batch
        if self.noise is not None:
            Xi = self.noise.corrupt(Xi, generator)
        if self.blind_spot is not None:
            Xi, yi = self.blind_spot.mask(Xi, yi, mask_generator)
        if self.subsampling is not None:
            denoised = None
            if self.subsampling.regularization:
                self._set_training(training)
                with torch.no_grad():  # the regulariser's f(y): no gradient
                    denoised = self.infer(Xi)
            Xi, yi = self.subsampling.pair(Xi, denoised, mask_generator)
        return Xi, yi

    def get_loss(self, y_pred, y_true, *args, **kwargs):
        if isinstance(y_true, MaskedTargets):  # the loss on the hidden pixels
            y_pred, y_true = y_true.select(y_pred)
        if isinstance(y_true, SubsampledTargets):  # target plus regulariser
            return y_true.loss(
                lambda p, t: super(DenoisingNet, self).get_loss(p, t, *args, **kwargs),
                y_pred,
            )
        return super().get_loss(y_pred, y_true, *args, **kwargs)

    def train_step(self, batch, **fit_params):
        graphed = self.__dict__.get("_graphed_step")
        if graphed is None or fit_params:
            return super().train_step(batch, **fit_params)
        self._set_training(True)
        return graphed(*self._corrupt(batch, self.__dict__.get("_noise_generator")))

    def train_step_single(self, batch, **fit_params):
        batch = self._corrupt(
            batch,
            self.__dict__.get("_noise_generator"),
            self.__dict__.get("_mask_generator"),
            training=True,
        )
        return super().train_step_single(batch, **fit_params)

    def validation_step(self, batch, **fit_params):
        batch = self._corrupt(
            batch,
            self.__dict__.get("_valid_noise_generator"),
            self.__dict__.get("_valid_mask_generator"),
        )
        return super().validation_step(batch, **fit_params)
