"""What every loader is handed, and the reading helpers they share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CorpusError
from ..outlets import Gazetteer

# Quotes longer than this are split at paragraph boundaries into several passages.
DEFAULT_PASSAGE_CHARS = 900


# Bump when a loader changes what it makes of the same file: rebuilds then re-read every file.
LOADERS_VERSION = 1


@dataclass(frozen=True)
class LoadContext:
    gazetteer: Gazetteer = field(default_factory=Gazetteer.load)
    passage_chars: int = DEFAULT_PASSAGE_CHARS

    @property
    def fingerprint(self) -> str:
        """What, besides a file's bytes, decides what a loader makes of it."""
        return hashlib.sha256(
            f"{LOADERS_VERSION}|{self.passage_chars}|{self.gazetteer.fingerprint}".encode()
        ).hexdigest()


def read_text(path: Path) -> str:
    """A whole text file as UTF-8 (a BOM is dropped).

    Raises:
        CorpusError: unreadable, binary (a NUL byte), or not UTF-8 (naming the line).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(path, "binary data (a NUL byte), not text", record=f"line {line}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x})",
                          record=f"line {line}") from exc
