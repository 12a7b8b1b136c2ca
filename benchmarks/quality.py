"""Denoising-quality benchmark of skdae against classical denoisers on MNIST.

Two tables, both on the MNIST test set with test noise drawn with a fixed seed:

* issue 5 -- PSNR / SSIM of the noisy input, of the reference skdae recipe
  (trained for each noise setting with that noise) and of classical denoisers
  (median 3x3, Gaussian blur, total variation, non-local means, wavelet, PCA,
  BM3D) for clipped Gaussian noise 0.1 / 0.3 / 0.5 and salt-and-pepper noise
  0.05 / 0.1 / 0.2;
* issue 6 -- one row per architecture (reference, residual, unet) and noise
  model, with training times, and the targets of issue 6 marked met / not met.

The parameters of the classical denoisers are tuned on a held-out slice of
*training* images (the last ``n_tune`` ones, never the evaluation images) and then
applied to the test images. PCA is fitted on clean training images that exclude
that slice.

Usage::

    python benchmarks/quality.py --quick      # ~10-15 min on 2 CPU cores
    python benchmarks/quality.py --full       # ~4 h on 2 CPU cores
    python benchmarks/quality.py --full --only arch-gauss-0.5
    python benchmarks/quality.py --quick --threads 1   # machine shared with others
    # blind U-Nets against per-level U-Nets, with the MSE and the PSNR loss
    python benchmarks/quality.py --full --only blind --blind-arch unet \
        --blind-losses mse,psnr
    # speckle / Poisson / masking rows for chosen architectures
    python benchmarks/quality.py --full --only speckle,poisson,masking \
        --new-noise-archs residual
    python benchmarks/quality.py --quick --output results.json --markdown out.md

``--quick`` and ``--full`` run the same code with different settings (see
``SETTINGS``); every setting can be overridden on the command line. Results are
printed as Markdown tables and written as JSON (default
``benchmarks/results/quality-<mode>-<date>.json``), after every experiment, so an
interrupted run keeps what it finished.

Needs, besides skdae: scipy, scikit-image, PyWavelets (wavelet denoiser) and
optionally bm3d (the BM3D row is skipped with a note when it is missing).
"""

import argparse
import datetime
import inspect
import json
import os
import platform
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import torch
from scipy import ndimage
from skimage.restoration import (
    denoise_nl_means,
    denoise_tv_chambolle,
    denoise_wavelet,
    estimate_sigma,
)

import skdae
import skdae.noise as skdae_noise
from skdae import DenoisingAutoencoder
from skdae.datasets import load_mnist
from skdae.losses import LOSSES
from skdae.metrics import psnr, ssim

try:
    import bm3d
except ImportError:  # pragma: no cover - optional
    bm3d = None

try:
    import pywt  # noqa: F401  (needed by denoise_wavelet)

    HAVE_PYWT = True
except ImportError:  # pragma: no cover - optional
    HAVE_PYWT = False

SIDE = 28  # MNIST images are 28x28
#: the repository's MNIST copy, beside the checkout (never copied into it)
DEFAULT_DATA_HOME = Path(__file__).resolve().parents[2] / "shared" / "data"

# --------------------------------------------------------------------- settings
SETTINGS = {
    "quick": {
        "n_train": 5000,  # first images of the training set, reference network
        "arch_n_train": 1000,  # first images, residual / unet (similar train time)
        "n_test": 1000,  # first test images
        "n_tune": 200,  # last training images, tuning of classical denoisers
        "reference_epochs": 1,
        "arch_epochs": 1,
        "batch_size": 20,
        "lr": 1e-3,
        "bm3d_test": 50,  # BM3D (~0.3 s per image) runs on the first test images
        "bm3d_tune": 10,
        "n_jobs": 1,  # processes for BM3D only
        "threads": None,  # torch threads; None: torch's default
        "seed": 0,  # DAE training
        "test_noise_seed": 12345,
        "tune_noise_seed": 54321,
    },
    "full": {
        "n_train": None,  # all 24,345
        "arch_n_train": None,
        "n_test": None,  # all 10,000
        "n_tune": 200,
        "reference_epochs": 20,  # the reference recipe
        "arch_epochs": 4,  # about the wall time of 20 reference epochs on a CPU
        "batch_size": 20,
        "lr": 1e-3,
        "bm3d_test": 1000,
        "bm3d_tune": 50,
        "n_jobs": 1,
        "threads": None,
        "seed": 0,
        "test_noise_seed": 12345,
        "tune_noise_seed": 54321,
    },
}

