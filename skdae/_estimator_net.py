"""The skorch net of :class:`~skdae.DenoisingAutoencoder`.

Built from the estimator's parameters at the first fit, brought up to date with
them before a warm start or ``partial_fit`` resumes training.
"""

import copy

import torch
from sklearn.base import clone
from skorch.callbacks import ProgressBar

from ._blind_spot import BlindSpotMasking
from ._neighbour_subsampling import NeighbourSubsampling
from ._padding import PaddedNetwork
from ._random import child_seed
from ._training import DenoisingNet, EpochGuard, HoldOut
from .architectures import resolve_architecture
from .losses import resolve_loss

#: What the network learns from: targets ``y``, or (self-supervised) the noisy
#: ``X`` alone by blind-spot masking or by neighbour sub-sampling.
TRAINING_MODES = ("supervised", "noise2self", "neighbor2neighbor")


class EstimatorNetMixin:
    """Building and updating the :class:`~skdae._training.DenoisingNet` ``net_``.

    Reads the estimator's parameters and ``n_channels_``, ``image_shape_``,
    ``device_`` and ``_seed``, set by fit before the net is built.
    """

    def _early_stopping_params(self):
        """Early-stopping settings of the net's :class:`EpochGuard`."""
        return {
            "patience": self.n_iter_no_change if self.early_stopping else None,
            "threshold": self.tol,
            # the PSNR loss is negative, in dB: a relative threshold would count a
            # slightly worse epoch as an improvement
            "threshold_mode": "abs" if self.loss == "psnr" else "rel",
        }

    def _net_params(self):
        callbacks = []
        if self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        callbacks.extend(copy.deepcopy(self.callbacks or []))
        blind_spot = (
            BlindSpotMasking(self.mask_density, self.mask_replacement)
            if self.training == "noise2self"
            else None
        )
        subsampling = (
            NeighbourSubsampling() if self.training == "neighbor2neighbor" else None
        )
        return {
            "noise": self.noise,
            "blind_spot": blind_spot,
            "subsampling": subsampling,
            "max_epochs": self.max_epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
            "callbacks": callbacks,
            "verbose": int(self.verbose),
        }

    def _build_net(self):
        return DenoisingNet(
            module=PaddedNetwork,
            module__architecture=clone(resolve_architecture(self.architecture)),
            module__n_channels=self.n_channels_,
            criterion=resolve_loss(self.loss),
            optimizer=self.optimizer,
            train_split=(
                HoldOut(self.validation_fraction, child_seed(self._seed, 4))
                if self.validation_fraction is not None
                else None
            ),
            device=self.device_,
            seed=self._seed,
            guard=EpochGuard(**self._early_stopping_params()),
            **self._net_params(),
        )

    def _update_net(self):
        """Carry the current parameters over to the skorch net before resuming.

        Callbacks are copied from ``callbacks`` afresh, as in a new fit.
        """
        params = self._net_params()
        self.net_.callbacks = params.pop("callbacks")
        criterion = resolve_loss(self.loss)
        if self.net_.criterion is not criterion:  # loss changed with set_params
            params["criterion"] = criterion
        self.net_.set_params(**params)
        for name, value in self._early_stopping_params().items():
            setattr(self.net_.guard, name, value)
        self.net_.initialize_callbacks()

    def _latent_shape(self):
        module = self.net_.module_
        if not module.has("encode"):
            return None
        h, w = self.image_shape_
        probe = torch.zeros(1, self.n_channels_, h, w, device=self.net_.device)
        with torch.inference_mode():
            was_training = module.training
            module.eval()
            shape = tuple(module.encode(probe).shape[1:])
            module.train(was_training)
        return shape
