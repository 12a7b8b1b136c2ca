"""The skorch side of :class:`~skdae.DenoisingAutoencoder`.

Batches are sliced from tensors held in memory (on the training device) instead of
being collated sample by sample by a :class:`torch.utils.data.DataLoader`; the
training loop, callbacks and history are skorch's own.

Speed (see ``benchmarks/``): on the CPU, skdae's own networks are converted to the
channels-last memory format, which oneDNN's convolution and pooling kernels run
20-30 % faster in training and up to twice as fast in inference; the values
computed are the same up to float rounding. The per-batch loop records exactly
what skorch's records, with less Python work per batch. On CUDA, full-size
training steps are replayed as a CUDA graph (:mod:`skdae._cuda_graphs`).
"""

import copy
import math
import warnings

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping

from ._config import get_config
from ._cuda_graphs import GRAPHABLE_OPTIMIZERS, GraphedTrainStep, graphs_supported
from ._random import child_seed, torch_generator
from .architectures._registry import OWN_NETWORKS


def _use_channels_last(module, device):
    """Whether to run ``module`` (a PaddedNetwork) in channels-last format.

    Only skdae's own networks, only on the CPU: a user's network may ``view`` its
    feature maps (which fails on channels-last tensors), and the gain on GPUs
    depends on the GPU and the precision.
    """
    network = getattr(module, "network", None)
    return (
        get_config()["channels_last"]
        and torch.device(device).type == "cpu"
        and network is not None
        and type(network) in OWN_NETWORKS
    )


def _use_cuda_graphs(net):
    """Whether ``net`` replays its full-size training steps as CUDA graphs."""
    return get_config()["cuda_graphs"] and graphs_supported(net)


