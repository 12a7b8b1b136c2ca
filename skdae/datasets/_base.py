"""Where data sets are looked for: the data home, the folders searched, downloads.

Candidate base folders, in this order:

1. the ``data_home`` argument, when given;
2. the ``SKDAE_DATA_HOME`` environment variable, when set;
3. ``~/skdae_data``;
4. the Debian package folder ``/usr/share/datasets/<debian-name>``.

Inside each of the first three base folders the files are looked for in the base
itself, in ``<base>/<name>`` and in torchvision's layout
``<base>/<TorchvisionName>/raw``. The first folder that holds all the files wins.
"""

import os
from pathlib import Path

#: Environment variable naming the default data home.
DATA_HOME_ENV = "SKDAE_DATA_HOME"

# Where Debian's ``dataset-*`` packages install their files (one folder per data
# set, files directly inside). Module-level so that tests can redirect it.
_DEBIAN_DATASETS_DIR = Path("/usr/share/datasets")


class DatasetNotFoundError(FileNotFoundError):
    """The files of a data set were found in none of the folders searched.

    The message lists every folder searched, in order, and how to fix the
    problem; it is meant to be shown to users as is.

    Attributes
    ----------
    searched : tuple of pathlib.Path
        The folders searched, in the order they were searched.
    dataset : str or None
        The name of the data set, e.g. ``"MNIST"``.
    reason : str or None
        Why a download failed, when one was attempted.
    """

    def __init__(self, message, *, searched=(), dataset=None, reason=None):
        super().__init__(message)
        self.searched = tuple(searched)
        self.dataset = dataset
        self.reason = reason


def _env_data_home():
    """The folder named by ``$SKDAE_DATA_HOME``, or None when it is unset or empty.

    The only place that reads the environment variable.
    """
    value = os.environ.get(DATA_HOME_ENV)
    return Path(value).expanduser() if value else None


def _data_homes(data_home=None):
    """The base folders searched, in order, as (folder, origin) pairs."""
    bases = []
    if data_home is not None:
        bases.append((Path(data_home).expanduser(), "data_home"))
    env = _env_data_home()
    if env is not None:
        bases.append((env, DATA_HOME_ENV))
    bases.append((Path("~", "skdae_data").expanduser(), "default data home"))
    return bases


def _get_data_home(data_home=None):
    """The data home: ``data_home``, else ``$SKDAE_DATA_HOME``, else ~/skdae_data."""
    return _data_homes(data_home)[0][0]


def _candidate_dirs(spec, data_home):
    """Folders to search, in order, as (folder, where-it-comes-from) pairs."""
    candidates = []
    for base, origin in _data_homes(data_home):
        for folder in (
            base,
            base / spec.name,
            base / spec.torchvision_name / "raw",
        ):
            candidates.append((folder, origin))
    candidates.append(
        (Path(_DEBIAN_DATASETS_DIR) / spec.debian_name, "Debian package folder")
    )

    seen = set()
    unique = []
    for folder, origin in candidates:
        if folder not in seen:
            seen.add(folder)
            unique.append((folder, origin))
    return unique


