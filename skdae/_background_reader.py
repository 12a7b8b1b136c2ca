"""Reading batches from disk in a background thread while the network computes.

:func:`read_ahead` runs an iterator of batches (reads from a memmap, a zarr
array or an h5py dataset, which release the GIL while they copy or decompress)
in a thread of its own, a few batches ahead of the consumer, and yields them in
order; an exception in the reader is raised in the consumer at the batch where
it happened. :class:`DeviceStager` moves the batches to the training device:
on CUDA through page-locked (pinned) staging buffers and non-blocking copies,
so that the copy of one batch overlaps the computation of the previous one.
"""

import queue
import threading

import numpy as np
import torch

#: Batches read ahead of the one being computed.
READ_AHEAD = 2

_DONE = object()


class _Failure:
    def __init__(self, error):
        self.error = error


def read_ahead(batches, depth=READ_AHEAD):
    """Yield the items of the iterable ``batches``, produced in a background thread.

    The thread keeps at most ``depth`` items ready. Items come in the order
    ``batches`` produces them; an exception raised by ``batches`` is raised
    here, after the items produced before it. Stopping early (``close()``, or
    garbage collection of this generator) stops the thread after the item it
    is producing.

    Parameters
    ----------
    batches : iterable
        Produces the items; iterated in the background thread only.
    depth : int, default=2
        Items produced ahead of the consumer.

    Yields
    ------
    item
        The items of ``batches``, in order.
    """
    ready = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        try:
            for item in batches:
                if not put(item):
                    return
        except BaseException as error:  # raised in the consumer
            put(_Failure(error))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="skdae-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


class DeviceStager:
    """Move float32 NumPy batches to ``device`` as tensors.

    On the CPU a batch becomes a tensor that shares its (freshly read) memory:
    no copy. On CUDA, :meth:`pin` (called in the reader thread) copies a batch
    into one of a ring of page-locked buffers and :meth:`to_device` (called in
    the training thread) starts a non-blocking copy to the GPU; before a
    buffer is refilled, the copy out of it is waited for (a CUDA event), so a
    buffer is never overwritten while the GPU still reads it.

    Parameters
    ----------
    device : str or torch.device
        The training device.
    n_buffers : int, default=READ_AHEAD + 3
        Pinned buffers per batch shape: the batches read ahead, one waiting to
        be queued, one being filled and the one the training thread has taken
        from the queue but not yet copied (a buffer is refilled only once the
        training thread has taken the next one, hence has issued its copy).
    """

    def __init__(self, device, n_buffers=READ_AHEAD + 3):
        self.device = torch.device(device)
        self.pinned = self.device.type == "cuda"
        self.n_buffers = n_buffers
        self._rings = {}  # shape -> [(buffer, event)], next index

    def _next_buffer(self, shape):
        ring, i = self._rings.get(shape, ([], 0))
        if len(ring) < self.n_buffers:
            buffer = torch.empty(shape, dtype=torch.float32, pin_memory=True)
            ring.append((buffer, torch.cuda.Event()))
            slot = ring[-1]
        else:
            slot = ring[i % self.n_buffers]
            slot[1].synchronize()  # the copy out of it has finished
        self._rings[shape] = (ring, i + 1)
        return slot

    def pin(self, array):
        """``array`` (float32, C-contiguous) ready for :meth:`to_device`."""
        if not self.pinned:
            return torch.from_numpy(array)
        buffer, event = self._next_buffer(tuple(array.shape))
        np.copyto(buffer.numpy(), array)
        return buffer, event

    def to_device(self, staged):
        """The tensor on the device for what :meth:`pin` returned."""
        if not self.pinned:
            return staged
        buffer, event = staged
        tensor = buffer.to(self.device, non_blocking=True)
        event.record()  # on the current stream, after the copy
        return tensor