class ImagePairs(torch.utils.data.Dataset):
    """Input and target images, both ``(n, 1, h, w)`` tensors, and a row subset.

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

    def subset(self, indices):
        if self.indices is not None:
            indices = self.indices[indices]
        return ImagePairs(self.inputs, self.targets, indices)


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
        else:
            for start in range(0, n, bs):
                yield ds.inputs[start : start + bs], ds.targets[start : start + bs]
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

    def __call__(self, dataset, y=None, **fit_params):
        n = len(dataset)
        n_valid = int(round(self.fraction * n))
        if n_valid < 1 or n_valid >= n:
            raise ValueError(
                f"validation_fraction={self.fraction} leaves no validation or no "
                f"training images out of {n}."
            )
        order = torch.randperm(n, generator=torch_generator(self.seed))
        return dataset.subset(order[n_valid:]), dataset.subset(order[:n_valid])


class PeriodicSave(Callback):
    """Call ``save()`` every ``every`` epochs, after the epoch has been scored."""

    def __init__(self, save, every):
        self.save = save
        self.every = every

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) % self.every == 0:
            self.save()


class DenoisingNet(NeuralNet):
    """skorch net that corrupts each training batch afresh with ``noise``.

    Parameters
    ----------
    noise : skdae noise model or None
        Corrupts training inputs batch by batch (new noise every epoch) and
        validation inputs (the same noise every epoch, so validation losses are
        comparable).
    seed : int
        Seeds shuffling and noise. Each epoch derives its own generators from
        ``seed`` and its epoch number, so training resumed after an interruption
        (or continued with ``partial_fit``) follows exactly the same course as
        training run in one go.
    """

    def __init__(self, *args, noise=None, seed=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.noise = noise
        self.seed = seed

    def initialize_module(self):
        super().initialize_module()
        if _use_channels_last(self.module_, self.device):
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
        epochs_done = len(self.history)
        self._last_state = self._snapshot(epochs_done)  # last finished epoch so far
        self._best_state = None
        self._reconcile_optimizer_device()
        self._graphed_step = GraphedTrainStep(self) if _use_cuda_graphs(self) else None
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            self._recover_from_interrupt()
            return self
        finally:
            # generators live on the device and snapshots are transient: never
            # pickle them with the net
            for name in (
                "_graphed_step",
                "_noise_generator",
                "_valid_noise_generator",
                "_last_state",
                "_best_state",
            ):
                self.__dict__.pop(name, None)

    # ------------------------------------------------ snapshots and recovery
    def _snapshot(self, epoch):
        return (
            epoch,
            copy.deepcopy(self.module_.state_dict()),
            copy.deepcopy(self.optimizer_.state_dict()),
        )

    def _restore(self, snapshot):
        _, module_state, optimizer_state = snapshot
        self._graphed_step = None  # it refers to the optimizer state replaced here
        self.module_.load_state_dict(module_state)
        self.optimizer_.load_state_dict(optimizer_state)

    def _note_best(self):
        """Promote the last snapshot to "best" if its epoch had the best valid loss."""
        finished = [row for row in self.history if "train_loss" in row]
        if finished and finished[-1].get("valid_loss_best"):
            self._best_state = self._last_state

    def on_epoch_begin(self, net, **kwargs):
        if len(self.history):
            self._note_best()  # callbacks have scored the previous epoch by now
        super().on_epoch_begin(net, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        self._last_state = self._snapshot(len(self.history))

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        super().on_batch_end(net, batch=batch, training=training, **kwargs)
        key = "train_loss" if training else "valid_loss"
        value = self.history[-1, "batches", -1, key]
        if not math.isfinite(value):
            self._diverged(key, value)

    def _diverged(self, key, value):
        epoch = len(self.history)
        batch = len(self.history[-1]["batches"])
        restored = self._last_state[0]
        self._restore(self._last_state)
        del self.history[restored:]
        raise FloatingPointError(
            f"Training diverged: the {key.replace('_', ' ')} became {value} in "
            f"epoch {epoch}, batch {batch}. The weights of epoch {restored} were "
            f"restored. Lower the learning rate (lr={self.lr}) or check the data "
            "for extreme values."
        )

    def _stopped_early(self):
        """Whether skorch's EarlyStopping raised the KeyboardInterrupt.

        It raises at the end of an epoch (the epoch's record is complete), once
        its count of epochs without improvement reaches its patience.
        """
        if not len(self.history) or "train_loss" not in self.history[-1]:
            return False  # interrupted inside an epoch: Ctrl-C
        return any(
            isinstance(cb, EarlyStopping) and cb.misses_ >= cb.patience
            for _, cb in self.callbacks_
        )

    def _recover_from_interrupt(self):
        stopped_early = self._stopped_early()
        self._note_best()
        interrupted_in = len(self.history)
        if self._best_state is not None:
            snapshot, which = self._best_state, "the best validation epoch"
        else:
            snapshot, which = self._last_state, "the last finished epoch"
        self._restore(snapshot)
        # drop the epoch that was cut short; keep the record of finished ones
        while len(self.history) and "train_loss" not in self.history[-1]:
            del self.history[-1]
        if stopped_early:
            return  # early stopping ends training this way: not an interruption
        warnings.warn(
            f"Training was interrupted (KeyboardInterrupt) in epoch {interrupted_in}. "
            f"The model keeps the weights of {which} (epoch {snapshot[0]}) and the "
            f"history of the {len(self.history)} finished epochs. Call fit with "
            "warm_start=True, or partial_fit, to resume.",
            UserWarning,
            stacklevel=2,
        )

    def get_iterator(self, dataset, training=False):
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
        if training:  # dropout and the like: seeded by the epoch number too
            torch.manual_seed(child_seed(self.seed, len(self.history), 5))
        if iterator is not None and self.noise is not None:
            device = iterator.dataset.inputs.device
            if training:  # fresh noise every epoch, fixed by the epoch number
                seed = child_seed(self.seed, len(self.history), 1)
                self._noise_generator = torch_generator(seed, device)
            else:  # the same validation noise every epoch
                seed = child_seed(self.seed, 2)
                self._valid_noise_generator = torch_generator(seed, device)
        return super().run_single_epoch(
            iterator, training, prefix, step_fn, **fit_params
        )

    def _corrupt(self, batch, generator):
        """``batch`` with its inputs corrupted by ``noise`` (if any)."""
        if self.noise is None:
            return batch
        Xi, yi = batch
        return self.noise.corrupt(Xi, generator), yi

    def train_step(self, batch, **fit_params):
        graphed = self.__dict__.get("_graphed_step")
        if graphed is None or fit_params:
            return super().train_step(batch, **fit_params)
        self._set_training(True)
        return graphed(*self._corrupt(batch, self.__dict__.get("_noise_generator")))

    def train_step_single(self, batch, **fit_params):
        batch = self._corrupt(batch, self.__dict__.get("_noise_generator"))
        return super().train_step_single(batch, **fit_params)

    def validation_step(self, batch, **fit_params):
        batch = self._corrupt(batch, self.__dict__.get("_valid_noise_generator"))
        return super().validation_step(batch, **fit_params)
