"""Training steps replayed as CUDA graphs.

On a GPU, a small network such as the reference autoencoder is limited by the
CPU: every training step launches some fifty kernels (forward, loss, backward and
the optimizer), each costing more CPU time to launch than the GPU needs to run
it. :class:`GraphedTrainStep` captures one whole step (forward, loss, backward,
optimizer step) once as a :class:`torch.cuda.CUDAGraph` and then replays it for
every full-size batch: one launch instead of fifty. The arithmetic is the same
as in the eager step; only the launching changes.

The capture follows PyTorch's recipe for whole-network capture: a few eager
steps on a side stream first (they are real training steps of the first
batches, so nothing is trained twice or skipped), then the capture, with Adam's
``capturable=True`` so its step counter lives on the GPU.
"""

import torch
from skorch.callbacks import Callback

#: Optimizers whose state, created by their first step, is updated in place by
#: every later step (so a captured step keeps working) and that support
#: ``capturable=True``.
GRAPHABLE_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)

#: Eager steps on a side stream before the capture (PyTorch's recipe uses 3).
WARMUP_STEPS = 3

#: Re-captures allowed (after a learning-rate change, say) before the graph
#: path gives up for the rest of the fit: a per-batch schedule would otherwise
#: re-capture on every batch, which is slower than not capturing at all.
MAX_CAPTURES = 8


def _overrides_on_grad_computed(callback):
    return type(callback).on_grad_computed is not Callback.on_grad_computed


def graphs_supported(net):
    """Whether the training steps of skorch ``net`` can be captured.

    Needs a CUDA device, an optimizer from :data:`GRAPHABLE_OPTIMIZERS` with
    ``capturable=True``, and no callback that inspects gradients
    (``on_grad_computed``), since the gradients of a replayed step are not
    exposed to Python.
    """
    if torch.device(net.device).type != "cuda":
        return False
    if not isinstance(net.optimizer_, GRAPHABLE_OPTIMIZERS):
        return False
    if not all(group.get("capturable") for group in net.optimizer_.param_groups):
        return False
    return not any(_overrides_on_grad_computed(cb) for _, cb in net.callbacks_)


def _hyperparameters(optimizer):
    """The values a captured optimizer step has baked in (lr, betas, ...)."""
    return [
        tuple((k, v) for k, v in sorted(group.items()) if k != "params")
        for group in optimizer.param_groups
    ]


class GraphedTrainStep:
    """Run the training steps of a skorch net, replaying full-size ones as a graph.

    Parameters
    ----------
    net : skorch.NeuralNet
        An initialised net whose :func:`graphs_supported` is True.
    """

    def __init__(self, net):
        self.net = net
        self.graph = None
        self.shape = None
        self.hyperparameters = None
        self.warmup_left = WARMUP_STEPS
        self.captures = 0
        self.enabled = True
        self.stream = torch.cuda.Stream(device=torch.device(net.device))

    def _loss(self, x, y):
        net = self.net
        y_pred = net.infer(x)
        return y_pred, net.get_loss(y_pred, y, X=x, training=True)

    def _eager_step(self, x, y):
        """One ordinary training step; returns skorch's step dict."""
        optimizer = self.net.optimizer_
        optimizer.zero_grad(set_to_none=True)
        y_pred, loss = self._loss(x, y)
        loss.backward()
        optimizer.step()
        return {"loss": loss.detach(), "y_pred": y_pred.detach()}

    def _capture(self, x, y):
        optimizer = self.net.optimizer_
        self.static_x = x.clone()
        self.static_y = y.clone()
        self.graph = torch.cuda.CUDAGraph()
        optimizer.zero_grad(set_to_none=True)
        with torch.cuda.graph(self.graph, stream=self.stream):
            y_pred, loss = self._loss(self.static_x, self.static_y)
            loss.backward()
            optimizer.step()
        self.static_pred, self.static_loss = y_pred.detach(), loss.detach()
        self.shape = (tuple(x.shape), tuple(y.shape))
        self.hyperparameters = _hyperparameters(optimizer)
        self.captures += 1

    def __call__(self, x, y):
        """Train on one batch (inputs ``x``, already corrupted; targets ``y``)."""
        shape = (tuple(x.shape), tuple(y.shape))
        if (
            not self.enabled
            or len(x) != self.net.batch_size
            or (self.shape is not None and shape != self.shape)
        ):
            return self._eager_step(x, y)  # e.g. the short last batch of an epoch
        if self.warmup_left:
            self.warmup_left -= 1
            self.stream.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(self.stream):
                step = self._eager_step(x, y)
            torch.cuda.current_stream().wait_stream(self.stream)
            return step
        if self.graph is not None and (
            _hyperparameters(self.net.optimizer_) != self.hyperparameters
        ):
            self.graph = None  # the learning rate (say) changed: capture anew
        if self.graph is None:
            if self.captures >= MAX_CAPTURES:
                self.enabled = False
                return self._eager_step(x, y)
            self._capture(x, y)
        self.static_x.copy_(x)
        self.static_y.copy_(y)
        self.graph.replay()
        # copies: the next replay overwrites the static outputs
        return {"loss": self.static_loss.clone(), "y_pred": self.static_pred.clone()}
