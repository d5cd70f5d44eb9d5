"""From a question to a reply: the logic the terminal mode and the Discord cogs share.

Which passages a reply shows, in order (``choose``, a pure function):

1. Only relevant ones: ``Hit.relevance`` (index.relevance, the same scale for every question
   and corpus) at least ``min_relevance``. None relevant: the reply says so.
2. Quotes first: the quotes and the answerers' own words, each in ranking order, are merged
   so that a quote goes before an answerer's passage unless that passage matches clearly
   better (``ANSWER_LEAD`` more relevance). So a weak quote never pushes out a much better
   answer, and an answer that beats every quote leads.
3. One passage per answer on the first page (several voices, not one answer cut in slices),
   unless fewer answers than places match; the rest follow on later pages.
4. Consecutive passages of one quote (a long quote split at ``passage_chars``) are joined.
5. A quote of the thread's own question (``source_kind`` "question") is never shown: it
   repeats what was asked.
6. One thread unless another is nearly as relevant: a passage of another thread than the most
   relevant passage's is shown only within ``OTHER_THREAD_MARGIN`` of its relevance, so a
   question one thread answers is not padded with others' passages that merely pass
   ``min_relevance`` (on ``make answers``' tuning questions, a fifth of the passages shown
   were from threads the question's writer did not name; README, "Relevant or nothing").
7. An answerer's lead-in ("According to the BBC:", one paragraph) or a lone source line
   ("Source: Reuters") is never shown alone: it points at a quote and answers nothing, though
   it is embedded with its thread's title and can seem close to a question about that thread.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.reader import Hit, IndexReader
from index.sources import QUESTION

from .render import Reply, render_answer

# Passages fetched per question before choosing: enough for several pages of distinct answers.
CANDIDATES = 40
# How much more relevant than every quote an answerer's passage must be to lead the reply.
ANSWER_LEAD = 0.1
# How near the best passage's relevance another thread's passage must be to be shown.
OTHER_THREAD_MARGIN = 0.3
_PLACE = re.compile(r"^(?P<answer>.+/a\d+)/p(?P<index>\d+)$")


@dataclass(frozen=True, slots=True)
class AnswerPage:
    """The passages chosen for a question (one page of them), and the reply that shows them."""

    question: str
    hits: list[Hit]
    reply: Reply
    offset: int
    has_more: bool

    @property
    def kind(self) -> str:
        """"quote" when the page shows a quote, else "answer" (the answerers' own words)."""
        return "quote" if any(h.kind == "quote" for h in self.hits) else "answer"


def _place(hit: Hit) -> tuple[str, int | None]:
    """The answer a passage belongs to, and its place in it (None when the source gave the
    passage its own id)."""
    if m := _PLACE.match(hit.passage_id):
        return m["answer"], int(m["index"])
    return hit.answer_url or hit.passage_id, None


def _thread(hit: Hit) -> tuple[str, str | None]:
    return hit.thread_title, hit.thread_url


def _join_quote_runs(hits: list[Hit]) -> list[Hit]:
    """Consecutive passages of one quote (same answer, adjacent places, same source) as one,
    at the place of the better-ranked one."""
    by_place = {_place(h): h for h in hits}
    joined: list[Hit] = []
    used: set[str] = set()
    for hit in hits:
        if hit.passage_id in used:
            continue
        answer, index = _place(hit)
        if hit.kind != "quote" or index is None:
            joined.append(hit)
            continue
        run = [hit]
        for step in (-1, 1):
            at = index + step
            while (n := by_place.get((answer, at))) and n.kind == "quote" and \
                    (n.outlet, n.url) == (hit.outlet, hit.url) and n.passage_id not in used:
                if step < 0:
                    run.insert(0, n)
                else:
                    run.append(n)
                at += step
        used.update(h.passage_id for h in run)
        joined.append(hit if len(run) == 1 else dataclasses.replace(
            hit, passage_id=run[0].passage_id, text="\n\n".join(h.text for h in run)))
    return joined


# "Source: [Reuters](...)", "Sources - BBC, CNN": a line that names where the answer's quote
# came from says nothing itself ("Sources close to the minister say" is no such line).
_SOURCE_LINE = re.compile(r"(?i)(?:sources?|credits?|references?)\s*[:\-\u2013]\s*\S")
SOURCE_LINE_CHARS = 200


def _introduces(hit: Hit) -> bool:
    """An answerer's passage that is one paragraph ending in a colon (a lead-in to what follows
    it; several paragraphs ending so still say something first), or one short line naming a
    source ("Source: Reuters"): it points at a quote, and answers nothing itself."""
    text = hit.text.strip()
    if "\n\n" in text:
        return False
    return text.endswith(":") or (len(text) <= SOURCE_LINE_CHARS
                                  and _SOURCE_LINE.match(text) is not None)


def _quotes_first(quotes: list[Hit], own: list[Hit]) -> list[Hit]:
    """Both lists merged, each kept in its order: the next quote goes first unless the next
    answerer's passage is ``ANSWER_LEAD`` more relevant."""
    ordered: list[Hit] = []
    q = a = 0
    while q < len(quotes) or a < len(own):
        if a == len(own) or (q < len(quotes) and (own[a].relevance or 0.0)
                             < (quotes[q].relevance or 0.0) + ANSWER_LEAD):
            ordered.append(quotes[q])
            q += 1
        else:
            ordered.append(own[a])
            a += 1
    return ordered


def choose(hits: Sequence[Hit], *, k: int, min_relevance: float, min_score: float = 0.0
           ) -> list[Hit]:
    """Every passage worth showing for a question, in the order of its pages of ``k``.

    ``hits`` are the ranking's candidates, best first, with their relevance."""
    # A quote of the thread's own question repeats what was asked: no evidence.
    relevant = [h for h in hits if h.score > min_score and (h.relevance or 0.0) >= min_relevance
                and h.source_kind != QUESTION]
    if relevant:
        best = max(relevant, key=lambda h: h.relevance or 0.0)
        relevant = [h for h in relevant if _thread(h) == _thread(best)
                    or (h.relevance or 0.0) >= (best.relevance or 0.0) - OTHER_THREAD_MARGIN]
    relevant = _join_quote_runs(relevant)
    quotes = [h for h in relevant if h.kind == "quote"]
    own = [h for h in relevant if h.kind == "answer" and not _introduces(h)]
    ordered = _quotes_first(quotes, own)
    # The first page: one passage per answer; others of the same answer wait, unless nothing
    # else matches.
    first: list[Hit] = []
    later: list[Hit] = []
    answers: set[str] = set()
    for hit in ordered:
        answer = _place(hit)[0]
        if len(first) < k and answer not in answers:
            first.append(hit)
            answers.add(answer)
        else:
            later.append(hit)
    while len(first) < k and later:
        first.append(later.pop(0))
    return [dataclasses.replace(h, rank=i) for i, h in enumerate(first + later, start=1)]


async def answer(reader: IndexReader, question: str, *, k: int, offset: int = 0,
                 min_relevance: float = 0.0, min_score: float = 0.0,
                 surface: str = "discord") -> AnswerPage:
    """The page of passages from ``offset`` for ``question`` (see ``choose``), rendered for
    ``surface`` ("discord" or "terminal")."""
    hits = await reader.search(question, max(CANDIDATES, offset + k + 1))
    chosen = choose(hits, k=k, min_relevance=min_relevance, min_score=min_score)
    shown = chosen[offset:offset + k]
    return AnswerPage(question, shown, render_answer(question, shown, surface=surface), offset,
                      len(chosen) > offset + k)
