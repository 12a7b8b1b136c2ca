"""Visualisations of denoisers, following scikit-learn's Display API.

Each display stores its data in ``__init__``; :meth:`plot` draws it and returns
the display with the matplotlib objects as attributes (``figure_``, ``ax_`` or
``axes_``, ...); the ``from_estimator``, ``from_predictions`` and
``from_cv_results`` class methods compute the data and plot it in one call.

- :class:`DenoisingComparisonDisplay`: named rows of images (noisy input, the
  output of one or more denoisers, clean reference) side by side, each image
  titled with its PSNR or SSIM against the clean one.
- :class:`LossCurveDisplay`: training (and validation) loss per epoch.
- :class:`NoiseLevelDisplay`: a score such as PSNR against the noise level, from
  a grid search or for one fitted model.

matplotlib is imported only when a display is plotted, and :mod:`matplotlib.pyplot`
only creates new figures: nothing is shown, so the displays work headless (Agg
backend); call ``plt.show()`` or ``display.figure_.savefig(...)`` yourself.
"""

from ._comparison import DenoisingComparisonDisplay
from ._loss_curve import LossCurveDisplay
from ._noise_level import NoiseLevelDisplay

__all__ = ["DenoisingComparisonDisplay", "LossCurveDisplay", "NoiseLevelDisplay"]
