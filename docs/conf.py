"""Sphinx configuration for the skdae documentation.

Build the HTML site (executing every example of the gallery) with::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The build needs no network. Cross-links to the documentation of scikit-learn,
skorch, PyTorch, NumPy and matplotlib (intersphinx) are only set up when the
environment variable ``SKDAE_DOCS_INTERSPHINX=1`` is set, because fetching their
inventories needs internet access and a failed fetch is a warning that Sphinx
cannot filter.
"""

import importlib
import os
import pkgutil
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

# The examples read real data through skdae.datasets: MNIST from the project's
# shared data folder beside the repository (unless SKDAE_DATA_HOME says
# otherwise), Fashion-MNIST from Debian's /usr/share/datasets/fashion-mnist.
os.environ.setdefault(
    "SKDAE_DATA_HOME", str((ROOT / ".." / "shared" / "data").resolve())
)
os.environ.setdefault("MPLBACKEND", "Agg")

import skdae

# -- Project information -----------------------------------------------------
project = "skdae"
author = "skdae developers"
copyright = "2025, skdae developers"
release = skdae.__version__
version = release

# -- General configuration ---------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "_templates", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"
# References that cannot be resolved (e.g. to torch or scikit-learn objects when
# intersphinx is off) are rendered as plain text, not reported.
nitpicky = False

# -- autodoc / autosummary / numpydoc ----------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
autoclass_content = "class"
add_module_names = False

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True

# -- doctest -----------------------------------------------------------------
doctest_global_setup = """
import numpy as np
"""

# -- intersphinx ---------------------------------------------------------------
# Off by default: this project is built on machines without internet access.
intersphinx_mapping = {}
if os.environ.get("SKDAE_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "skorch": ("https://skorch.readthedocs.io/en/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
    }
    intersphinx_timeout = 10

# -- sphinx-gallery ------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "within_subsection_order": "FileNameSortKey",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "abort_on_example_error": True,
    "doc_module": ("skdae",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skdae": None},
    "show_memory": False,
    "min_reported_time": 0,
    "download_all_examples": False,
    "remove_config_comments": True,
}

# -- HTML output ---------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skdae {release}"
html_static_path = ["_static"]
html_css_files = ["skdae.css"]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "header_links_before_dropdown": 6,
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
    "icon_links": [],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
html_sidebars = {
    "index": [],
    "getting_started": [],
    "changelog": [],
}


# -- Hooks ---------------------------------------------------------------------
# Inherited members are documented (get_params, set_output, ...), as in
# scikit-learn's own API pages, except those of torch.nn.Module (on
# skdae.networks.ReferenceAutoencoder): dozens of them, in a docstring style that
# is not numpydoc.


def _skip_torch_members(app, what, name, obj, skip, options):
    module = getattr(obj, "__module__", None) or ""
    if module == "torch" or module.startswith("torch."):
        return True
    return None


# Docstrings inherited from scikit-learn point to labels of scikit-learn's own
# documentation (":ref:`User Guide <metadata_routing>`"). Without intersphinx they
# cannot be resolved: keep their text and drop the link.
_REF_WITH_TEXT = re.compile(r":ref:`([^`<]+?)\s*<[^`>]+>`")
_REF_BARE = re.compile(r":ref:`([^`<>]+)`")


def _unlink_foreign_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", None) or ""
    if intersphinx_mapping or module == "skdae" or module.startswith("skdae."):
        return
    for i, line in enumerate(lines):
        line = _REF_WITH_TEXT.sub(r"\1", line)
        lines[i] = _REF_BARE.sub("a scikit-learn example", line)


# Workaround (see the report to the lead): some skdae docstrings write fitted
# attribute names in array shapes, "(n_features_in_,)" or "prod(latent_shape_)",
# where reStructuredText reads the trailing underscore as a hyperlink reference
# ("Unknown target name"). scikit-learn writes them in backquotes; until the
# docstrings do, quote such names here. A no-op on docstrings that quote them.
_ATTRIBUTE_IN_SHAPE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?=[,)\]])")


def _quote_attribute_names(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        if "shape" in line:
            lines[i] = _ATTRIBUTE_IN_SHAPE.sub(r"``\1``", line)


# Every public name (the __all__ of skdae and of its public modules) must appear
# in api.rst: a name that does not is reported as a warning, which fails the
# build under -W.
def _documented_objects(api_file):
    objects, module, in_table = set(), None, False
    for line in api_file.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\.\. currentmodule:: (\S+)", line)
        if match:
            module = match.group(1)
            continue
        if line.startswith(".. autosummary::"):
            in_table = True
            continue
        if in_table:
            entry = re.fullmatch(r"   ~?([\w.]+)", line)
            if entry:
                path = f"{module}.{entry.group(1)}"
                mod_name, _, attr = path.rpartition(".")
                obj = getattr(importlib.import_module(mod_name), attr, None)
                if obj is not None:
                    objects.add(id(obj))
            elif line.strip() and not line.startswith("   :"):
                in_table = False
    return objects


def _check_api_complete(app):
    from sphinx.util import logging

    logger = logging.getLogger("skdae.docs")
    documented = _documented_objects(DOCS / "api.rst")
    modules = ["skdae"] + [
        f"skdae.{info.name}"
        for info in pkgutil.iter_modules(skdae.__path__)
        if not info.name.startswith("_")
    ]
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            if name.startswith("__"):
                continue
            if id(getattr(module, name)) not in documented:
                logger.warning(
                    f"{module_name}.{name} is public (in __all__) but is not in "
                    "docs/api.rst",
                    location="api",
                )


# The model cards of the shipped denoisers (pretrained.rst) are written from
# their JSON files in skdae/pretrained/models/ when the build starts.
def _write_model_cards(app):
    sys.path.insert(0, str(DOCS))
    from model_cards import write_model_cards

    write_model_cards(DOCS / "generated" / "pretrained_cards.inc")


def setup(app):
    app.connect("builder-inited", _write_model_cards)
    app.connect("autodoc-skip-member", _skip_torch_members)
    app.connect("autodoc-process-docstring", _unlink_foreign_refs, priority=400)
    app.connect("autodoc-process-docstring", _quote_attribute_names, priority=400)
    app.connect("builder-inited", _check_api_complete)