ARCHITECTURES = ("reference", "residual", "unet")
EXPERIMENTS = (
    "issue5",
    "arch-gauss-0.5",
    "arch-sp-0.2",
    "arch-gauss-25",
    "blind",
    "speckle",
    "poisson",
    "masking",
)


def _log(msg):
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {msg}", flush=True)


# ------------------------------------------------------------------ noise models
def _new_noise(class_name, **kwargs):
    """Instantiate a skdae noise model, or return (None, reason) if unsupported."""
    cls = getattr(skdae_noise, class_name, None)
    if cls is None:
        return None, f"skdae.noise.{class_name} does not exist in this version"
    accepted = inspect.signature(cls).parameters
    missing = [k for k in kwargs if k not in accepted]
    if missing:
        return None, f"{class_name} has no parameter(s) {missing}"
    try:
        model = cls(**kwargs)
        model.fit_transform(np.full((2, 16), 0.5))  # validates the parameters
    except Exception as exc:  # noqa: BLE001 - any failure means "unsupported"
        return None, f"{class_name}({kwargs}) failed: {exc}"
    return model, None


# key -> (label, class name, kwargs)
NOISES = {
    "gauss-0.1": ("Gaussian 0.1 (clipped)", "GaussianNoise", {"sigma": 0.1}),
    "gauss-0.3": ("Gaussian 0.3 (clipped)", "GaussianNoise", {"sigma": 0.3}),
    "gauss-0.5": ("Gaussian 0.5 (clipped)", "GaussianNoise", {"sigma": 0.5}),
    "sp-0.05": ("salt & pepper 0.05", "SaltPepperNoise", {"amount": 0.05}),
    "sp-0.1": ("salt & pepper 0.1", "SaltPepperNoise", {"amount": 0.1}),
    "sp-0.2": ("salt & pepper 0.2", "SaltPepperNoise", {"amount": 0.2}),
    "gauss-25": (
        "Gaussian 25/255 (unclipped)",
        "GaussianNoise",
        {"sigma": 25 / 255, "clip": False},
    ),
    "blind-gauss": (
        "Gaussian sigma ~ U[0.1, 0.5] (clipped, blind)",
        "GaussianNoise",
        {"sigma": (0.1, 0.5)},
    ),
    "speckle-0.5": ("speckle 0.5", "SpeckleNoise", {"sigma": 0.5}),
    "poisson-10": ("Poisson peak 10", "PoissonNoise", {"peak": 10.0}),
    "masking-0.5": ("masking 0.5", "MaskingNoise", {"amount": 0.5}),
}
ISSUE5_NOISES = ("gauss-0.1", "gauss-0.3", "gauss-0.5", "sp-0.05", "sp-0.1", "sp-0.2")
NEW_NOISE_EXPERIMENTS = {
    "speckle": "speckle-0.5",
    "poisson": "poisson-10",
    "masking": "masking-0.5",
}


def make_noise(key, random_state=None):
    _, class_name, kwargs = NOISES[key]
    model, reason = _new_noise(class_name, **kwargs)
    if model is not None:
        model.set_params(random_state=random_state)
    return model, reason


# ------------------------------------------------------------ classical methods
def _per_image(fn, images, **kwargs):
    return np.stack([fn(im, **kwargs) for im in images])


def median3(images, _=None):
    return ndimage.median_filter(images, size=(1, 3, 3), mode="reflect")


def gaussian_blur(images, sigma):
    return ndimage.gaussian_filter(images, sigma=(0, sigma, sigma), mode="reflect")


