"""Reading a model file's archive safely, and failing with a message naming it."""

import pickle
import warnings
import zipfile

import torch

from ._format import (
    FORMAT,
    FORMAT_VERSION,
    MAX_DEPTH,
    OPTIONAL_PAYLOAD_KEYS,
    PAYLOAD_KEYS,
    ModelFileError,
)


class Reader:
    """Validation of one model file; ``fail`` raises ModelFileError naming it."""

    def __init__(self, path):
        self.path = path

    def fail(self, problem):
        raise ModelFileError(f"{self.path} is not a valid skdae model file: {problem}.")

    def damaged(self, exc):
        detail = str(exc).splitlines()[0].strip() if str(exc).strip() else ""
        if "weights_only" in detail or len(detail) > 200:
            detail = ""
        detail = f": {detail}" if detail else ""
        raise ModelFileError(
            f"{self.path} is not a valid skdae model file: it is damaged or "
            f"truncated ({type(exc).__name__}{detail})."
        ) from None

    # ---------------------------------------------------------- the archive
    def read_payload(self):
        path = self.path
        if path.is_dir():
            raise ModelFileError(f"{path} is a directory, not a skdae model file.")
        size = path.stat().st_size  # FileNotFoundError for a missing file
        if size == 0:
            raise ModelFileError(f"{path} is empty, not a skdae model file.")
        try:
            with zipfile.ZipFile(path) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            with open(path, "rb") as file:
                start = file.read(2)
            if start[:1] == b"\x80" and start[1:2] in (
                b"\x02",
                b"\x03",
                b"\x04",
                b"\x05",
            ):
                raise ModelFileError(
                    f"{path} is not a safe skdae model file: it is a pickle, which "
                    "can run code when loaded (refused). Open it with pickle only "
                    "if you trust its source."
                ) from None
            raise ModelFileError(
                f"{path} is not a skdae model file (not a zip archive written by "
                "torch.save)."
            ) from None
        stored = 0
        for entry in entries:
            if entry.compress_type != zipfile.ZIP_STORED:
                self.fail(
                    f"its entry {entry.filename!r} is compressed, which torch.save "
                    "never does (a compressed entry could inflate to any size)"
                )
            stored += entry.file_size
        if stored > size:
            self.fail("its zip directory claims more data than the file holds")
        try:
            # mmap: tensors are mapped, not read, until their shapes are checked
            with warnings.catch_warnings():
                # e.g. "Detected pickle protocol 4": about odd files, not the user's
                warnings.simplefilter("ignore", UserWarning)
                payload = torch.load(
                    path, map_location="cpu", weights_only=True, mmap=True
                )
        except pickle.UnpicklingError as exc:
            if "Weights only load failed" not in str(exc):
                self.damaged(exc)
            lines = str(exc).splitlines()
            detail = next((ln.strip() for ln in lines if "nsupported" in ln), "")
            detail = f" ({detail})" if detail else ""
            raise ModelFileError(
                f"{path} is not a safe skdae model file: it holds objects other "
                f"than tensors and plain values, and was refused{detail}. Files "
                "written by pickle can run code when loaded: open them with pickle "
                "only if you trust their source."
            ) from None
        except (
            RuntimeError,
            EOFError,
            ValueError,
            OSError,
            MemoryError,
            RecursionError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
        ) as exc:
            self.damaged(exc)
        self.check_plain(payload, budget=2 * size + 10_000)
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ModelFileError(f"{path} is not a skdae model file.")
        version = payload.get("format_version")
        if isinstance(version, bool) or not isinstance(version, int):
            self.fail(f"its format_version is {short_repr(version)}, not an integer")
        if version > FORMAT_VERSION:
            raise ModelFileError(
                f"{path} was written by a newer skdae (format version {version}); "
                "upgrade skdae to read it."
            )
        if version < 1:
            self.fail(f"its format_version is {version}")
        missing = PAYLOAD_KEYS - payload.keys()
        if missing:
            self.fail(f"it lacks the entries {sorted(missing)}")
        unknown = payload.keys() - PAYLOAD_KEYS - OPTIONAL_PAYLOAD_KEYS
        if unknown:
            self.fail(f"it has unknown entries {short_repr(sorted(map(str, unknown)))}")
        return payload

    def check_plain(self, payload, budget):
        """Only plain values and tensors, nested at most MAX_DEPTH deep.

        ``budget`` bounds the number of values visited: a file can share one list
        between many places, which would make a walk over it exponentially long.
        """
        stack = [(payload, 0)]
        while stack:
            value, depth = stack.pop()
            budget -= 1
            if budget < 0:
                self.fail("it holds more values than its size can explain")
            if depth > MAX_DEPTH:
                self.fail(f"its values are nested more than {MAX_DEPTH} levels deep")
            if isinstance(value, dict):
                for key, item in value.items():
                    if not isinstance(key, (str, int)) or isinstance(key, bool):
                        self.fail(f"it holds a dict key of type {type(key).__name__}")
                    stack.append((item, depth + 1))
            elif isinstance(value, (list, tuple)):
                stack.extend((item, depth + 1) for item in value)
            elif isinstance(value, torch.Tensor):
                if value.layout != torch.strided or value.is_quantized:
                    self.fail(f"it holds a {value.layout} tensor")
            elif value is not None and not isinstance(value, (bool, int, float, str)):
                self.fail(f"it holds a value of type {type(value).__name__}")

    def mapping(self, value, where):
        if not isinstance(value, dict):
            self.fail(f"its {where} is a {type(value).__name__}, not a dict")
        return value


def short_repr(value):
    """repr of a value read from a file, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} characters)"


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)
