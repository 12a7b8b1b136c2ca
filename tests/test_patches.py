"""Training on random patches: patch_size, augment, patches_per_epoch."""

from pathlib import Path

import numpy as np
import pytest
import torch

from skdae import DenoisingAutoencoder, GaussianNoise
from skdae._training import PatchBatches, PatchPairs
from skdae.architectures import Residual

from .conftest import make_blob_images

FAST = {"max_epochs": 1, "batch_size": 8, "device": "cpu", "random_state": 0}
NATURAL = Path(__file__).parents[2] / "shared" / "data" / "natural"


def _images(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.random((20, 30)), rng.random((16, 16)), rng.random((40, 12))]


def _pairs(images, patch=(8, 8), **kwargs):
    tensors = [torch.as_tensor(image, dtype=torch.float32)[None] for image in images]
    return PatchPairs(tensors, tensors, patch, **kwargs)


def _epoch(dataset, seed, batch_size=8):
    return torch.cat([x for x, _ in PatchBatches(dataset, batch_size, lambda: seed)])


# ----------------------------------------------------------------- sampling
def test_default_patch_count_covers_each_image_once():
    dataset = _pairs(_images())
    # ceil(600/64) + ceil(256/64) + ceil(480/64)
    assert dataset.patches_per_pass() == 10 + 4 + 8
    patches = _epoch(dataset, seed=0)
    assert patches.shape == (22, 1, 8, 8)
    rows = dataset.draw(torch.Generator().manual_seed(0))
    assert torch.bincount(rows[:, 0]).tolist() == [10, 4, 8]


def test_patches_are_cut_from_the_images():
    images = _images()
    dataset = _pairs(images)
    rows = dataset.draw(torch.Generator().manual_seed(3))
    patches, _ = dataset.gather(rows)
    for (j, top, left, _), patch in zip(rows.tolist(), patches):
        expected = images[j][top : top + 8, left : left + 8]
        np.testing.assert_allclose(patch[0].numpy(), expected, rtol=1e-6)
    assert (rows[:, 1] >= 0).all() and (rows[:, 2] >= 0).all()


def test_patch_sampling_is_reproducible_and_fresh_every_epoch():
    dataset = _pairs(_images(), augment=True)
    assert torch.equal(_epoch(dataset, seed=5), _epoch(dataset, seed=5))
    assert not torch.equal(_epoch(dataset, seed=5), _epoch(dataset, seed=6))


def test_augment_gives_the_eight_symmetries_of_square_patches():
    image = np.arange(64.0).reshape(8, 8) / 64
    dataset = _pairs([image], patch=(8, 8), n_patches=200, augment=True)
    patches = _epoch(dataset, seed=0)
    distinct = {tuple(p.flatten().tolist()) for p in patches}
    assert len(distinct) == 8
    rect = _pairs([np.arange(32.0).reshape(4, 8) / 32], (4, 8), n_patches=100)
    rect.augment = True
    assert len({tuple(p.flatten().tolist()) for p in _epoch(rect, 0)}) == 4
    assert _epoch(rect, 0).shape[2:] == (4, 8)


def test_targets_are_cut_at_the_same_places():
    rng = np.random.default_rng(0)
    inputs = [torch.as_tensor(rng.random((1, 12, 15)), dtype=torch.float32)]
    targets = [2 * inputs[0]]
    dataset = PatchPairs(inputs, targets, (5, 5), augment=True, n_patches=30)
    for x, y in PatchBatches(dataset, 8, lambda: 0):
        torch.testing.assert_close(y, 2 * x)


def test_memory_does_not_grow_with_the_number_of_patches(monkeypatch):
    X = make_blob_images(6, height=16, width=16).reshape(6, 16, 16)
    datasets = []
    gather = PatchPairs.gather

    def spy(self, rows):
        datasets.append(self)
        return gather(self, rows)

    monkeypatch.setattr(PatchPairs, "gather", spy)
    stored = {}
    for n in (10, 3000):
        datasets.clear()
        params = {**FAST, "batch_size": 100}
        DenoisingAutoencoder(patch_size=4, patches_per_epoch=n, **params).fit(X)
        images = datasets[0].inputs
        # the images are views into one tensor: they are held once, and the
        # patches of a pass are gathered batch by batch, never all at once
        assert len({t.untyped_storage().data_ptr() for t in images}) == 1
        stored[n] = images[0].untyped_storage().nbytes()
    assert stored[10] == stored[3000] == X.size * 4  # the float32 images