def _file_in(folder, file_name):
    """Path of ``file_name`` (uncompressed, else ``.gz``) in ``folder``, or None."""
    for candidate in (folder / file_name, folder / f"{file_name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _find_files(spec, data_home):
    """Locate the files of ``spec.file_names``.

    Returns ``(files, report)``: ``files`` maps the keys of ``spec.file_names``
    to paths (None when no folder holds them all), ``report`` lists the folders
    searched as (folder, origin, names of the files missing there, or None when
    the folder holds none of them).
    """
    report = []
    keys = list(spec.file_names)
    for folder, origin in _candidate_dirs(spec, data_home):
        found = {key: _file_in(folder, spec.file_names[key]) for key in keys}
        if all(found.values()):
            return found, report + [(folder, origin, [])]
        missing = [spec.file_names[key] for key in keys if found[key] is None]
        report.append((folder, origin, missing if len(missing) < len(keys) else None))
    return None, report


def _not_found_message(spec, report, data_home, reason=None):
    names = ", ".join(f"{name}[.gz]" for name in spec.file_names.values())
    lines = [
        f"Could not find the {spec.title} files ({names}) in any of these "
        "folders, searched in this order:"
    ]
    width = len(str(len(report)))
    for i, (folder, origin, missing) in enumerate(report, start=1):
        line = f"  {i:>{width}}. {folder}  ({origin})"
        if missing:
            line += f" -- incomplete, missing {', '.join(missing)}"
        lines.append(line)
    if _env_data_home() is None:
        lines.append(f"({DATA_HOME_ENV} is not set.)")
    if reason:
        lines.append(reason)
    lines.append("To fix this, do one of:")
    lines.append(
        f"  - put the files in a folder and pass data_home=<folder> or set "
        f"{DATA_HOME_ENV}=<folder> (they may also be in <folder>/{spec.name} or "
        f"<folder>/{spec.torchvision_name}/raw)."
    )
    lines.append(
        "  - pass download=True to download them with torchvision (pip install "
        f"torchvision; needs a network connection) into {_get_data_home(data_home)}."
    )
    if spec.name == "fashion-mnist":
        lines.append(
            "  - on Debian or Ubuntu: apt-get install dataset-fashion-mnist, which "
            f"installs them in {Path(_DEBIAN_DATASETS_DIR) / spec.debian_name}."
        )
    return "\n".join(lines)


def _not_found(spec, report, data_home, reason=None):
    return DatasetNotFoundError(
        _not_found_message(spec, report, data_home, reason=reason),
        searched=[folder for folder, _, _ in report],
        dataset=spec.title,
        reason=reason,
    )


def _download(spec, data_home, report):
    """Download through torchvision into the data home; return its raw folder."""
    root = _get_data_home(data_home)
    try:
        import torchvision.datasets as tv_datasets
    except ModuleNotFoundError as exc:
        if exc.name not in ("torchvision", "torchvision.datasets"):
            raise _import_failed(spec, report, data_home, exc) from exc
        raise _not_found(
            spec,
            report,
            data_home,
            reason="download=True needs torchvision, which is not installed "
            "(pip install torchvision).",
        ) from exc
    except Exception as exc:  # a broken install can raise anything at import
        raise _import_failed(spec, report, data_home, exc) from exc

    dataset_class = getattr(tv_datasets, spec.torchvision_name)
    try:
        # train=False: torchvision downloads all files, then loads the smaller split.
        dataset_class(
            root=str(root), train=False, download=True, **spec.torchvision_kwargs
        )
    except Exception as exc:
        raise _not_found(
            spec,
            report,
            data_home,
            reason=f"download=True was passed, but downloading {spec.title} "
            f"into {root} with torchvision failed (offline?): "
            f"{type(exc).__name__}: {exc}",
        ) from exc
    return root / spec.torchvision_name / "raw"


def _import_failed(spec, report, data_home, exc):
    return _not_found(
        spec,
        report,
        data_home,
        reason="download=True was passed, but torchvision is installed and "
        f"could not be imported: {type(exc).__name__}: {exc} (a torchvision "
        "build that does not match the installed torch often causes this; "
        "reinstall torchvision for this torch version).",
    )


def _locate(spec, data_home, download):
    """Paths of ``spec``'s files, found locally or downloaded when allowed."""
    files, report = _find_files(spec, data_home)
    if files is not None:
        return files
    if not download:
        raise _not_found(spec, report, data_home)
    raw = _download(spec, data_home, report)
    files = {key: _file_in(raw, name) for key, name in spec.file_names.items()}
    if not all(files.values()):
        missing = [spec.file_names[k] for k, path in files.items() if path is None]
        raise _not_found(
            spec,
            report,
            data_home,
            reason=f"torchvision downloaded {spec.title}, but {raw} lacks "
            f"{', '.join(missing)}.",
        )
    return files
