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
What a lead-in names and points at is ``index.lead_ins``; whose words a quote citing no outlet
is (a prompt, a chatbot's reply, a claim), ``index.voices``; passages' sizes, ``index.packing``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urljoin, urlsplit

from .blocks import Block
from .lead_ins import (
    POINTS_BACK,
    PRONOUN_REPORTS,
    answerer_speaks,
    is_back_reference,
    is_lead_in,
    lead_in_outlet,
    points_forward,
)
from .link_text import says_nothing_without_link
from .model import Passage
from .outlets import NOT_SOURCES, Gazetteer, registrable_domain
from .sentences import SENTENCE_END
from .sources import (
    QUESTION_PATH,
    citable,
    described_page,
    front_page,
    never_cited,
    site_of,
    source_of,
)
from .voices import answerer_wrote


def _quote_shaped(text: str, *, first: bool) -> bool:
    """Could be a source's words: prose, not a heading, a label ending in ":" or, right after
    the lead-in, the answerer's own list."""
    stripped = text.strip()
    if stripped.endswith(":") or (len(stripped.split()) < 5 and not re.search(r"[.!?”\"]$",
                                                                           stripped)):
        return False
    if stripped.startswith("(") and stripped.endswith(")"):
        return False  # "(links removed ...)", "(From: <paper>)": the answerer's aside
    return not (first and "\n" in stripped and stripped.startswith("•"))


_REFERENCE = re.compile(
    r"\b(?:et al|doi|DOI|Journal|Proceedings|Vol\.|pp\.|ISBN|PMID)\b|\b\d{4};\s*\d+|"
    r"\(\d{4}\)|\b[A-Z][a-z]+\s+[A-Z]{1,2}[,.]|\b[A-Z][a-z]+,\s+[A-Z][a-z]+\s*[;,]")


_IDENTIFIER = re.compile(r"\b(?:doi:?\s*10\.\d{4,9}/|doi\.org/10\.|PMID:?\s*\d|ISBN[-:\s]*[\dX])",
                         re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


# A journal's volume, issue or pages ("Volume 70, Issue 3, ... Pages 283-294", "vol. 7").
_VOLUME = re.compile(r"\b(?:[Vv]olume|[Vv]ol|[Ii]ssue|No|[Pp]ages?|pp)\.?\s*\d"
                     # volume(issue):pages, year;volume, volume:pages
                     r"|\b\d+\s*\(\d+\)\s*:\s*\d+|\b(?:1[89]|20)\d\d\s*;\s*\d+"
                     r"|\b\d+\s*:\s*\d+\s*[\u2013-]\s*\d+")
# A sentence says something ("Shannon (1950) gave the estimate", "Egholm et al. (2009) ...
# who do a more large-scale analysis"); a title's verbs are capitalised ("Is dietary
# carbohydrate essential ...?").
_SAYS = re.compile(r"\b(?:is|are|was|were|be|been|has|have|had|do|does|did|gave|give|gives|"
                   r"found|finds|shows?|showed|shown|concludes?|concluded|says?|said|"
                   r"suggests?|suggested|provides?|makes?|made|can|could|will|would|may|"
                   r"might|reports?|reported|notes?|noted|argues?|argued|estimated|observed|"
                   r"demonstrated|linked|reduced|increased|caused|led)\b")


def is_reference(text: str) -> bool:
    """One line of a bibliography: authors, title, journal, year, DOI ("J. Rodrigo Mora:
    "Vitamin effects on the immune system" Nat Rev Immunol. 2008 ... doi: 10.1038/nri2378"),
    or without an identifier, marked as one by its volume or pages ("Store atmosphere
    and purchasing behavior. Journal of Retailing Volume 70, Issue 3, Autumn 1994, Pages
    283-294": review10 D5), saying nothing and introducing nothing."""
    stripped = text.strip()
    if "\n" in stripped or len(stripped.split()) > 40 or _YEAR.search(stripped) is None:
        return False
    if _IDENTIFIER.search(stripped) is not None:
        return True
    # By its volume, issue or pages only: authors, a year and a journal's name are what a
    # sentence citing its source holds too ("Smith et al. (2009) ...": review11).
    return not stripped.endswith(":") and _SAYS.search(stripped) is None and \
        _VOLUME.search(stripped) is not None


def is_title_or_reference(text: str) -> bool:
    """A title or a reference line between a lead-in and its quote ("Types of Dietary Fat and
    Risk of Coronary Heart Disease: A Critical Review", "Ahmed SH, Guillem K. ... 2013;16(4)")."""
    stripped = text.strip()
    words = stripped.split()
    if not words or len(words) > 40 or "\n" in stripped:
        return False
    capitals = sum(w[:1].isupper() for w in words if len(w) > 3)
    long_words = sum(len(w) > 3 for w in words)
    title = not re.search(r"[.!?”\"]$", stripped) and capitals * 3 >= long_words * 2
    return title or (bool(_REFERENCE.search(stripped)) and len(_REFERENCE.findall(stripped)) >= 2)


def classify(paragraphs: Iterable[str], gazetteer: Gazetteer) -> list[Passage]:
    """One passage per paragraph of an answer whose quotes are not marked.

    Precision first: the paragraph right after a lead-in is quoted when it reads like a
    source's words; the paragraphs after it only when the answerer's lead-in named a news
    news outlet (news quotes run on), or when the answerer closes the quote explicitly,
    pointing back at it ("The Reuters article mentions ...") or citing the next source by name
    ("Furthermore, Reuters has published ..."). A run that just stops is the answerer's words
    after the first paragraph.
    """
    passages: list[Passage] = []
    quoting = False
    news = False  # the lead-in names an outlet as its source: quotes run on
    outlet: str | None = None
    lead_in: str | None = None
    last_outlet: str | None = None  # what "it" and "the article" refer back to
    pending: list[Passage] = []  # quoted if the answerer closes the quote explicitly

    def settle(accept: bool) -> None:
        for p in pending:
            if not accept:
                p.kind, p.outlet, p.lead_in = "answer", None, None
        pending.clear()

    for text in paragraphs:
        lead = is_lead_in(text, gazetteer)
        back = is_back_reference(text)
        first = quoting and not any(p.kind == "quote" and p.lead_in == lead_in
                                    for p in passages[-1:])
        if quoting and not (lead or back) and not answerer_speaks(text) and _quote_shaped(
                text, first=first):
            passage = Passage("quote", text, outlet=outlet, lead_in=lead_in)
            passages.append(passage)
            if not first and not news:
                pending.append(passage)
            continue
        # Closed explicitly: the answerer points back at the quote, or cites the next source by
        # name ("Furthermore, Reuters has published ..."); a bare colon closes nothing.
        settle(back or (lead and lead_in_outlet(text, gazetteer) is not None))
        passages.append(Passage("answer", text))
        if quoting and first and not lead and is_title_or_reference(text):
            continue  # the quote follows its title: the lead-in still holds
        if lead:
            named = lead_in_outlet(text, gazetteer)
            outlet = named or (last_outlet if back else None)
            # Only a news outlet's quotes run on: a reference work or an agency is quoted a
            # paragraph at a time.
            news = (named is not None and gazetteer.kind_of(named) == "news") or \
                text.rstrip().endswith(("...", "…"))
            quoting, lead_in = True, text
            last_outlet = outlet or last_outlet
        elif PRONOUN_REPORTS.match(text):
            # "It also said that ...": the answerer paraphrases, then quotes more of it.
            quoting, outlet, lead_in = True, last_outlet, text
            news = last_outlet is not None and gazetteer.kind_of(last_outlet) == "news"
        else:
            quoting = False
    settle(False)
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


def outlet_of(url: str | None, lead_in: str | None, gazetteer: Gazetteer, *,
              wider: bool = False) -> str | None:
    """The name of the source a quote cites (``index.sources.source_of``): its link's site if
    that is a source of its own, else the outlet the lead-in names, else the link's site
    named by its domain; None for a link to another Q&A post or a bare picture."""
    named = lead_in_outlet(lead_in, gazetteer, wider=wider) if lead_in else None
    source = source_of(url, named, gazetteer)
    return source.name if source is not None else None


def _cited_link(lead: Block, base_url: str | None, thread_url: str | None,
                gazetteer: Gazetteer) -> str | None:
    """The link a lead-in cites: its one link, or when it has several, the citable ones
    (never a profile, tag, help page or the thread's question) of its last sentence
    that has any, outside parentheses ("(peer-reviewed here)") if it can, a page of another
    site before a post of this network, an answer before a question, then the first.
    A reference work's page on a term ("replaced with [lorem ipsum]") defines a word: it
    comes after every other link. A site's front page is cited only where the lead-in names
    the site by it ("The website [llm-attacks.org] ..."). A lead-in that ends on a tag or a
    help page ("was tagged [vikings], which reads:") quotes that page: no address.
    Plain text, which keeps no links, cites the address written at its end
    ("http://en.wikipedia.org/wiki/Sunburn:", "No they don't. http://www.snopes.com/...")."""
    if not lead.links:
        written = _URL_ENDS.search(lead.text)
        return http_url(written.group(1)) if written else None
    if len(lead.links) == 1:
        # Its one link is where the words are from, even a help page ("As the Help Center
        # says: [link]"); index.sources counts such a page as no source. Unless, as for an
        # outlet named (lead_in_outlet), the link is in an earlier sentence and the last one
        # introduces something else ("We can use [Composable Diffusion] to get a similar
        # effect. We can also see the output has the same fire lines.").
        # A link to another Q&A post or a picture names no source, so it stays either way.
        url = http_url(lead.links[0], base_url)
        at = lead.offsets[0] if len(lead.offsets) == 1 else None
        if url and lead.anchors and _before_last_sentence(lead.text, lead.anchors[0], at):
            site = site_of(url, gazetteer)
            if site is not None and site.kind not in NOT_SOURCES:
                return None
        return url
    text = lead.text
    anchors = lead.anchors if len(lead.anchors) == len(lead.links) else [""] * len(lead.links)
    placed = len(lead.offsets) == len(lead.links)
    candidates = []
    ends = [e.end() for e in SENTENCE_END.finditer(text)]
    at = 0
    last: str | None = None
    for i, (href, anchor) in enumerate(zip(lead.links, anchors, strict=True)):
        if placed:  # where the link stands, not where its words first appear
            pos = lead.offsets[i]
        else:
            found = text.find(anchor, at) if anchor else -1
            pos = found if found >= 0 else at
            at = pos + len(anchor) if found >= 0 else at
        url = http_url(href, base_url)
        if url is None:
            continue
        last = url
        front = front_page(url) and _names_site(anchor, url)
        if not (front or citable(url, thread_url)):
            continue
        sentence = sum(end <= pos for end in ends)
        in_parens = text[:pos].count("(") > text[:pos].count(")")
        path = urlsplit(url).path
        rank = 0 if not QUESTION_PATH.match(path) and "/a/" not in path[:3] else (
            1 if path.startswith("/a/") else 2)
        candidates.append(((_defines_a_term(url, text, gazetteer), -sentence, in_parens, rank,
                            i), url))
    if last is not None and described_page(last):
        return None
    return min(candidates)[1] if candidates else None


# An address that ends a lead-in, a colon or a full stop at most after it.
_URL_ENDS = re.compile(r"(?:^|\s)(https?://[^\s<>\"]+?)[:.]?\s*$")


def _before_last_sentence(text: str, anchor: str, at: int | None = None) -> bool:
    """The link's text is in a sentence before the lead-in's last, and that last sentence does
    not point back at what it cited ("The article says"). ``at``: where the link stands in
    ``text``; unknown (a loader that gives no offsets), the last mention of its words."""
    text = text.rstrip()
    if at is None and not anchor:
        return False  # a link with no words (a picture), place unknown: nothing to find
    if at is None:
        at = text.rfind(anchor)
    if at < 0:
        return False
    # An end inside the link's own text ("What are community wikis? we find:") ends nothing.
    ends = [e.end() for e in SENTENCE_END.finditer(text)
            if not at < e.end() <= at + len(anchor) + 1]
    if sum(end <= at for end in ends) == len(ends):
        return False
    return not POINTS_BACK.match(SENTENCE_END.split(text)[-1])


def _names_site(anchor: str, url: str) -> bool:
    """The link's text names its site ("llm-attacks.org", "the LLM Attacks site")."""
    domain = registrable_domain(url)
    label = domain.split(".")[0] if domain else ""
    words = re.sub(r"[\W_]+", "", anchor.casefold())
    return len(label) > 2 and re.sub(r"[\W_]+", "", label) in words


def _defines_a_term(url: str, lead: str, gazetteer: Gazetteer) -> bool:
    """A reference work's page linked on a term the lead-in uses ("white hat hackers",
    "lorem ipsum"), where the lead-in never names the work: a definition, not a citation."""
    site = site_of(url, gazetteer)
    return site is not None and site.kind == "reference" and site.name is not None and \
        site.name.casefold() not in lead.casefold()


# "TL;DR", "TLDR:", "tl;dr -", "Too long; didn't read": an answerer's summary of their answer.
_SUMMARY = re.compile(r"\s*(?:tl;?\s?dr\b|too long;? didn.?t read\b)", re.IGNORECASE)


def _quotes_the_question(paragraphs: Sequence[str], question: str | None) -> bool:
    """A block quote of the thread's own question (the answerer restating what was asked)."""
    if not question:
        return False
    words = " ".join(_WORDS.findall(" ".join(paragraphs).lower()))
    return len(words.split()) >= 4 and words in " ".join(_WORDS.findall(question.lower()))


_WORDS = re.compile(r"\w+")


_ITEM_NUMBER = re.compile(r"^\d+\.\s+")


def passages_from_blocks(blocks: Sequence[Block], gazetteer: Gazetteer, *,
                         base_url: str | None = None, thread_url: str | None = None,
                         question: str | None = None) -> list[Passage]:
    """Passages of an answer whose quotes are marked (``<blockquote>``, ``> ``, indentation).

    A quote's address is the link its lead-in (the text just before it) cites, else the one
    link inside it. A link elsewhere in the answer is not its citation; among several, a
    profile, a tag, an image or the thread's own question never is; a quote of the question
    itself cites nothing.
    """
    passages: list[Passage] = []
    blocks = _source_lines_apart(blocks)
    cited_after = _sources_after(blocks)
    for i, block in enumerate(blocks):
        if block.kind == "text":
            if i in cited_after.values() and (block.links or "://" in block.text
                                               or _signs_off(block)):
                # The line that names the quote above it: its link, address or name is
                # that quote's, and it says nothing else. A dash line between two quotes
                # stays (a passage never shown), so that the quotes it parts stay apart.
                if _signs_off(block) and i + 1 < len(blocks) and blocks[i + 1].kind == "quote":
                    passages.append(Passage("answer", block.text))
                continue
            introduces = i + 1 < len(blocks) and blocks[i + 1].kind == "quote"
            if introduces or not says_nothing_without_link(block.text, block.anchors,
                                                           block.offsets):
                passages.extend(Passage("answer", text) for text in block.paragraphs)
            continue
        # A dash line under the quote before says whose that one is: it leads in nothing.
        lead = blocks[i - 1] if i and blocks[i - 1].kind == "text" \
            and i - 1 not in cited_after.values() and not (
                i > 1 and blocks[i - 2].kind == "quote" and _is_source_line(blocks[i - 1])
                and _ATTRIBUTION_LINE.match(blocks[i - 1].text)) else None
        # A list item's number ("2. Per the Safety Best Practices:") is no word of the
        # lead-in: its rules read from the lead-in's first word.
        lead_text = _ITEM_NUMBER.sub("", lead.text, count=1) if lead else None
        if _quotes_the_question(block.paragraphs, question):
            passages.extend(Passage("quote", text, None, None, lead_text)
                            for text in block.paragraphs)
            continue
        if lead_text and answerer_wrote(lead_text):
            # "I asked [ChatGPT] this.", "I used the prompt on [Bard]:": the answerer's own
            # words, which the linked site never wrote.
            passages.extend(Passage("quote", text, None, None, lead_text)
                            for text in block.paragraphs)
            continue
        # A dash line under the quote names it but links nothing: the lead-in's link, if
        # any, is still its address (review11: "Source: <Reuters link>" above it).
        signed = i in cited_after and _signs_off(blocks[cited_after[i]])
        source = blocks[cited_after[i]] if i in cited_after and not signed else lead
        url = _cited_link(source, base_url, thread_url, gazetteer) if source else None
        # A bare line between two quotes (an address, "NHS", "PubMed Central (2012)") may as
        # well name the quote above it: it names the one below only where the answer's
        # first quote has such a line above it and its last none below it.
        bare = i not in cited_after and lead is not None and lead_text is not None and \
            _bare_form(lead, lead_text, gazetteer) is not None and \
            i > 1 and blocks[i - 2].kind == "quote" and \
            not _labels_go_above(blocks, _bare_form(lead, lead_text, gazetteer), gazetteer)
        if bare and lead is not None and not lead.links:
            url = None
        if url is None:
            # A link inside the quote (a quoted comment's "see our on-topic page") is what
            # it cites only when it could be a source at all, and not a reference work's page
            # on one of its terms ("[American English]").
            quoted = " ".join(block.paragraphs)
            inside = {u for h in block.links
                      if (u := http_url(h, base_url)) and not never_cited(u, thread_url)
                      and not _defines_a_term(u, quoted, gazetteer)}
            url = inside.pop() if len(inside) == 1 else None
        if url is None and _SUMMARY.match(block.paragraphs[0] if block.paragraphs else ""):
            # "TLDR: scrapy is a framework ...": the answerer's own summary, set in a
            # blockquote for emphasis; no source is cited for it.
            passages.extend(Passage("answer", text) for text in block.paragraphs)
            continue
        # A source line under the quote names its source; else the lead-in does. A quote that
        # only asks, under a paragraph that does not introduce it, is the asker's question
        # quoted: not the words of an outlet that paragraph mentions.
        asks = url is None and lead_text is not None and len(block.paragraphs) == 1 and \
            only_asks(block.paragraphs[0]) and not points_forward(lead_text, gazetteer)
        outlet = None if asks else outlet_of(
            url, blocks[cited_after[i]].text if i in cited_after else lead_text, gazetteer,
            wider=not bare)
        # "\u2014McDonald's Australia" under the quote names it (its outlet, where the
        # gazetteer knows the name) but is none of its words: not shown inside it (the
        # data's structure counts it outside the quote) nor as the answerer's words.
        passages.extend(Passage("quote", text, outlet, url, lead_text)
                        for text in block.paragraphs)
    return passages


# "\u2014 Not true, by the way.": the answerer's remark after a dash, not a source's name.
_VERDICT = re.compile(r"\b(?:not|no|yes|true|false|wrong|right|nonsense)\b", re.IGNORECASE)


def _signs_off(block: Block) -> bool:
    """A dash line with no link or address ("\u2014McDonald's Australia"), set under a
    quote: it says whose the quote is, and is no word of the answerer's ("-- <address>"
    links it, as a source line does)."""
    return block.kind == "text" and not block.links and "://" not in block.text \
        and _is_source_line(block) and _ATTRIBUTION_LINE.match(block.text) is not None \
        and _SAYS.search(block.text) is None and _VERDICT.search(block.text) is None


# "Source: <link>", "(via [Reuters](...))": a short line that only says where a quote is from.
_SOURCE_LINE = re.compile(r"^\W*(?:sources?|via|credits?|references?)\b\s*[:\-\u2013\u2014]?",
                          re.IGNORECASE)
SOURCE_LINE_CHARS = 200


# "—Plastic-Tac-Toe - Snopes.com", "-- http://www.ncbi.nlm.nih.gov/pubmed/24326154": a line
# set under a quote, opening on a dash, says whose the quote above it is (Skeptics' answers).
# Not "-- an obvious typo.": the answerer's own words go on in lower case.
_ATTRIBUTION_LINE = re.compile(r"^\s*(?:--|[\u2013\u2014])\s*(?:[A-Z0-9\"\u201c'\u2018]|https?://)")


def _is_source_line(block: Block) -> bool:
    if block.kind != "text" or len(block.paragraphs) != 1 or \
            len(block.text) > SOURCE_LINE_CHARS or block.text.rstrip().endswith(":"):
        return False
    return _ATTRIBUTION_LINE.match(block.text) is not None or (
        (bool(block.links) or _URL_ENDS.search(block.text) is not None)
        and _SOURCE_LINE.match(block.text) is not None)


def _source_lines_apart(blocks: Sequence[Block]) -> list[Block]:
    """Each source line under a quote that opens the answerer's next words in one block
    ("\u2014McDonald's Australia", then "Regarding the common claim ...": Skeptics' text
    keeps no line apart) set apart as its own block: it names the quote above it and is
    not the first line of the answerer's words (review9 D6). Blocks with links stay whole:
    which line a link belongs to is not known there."""
    out: list[Block] = []
    for block in blocks:
        lines = block.paragraphs[0].split("\n") if block.paragraphs else [""]
        if block.kind == "text" and out and out[-1].kind == "quote" and not block.links \
                and (len(lines) > 1 or len(block.paragraphs) > 1) \
                and _is_source_line(Block("text", [lines[0]])):
            # The reference's own lines under it ("Journal of Dental Research 2013 ...").
            end = 1
            while end < len(lines) and _SAYS.search(lines[end]) is None and (
                    _REFERENCE.search(lines[end]) or _VOLUME.search(lines[end])):
                # Not a capitalised line or a sentence citing a paper ("But a later study
                # (Smith et al. 2015) found ...": the answerer's, review11).
                end += 1
            out.append(Block("text", ["\n".join(lines[:end])]))
            rest = "\n".join(lines[end:])
            block = Block("text", ([rest] if rest.strip() else []) + block.paragraphs[1:])
        out.append(block)
    return out


def _sources_after(blocks: Sequence[Block]) -> dict[int, int]:
    """Quotes whose source line follows them (quote's index -> the line's), in an answer that
    writes its sources so: some source line there follows a quote and leads in none, which
    only the quote above it can be what it names. Elsewhere a source line between two quotes
    is read as the lead-in of the one after it (review7: genai's answer 56 put each "Source:"
    under its quote, and every quote but the first was linked to the article of the one
    above it)."""
    lines = [j for j in range(1, len(blocks))
             if blocks[j - 1].kind == "quote" and _is_source_line(blocks[j])]
    # A dash line without a link ("\u2014McDonald's Australia") names the quote above it
    # wherever it stands, and says nothing of how the answer sets its other source lines
    # (review11: split off the answerer's next words, it turned an answer's "Source: <link>"
    # lines above their quotes into the names of the quotes before them: BBC's words under
    # Reuters).
    signed = {j - 1: j for j in lines if _signs_off(blocks[j])}
    others = [j for j in lines if j - 1 not in signed]
    if not any(j + 1 == len(blocks) or blocks[j + 1].kind != "quote" for j in others):
        return signed
    return {j - 1: j for j in lines}


def _bare_form(lead: Block, text: str, gazetteer: Gazetteer) -> str | None:
    """What a lead-in that names its source without pointing at the quote is: "address"
    (plain text ending in an address), "citation" (a line the wider rules alone read as
    citing, not ending in ":"), or None (it points at what follows, or names nothing)."""
    stripped = text.rstrip()
    if not lead.links and _URL_ENDS.search(stripped):
        return "address"
    if stripped.endswith(":") or _ITEM_NUMBER.match(lead.text):
        return None  # points forward, or opens a numbered item
    if lead_in_outlet(stripped, gazetteer, wider=True) is not None and \
            lead_in_outlet(stripped, gazetteer) is None:
        return "citation"
    return None


def _labels_go_above(blocks: Sequence[Block], form: str | None,
                     gazetteer: Gazetteer) -> bool:
    """The answer sets such lines above its quotes: its first quote has one right above
    it, and its last quote none right below it."""
    quotes = [j for j, b in enumerate(blocks) if b.kind == "quote"]
    first, last = quotes[0], quotes[-1]
    above = first > 0 and blocks[first - 1].kind == "text" and _bare_form(
        blocks[first - 1], _ITEM_NUMBER.sub("", blocks[first - 1].text, count=1),
        gazetteer) == form
    below = last + 1 < len(blocks) and blocks[last + 1].kind == "text" and _bare_form(
        blocks[last + 1], _ITEM_NUMBER.sub("", blocks[last + 1].text, count=1),
        gazetteer) == form
    return above and not below


# A sentence ends inside the text: . ! ? or … (closing quotes and brackets after it), a space.
_ENDS_INSIDE = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")


def only_asks(text: str) -> bool:
    """The text is one question and nothing more (4 to 60 words)."""
    asked = text.strip().rstrip("\"'”’)] ")
    return asked.endswith("?") and 4 <= len(asked.split()) <= 60 and \
        not _ENDS_INSIDE.search(asked)

