"""``python -m benchmarks {speed,quality,profile,natural,train-pretrained} [options]``: one entry point."""

import sys

COMMANDS = {
    "speed": "benchmarks.speed",
    "quality": "benchmarks.quality",
    "profile": "benchmarks.profile_training",
    "natural": "benchmarks.natural_images",
    "train-pretrained": "benchmarks.train_pretrained",
    "pretrained": "benchmarks.pretrained",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        print(
            "usage: python -m benchmarks {speed,quality,profile,natural,train-pretrained,pretrained} [options]\n"
            "  speed    speed and memory against a plain PyTorch loop\n"
            "  quality  denoising quality against classical denoisers, "
            "architectures, blind models, noise models\n"
            "  profile  where a training epoch's time goes\n"
            "  natural  a denoiser trained on Train400 patches against classical "
            "denoisers on Set12\n"
            "  train-pretrained  train a model shipped in skdae.pretrained\n"
            "  pretrained  the shipped models against NL-means and (C)BM3D on Set12, "
            "Kodak24 and MNIST\n"
            "`python -m benchmarks COMMAND --help` lists a command's options.",
            file=sys.stderr,
        )
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    from importlib import import_module

    return import_module(COMMANDS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
