"""What every loader is handed, and the reading helpers they share."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..attribution import http_url
from ..errors import CorpusError, excerpt
from ..outlets import Gazetteer
from ..quote_model import fingerprint as quote_model_fingerprint

# Quotes longer than this are split at paragraph boundaries into several passages.
DEFAULT_PASSAGE_CHARS = 900


# Bump when a loader changes what it makes of the same file: rebuilds then re-read every file.
LOADERS_VERSION = 30  # 30: a translation of the claim examined is that claim
# 29: 'instead', 'what I used' narrowed; JSON Lines text over 2 MB out
# 28: a JSON Lines answer over 2 MB left out; a Markdown link's text kept, any address
# 27: a lead-in turning to another page names no outlet
# 26: a dash line under a quote is none of its words
# 25: review11's fixes (dash lines name their quote only, claims, replies)
# 24: a wrapped list item's next lines go on in it (plain text)
# 23: a chatbot reply's later blockquotes are the reply too
# 22: a source line under a quote set apart from the words after it
# 21: quotes introduced as the claim examined ("claim"); 20: transcripts
# 18: a source line under its quote cites that quote (where answers do so)
# 17: a quoting list item's pieces joined as written ("Per Y:", not "Per Y :")
# 16: lists nested over 4 deep indented 4 levels; sub-lists by identity
# 15: line breaks, list numbers kept; link text that dangles left out
# 14: a lead-in's link found where it stands, not by its words
# 13: a blockquote "TLDR: ..." citing nothing is the answerer's
# 12: a quote that only asks a question is of kind "question"


# A file's addresses that are not http(s) are reported up to this many times, not each one.
MAX_LINK_REPORTS = 10
_NOT_HTTP = " is not an http(s) address"
# What makes an outlet's name given by a document an address: refused.
_ADDRESS = re.compile(r"://|\bwww\.|\]\(", re.IGNORECASE)


@dataclass(frozen=True)
class LoadContext:
    gazetteer: Gazetteer = field(default_factory=Gazetteer.load)
    passage_chars: int = DEFAULT_PASSAGE_CHARS
    # The corpus folder, when loading from one: files in its subfolders are named by their
    # place in it, so that "politics/notes.md" and "history/notes.md" are two documents.
    root: Path | None = None
    # Records a loader left out of a file it loaded (a dump's oversized row), for the build to
    # report and clear after each file.
    skipped_records: list[CorpusError] = field(default_factory=list, compare=False, repr=False)

    def link(self, value: str | None, path: Path, *, key: str, record: str) -> str | None:
        """A document's own address (``url`` of a sidecar, front matter or record) if it is
        http(s); any other is left out and reported as left out, so an admin sees why the
        thread has no link."""
        url = http_url(value)
        if url is None and value and value.strip():
            said = sum(1 for e in self.skipped_records if _NOT_HTTP in e.problem)
            if said < MAX_LINK_REPORTS:
                more = " (so are any more in this file, unreported)" \
                    if said == MAX_LINK_REPORTS - 1 else ""
                self.skipped_records.append(CorpusError(
                    path, f"{key} {excerpt(value.strip(), 60)}{_NOT_HTTP}: left out, the "
                    f"rest kept{more}", record=record))
        return url

    def outlet_name(self, value: str | None, path: Path, *, key: str, record: str
                    ) -> str | None:
        """An outlet named by the document itself (front matter's or a record's ``outlet``),
        spaces tidied; one that holds a web address (which Discord would make a link of,
        under what reads as a source's name) is left out and reported."""
        name = " ".join((value or "").split())
        if name and _ADDRESS.search(name):
            self.skipped_records.append(CorpusError(
                path, f"{key} {excerpt(name, 60)} holds a web address, not a name: left out, "
                "the rest kept", record=record))
            return None
        return name or None

    def name(self, path: Path) -> str:
        """The name a document's keys are made from: its path under the corpus folder, without
        the suffix ("notes", "politics/notes"), or its bare stem outside one."""
        if self.root is not None and path.is_relative_to(self.root):
            return path.relative_to(self.root).with_suffix("").as_posix()
        return path.stem

    @property
    def fingerprint(self) -> str:
        """What, besides a file's bytes, decides what a loader makes of it (the quote model's
        weights too: refitted, they change which unmarked paragraphs are quotes)."""
        return hashlib.sha256(
            f"{LOADERS_VERSION}|{self.passage_chars}|{self.gazetteer.fingerprint}|"
            f"{quote_model_fingerprint()}".encode()
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
