"""What kind of source a quote cites, from its link and the outlet its lead-in names.

Kinds (``index.outlets.KINDS``): a news outlet, a reference work (Wikipedia, Britannica), a
scholarly source (a journal, DOI, PubMed, arXiv), a government or intergovernmental body, another
Q&A post (a cross-reference: never counted as a source), an image or file host (not a source),
or another website. The gazetteer knows most sites by name; the rest are recognised by rule:
a DOI's publisher from its prefix, a government site by its suffix (``.gov``, ``.gov.uk``,
``.gc.ca``, ``.int``, ``.europa.eu``, ...), a picture by its file name, a Wayback Machine copy by
the address it archived. Any other site is a website, named by its registrable domain (there
is no other name to give it), and labelled as a website, never as an outlet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .model import CHATBOT_REPLY, CLAIM, OTHER_ANSWER, PROMPT, QUESTION, Passage, Thread
from .outlets import NOT_SOURCES, Gazetteer, normalise_domain, registrable_domain


@dataclass(frozen=True, slots=True)
class Source:
    """A cited source: its name (None for a linked post or a bare file link) and its kind."""

    name: str | None
    kind: str


# DOI prefixes of large publishers and journals (https://www.doi.org/the-identifier/resources/
# factsheets/doi-system-and-prefixes): the journal's or publisher's name where the link is a DOI.
DOI_PREFIXES: dict[str, str] = {
    "10.1038": "Nature", "10.1126": "Science", "10.1056": "The New England Journal of Medicine",
    "10.1001": "JAMA", "10.1136": "The BMJ", "10.1016": "Elsevier", "10.1371": "PLOS",
    "10.1073": "PNAS", "10.1093": "Oxford Academic", "10.1017": "Cambridge University Press",
    "10.1007": "Springer", "10.1002": "Wiley", "10.1111": "Wiley", "10.1080": "Taylor & Francis",
    "10.1177": "SAGE Journals", "10.3389": "Frontiers", "10.3390": "MDPI", "10.1109": "IEEE",
    "10.1145": "ACM", "10.1103": "American Physical Society", "10.1021": "American Chemical "
    "Society", "10.1186": "BioMed Central", "10.1101": "bioRxiv", "10.48550": "arXiv",
    "10.2139": "SSRN", "10.1037": "American Psychological Association", "10.1098": "Royal "
    "Society Publishing", "10.1146": "Annual Reviews", "10.7554": "eLife",
}
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org"})
_DOI = re.compile(r"^/?(10\.\d{4,9})/")
# Government suffixes, with the body's name where the suffix alone tells it.
_GOVERNMENT = re.compile(
    r"(?:^|\.)(?:gov|mil|gob|go|gouv|govt|gc|admin|bund|int|europa)(?:\.[a-z]{2})?$")
_GOVERNMENT_NAMES: dict[str, str] = {
    "gov.uk": "UK Government", "gov.au": "Australian Government", "gc.ca": "Government of Canada",
    "govt.nz": "New Zealand Government", "gov.in": "Government of India",
    "gov.ie": "Government of Ireland", "gouv.fr": "French Government",
    "europa.eu": "European Union", "admin.ch": "Swiss Government", "bund.de": "German Government",
}
_PICTURE = re.compile(r"\.(?:png|jpe?g|gif|webp|bmp|svg|tiff?|heic)$", re.IGNORECASE)
_WAYBACK = re.compile(r"^/web/[\w*]+/(https?://.+)$", re.IGNORECASE)
# Scholarly sources that are an index, a preprint server or a publisher, not one journal.
_NOT_A_JOURNAL = frozenset({
    "arXiv", "bioRxiv", "medRxiv", "SSRN", "PubMed", "PubMed Central", "Europe PMC", "DOI",
    "Google Scholar", "Semantic Scholar", "ResearchGate", "Academia.edu", "JSTOR",
    "ScienceDirect", "Springer", "Wiley", "Wiley Online Library", "Elsevier", "Taylor & Francis",
    "SAGE Journals", "Oxford Academic", "Cambridge University Press", "IEEE", "IEEE Xplore",
    "ACM", "ACM Digital Library", "APA PsycNet", "Project MUSE", "NBER", "MDPI", "Frontiers",
    "BioMed Central", "Hindawi", "Cochrane Library", "American Chemical Society",
    "American Psychological Association", "American Physical Society", "Royal Society "
    "Publishing", "Annual Reviews",
})
# Pages of a site that are never what an answerer quotes: profiles, tag lists, help, searches.
_SITE_PAGE = re.compile(
    r"^/(?:users?|u)/|^/questions/tagged/|^/tags?/|^/help(?:/|$)|^/faq(?:/|$)|"
    r"/search(?:$|[/?])", re.IGNORECASE)
# The pages among those whose own text an answerer quotes ("was tagged vikings, which
# reads:", "the FAQ clearly states that:"): a tag's description, the help centre.
_DESCRIBED_PAGE = re.compile(r"^/questions/tagged/|^/tags?/|^/help(?:/|$)|^/faq(?:/|$)",
                             re.IGNORECASE)
KIND_WORDS = {"news": "news", "reference": "reference", "scholarly": "scholarly",
              "government": "government", "linked_post": "linked post",
              "file_host": "image or file", "website": "website", QUESTION: "the question",
              OTHER_ANSWER: "another answer", PROMPT: "prompt",
              CHATBOT_REPLY: "chatbot's reply", CLAIM: "claim examined"}


def site_page(path: str) -> bool:
    """Whether an address's path is a site's own page (a profile, a tag, help, a search),
    never a source."""
    return _SITE_PAGE.search(path) is not None


def described_page(url: str) -> bool:
    """Whether a link is a tag or a help page: never a source, but what a quote after it
    reads when the lead-in ends on it."""
    return _DESCRIBED_PAGE.search(urlsplit(url).path) is not None


def front_page(url: str) -> bool:
    """Whether a link is a site's front page (no path)."""
    return urlsplit(url).path in {"", "/"}


