"""What reading an index gives: the passages found (``Hit``), the sources cited
(``CitedSource``) and the index's counts (``Stats``), as ``search --json`` prints them and the
bot renders them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .model import Kind


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage found for a question: what ``search --json`` prints and the bot renders."""

    rank: int
    score: float
    passage_id: str
    kind: Kind
    text: str
    outlet: str | None
    url: str | None
    thread_title: str
    thread_url: str | None
    answer_score: int | None
    answer_url: str | None = None
    lead_in: str | None = None
    # When the answer was written (ISO 8601), where the source says.
    answered_at: str | None = None
    # How well it answers the question, 0 to 1 (index.relevance); None when browsing.
    relevance: float | None = None
    # What the quote cites (index.sources): "news", "reference", "scholarly", "government",
    # "linked_post" (another Q&A post), "file_host" (an image or file), "website"; None for
    # the answerer's own words or a quote that names no source.
    source_kind: str | None = None
    # Wikipedia's perennial-sources status of the outlet ("Generally reliable"), where the
    # gazetteer has one, and the list's page, which links its discussions.
    reliability: str | None = None
    reliability_url: str | None = None
    # The cosine similarity of the passage's vector to the question's (semantic search);
    # None when the index has no vectors or they were not used (--bm25-only).
    similarity: float | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CitedSource:
    """A source the corpus cites, for ``/sources``: its kind, name (None for linked posts and
    file links, which are counted but are no source), passages and rating."""

    kind: str
    name: str | None
    passages: int
    reliability: str | None = None
    reliability_url: str | None = None


@dataclass(frozen=True, slots=True)
class Stats:
    files: int
    threads: int
    answers: int
    passages: int
    quotes: int
    sourced_quotes: int
    outlets: int
    comments: int
    built_at: str


def hit_of_row(rank: int, score: float, row: Sequence[Any]) -> Hit:
    """A hit from a row of ``store.HIT_ROWS`` (or ``ANSWER_PASSAGES``): id, pid, kind, text,
    outlet, url, title, thread url, answer score, answer url, lead-in, answer date, source
    kind, reliability, reliability url."""
    (_, pid, kind, text, outlet, url, title, thread_url, answer_score, answer_url, lead_in,
     answered_at, source_kind, reliability, reliability_url) = row[:15]
    return Hit(rank, score, pid, kind, text, outlet, url, title, thread_url, answer_score,
               answer_url, lead_in, answered_at, source_kind=source_kind,
               reliability=reliability, reliability_url=reliability_url)