# ------------------------------------------------------------- the estimator
def test_fit_on_a_list_of_mixed_sizes_with_patches():
    images = _images()
    dae = DenoisingAutoencoder(
        noise=GaussianNoise(0.1),
        architecture=Residual(3, 4),
        patch_size=(8, 6),
        **FAST,
    ).fit(images)
    assert dae.image_shape_ == (8, 6) and dae.n_features_in_ == 48
    assert dae.n_channels_ == 1
    assert len(dae.history_[-1]["batches"]) == -(-dae_patches(images, 8, 6) // 8)
    out = dae.transform(images)
    assert [o.shape for o in out] == [i.shape for i in images]


def dae_patches(images, ph, pw):
    return sum(-(-(i.shape[0] * i.shape[1]) // (ph * pw)) for i in images)


def test_patch_training_is_reproducible():
    images = _images()

    def fit(seed):
        dae = DenoisingAutoencoder(
            noise=GaussianNoise(0.1),
            patch_size=8,
            augment=True,
            max_epochs=2,
            batch_size=8,
            device="cpu",
            random_state=seed,
        )
        return dae.fit(images).history_[:, "train_loss"]

    assert fit(0) == fit(0)
    assert fit(0) != fit(1)


def test_validation_split_by_image_with_fixed_patches():
    images = _images() + _images(1)
    dae = DenoisingAutoencoder(
        architecture=Residual(3, 4),
        patch_size=8,
        validation_fraction=0.34,
        max_epochs=2,
        batch_size=8,
        device="cpu",
        random_state=0,
    ).fit(images)
    # a residual network trained on clean images stays the identity: the
    # validation loss is that of the same fixed patches every epoch
    valid = dae.history_[:, "valid_loss"]
    assert len(valid) == 2 and valid[0] == valid[1]


def test_patch_training_with_targets():
    rng = np.random.default_rng(0)
    clean = [rng.random((12, 12)), rng.random((10, 14))]
    noisy = [np.clip(c + rng.normal(0, 0.1, c.shape), 0, 1) for c in clean]
    dae = DenoisingAutoencoder(patch_size=4, **FAST).fit(noisy, clean)
    assert dae.score(noisy, clean) > 0
    with pytest.raises(ValueError, match=r"y\[1\] has the shape"):
        DenoisingAutoencoder(patch_size=4, **FAST).fit(noisy, [clean[0], clean[0]])


def test_patches_from_an_array_keep_the_image_shape():
    X = make_blob_images(8, height=12, width=12)  # flat rows
    dae = DenoisingAutoencoder(patch_size=4, **FAST).fit(X)
    assert dae.image_shape_ == (12, 12) and dae.n_features_in_ == 144
    assert dae.transform(X).shape == X.shape


def test_patch_errors():
    with pytest.raises(ValueError, match="Image 1 of X is 16x16 pixels, smaller"):
        DenoisingAutoencoder(patch_size=20, **FAST).fit(_images())
    with pytest.raises(ValueError, match="patch_size"):
        DenoisingAutoencoder(patch_size=(0, 3), **FAST).fit(_images())
    with pytest.raises(ValueError, match="patch_size"):
        DenoisingAutoencoder(patch_size=True, **FAST).fit(_images())
    with pytest.raises(ValueError, match="different numbers of channels"):
        DenoisingAutoencoder(patch_size=4, **FAST).fit(
            [np.zeros((8, 8)), np.zeros((8, 8, 3))]
        )


@pytest.mark.skipif(
    not (NATURAL / "train400").is_dir(), reason="train400 images not found"
)
def test_real_photographs_smoke():
    from skimage.io import imread

    files = sorted((NATURAL / "train400").glob("*.png"))[:20]
    train = [imread(f).astype(np.float32) / 255 for f in files]
    clean = imread(sorted((NATURAL / "set12").glob("*.png"))[0]) / 255
    clean = clean.astype(np.float32)
    noisy = clean + np.float32(25 / 255) * np.random.default_rng(0).standard_normal(
        clean.shape, dtype=np.float32
    )
    dae = DenoisingAutoencoder(
        architecture="residual",
        patch_size=32,
        noise=GaussianNoise(25 / 255, clip=False),
        max_epochs=2,
        device="cpu",
        random_state=0,
    ).fit(train)
    denoised = dae.transform([noisy])[0]
    assert denoised.shape == clean.shape and denoised.dtype == np.float32
    from skdae.metrics import psnr

    before = psnr(clean[None], np.clip(noisy, 0, 1)[None])
    assert psnr(clean[None], denoised[None]) > before + 1