# Whether a link can be what a quote cites: the one place that says it, for the link a
# lead-in cites among several (index.attribution) and for the source it is (site_of).
_IMAGE_HOSTS = frozenset({"i.stack.imgur.com", "i.imgur.com", "imgur.com"})
# A question's address on a Q&A site ("/questions/123/slug", "/q/123").
QUESTION_PATH = re.compile(r"^/(?:questions|q)/(\d+)")


def citable(url: str, thread_url: str | None = None) -> bool:
    """Whether a link among a lead-in's several can be what a quote cites: not a picture, a
    site's front page, or a page that is never cited (``never_cited``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _IMAGE_HOSTS or _PICTURE.search(parts.path) or parts.path in {"", "/"}:
        return False
    return not never_cited(url, thread_url)


def never_cited(url: str, thread_url: str | None = None) -> bool:
    """Whether a link is a page no quote cites even when it is the only link inside it: a
    profile, a tag, a help or search page (``site_page``), or the thread's own question (a
    quoted comment's "see our on-topic page"). A lone picture is still what a quote shows."""
    parts = urlsplit(url)
    if site_page(parts.path):
        return True
    if thread_url:
        own, here = urlsplit(thread_url), QUESTION_PATH.match(parts.path)
        mine = QUESTION_PATH.match(own.path)
        if here and mine and here.group(1) == mine.group(1) and \
                (parts.hostname or "").lower() == own.hostname:
            return True
    return False


