"""``python -m benchmarks COMMAND [options]``: one entry point for every benchmark."""

import sys

#: command -> (module, one-line description); one line per command.
COMMANDS = {
    "speed": ("benchmarks.speed", "speed and memory against a plain PyTorch loop"),
    "quality": (
        "benchmarks.quality",
        "quality against classical denoisers, architectures, blind models, noise",
    ),
    "profile": ("benchmarks.profile_training", "where a training epoch's time goes"),
    "natural": (
        "benchmarks.natural_images",
        "a denoiser trained on Train400 patches against classical denoisers on Set12",
    ),
    "train-pretrained": (
        "benchmarks.train_pretrained",
        "train a model shipped in skdae.pretrained",
    ),
    "search": (
        "benchmarks.distributed_search",
        "one grid search sequential, on loky and on a Dask LocalCluster",
    ),
    "memory": (
        "benchmarks.memory",
        "peak memory of fitting on and transforming arrays on disk",
    ),
    "self-supervised": (
        "benchmarks.self_supervised",
        "denoisers trained on noisy images alone against calibrated classical ones",
    ),
    "pretrained": (
        "benchmarks.pretrained",
        "the shipped models against NL-means and (C)BM3D on Set12, Kodak24, MNIST",
    ),
}


def usage():
    width = max(map(len, COMMANDS))
    lines = [f"usage: python -m benchmarks {{{','.join(COMMANDS)}}} [options]"]
    lines += [f"  {name:<{width}}  {text}" for name, (_, text) in COMMANDS.items()]
    lines.append("`python -m benchmarks COMMAND --help` lists a command's options.")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        print(usage(), file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    from importlib import import_module

    return import_module(COMMANDS[argv[0]][0]).main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