def tv(images, weight):
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
        "median 3x3": (median3, [None], "scipy.ndimage.median_filter size 3"),
        "Gaussian blur": (
            gaussian_blur,
            [0.2, 0.3, 0.5, 0.7, 0.9, 1.1, 1.4, 1.8, 2.4],
            "scipy.ndimage.gaussian_filter, tuned sigma",
        ),
        "total variation": (
            tv,
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


# ---------------------------------------------------------------------- helpers
def _jsonable(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    return value


def _scores(clean, estimate):
    return psnr(clean, estimate, per_image=True), ssim(clean, estimate, per_image=True)


class Benchmark:
    def __init__(self, settings, mode, output, markdown):
        self.s = settings
        self.mode = mode
        self.output = output
        self.markdown = markdown
        self.notes = []
        self.models = {}  # (arch, noise key, loss) -> (estimator, info)
        self.evaluated = {}  # (method, noise key) -> row
        self.tuned = {}  # noise key -> {method: (param, tune psnr, seconds)}
        self.results = {"issue5": {}, "issue6": {}}
        self.targets = []
        self.tables = []
        self.t0 = time.time()
        self._load()

    # ------------------------------------------------------------------- data
    def _load(self):
        X_train = load_mnist(data_home=self.s["data_home"]).data
        X_test = load_mnist(data_home=self.s["data_home"], subset="test").data
        n_tune = self.s["n_tune"]
        self.X_tune = X_train[-n_tune:]
        n_train = self.s["n_train"] or len(X_train)
        arch_n = self.s["arch_n_train"] or len(X_train)
        self.X_train = X_train[:n_train]
        self.X_arch_train = X_train[:arch_n]
        # PCA: clean training images, never the tuning slice
        self.X_pca = X_train[: min(n_train, len(X_train) - n_tune)]
        n_test = self.s["n_test"] or len(X_test)
        self.X_test = X_test[:n_test]
        self.n_bm3d = min(self.s["bm3d_test"], n_test)
        self.data_info = {
            "dataset": "MNIST (skdae.datasets.load_mnist)",
            "train_images_available": len(X_train),
            "test_images_available": len(X_test),
            "reference_train_images": len(self.X_train),
            "architecture_train_images": len(self.X_arch_train),
            "test_images": len(self.X_test),
            "tune_images": f"last {n_tune} training images",
            "pca_fit_images": len(self.X_pca),
            "bm3d_test_images": self.n_bm3d,
            "bm3d_tune_images": min(self.s["bm3d_tune"], n_tune),
        }
        self._noisy_cache = {}
        self.pca = PCADenoiser(self.X_pca, max(PCA_COMPONENTS))

    def noisy(self, key, split):
        """Noisy test or tuning images of a noise setting (fixed seed)."""
        if (key, split) not in self._noisy_cache:
            seed = self.s["test_noise_seed" if split == "test" else "tune_noise_seed"]
            clean = self.X_test if split == "test" else self.X_tune
            noise, reason = make_noise(key, random_state=seed)
            if noise is None:
                raise RuntimeError(reason)
            self._noisy_cache[key, split] = noise.fit_transform(clean)
        return self._noisy_cache[key, split]

    # ------------------------------------------------------------- skdae models
    def model(self, arch, key, loss="mse"):
        if (arch, key, loss) in self.models:
            return self.models[arch, key, loss]
        noise, reason = make_noise(key)
        if noise is None:
            raise RuntimeError(reason)
        reference = arch == "reference"
        X = self.X_train if reference else self.X_arch_train
        epochs = self.s["reference_epochs" if reference else "arch_epochs"]
        if key == "blind-gauss" and self.s.get("blind_epochs"):
            epochs = self.s["blind_epochs"]
        est = DenoisingAutoencoder(
            noise=noise,
            architecture=arch,
            max_epochs=epochs,
            batch_size=self.s["batch_size"],
            lr=self.s["lr"],
            loss=loss,
            random_state=self.s["seed"],
        )
        _log(
            f"training {arch} on {len(X)} images, {epochs} epoch(s), noise {key}, "
            f"loss {loss}"
        )
        start = time.perf_counter()
        est.fit(X)
        seconds = time.perf_counter() - start
        info = {
            "architecture": arch,
            "noise": key,
            "noise_params": {
                k: _jsonable(v)
                for k, v in noise.get_params().items()
                if k != "random_state"
            },
            "train_images": len(X),
            "epochs": epochs,
            "loss": loss,
            "batch_size": self.s["batch_size"],
            "train_time_s": round(seconds, 1),
            "final_train_loss": float(est.history_[-1, "train_loss"]),
            "device": str(est.device_),
        }
        _log(f"  trained in {seconds:.1f} s, loss {info['final_train_loss']:.5f}")
        self.models[arch, key, loss] = (est, info)
        return self.models[arch, key, loss]

    def eval_model(self, arch, key, eval_key=None, name=None, loss="mse"):
        """Row of the model (arch, key, loss) on the test images of noise eval_key."""
        eval_key = eval_key or key
        name = name or f"skdae {arch}" + (f" (loss {loss})" if loss != "mse" else "")
        if (name, eval_key) in self.evaluated:
            return self.evaluated[name, eval_key]
        est, info = self.model(arch, key, loss)
        noisy = self.noisy(eval_key, "test")
        start = time.perf_counter()
        out = est.transform(noisy)
        seconds = time.perf_counter() - start
        row = self._row(name, eval_key, out, seconds=seconds)
        row.update(
            {
                "params": f"trained on {key}, loss {loss}",
                "loss": loss,
                "train_time_s": info["train_time_s"],
                "epochs": info["epochs"],
                "train_images": info["train_images"],
            }
        )
        self.evaluated[name, eval_key] = row
        return row

    # -------------------------------------------------------------- classical
    def _row(self, name, key, estimate, seconds=None, subset_only=False):
        clean = self.X_test[: self.n_bm3d] if subset_only else self.X_test
        p, q = _scores(clean, estimate.reshape(len(clean), -1))
        n = self.n_bm3d
        row = {
            "method": name,
            "noise": key,
            "n_images": len(clean),
            "psnr": float(p.mean()),
            "ssim": float(q.mean()),
            "psnr_subset": float(p[:n].mean()),
            "ssim_subset": float(q[:n].mean()),
        }
        if seconds is not None:
            row["eval_time_s"] = round(seconds, 2)
        return row

    def noisy_row(self, key):
        if ("noisy input", key) not in self.evaluated:
            row = self._row("noisy input", key, self.noisy(key, "test"))
            row["params"] = ""
            self.evaluated["noisy input", key] = row
        return self.evaluated["noisy input", key]

    def classical_row(self, method, key):
        if (method, key) in self.evaluated:
            return self.evaluated[method, key]
        fn, grid, _ = self.methods[method]
        tune_clean = self.X_tune.reshape(-1, SIDE, SIDE).astype(np.float64)
        tune_noisy = self.noisy(key, "tune").reshape(-1, SIDE, SIDE).astype(np.float64)
        subset = method == "BM3D"
        if subset:
            n = min(self.s["bm3d_tune"], len(tune_clean))
            tune_clean, tune_noisy = tune_clean[:n], tune_noisy[:n]
        start = time.perf_counter()
        if subset:  # BM3D: all (image, sigma_psd) pairs in one parallel batch
            outs = bm3d_grid(tune_noisy, grid, self.s["n_jobs"])
        else:
            outs = (fn(tune_noisy, param) for param in grid)
        scores = [psnr(tune_clean, np.clip(out, 0, 1)) for out in outs]
        best = int(np.argmax(scores))
        param = grid[best]
        tune_seconds = time.perf_counter() - start
        edge = ""
        numeric = isinstance(param, (int, float))
        if numeric and len(grid) > 1 and best in (0, len(grid) - 1):
            edge = " (grid edge)"
        test_noisy = self.noisy(key, "test").reshape(-1, SIDE, SIDE).astype(np.float64)
        if subset:
            test_noisy = test_noisy[: self.n_bm3d]
        start = time.perf_counter()
        out = np.clip(fn(test_noisy, param), 0, 1)  # as the DAE outputs
        seconds = time.perf_counter() - start
        row = self._row(method, key, out, seconds=seconds, subset_only=subset)
        shown = "" if param is None else f"{_fmt_param(method, param)}{edge}"
        row.update(
            {
                "params": shown,
                "tuned_param": _jsonable(param),
                "tune_psnr": float(scores[best]),
                "tune_images": len(tune_clean),
                "tune_time_s": round(tune_seconds, 2),
            }
        )
        _log(
            f"  {method:16s} {key:12s} {shown:28s} PSNR {row['psnr']:.2f} "
            f"(tune {tune_seconds:.1f} s, test {seconds:.1f} s)"
        )
        self.evaluated[method, key] = row
        return row

    # ------------------------------------------------------------ experiments
    def run(self, experiments):
        self.methods = classical_methods(self.pca, self.s["n_jobs"])
        if bm3d is None:
            self.notes.append("bm3d is not installed: BM3D rows skipped")
        if not HAVE_PYWT:
            self.notes.append("PyWavelets is not installed: wavelet rows skipped")
        for name in experiments:
            _log(f"=== {name}")
            start = time.perf_counter()
            getattr(self, "exp_" + name.replace("-", "_").replace(".", ""))()
            _log(f"=== {name} done in {time.perf_counter() - start:.0f} s")
            self.save()
        self.save(final=True)

    def exp_issue5(self):
        for key in ISSUE5_NOISES:
            rows = [self.noisy_row(key), self.eval_model("reference", key)]
            rows += [self.classical_row(m, key) for m in self.methods]
            self.results["issue5"][key] = rows
            self.table(f"Issue 5 -- {NOISES[key][0]}", rows)

    def _arch_rows(self, key):
        return [self.eval_model(arch, key) for arch in ARCHITECTURES]

    def _best(self, rows, names=None):
        rows = [r for r in rows if names is None or r["method"] in names]
        return max(rows, key=lambda r: r["psnr"])

    def exp_arch_gauss_05(self):
        key = "gauss-0.5"
        rows = [self.noisy_row(key)] + self._arch_rows(key)
        self.results["issue6"][key] = rows
        ref = rows[1]
        best = self._best(rows[2:])
        self.target(
            "issue6",
            "Gaussian 0.5: best architecture >= reference + 2 dB (same recipe)",
            best["psnr"] - ref["psnr"],
            2.0,
            f"{best['method']} {best['psnr']:.2f} dB vs reference {ref['psnr']:.2f} dB",
        )
        self.table(f"Issue 6 -- {NOISES[key][0]}", rows)

    def exp_arch_sp_02(self):
        key = "sp-0.2"
        rows = [self.noisy_row(key)] + self._arch_rows(key)
        med = self.classical_row("median 3x3", key)
        rows.append(med)
        self.results["issue6"][key] = rows
        best = self._best(rows[1:4])
        self.target(
            "issue6",
            "salt & pepper 0.2: best architecture >= median 3x3 + 5 dB",
            best["psnr"] - med["psnr"],
            5.0,
            f"{best['method']} {best['psnr']:.2f} dB vs median {med['psnr']:.2f} dB",
        )
        self.table(f"Issue 6 -- {NOISES[key][0]}", rows)

    def exp_arch_gauss_25(self):
        key = "gauss-25"
        rows = [self.noisy_row(key)] + self._arch_rows(key)
        nlm = self.classical_row("non-local means", key)
        rows.append(nlm)
        self.results["issue6"][key] = rows
        best = self._best(rows[1:4])
        self.target(
            "issue6",
            "Gaussian 25/255 unclipped: best architecture > non-local means",
            best["psnr"] - nlm["psnr"],
            0.0,
            f"{best['method']} {best['psnr']:.2f} dB vs NLM {nlm['psnr']:.2f} dB",
            strict=True,
        )
        if "BM3D" in self.methods:
            b = self.classical_row("BM3D", key)
            rows.append(b)
            self.target(
                "issue6",
                "Gaussian 25/255 unclipped: best architecture > BM3D "
                f"(first {self.n_bm3d} test images)",
                best["psnr_subset"] - b["psnr"],
                0.0,
                f"{best['method']} {best['psnr_subset']:.2f} dB vs BM3D "
                f"{b['psnr']:.2f} dB",
                strict=True,
            )
        else:
            self.notes.append("Gaussian 25/255: BM3D target not evaluated (no bm3d)")
        self.table(f"Issue 6 -- {NOISES[key][0]}", rows)

    def exp_blind(self):
        """Blind models (sigma ~ U[0.1, 0.5]) against per-level models.

        Every loss of ``blind_losses`` trains one blind model and one model per
        level. The target compares the blind model of the last loss with the
        best per-level model at each level, whatever its loss.
        """
        blind, reason = make_noise("blind-gauss")
        if blind is None:
            self.notes.append(f"blind model skipped: {reason}")
            _log(f"skipped: {reason}")
            return
        arch = self.s.get("blind_arch") or "reference"
        losses = self.s.get("blind_losses") or ["mse"]
        rows = []
        for level in ("gauss-0.1", "gauss-0.3", "gauss-0.5"):
            rows.append(self.noisy_row(level))
            per = [self.eval_model(arch, level, loss=loss) for loss in losses]
            bl = [
                self.eval_model(
                    arch,
                    "blind-gauss",
                    eval_key=level,
                    name=f"skdae {arch} blind (loss {loss})",
                    loss=loss,
                )
                for loss in losses
            ]
            rows += per + bl
            best = self._best(per)
            self.target(
                "issue6",
                f"blind {arch} model (loss {losses[-1]}) within 0.5 dB of the best "
                f"per-level model at {level}",
                bl[-1]["psnr"] - best["psnr"],
                -0.5,
                f"blind {bl[-1]['psnr']:.2f} dB vs per-level {best['psnr']:.2f} dB "
                f"({best['method']})",
            )
        self.results["issue6"]["blind"] = rows
        self.table(
            f"Issue 6 -- blind {arch} model, sigma ~ U[0.1, 0.5]", rows, noise_col=True
        )

    def _new_noise_exp(self, key):
        noise, reason = make_noise(key)
        if noise is None:
            self.notes.append(f"{key} skipped: {reason}")
            _log(f"skipped: {reason}")
            return
        archs = self.s.get("new_noise_archs") or ["reference", self.best_arch()]
        archs = list(dict.fromkeys(archs))  # reference and best may coincide
        rows = [self.noisy_row(key)] + [self.eval_model(a, key) for a in archs]
        classical = [self.classical_row(m, key) for m in self.methods if m != "BM3D"]
        best_classical = self._best(classical)
        rows.append(best_classical)
        self.results["issue6"][key] = rows
        dae = self._best(rows[1:-1])
        self.target(
            "issue6 (no target set)",
            f"{NOISES[key][0]}: best skdae model > best tuned classical "
            f"({best_classical['method']})",
            dae["psnr"] - best_classical["psnr"],
            0.0,
            f"{dae['method']} {dae['psnr']:.2f} dB vs {best_classical['method']} "
            f"{best_classical['psnr']:.2f} dB",
            strict=True,
        )
        self.table(
            f"Issue 6 -- {NOISES[key][0]} (classical: best of "
            f"{', '.join(m for m in self.methods if m != 'BM3D')})",
            rows,
        )

    def exp_speckle(self):
        self._new_noise_exp(NEW_NOISE_EXPERIMENTS["speckle"])

    def exp_poisson(self):
        self._new_noise_exp(NEW_NOISE_EXPERIMENTS["poisson"])

    def exp_masking(self):
        self._new_noise_exp(NEW_NOISE_EXPERIMENTS["masking"])

    def best_arch(self):
        """Architecture used for the new noise models: best at Gaussian 0.5."""
        if self.s.get("best_arch"):
            return self.s["best_arch"]
        rows = [self.evaluated.get((f"skdae {a}", "gauss-0.5")) for a in ARCHITECTURES]
        rows = [r for r in rows[1:] if r is not None]
        if not rows:
            return "residual"
        return self._best(rows)["method"].split()[-1]

    # ------------------------------------------------------------- reporting
    def target(self, issue, name, margin, threshold, detail, strict=False):
        met = margin > threshold if strict else margin >= threshold
        self.targets.append(
            {
                "issue": issue,
                "target": name,
                "margin_db": round(float(margin), 3),
                "threshold_db": threshold,
                "strict": strict,
                "met": bool(met),
                "detail": detail,
            }
        )
        _log(f"TARGET {'MET' if met else 'NOT MET'}: {name} ({detail})")

    def table(self, title, rows, noise_col=False):
        n = self.n_bm3d
        head = ["method"] + (["noise"] if noise_col else []) + ["params"]
        head += ["PSNR", "SSIM", f"PSNR first {n}", "train s", "epochs"]
        lines = [f"### {title}", "", "| " + " | ".join(head) + " |"]
        lines.append("|" + "|".join("---" for _ in head) + "|")
        for r in rows:
            subset = r["n_images"] == n and n < len(self.X_test)
            cells = [r["method"] + (" †" if subset else "")]
            if noise_col:
                cells.append(r["noise"])
            cells += [
                str(r.get("params", "")),
                f"{r['psnr']:.2f}",
                f"{r['ssim']:.3f}",
                f"{r['psnr_subset']:.2f}",
                str(r.get("train_time_s", "")),
                str(r.get("epochs", "")),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        if any(r["n_images"] == n and n < len(self.X_test) for r in rows):
            lines.append("")
            lines.append(f"† on the first {n} test images only (BM3D is slow).")
        text = "\n".join(lines) + "\n"
        print("\n" + text, flush=True)
        self.tables.append(text)

    def targets_table(self):
        lines = [
            "### Targets",
            "",
            "| issue | target | margin (dB) | needed | met | detail |",
            "|---|---|---|---|---|---|",
        ]
        for t in self.targets:
            need = ("> " if t["strict"] else ">= ") + f"{t['threshold_db']:+g}"
            lines.append(
                f"| {t['issue']} | {t['target']} | {t['margin_db']:+.2f} | {need} | "
                f"{'met' if t['met'] else 'NOT met'} | {t['detail']} |"
            )
        return "\n".join(lines) + "\n"

    def metadata(self):
        versions = {"python": platform.python_version(), "skdae": skdae.__version__}
        for pkg in (
            "torch",
            "skorch",
            "numpy",
            "scipy",
            "scikit-learn",
            "scikit-image",
            "PyWavelets",
            "bm3d",
        ):
            try:
                versions[pkg] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                versions[pkg] = None
        machine = {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            # other jobs on the machine slow the timings down: record the load
            "load_average_1_5_15min": [round(x, 2) for x in os.getloadavg()],
            "cuda": torch.cuda.get_device_name(0)
            if torch.cuda.is_available()
            else None,
        }
        return versions, machine

    def save(self, final=False):
        versions, machine = self.metadata()
        doc = {
            "benchmark": "skdae denoising quality (issues 5 and 6)",
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "mode": self.mode,
            "complete": final,
            "elapsed_s": round(time.time() - self.t0, 1),
            "machine": machine,
            "versions": versions,
            "settings": {k: _jsonable(v) for k, v in self.s.items()},
            "data": self.data_info,
            "classical_methods": {
                name: {"grid": [_jsonable(p) for p in grid], "description": desc}
                for name, (_, grid, desc) in getattr(self, "methods", {}).items()
            },
            "notes": self.notes,
            "models": [info for _, info in self.models.values()],
            "results": self.results,
            "targets": self.targets,
        }
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.output.write_text(json.dumps(doc, indent=1))
        if final:
            print("\n" + self.targets_table(), flush=True)
            if self.notes:
                print("Notes:\n" + "\n".join(f"- {n}" for n in self.notes))
            print(f"\nTotal time {time.time() - self.t0:.0f} s; JSON: {self.output}")
            if self.markdown:
                header = (
                    f"Run {doc['date']} ({self.mode}), {machine['platform']}, "
                    f"{machine['cpu_count']} CPUs, torch threads "
                    f"{machine['torch_threads']}, total {doc['elapsed_s']:.0f} s\n\n"
                )
                body = "\n".join(self.tables) + "\n" + self.targets_table()
                Path(self.markdown).write_text(header + body)


def _fmt_param(method, param):
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


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true", help="small, ~10-15 min")
    mode.add_argument("--full", action="store_true", help="the full benchmark")
    parser.add_argument("--output", type=Path, help="JSON file to write")
    parser.add_argument("--markdown", help="also write the tables to this file")
    parser.add_argument(
        "--only",
        help=f"comma-separated experiments among {', '.join(EXPERIMENTS)}",
    )
    parser.add_argument(
        "--data-home",
        default=str(DEFAULT_DATA_HOME) if DEFAULT_DATA_HOME.exists() else None,
        help="folder holding mnist/ (default: ../shared/data beside the repository, "
        "else skdae's search path)",
    )
    parser.add_argument(
        "--best-arch",
        choices=ARCHITECTURES,
        help="architecture for the speckle/Poisson/masking rows "
        "(default: the best at Gaussian 0.5, else residual)",
    )
    parser.add_argument(
        "--new-noise-archs",
        help="comma-separated architectures for the speckle/Poisson/masking rows "
        "(default: reference and --best-arch)",
    )
    parser.add_argument(
        "--blind-losses",
        default="mse",
        help="comma-separated losses (mse, psnr) of the blind experiment: each "
        "trains a blind model and per-level models; the target uses the blind model "
        "of the last one (default: mse)",
    )
    parser.add_argument(
        "--blind-epochs",
        type=int,
        help="epochs of the blind models (default: those of their architecture); "
        "3x gives a blind model the training of the three per-level models it "
        "replaces",
    )
    parser.add_argument(
        "--blind-arch",
        choices=ARCHITECTURES,
        help="architecture of the blind experiment's models (default: reference)",
    )
    for name in SETTINGS["quick"]:
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=float if name == "lr" else int,
            help=f"override (quick {SETTINGS['quick'][name]}, "
            f"full {SETTINGS['full'][name]})",
        )
    return parser.parse_args(argv)


def _csv(text, known, what):
    """The comma-separated items of ``text``; exits naming those not in ``known``."""
    items = [x.strip() for x in (text or "").split(",") if x.strip()]
    unknown = set(items) - set(known)
    if unknown:
        sys.exit(f"unknown {what} {sorted(unknown)}; know {known}")
    return items


def main(argv=None):
    args = parse_args(argv)
    mode = "quick" if args.quick else "full"
    settings = dict(SETTINGS[mode])
    for name in SETTINGS[mode]:
        value = getattr(args, name)
        if value is not None:
            settings[name] = value
    if settings["threads"]:
        # on a machine shared with other jobs, 1 thread is often much faster
        torch.set_num_threads(settings["threads"])
    settings["data_home"] = args.data_home
    settings["best_arch"] = args.best_arch
    settings["blind_arch"] = args.blind_arch
    settings["blind_epochs"] = args.blind_epochs
    settings["new_noise_archs"] = _csv(
        args.new_noise_archs, ARCHITECTURES, "architecture(s)"
    )
    settings["blind_losses"] = _csv(args.blind_losses, tuple(LOSSES), "loss(es)")
    if not settings["blind_losses"]:
        sys.exit("--blind-losses: give at least one loss")
    experiments = _csv(args.only, EXPERIMENTS, "experiment(s)") or EXPERIMENTS
    today = datetime.date.today().isoformat()
    output = args.output or Path(__file__).parent / "results" / (
        f"quality-{mode}-{today}.json"
    )
    warnings.filterwarnings("ignore", message=".*outside.*range.*")
    _log(f"mode {mode}, settings {settings}")
    bench = Benchmark(settings, mode, output, args.markdown)
    _log(f"data: {bench.data_info}")
    bench.run(experiments)


if __name__ == "__main__":
    main()