def site_of(url: str, gazetteer: Gazetteer) -> Source | None:
    """What the site of ``url`` is, from the address alone; None for no usable address."""
    try:
        parts = urlsplit(url)
        host = normalise_domain(parts.hostname or "")
    except ValueError:  # a malformed address ("http://[x")
        return None
    if not host:
        return None
    if host == "web.archive.org" and (archived := _WAYBACK.match(parts.path)):
        inner = archived.group(1) + (f"?{parts.query}" if parts.query else "")
        return site_of(inner, gazetteer) or Source("Internet Archive", "website")
    if host in _DOI_HOSTS:
        prefix = _DOI.match(parts.path)
        return Source(DOI_PREFIXES.get(prefix.group(1), "DOI") if prefix else "DOI",
                      "scholarly")
    known = gazetteer.site(url)
    if known is not None:
        if known.kind == "linked_post" and site_page(parts.path):
            return None  # a Q&A site's help, tag or profile page: no post, and no source
        if known.kind in NOT_SOURCES:
            return Source(None, known.kind)
        return Source(known.name, known.kind)
    domain = registrable_domain(url) or host
    suffix = domain.partition(".")[2]
    if _GOVERNMENT.search(suffix) or _GOVERNMENT.search(domain):
        name = _GOVERNMENT_NAMES.get(suffix) or _GOVERNMENT_NAMES.get(domain) or domain
        return Source(name, "government")
    if _PICTURE.search(parts.path):
        return Source(None, "file_host")
    return Source(domain, "website")


def source_of(url: str | None, named: str | None, gazetteer: Gazetteer) -> Source | None:
    """The source a quote cites: its link's site, or the outlet its lead-in (or the
    document) names when the link's site is no source of its own (a screenshot, an unknown
    site). A link to another Q&A post is a linked post whatever the lead-in says."""
    site = site_of(url, gazetteer) if url else None
    if site is not None and site.kind == "linked_post":
        return site
    if named and (site is None or site.kind in ("file_host", "website")):
        return Source(named, gazetteer.kind_of(named) or "news")
    return site


def kind_of(passage: Passage, gazetteer: Gazetteer) -> str | None:
    """The kind of source a quote cites, given the outlet its loader found (None for the
    answerer's own words, and for a quote that names no source and links to none)."""
    if passage.kind != "quote":
        return None
    site = site_of(passage.url, gazetteer) if passage.url else None
    if passage.outlet is None:
        return site.kind if site is not None and site.kind in NOT_SOURCES else None
    if site is not None and site.name == passage.outlet:
        return site.kind
    return gazetteer.kind_of(passage.outlet) or (
        site.kind if site is not None and site.kind not in ("file_host", "website") else "news")


def label(threads: Iterable[Thread], gazetteer: Gazetteer) -> None:
    """Set every quote's ``source_kind``."""
    for thread in threads:
        for answer in thread.answers:
            for passage in answer.passages:
                passage.source_kind = kind_of(passage, gazetteer)


def source_label(kind: str, outlet: str | None, source_kind: str | None) -> str:
    """What a passage is, in the same words in Discord, the terminal and ``index search``:
    "Reuters", "Wikipedia · reference", "Nature · journal", "Linked post" (another Q&A post,
    not a source), a quote whose outlet is not named, or the answerer's words."""
    if kind == "answer":
        return "The answerer's own words"
    if source_kind == "linked_post":
        return "Linked post"
    if source_kind == QUESTION:
        return "Quote of the question"
    if source_kind == OTHER_ANSWER:
        # A fellow answerer's words, quoted to discuss them: no source (review7 D1).
        return "Quote of another answer in this thread (not a source)"
    if source_kind == PROMPT:
        return "Prompt, as the answerer gives it (not a source)"
    if source_kind == CHATBOT_REPLY:
        return "A chatbot's reply, as the answerer shows it (not a source)"
    if source_kind == CLAIM:
        # Whose words they are stays said; that they are the claim weighed, not evidence, first.
        return (f"The claim examined, in {outlet}'s words (not evidence)" if outlet
                else "The claim examined (not evidence)")
    if not outlet:
        return ("Quote (image or file link, source not named)" if source_kind == "file_host"
                else "Quote (outlet not named)")
    word = kind_word(outlet, source_kind)
    return f"{outlet} · {word}" if word else outlet


def kind_word(name: str | None, kind: str | None) -> str | None:
    """What a label says after the name: "reference", "journal", "government"; None for a
    news outlet, whose name says it all."""
    if kind is None or kind == "news":
        return None
    if kind == "scholarly" and name is not None and name not in _NOT_A_JOURNAL:
        return "journal"
    return KIND_WORDS.get(kind, kind)
