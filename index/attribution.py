"""Which words are quoted, and from which outlet.

Answers on Stack Exchange quote news reports after a lead-in written by the answerer:
"According to this BBC article Soleimani was in Iraq to meet the Iraqi Prime Minister:",
"Reuters has published an article ... saying that ...", "An earlier Reuters article noted that".
Where the quoted paragraphs are not marked (scraped plain text), the lead-in is the only signal:
the paragraphs after it are quoted until the answerer speaks again. The answerer speaks in a
paragraph that is itself a lead-in, that refers back to the source ("The Reuters article
mentions ...", "It also said that ...", "The latter statement ..."), or that says "I" outside
quotation marks.

Formats that do mark quotes (``<blockquote>``, ``> ``, indentation) use ``lead_in_outlet`` alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urljoin, urlsplit

from .blocks import Block
from .model import Passage
from .outlets import Gazetteer, Mention
from .sources import source_of

_REPORTING_VERB = (
    r"(?:has\s+|have\s+|had\s+)?(?:published|publishes|reports?|reported|adds?|added|says?|said|"
    r"writes?|wrote|notes?|noted|claims?|claimed|states?|stated|explains?|explained|"
    r"confirms?|confirmed|describes?|described|mentions?|mentioned|quotes?|quoted|"
    r"tells?|told\s+us|covers?|covered|ran|runs|carries|carried|summari[sz]es?|puts?\s+it)"
)
_ARTICLE_NOUN = (
    r"(?:article|report|piece|story|stories|interview|editorial|analysis|op-ed|column|"
    r"coverage|investigation|feature|headline|live\s+blog|page|video|podcast|bulletin|dispatch)"
)
# The answerer refers back to what was quoted: "It also said that ...", "The Reuters article
# mentions ...", "The latter statement ...". A bare "It" or "He" starts news prose too, so a
# pronoun counts only when a reporting verb follows.
_PRONOUN_REPORTS = re.compile(
    rf"^\s*(?:(?:but|and|however|furthermore|moreover|further|finally),?\s+)?(?:it|they)\s+"
    rf"(?:\w+\s+){{0,2}}?{_REPORTING_VERB}\b",
    re.IGNORECASE,
)
_SOURCE_PHRASE = re.compile(
    rf"^\s*(?:(?:but|and|however|furthermore|moreover|further|finally),?\s+)?"
    rf"(?:the|this|that|these|those|same)\s+(?:[\w.’'-]+\s+){{0,2}}?"
    rf"(?:{_ARTICLE_NOUN}s?|statements?|latter|former|author|quote|quoted\s+text)\b",
    re.IGNORECASE,
)
_QUOTED_SPEECH = re.compile(r"\"[^\"]*\"|“[^”]*”|«[^»]*»")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|I'd|I’d|my|me|myself)\b")
# A lead-in ends by pointing at what follows: a colon, an ellipsis, or "that".
_DANGLING_END = re.compile(r"(?::|(?<!\[)(?:\.\.\.|…)|\bthat|\bthis|\bsays|\bwrites)\s*$",
                           re.IGNORECASE)


def _reporting_patterns(outlet_span: str) -> list[re.Pattern[str]]:
    return [
        re.compile(rf"\baccording\s+to\s+(?:(?:this|the|a|an|that)\s+)?(?:\w+\s+){{0,2}}?"
                   rf"{outlet_span}", re.IGNORECASE),
        re.compile(rf"{outlet_span}[’']?s?\s+(?:\w+\s+){{0,3}}?{_REPORTING_VERB}\b", re.IGNORECASE),
        re.compile(rf"{outlet_span}[’']?s?\s+(?:\w+\s+){{0,2}}?{_ARTICLE_NOUN}\b", re.IGNORECASE),
        re.compile(rf"\b(?:in|from|by|via)\s+(?:the\s+)?{outlet_span}", re.IGNORECASE),
    ]


def _cited_mentions(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """Mentions that stand as a source ("According to this BBC article", "Reuters reports"),
    not as an object ("... told Reuters")."""
    cited = []
    for m in mentions:
        span = re.escape(text[m.start:m.end])
        window = text[max(0, m.start - 60): m.end + 60]
        if any(p.search(window) for p in _reporting_patterns(span)) and not re.search(
            rf"\btold\s+{span}", window
        ):
            cited.append(m)
    return cited


def lead_in_outlet(text: str, gazetteer: Gazetteer) -> str | None:
    """The outlet a lead-in cites: one named as a source, else the last one named."""
    mentions = gazetteer.mentions(text)
    if not mentions:
        return None
    cited = _cited_mentions(text, mentions)
    return (cited or mentions)[-1 if not cited else 0].outlet


def is_lead_in(text: str, gazetteer: Gazetteer) -> bool:
    """The answerer introduces a source: names it as one, or ends pointing at what follows."""
    # The pattern ends the text and is at most 7 characters long: searching the tail alone
    # finds the same, without trying it at every place of a long paragraph.
    if _DANGLING_END.search(text.rstrip()[-16:]):
        return True
    return bool(_cited_mentions(text, gazetteer.mentions(text)))


def is_back_reference(text: str) -> bool:
    """The answerer points back at the source: "It also said ...", "The latter statement"."""
    return bool(_PRONOUN_REPORTS.match(text) or _SOURCE_PHRASE.match(text))


def speaks_in_first_person(text: str) -> bool:
    return bool(_FIRST_PERSON.search(_QUOTED_SPEECH.sub("", text)))


def classify(paragraphs: Iterable[str], gazetteer: Gazetteer) -> list[Passage]:
    """One passage per paragraph of an answer whose quotes are not marked."""
    passages: list[Passage] = []
    quoting = False
    outlet: str | None = None
    lead_in: str | None = None
    last_outlet: str | None = None  # what "it" and "the article" refer back to
    for text in paragraphs:
        lead = is_lead_in(text, gazetteer)
        back = is_back_reference(text)
        if quoting and not (lead or back or speaks_in_first_person(text)):
            passages.append(Passage("quote", text, outlet=outlet, lead_in=lead_in))
            continue
        passages.append(Passage("answer", text))
        if lead:
            outlet = lead_in_outlet(text, gazetteer) or (last_outlet if back else None)
            quoting, lead_in = True, text
            last_outlet = outlet or last_outlet
        elif _PRONOUN_REPORTS.match(text):
            # "It also said that ...": the answerer paraphrases, then quotes more of it.
            quoting, outlet, lead_in = True, last_outlet, text
        else:
            quoting = False
    return passages


def http_url(href: str | None, base: str | None = None) -> str | None:
    """``href`` as an absolute http(s) address, or None (``javascript:``, ``data:``, ...)."""
    if not href:
        return None
    href = href.strip()
    if base and not urlsplit(href).scheme:
        href = urljoin(base, href)
    parts = urlsplit(href)
    return href if parts.scheme.lower() in {"http", "https"} and parts.netloc else None


def outlet_of(url: str | None, lead_in: str | None, gazetteer: Gazetteer) -> str | None:
    """The name of the source a quote cites (``index.sources.source_of``): its link's site if
    that is a source of its own, else the outlet the lead-in names, else the link's site
    named by its domain; None for a link to another Q&A post or a bare picture."""
    named = lead_in_outlet(lead_in, gazetteer) if lead_in else None
    source = source_of(url, named, gazetteer)
    return source.name if source is not None else None


def passages_from_blocks(blocks: Sequence[Block], gazetteer: Gazetteer, *,
                         base_url: str | None = None) -> list[Passage]:
    """Passages of an answer whose quotes are marked (``<blockquote>``, ``> ``, indentation).

    A quote's address is the link in the lead-in just before it (the answerer citing the
    source), else the first link inside it. A link elsewhere in the answer is not its citation.
    """
    passages: list[Passage] = []
    for i, block in enumerate(blocks):
        if block.kind == "text":
            passages.extend(Passage("answer", text) for text in block.paragraphs)
            continue
        lead = blocks[i - 1] if i and blocks[i - 1].kind == "text" else None
        lead_text = lead.text if lead else None
        url = next((u for u in (http_url(h, base_url) for h in (lead.links if lead else []))
                    if u), None)
        url = url or next((u for u in (http_url(h, base_url) for h in block.links) if u), None)
        outlet = outlet_of(url, lead_text, gazetteer)
        passages.extend(Passage("quote", text, outlet, url, lead_text)
                        for text in block.paragraphs)
    return passages


def _source(p: Passage) -> tuple[str, str | None, str | None, str | None]:
    return p.kind, p.outlet, p.url, p.lead_in


def pack(passages: Sequence[Passage], max_chars: int) -> list[Passage]:
    """Join consecutive paragraphs of the same kind, source and lead-in, up to ``max_chars``.

    A quote is best read whole (a blockquote is one passage); a cap keeps each one short
    enough to show. A paragraph longer than the cap stays whole: it is trimmed when shown.
    """
    packed: list[Passage] = []
    for p in passages:
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
