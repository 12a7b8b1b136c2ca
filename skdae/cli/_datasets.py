"""The data sets the commands train on, loaded with one-line errors."""

from ._errors import CLIError

LOADERS = {
    "mnist": "load_mnist",
    "fashion-mnist": "load_fashion_mnist",
    "kmnist": "load_kmnist",
    "emnist": "load_emnist",
}


def _dataset_not_found(exc):
    folders = ", ".join(str(folder) for folder in exc.searched)
    problem = ""
    cause = exc.__cause__
    if exc.reason and isinstance(cause, ModuleNotFoundError):
        problem = "; --download needs torchvision (pip install torchvision)"
    elif exc.reason and cause is not None:
        problem = f"; --download failed ({type(cause).__name__}: {cause})"
    elif exc.reason:
        problem = "; --download did not provide the files"
    download = (
        ""
        if exc.reason
        else ", or add --download (needs torchvision and a network connection)"
    )
    return (
        f"no {exc.dataset} files found in {folders}{problem}; pass --data-home "
        "FOLDER (a folder holding the four IDX files, or its parent) or set "
        f"SKDAE_DATA_HOME=FOLDER{download}"
    )


def load_split(args, subset):
    from .. import datasets

    loader = getattr(datasets, LOADERS[args.dataset])
    kwargs = {"split": args.emnist_split} if args.dataset == "emnist" else {}
    try:
        return loader(
            subset=subset, data_home=args.data_home, download=args.download, **kwargs
        )
    except datasets.DatasetNotFoundError as exc:
        raise CLIError(_dataset_not_found(exc)) from None
    except ValueError as exc:  # corrupt files name themselves in the message
        raise CLIError(f"could not read {args.dataset}: {exc}") from None


def first(data, n, flag, what, quiet):
    if n is None:
        return data
    if n > len(data) and not quiet:
        print(f"note: {flag} {n}, but only {len(data)} {what} images exist: using all")
    return data[:n]
