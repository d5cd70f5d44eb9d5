"""From a question to a reply: the logic the terminal mode and the Discord cogs share."""

from __future__ import annotations

from dataclasses import dataclass

from index.model import Kind
from index.reader import Hit, IndexReader

from .render import Reply, render_answer


@dataclass(frozen=True, slots=True)
class Answer:
    """The passages chosen for a question, and the reply that shows them."""

    question: str
    hits: list[Hit]
    reply: Reply
    kind: Kind
    offset: int
    has_more: bool


async def answer(reader: IndexReader, question: str, *, k: int, offset: int = 0,
                 kind: Kind | None = None, min_score: float = 0.0) -> Answer:
    """Quotes first; the answerers' own words only when no quote matches.

    Later pages (``offset`` > 0) pass the ``kind`` the first page showed. One passage more than
    shown is fetched, to know whether there is a next page.
    """
    hits: list[Hit] = []
    for kind_ in (kind,) if kind else ("quote", "answer"):
        hits = [h for h in await reader.search(question, k + 1, kind=kind_, offset=offset)
                if h.score > min_score]
        if hits:
            break
    shown = hits[:k]
    return Answer(question, shown, render_answer(question, shown), kind_, offset, len(hits) > k)
