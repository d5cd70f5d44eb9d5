"""Passages of a bounded size: long paragraphs split between sentences, short ones of one
source joined."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from .model import Passage
from .sentences import SENTENCE_END

# The longest passage one paragraph makes (or ``passage_chars``, if that is more): longer
# ones are split, between sentences where they can be. No written paragraph is this long (the
# seed's longest is 1,184 characters); a 60 MB one-line page is.
MAX_PARAGRAPH_CHARS = 4_000
# The same for a passage a source gives whole with its own id (a BEIR record): SciFact's
# longest abstract is 10,000 characters.
MAX_RECORD_CHARS = 20_000


def _source(p: Passage) -> tuple[str, str | None, str | None, str | None]:
    return p.kind, p.outlet, p.url, p.lead_in


def split_long(text: str, max_chars: int) -> list[str]:
    """``text`` in pieces of at most ``max_chars``: cut after the last sentence that fits, else
    (no sentence end in the first third) at the last space, else hard. Linear in the text's
    length: each cut looks at one window of ``max_chars``."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    pieces: list[str] = []
    start, end = 0, len(text)
    while end - start > max_chars:
        limit = start + max_chars
        cut = -1
        # The space after a sentence's end is at most at ``limit``, so the sentence fits.
        for m in SENTENCE_END.finditer(text, start + max_chars // 3, limit + 1):
            cut = m.start() + len(m.group().rstrip())
        if cut < 0:
            space = max(text.rfind(" ", start, limit + 1), text.rfind("\n", start, limit + 1))
            cut = space if space > start else limit
        if piece := text[start:cut].strip():
            pieces.append(piece)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if piece := text[start:].strip():
        pieces.append(piece)
    return pieces


def bounded(passages: Iterable[Passage], max_chars: int) -> Iterator[Passage]:
    """Each passage, split where longer than ``max_chars``; a part of one with its own id
    takes the id with ``#2``, ``#3``, ...: the first keeps it as it is."""
    for p in passages:
        if len(p.text) <= max_chars:
            yield p
            continue
        for i, piece in enumerate(split_long(p.text, max_chars), start=1):
            pid = p.pid if p.pid is None or i == 1 else f"{p.pid}#{i}"
            yield Passage(p.kind, piece, p.outlet, p.url, p.lead_in, pid)


def pack(passages: Sequence[Passage], max_chars: int) -> list[Passage]:
    """Join consecutive paragraphs of the same kind, source and lead-in, up to ``max_chars``.

    A quote is best read whole (a blockquote is one passage); a cap keeps each one short
    enough to show. A paragraph longer than the cap stays whole up to ``MAX_PARAGRAPH_CHARS``
    (it is trimmed when shown); a longer one is split, between sentences where it can be
    (``split_long``), so no passage is longer than that. ``max_chars`` 0 packs nothing.
    """
    packed: list[Passage] = []
    for p in bounded(passages, max(max_chars, MAX_PARAGRAPH_CHARS)):
        last = packed[-1] if packed else None
        if (
            last is not None
            and _source(last) == _source(p)
            and last.pid is None and p.pid is None
            and len(last.text) + 2 + len(p.text) <= max_chars
        ):
            last.text = f"{last.text}\n\n{p.text}"
        else:
            packed.append(Passage(p.kind, p.text, p.outlet, p.url, p.lead_in, p.pid))
    return packed
