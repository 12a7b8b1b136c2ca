"""Classical denoisers, each with the grid its parameter is tuned over.

Median 3x3, Gaussian blur, total variation, non-local means, wavelets, PCA
(projection onto the principal components of clean images) and, when the
``bm3d`` package is installed, BM3D. Every function takes images of shape
(n, 28, 28) in float64 and one parameter; :func:`classical_methods` lists them
with their grids and descriptions.
"""

import numpy as np
from scipy import ndimage
from skimage.restoration import (
    denoise_nl_means,
    denoise_tv_chambolle,
    denoise_wavelet,
    estimate_sigma,
)

try:
    import bm3d
except ImportError:  # optional: the BM3D rows are skipped with a note
    bm3d = None

try:
    import pywt  # noqa: F401  (needed by denoise_wavelet)

    HAVE_PYWT = True
except ImportError:  # optional: the wavelet rows are skipped with a note
    HAVE_PYWT = False


def _per_image(fn, images, **kwargs):
    return np.stack([fn(im, **kwargs) for im in images])


def median_3x3(images, _=None):
    return ndimage.median_filter(images, size=(1, 3, 3), mode="reflect")


def gaussian_blur(images, sigma):
    return ndimage.gaussian_filter(images, sigma=(0, sigma, sigma), mode="reflect")


def total_variation(images, weight):
    return _per_image(denoise_tv_chambolle, images, weight=weight)


def _sigmas(images):
    return np.array([estimate_sigma(im) for im in images])


def nl_means(images, factor):
    out = np.empty_like(images)
    for i, (im, s) in enumerate(zip(images, _sigmas(images))):
        out[i] = denoise_nl_means(
            im,
            h=factor * s,
            sigma=s,
            fast_mode=True,
            patch_size=5,
            patch_distance=6,
        )
    return out


def wavelet(images, params):
    name, method = params
    return _per_image(
        denoise_wavelet,
        images,
        wavelet=name,
        method=method,
        mode="soft",
        rescale_sigma=True,
    )


class PCADenoiser:
    """Projection onto the first k principal components of clean images."""

    def __init__(self, clean, max_components):
        from sklearn.decomposition import PCA

        k = min(max_components, len(clean), clean.shape[1])
        self.pca = PCA(n_components=k, svd_solver="randomized", random_state=0)
        self.pca.fit(clean.reshape(len(clean), -1))

    def __call__(self, images, k):
        flat = images.reshape(len(images), -1)
        comps = self.pca.components_[:k]
        codes = (flat - self.pca.mean_) @ comps.T
        return (codes @ comps + self.pca.mean_).reshape(images.shape)


def _bm3d_one(image, sigma_psd):
    profile = bm3d.BM3DProfile()
    profile.num_threads = 1  # one thread per process: faster on tiny images
    return bm3d.bm3d(image, sigma_psd=sigma_psd, profile=profile)


def bm3d_grid(images, grid, n_jobs=1):
    """BM3D of every image for every sigma_psd of grid, in one parallel batch."""
    tasks = [(im, s) for s in grid for im in images]
    if n_jobs == 1:
        out = [_bm3d_one(im, s) for im, s in tasks]
    else:
        from joblib import Parallel, delayed

        out = Parallel(n_jobs=n_jobs)(delayed(_bm3d_one)(im, s) for im, s in tasks)
    out = np.stack(out).reshape((len(grid),) + images.shape)
    return list(out)


def bm3d_denoise(images, sigma_psd, n_jobs=1):
    return bm3d_grid(images, [sigma_psd], n_jobs)[0]


PCA_COMPONENTS = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384)


def classical_methods(pca_denoiser, n_jobs):
    """name -> (function(images, param), candidate params, description)."""
    methods = {
        "median 3x3": (median_3x3, [None], "scipy.ndimage.median_filter size 3"),
        "Gaussian blur": (
            gaussian_blur,
            [0.2, 0.3, 0.5, 0.7, 0.9, 1.1, 1.4, 1.8, 2.4],
            "scipy.ndimage.gaussian_filter, tuned sigma",
        ),
        "total variation": (
            total_variation,
            list(np.round(np.geomspace(0.02, 1.5, 10), 4)),
            "skimage denoise_tv_chambolle, tuned weight",
        ),
        "non-local means": (
            nl_means,
            [0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.25, 1.6, 2.0, 2.5, 3.2],
            "skimage denoise_nl_means fast_mode, patch 5, distance 6, "
            "h = factor * estimate_sigma (tuned factor)",
        ),
    }
    if HAVE_PYWT:
        methods["wavelet"] = (
            wavelet,
            [
                (w, m)
                for w in ("db1", "db2", "sym4")
                for m in ("BayesShrink", "VisuShrink")
            ],
            "skimage denoise_wavelet soft, rescale_sigma, tuned (wavelet, method)",
        )
    methods["PCA"] = (
        pca_denoiser,
        list(PCA_COMPONENTS),
        "sklearn PCA fitted on clean training images, tuned n_components",
    )
    if bm3d is not None:
        methods["BM3D"] = (
            lambda images, s: bm3d_denoise(images, s, n_jobs),
            [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.55],
            "bm3d.bm3d default profile, tuned sigma_psd",
        )
    return methods


def describe_param(method, param):
    """How a tuned parameter of ``method`` is shown in a table."""
    labels = {
        "Gaussian blur": "sigma={}",
        "total variation": "weight={}",
        "non-local means": "h={} x sigma_est",
        "PCA": "n_components={}",
        "BM3D": "sigma_psd={}",
    }
    if method == "wavelet":
        return f"{param[0]}, {param[1]}"
    return labels.get(method, "{}").format(param)


def missing_packages():
    """Notes on the optional packages that are missing (their rows are skipped)."""
    notes = []
    if bm3d is None:
        notes.append("bm3d is not installed: BM3D rows skipped")
    if not HAVE_PYWT:
        notes.append("PyWavelets is not installed: wavelet rows skipped")
    return notes


def psnr_of(clean, estimate):
    """Mean PSNR (dB) of ``estimate`` clipped to [0, 1], as the DAE outputs it."""
    from skdae.metrics import psnr

    return psnr(clean, np.clip(estimate, 0, 1))


def tune(method, function, grid, clean, noisy, *, n_jobs=1):
    """The parameter of ``grid`` with the best PSNR on (clean, noisy) tuning images.

    Returns (parameter, its PSNR, whether it lies on the edge of a numeric grid).
    BM3D runs every (image, parameter) pair in one parallel batch.
    """
    if method == "BM3D":
        outputs = bm3d_grid(noisy, grid, n_jobs)
    else:
        outputs = (function(noisy, param) for param in grid)
    scores = [psnr_of(clean, out) for out in outputs]
    best = int(np.argmax(scores))
    param = grid[best]
    numeric = isinstance(param, (int, float))
    on_edge = numeric and len(grid) > 1 and best in (0, len(grid) - 1)
    return param, float(scores[best]), on_edge
