"""From a question to a reply: the logic the terminal mode and the Discord cogs share.

Which passages a reply shows, in order (``choose``, a pure function):

0. An answerer's passage that is all lead-in to a relevant quote of its answer and names the
   quote's outlet gives way to the quote, as relevant as the better of the two (the outlet's
   own words over the answerer's account of them). A passage of fewer than ``MIN_WORDS``
   words ("...", "and") is never shown.
1. Only relevant ones: ``Hit.relevance`` (index.relevance, the same scale for every question
   and corpus) at least ``min_relevance``. None relevant: the reply says so.
2. Quotes first: the quotes and the answerers' own words, each in ranking order, are merged
   so that a quote goes before an answerer's passage unless that passage matches clearly
   better (``ANSWER_LEAD`` more relevance). So a weak quote never pushes out a much better
   answer, and an answer that beats every quote leads. Quoted text that is no source (a
   prompt, a chatbot's reply, another answer of the thread: ``NO_SOURCE``) counts as the
   answerer's material here. The claim a thread examines (``source_kind`` "claim") comes
   last, after the evidence and the answers that weigh it (review9: a Skeptics claim shown
   first, its answer's "NO!" hidden, read as the evidence).
3. One passage per answer on the first page (several voices, not one answer cut in slices),
   unless fewer answers than places match; the rest follow on later pages.
4. Consecutive passages of one quote (a long quote split at ``passage_chars``) are joined.
5. A quote of the thread's own question (``source_kind`` "question") is never shown: it
   repeats what was asked. When it is the most relevant candidate, the answer quoting it
   answers the question asked: that answer's passages take its relevance.
6. One thread unless another is nearly as relevant: a passage of another thread than the most
   relevant passage's is shown only within ``OTHER_THREAD_MARGIN`` of its relevance, so a
   question one thread answers is not padded with others' passages that merely pass
   ``min_relevance`` (on ``make answers``' tuning questions, a fifth of the passages shown
   were from threads the question's writer did not name; README, "Relevant or nothing").
7. An answerer's lead-in ("According to the BBC:", "Daily Mail reports ...", "add the
   following prompt", "He notes that", one paragraph), a short comment pointing back at a
   quote ("The latter statement doesn't ..."), or a lone source or reference line ("Source:
   Reuters", a headline and its outlet, "–– Author, Title, 2017", a paper's reference with
   its DOI), quoted or not, is never shown alone: it points at a quote and answers nothing,
   though it is embedded with its thread's title and can seem close to a question about that
   thread.
8. Each text once: a passage whose words one shown before it holds is left out, and a quote
   citing nothing whose words an answerer's passage of its thread holds (a fellow answer
   quoted to rebut it) gives way to that passage, labelled as the answerer's words.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.attribution import is_reference
from index.reader import Hit, IndexReader
from index.sentences import last_sentence
from index.sources import CHATBOT_REPLY, CLAIM, OTHER_ANSWER, PROMPT, QUESTION

from .render import LEAD_IN_WORDS, Reply, leads_in, points_ahead, render_answer

# Passages fetched per question before choosing: enough for several pages of distinct answers.
CANDIDATES = 40
# How much more relevant than every quote an answerer's passage must be to lead the reply.
ANSWER_LEAD = 0.1
# How near the best passage's relevance another thread's passage must be to be shown.
OTHER_THREAD_MARGIN = 0.3
# Quoted, but no source: a prompt, a chatbot's reply, another answer of the thread. They rank
# as the answerer's own material, never ahead of it as "quotes first" (h18attr, review7 D7).
NO_SOURCE = frozenset({PROMPT, CHATBOT_REPLY, OTHER_ANSWER})
# Fewer words than this say nothing on their own.
MIN_WORDS = 3
_WORDS = re.compile(r"\w+")
# A line of this many words or fewer, in capitals and ending on no sentence's mark, is a
# heading or a name (the longest such in the shared data: "From Kenneth Libbrecht (Professor
# of Physics, Caltech)").
HEADING_WORDS = 8
_ENDS_A_SENTENCE = re.compile(r"[.!?:;,]\W*$")
# A line opening on a verdict says something ("No, it is not").
_OPENS_ON_VERDICT = re.compile(r"\W*(?:yes|no|not|true|false)\b", re.IGNORECASE)
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


def _quotes_for_their_lead_ins(hits: Sequence[Hit], min_relevance: float) -> list[Hit]:
    """An answerer's passage that is all the lead-in of a quote of the same answer and names
    the quote's outlet ("Furthermore, Reuters has published an article saying that ...") gives
    way to that quote, at its place and as relevant as the better of the two, when the quote is
    relevant itself: the outlet's own words over the answerer's account of them (review5: the
    lead-in led the reply, and one passage per answer hid the very Reuters quote it
    introduced). A lead-in that names no outlet is often the answer itself ("It was not taken
    in 2019, but in 2015."), and stays."""
    quote_of: dict[tuple[str, str], Hit] = {}
    for h in sorted((h for h in hits if h.kind == "quote" and h.lead_in and h.outlet
                     and h.outlet.lower() in h.lead_in.lower()
                     and (h.relevance or 0.0) >= min_relevance),
                    key=lambda h: _place(h)[1] or 0):
        quote_of.setdefault((_place(h)[0], (h.lead_in or "").strip()), h)
    out: list[Hit] = []
    taken: set[str] = set()
    for h in hits:
        quote = quote_of.get((_place(h)[0], h.text.strip())) if h.kind == "answer" else None
        if quote is not None:
            h = dataclasses.replace(quote, score=max(quote.score, h.score), relevance=max(
                quote.relevance or 0.0, h.relevance or 0.0))
        if h.passage_id not in taken:
            taken.add(h.passage_id)
            out.append(h)
    return out


def _says_something(hit: Hit) -> bool:
    """At least ``MIN_WORDS`` words: "...", "and" or "Yes." alone is no evidence, whatever
    its thread's title made of it; nor is an answerer's heading or a name set on a line of
    its own ("Nutrition and Cancer", "UK Food Safety Agency (FSA)": review10 D5)."""
    text = hit.text.strip()
    return len(_WORDS.findall(text)) >= MIN_WORDS and not (
        hit.kind == "answer" and "\n" not in text and _heading(text))


def _heading(text: str) -> bool:
    """At most ``HEADING_WORDS`` words, every one of more than three letters capitalised, at
    least two such, no closing mark and no verdict ("No, it is not", "My suggestion: The Time
    Machine" say something: review11)."""
    words = text.split()
    long = [w.strip("()[]\"'“”‘’:,;-") for w in words]
    long = [w for w in long if len(w) > 3 and not w.isdigit()]
    return len(words) <= HEADING_WORDS and len(long) >= 2 \
        and all(w[:1].isupper() for w in long) and not _ENDS_A_SENTENCE.search(text) \
        and _OPENS_ON_VERDICT.match(text) is None


def _thread(hit: Hit) -> tuple[str, str | None]:
    return hit.thread_title, hit.thread_url


def _join_quote_runs(hits: list[Hit]) -> list[Hit]:
    """Consecutive passages of one quote (same answer, adjacent places, same source and
    source kind: a chatbot's reply is never joined to a source's words) as one, at the place
    of the better-ranked one."""
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
                    (n.outlet, n.url, n.source_kind) == (hit.outlet, hit.url, hit.source_kind) \
                    and n.passage_id not in used:
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
_SOURCE_LINE = re.compile(
    r"^\W*(?i:sources?|via|credits?|references?)\s*[:\-\u2013\u2014]\s*\S"
    # "source Flight Safety Foundation „When Lightning Strikes”" (review9 D5): no colon, a name.
    r"|^\W*(?i:sources?)\s+[A-Z„“\"]")
# "Amazon Kindles 'damaged by airport scanners' -- The Telegraph": a headline and its outlet,
# a reference to the quote, not the answerer saying something.
_CITATION_LINE = re.compile(
    r"^.{10,}?\s(?:--|\u2013|\u2014)\s*[A-Z][\w.&'\u2019-]*(?:\s+[A-Z][\w.&'\u2019-]*){0,4}$")
# "–– Tara Garnett et al.: "Grazed and confused?", University of Oxford, 2017. (PDF)": the line
# under a quote that says whose it is, set apart from it; quoted or not, it answers nothing.
_ATTRIBUTION_LINE = re.compile(r"^(?:--|[\u2013\u2014])")
SOURCE_LINE_CHARS = 200
# An answerer's comment on a quote is a sentence or two; longer, it says something itself.
COMMENT_WORDS = 30
# ... and it speaks of the quoted words themselves ("The latter statement", "This quote"),
# not of the article, whose verdict ("The article is partially correct.") is an answer.
_ABOUT_THE_QUOTE = re.compile(
    r"^\W*(?:(?:but|and|so|also),?\s+)?(?:the|this|that|these|those)\s+(?:latter|former|"
    r"(?:(?:above|last|first|second|same)\s+)?(?:statement|quote|quotation|quoted\s+text|"
    r"passage|sentence)s?)\b", re.IGNORECASE)


def _introduces(hit: Hit) -> bool:
    """An answerer's passage that is one paragraph leading in to what follows (``leads_in``:
    "According to the BBC:", "According to Yahoo News Japan..."; several paragraphs ending so
    still say something first), or one short line naming a source ("Source: Reuters", a
    headline and its outlet): it points at a quote, and answers nothing itself."""
    text = hit.text.strip()
    if "\n\n" in text or _says_first(text):
        return False
    return leads_in(text) or points_ahead(text) or (len(text) <= SOURCE_LINE_CHARS and (
        _SOURCE_LINE.match(text) is not None
        or ("\n" not in text and _CITATION_LINE.match(text) is not None)))


def _says_first(text: str) -> bool:
    """A paragraph that says something before its last sentence leads in ("... the Guinness
    world record for falling without a parachute belongs to Vesna Vulovic ... The Wikipedia
    article also references a pub med article ... that states": h20gate saw that answer
    hidden as a lead-in); shown, its end marked as cut."""
    return len(text[:len(text) - len(last_sentence(text))].split()) > LEAD_IN_WORDS


def _comments_on_a_quote(hit: Hit) -> bool:
    """An answerer's short paragraph that opens pointing back at the quote above it ("The
    latter statement doesn't get into any details ...", "This quote ... implies"):
    embedded with its context it can seem relevant, but alone it says nothing (its relevance
    0.94 put it above the seed's Daily Mail quote once clearly better answers could lead)."""
    text = hit.text.strip()
    return hit.kind == "answer" and "\n" not in text and \
        len(text.split()) <= COMMENT_WORDS and _ABOUT_THE_QUOTE.match(text) is not None


def _attributes(hit: Hit) -> bool:
    """A quote or paragraph that is only the line saying whose the quote above it is, or
    only a reference (review9 D5: a paper's authors, title, journal and DOI shown as the
    quote answering "does taking vitamin D mean you need more vitamin A?")."""
    text = hit.text.strip()
    return ("\n" not in text and len(text) <= 2 * SOURCE_LINE_CHARS
            and _ATTRIBUTION_LINE.match(text) is not None) or is_reference(text)


def _words(hit: Hit) -> str:
    """The passage's words, lower case, each between spaces: one text holds another's words
    only at word boundaries."""
    return " " + " ".join(_WORDS.findall(hit.text.lower())) + " "


def _shares_a_run(one: str, other: str, n: int = 8) -> bool:
    """Whether two passages' words (``_words``) have ``n`` consecutive words in common: a quote
    of another answer is cut and joined differently from the answer it quotes (review9 saw
    history-meta 3795's quote of 3792, and 3792's own paragraph, one above the other)."""
    a, b = one.split(), other.split()
    runs = {tuple(a[i:i + n]) for i in range(len(a) - n + 1)}
    return any(tuple(b[i:i + n]) in runs for i in range(len(b) - n + 1))


def _without_repeats(hits: list[Hit]) -> list[Hit]:
    """Each text once: a passage whose words another passage shown before it holds is left
    out, and a quote citing nothing whose words an answerer's passage of its thread holds
    gives way to it (an answer quoting a fellow answer to rebut it: review7 saw the same four
    paragraphs as a "Quote" and as the original answerer's words)."""
    words = {h.passage_id: _words(h) for h in hits}
    dropped = {q.passage_id for q in hits
               if q.kind == "quote" and q.outlet is None and q.url is None
               and any(h.kind == "answer" and _thread(h) == _thread(q)
                       and (words[q.passage_id] in words[h.passage_id]
                            or (q.source_kind == OTHER_ANSWER
                                and _shares_a_run(words[q.passage_id], words[h.passage_id])))
                       for h in hits)}
    kept: list[Hit] = []
    for h in hits:
        if h.passage_id not in dropped and not any(words[h.passage_id] in words[k.passage_id]
                                                   for k in kept):
            kept.append(h)
    return kept


def _quotes_first(quotes: list[Hit], own: list[Hit]) -> list[Hit]:
    """Both lists merged, each kept in its order: the next quote goes first unless one of the
    answerers' passages still to come is ``ANSWER_LEAD`` more relevant (the first such in
    ranking order goes then). Every one still to come, not just the next: review9 saw an
    answer's own summary (relevance 0.99) wait behind a quote of another thread (0.74)
    because a weaker answerer's passage ranked before it."""
    ordered: list[Hit] = []
    quotes, own = list(quotes), list(own)
    while quotes or own:
        bar = (quotes[0].relevance or 0.0) + ANSWER_LEAD if quotes else float("-inf")
        better = next((h for h in own if (h.relevance or 0.0) >= bar), None)
        if better is None:
            ordered.append(quotes.pop(0))
        else:
            own.remove(better)
            ordered.append(better)
    return ordered


def _answers_to_the_question_asked(hits: Sequence[Hit], min_relevance: float) -> list[Hit]:
    """When the most relevant candidate is an answer's quote of its thread's question (never
    shown itself), the question asked is that thread's: the answer that quotes it answers it,
    whatever its own passages' relevance (unseen12: "before i pick an ai tool for work what
    should i check about its limitations" matched genai 363's quoted question at 0.94, its
    answer's checklist at 0.04, and got "no good match"). Its passages take the quote's
    relevance."""
    if not hits:
        return list(hits)
    best = max(hits, key=lambda h: h.relevance or 0.0)
    if best.source_kind != QUESTION or (best.relevance or 0.0) < min_relevance:
        return list(hits)
    answer, ceiling = _place(best)[0], best.relevance or 0.0
    return [dataclasses.replace(h, relevance=ceiling)
            if h is not best and _place(h)[0] == answer and (h.relevance or 0.0) < ceiling
            else h for h in hits]


def choose(hits: Sequence[Hit], *, k: int, min_relevance: float, min_score: float = 0.0
           ) -> list[Hit]:
    """Every passage worth showing for a question, in the order of its pages of ``k``.

    ``hits`` are the ranking's candidates, best first, with their relevance."""
    hits = _answers_to_the_question_asked(hits, min_relevance)
    hits = _quotes_for_their_lead_ins(hits, min_relevance)
    # A quote of the thread's own question repeats what was asked, a lead-in alone points at
    # a quote: no evidence either, and not the best passage the margin below measures from.
    relevant = [h for h in hits if h.score > min_score and (h.relevance or 0.0) >= min_relevance
                and h.source_kind != QUESTION and _says_something(h)
                and not (h.kind == "answer" and _introduces(h)) and not _attributes(h)
                and not _comments_on_a_quote(h)]
    if relevant:
        best = max(relevant, key=lambda h: h.relevance or 0.0)
        relevant = [h for h in relevant if _thread(h) == _thread(best)
                    or (h.relevance or 0.0) >= (best.relevance or 0.0) - OTHER_THREAD_MARGIN]
    relevant = _without_repeats(_join_quote_runs(relevant))
    quotes = [h for h in relevant if h.kind == "quote" and h.source_kind not in NO_SOURCE
              and h.source_kind != CLAIM]
    claims = [h for h in relevant if h.source_kind == CLAIM]
    own = [h for h in relevant if h not in quotes and h not in claims]
    ordered = _quotes_first(quotes, own) + claims
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
    # Filling from answers already shown: their likeliest passages first (a definition inside
    # a long run of one answer's quotes ranked fifth, unseen13's "whats quantum annealing"),
    # in the same order of kinds: quotes first unless the answerer's words are clearly better,
    # the claim examined last, being no evidence however close to the question (review13).
    if len(first) < k and later:
        likeliest = functools.partial(sorted, key=lambda h: -(h.relevance or 0.0))
        later = _quotes_first(likeliest([h for h in later if h in quotes]),
                              likeliest([h for h in later if h in own])) + \
            [h for h in later if h in claims]
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
