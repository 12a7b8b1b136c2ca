"""``python -m benchmarks COMMAND [options]``: one entry point for the benchmarks."""

import sys

COMMANDS = {
    "speed": "benchmarks.speed",
    "quality": "benchmarks.quality",
    "profile": "benchmarks.profile_training",
    "natural": "benchmarks.natural_images",
    "self-supervised": "benchmarks.self_supervised",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] not in COMMANDS:
        print(
            "usage: python -m benchmarks "
            "{speed,quality,profile,natural,self-supervised} [options]\n"
            "  speed    speed and memory against a plain PyTorch loop\n"
            "  quality  denoising quality against classical denoisers, "
            "architectures, blind models, noise models\n"
            "  profile  where a training epoch's time goes\n"
            "  natural  a denoiser trained on Train400 patches against classical "
            "denoisers on Set12\n"
            "  self-supervised  denoisers trained on noisy images alone against "
            "calibrated classical denoisers and supervised models\n"
            "`python -m benchmarks COMMAND --help` lists a command's options.",
            file=sys.stderr,
        )
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    from importlib import import_module

    return import_module(COMMANDS[argv[0]]).main(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
