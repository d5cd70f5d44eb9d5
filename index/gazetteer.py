"""Build the outlet gazetteer ``index/outlets.toml`` from public lists of news outlets.

``python -m index.gazetteer [--data DIR] [--hand FILE] [--out FILE]`` merges, in this order:

1. the hand-made entries (``index/outlets.hand.toml``): their names, kinds and aliases win;
2. Wikipedia's "Reliable sources/Perennial sources" list (``wikipedia-perennial-sources.csv``,
   CC BY-SA 3.0): names, aliases in parentheses, domains, and the status editors agreed on
   ("Generally reliable", "Deprecated", ...), kept per entry with the scope it applies to;
3. freebie's news-source list (``freebie-websources.csv``, MIT): English-language rows;
4. Wikidata's newspapers with an official website (``wikidata-newspapers.csv``, CC0):
   English-language ones, and those with no language given of English-speaking countries,
   recognised by their domains only (thousands of local papers share names such as "The
   Citizen" or "The Observer": looking for those names in text would mislabel far more than
   it finds).

An entry from a later list joins an earlier one that has one of its domains (or, for the
perennial and freebie lists, its name); otherwise it is a new entry. Every entry records
where it came from (``origin``). Names and aliases made of ordinary English words ("The Sun",
"Time", "Financial Times") are listed in ``ordinary``: the indexer matches them only as
written with their capitals, and the prose matcher only where the text cites them; a list's
name that is one ordinary word ("History", "People") is not looked for in text at all. Which
words are ordinary is decided with the Webster's Second word list shipped by the
``english-words`` package (lower-case entries only, so "Reuters" or "Bloomberg" are not).

The output is committed: run this again after changing the hand-made file or the lists.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from .outlets import KINDS, PERENNIAL_LIST_URL, normalise_domain, registrable_domain

HERE = Path(__file__).parent
DEFAULT_HAND = HERE / "outlets.hand.toml"
DEFAULT_OUT = HERE / "outlets.toml"
DEFAULT_DATA = HERE.parent.parent / "shared" / "data" / "news-outlets"

PERENNIAL = "wikipedia-perennial-sources.csv"
FREEBIE = "freebie-websources.csv"
WIKIDATA = "wikidata-newspapers.csv"

# Sites whose pages the lists cite as "domains" of an outlet (a YouTube channel, a Wikidata
# item, a stock quote): never an outlet's own site.
_PLATFORMS = frozenset({
    "wikipedia.org", "wikidata.org", "wiktionary.org", "wikisource.org", "youtube.com",
    "nasdaq.com", "nyse.com", "toolforge.org", "loc.gov", "scopus.com", "ub.edu", "fubo.tv",
    "hotstar.com", "google.com", "facebook.com", "twitter.com", "blogspot.com",
    "wordpress.com", "tumblr.com", "medium.com", "wixsite.com", "yahoo.com", "sceptiques.qc.ca",
    # archives, libraries and press databases that Wikidata lists as newspapers' websites
    "newsbank.com", "proquest.com", "lexis-nexis.com", "lexisnexis.com", "nexis.com",
    "serialssolutions.com", "crl.edu", "umi.com", "epnet.com", "ebscohost.com",
    "galegroup.com", "gale.com", "pressdisplay.com", "newspaperdirect.com", "natlib.govt.nz",
    "nla.gov.au", "oclc.org", "factiva.com", "rdsinc.com", "softlineweb.com", "newsmemory.com",
    "arcpublishing.com", "mcgill.ca", "newspapers.com", "archive.org", "pressreader.com",
    "issn.org", "ams.org", "cas.org", "psu.edu", "washington.edu", "github.io", "nih.gov",
    "jstor.org",
})
# Perennial-list rows that are not news outlets, by the name before any parenthesis.
_PERENNIAL_KINDS: dict[str, str] = {
    **dict.fromkeys([
        "Baidu Baike", "Burke's Peerage", "Debrett's", "Encyclopædia Britannica",
        "Encyclopædia Iranica", "Investopedia", "Marquis Who's Who", "NNDB", "Peerage",
        "Urban Dictionary", "Who's Who", "Wikidata", "Wikipedia", "SparkNotes", "CliffsNotes",
        "The Skeptic's Dictionary", "Guinness World Records", "Jewish Virtual Library",
        "Biography.com", "Ballotpedia", "The Green Papers", "GlobalSecurity.org",
    ], "reference"),
    **dict.fromkeys(["arXiv", "JAMA", "MDPI", "ResearchGate"], "scholarly"),
    **dict.fromkeys(["Hansard"], "government"),
    **dict.fromkeys(["Stack Exchange", "Quora", "Answers.com"], "linked_post"),
    **dict.fromkeys(["Flickr", "Scribd", "LiveLeak"], "file_host"),
    **dict.fromkeys([
        "Ad Fontes Media", "Advameg", "Amazon", "Ancestry.com", "Anti-Defamation League",
        "Blogger", "Cato Institute", "CelebrityNetWorth", "Center for Economic and Policy "
        "Research", "CESNUR", "Climate Feedback", "Crunchbase", "Discogs", "Dotdash",
        "Facebook", "Fairness and Accuracy in Reporting", "FamilySearch", "Famous Birthdays",
        "Fandom", "Find a Grave", "Findmypast", "Geni.com", "Genius", "Goodreads",
        "Google Maps", "Hope not Hate", "IMDb", "Independent Media Center",
        "International Fact-Checking Network", "Know Your Meme", "Last.fm", "LinkedIn",
        "LiveJournal", "Lulu.com", "Media Bias/Fact Check", "Media Matters for America",
        "Media Research Center", "Medium", "Metacritic", "Middle East Media Research "
        "Institute", "MyLife", "Patheos", "Pew Research Center", "Quackwatch",
        "Rate Your Music", "Reddit", "RhythmOne", "Rotten Tomatoes", "Science-Based Medicine",
        "Softpedia", "SourceWatch", "Southern Poverty Law Center", "Tunefind", "TV Tropes",
        "Twitter", "VGChartz", "WhoSampled", "WikiLeaks", "Wikinews", "WordPress.com",
        "Worldometer", "YouTube", "ZoomInfo", "PR Newswire", "The Needle Drop",
    ], "website"),
}
# Perennial rows that are no source at all.
_PERENNIAL_SKIP = frozenset({"Scriptural texts"})
# Words in parentheses after a perennial name that say where it applies, not what it is called.
_SCOPE_WORDS = re.compile(
    r"^(?:UK|US|\d{4}.*|pre-\d{4}|.*\b(?:topics?|politics|excluding|science|shows|content|"
    r"reviews|self-published|present)\b.*)$", re.IGNORECASE)
# Freebie rows that are organisations rather than outlets (NGOs, agencies, campaigns).
_ORGANISATION = re.compile(
    r"\b(?:International|Campaign|Watch|Foundation|Council|Commission|Organi[sz]ation|"
    r"Programme|Program|Institute|Cent(?:er|re) for|Movement|Platform|Fund|Conservancy|"
    r"Friends of|Rivers|BirdLife|Oxfam|Greenpeace|Amnesty|Red Cross|Aid|sans frontieres|"
    r"EarthShare|Forum|Facility|Agency|Service|Department|Ministry)\b", re.IGNORECASE)
_OUTLET_WORD = re.compile(
    r"\b(?:News|Times|Radio|Press|Journal|Magazine|Review|Post|Herald|Tribune|Observer|Report|"
    r"Reporter|Gazette|Daily|Weekly|Telegraph|Chronicle|Standard|TV|Television|Broadcasting|"
    r"Wire|Media|Mail|Express|Voice|Voices)\b", re.IGNORECASE)
_GOVERNMENT_DOMAIN = re.compile(r"(?:^|\.)(?:gov|mil|int|gouv|govt|gc)(?:\.[a-z]{2})?$")
_INTERGOVERNMENTAL = frozenset({
    "un.org", "ilo.org", "fao.org", "iaea.org", "unicef.org", "unep.org", "who.int",
    "worldbank.org", "imf.org", "oecd.org", "wto.org", "unhcr.org", "unesco.org",
})
# Wikidata gives no language for many papers: those of these countries are read as English.
_ENGLISH_SPEAKING = frozenset({
    "United States of America", "United Kingdom", "Canada", "Australia", "New Zealand",
    "Ireland",
})
_LINK_KINDS = frozenset({"website", "file_host", "linked_post"})
_FUNCTION_WORDS = frozenset({"the", "of", "and", "a", "an", "in", "on", "for", "&"})
_WORD = re.compile(r"[^\W\d_]+|\d+")


@dataclass
class Entry:
    name: str
    aliases: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    kind: str = "news"
    origin: list[str] = field(default_factory=list)
    perennial: list[dict[str, object]] = field(default_factory=list)
    prose: bool = True
    ordinary: list[str] = field(default_factory=list)
    # An admin's override of the perennial status shown ("" hides it); None: the list's.
    reliability: str | None = None

    def add_alias(self, alias: str) -> None:
        alias = " ".join(alias.split())
        # "New York Times" stays beside "The New York Times": the one matches without "the"
        if alias and alias.casefold() not in {a.casefold() for a in (self.name, *self.aliases)}:
            self.aliases.append(alias)

    def add_domains(self, domains: Iterable[str]) -> None:
        for d in domains:
            if d not in self.domains:
                self.domains.append(d)


def _key(name: str) -> str:
    """Names that are the same name: case, punctuation and a leading "the" aside."""
    words = [w.casefold() for w in _WORD.findall(name)]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def clean_domains(urls: Iterable[str]) -> list[str]:
    """The hosts of an outlet's listed addresses, without ``www.``, without platforms'
    hosts (a YouTube channel, a Wikidata item, a library catalogue). Addresses with a path
    ("catalog.loc.gov/vwebv/search?...", "www.breitbart.com/masthead") count only when none
    without one is listed: they are often pages about the outlet elsewhere."""
    bare: list[str] = []
    with_path: list[str] = []
    for url in urls:
        url = url.strip().lower()
        if not url:
            continue
        parts = urlsplit(url if "//" in url else f"//{url}")
        host = normalise_domain(parts.hostname or "")
        base = registrable_domain(f"http://{host}") if host else None
        if not base or base in _PLATFORMS:
            continue
        target = with_path if parts.path.strip("/") or parts.query else bare
        if host not in target:
            target.append(host)
    return bare or with_path


def _split_perennial_name(raw: str) -> tuple[str, list[str], list[str]]:
    """``"The Sun (UK) (UK) (The Sun on Sunday, The Irish Sun)"`` -> the name, its aliases
    and the scope words ("UK") the list added."""
    name = raw.split(" (", 1)[0].strip()
    aliases: list[str] = []
    scope: list[str] = []
    for group in re.findall(r"\(([^()]*)\)", raw):
        for part in (p.strip() for p in group.split(",")):
            if not part:
                continue
            if _SCOPE_WORDS.match(part):
                if part not in scope:
                    scope.append(part)
            elif not re.search(r"\.(?:com|org|net)\b", part, re.IGNORECASE) or \
                    not part.islower():
                aliases.append(part)
    return name, aliases, scope


def _scope_from_summary(name: str, summary: str) -> str | None:
    """The part of an outlet a summary rates, when the row's name does not say it: "Most
    editors say that The Guardian blogs should be treated as ..." -> "blogs"."""
    found = re.search(rf"{re.escape(name)}(?:['’]s)?\s+((?:[a-z]+\s+){{0,3}}?[a-z]+)\s+"
                      r"(?:should|are|is|were|was|can|may|must)\b", summary) or \
        re.search(r"\b(?:content|articles|pieces|posts)\s+(?:written\s+)?by\s+([a-z]+)\b",
                  summary)  # "HuffPost published content written by contributors ..."
    return found.group(1) if found else None


def read_perennial(path: Path) -> Iterator[Entry]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    listed = Counter(_split_perennial_name(row["name"])[0] for row in rows)
    for row in rows:
        name, aliases, scope = _split_perennial_name(row["name"])
        if name in _PERENNIAL_SKIP:
            continue
        if not scope and listed[name] > 1:
            # The list rates a part of the outlet under the outlet's bare name (its
            # "The Guardian blogs" row): the summary says which part.
            part = _scope_from_summary(name, row.get("info") or "")
            scope = [part] if part else []
        statuses = [s for s in json.loads(row["status"] or "[]")
                    if not s.startswith("Wikipedia:")]
        entry = Entry(name, kind=_PERENNIAL_KINDS.get(name, "news"),
                      domains=clean_domains(json.loads(row["urls"] or "[]")),
                      origin=["perennial"])
        for alias in aliases:
            # "AA", "EW", "NR": two letters stand for too much else (Alcoholics
            # Anonymous is no Anadolu Agency); hand-made entries may still list one.
            # One ordinary word ("Garage", "Mirror") is no name in text either.
            words = _WORD.findall(alias)
            if len("".join(words)) > 2 and not (len(_key(alias).split()) == 1
                                                and is_ordinary(alias)):
                entry.add_alias(alias)
        rating: dict[str, object] = {"status": statuses}
        if scope:
            rating["scope"] = ", ".join(scope)
        if row["name"].split(" (", 1)[0].strip() != row["name"].strip():
            rating["listed_as"] = row["name"].strip()
        if row.get("wiki_url"):
            rating["article"] = row["wiki_url"].strip()
        if statuses:
            entry.perennial.append(rating)
        yield entry


def read_freebie(path: Path) -> Iterator[Entry]:
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["language"].strip().lower() != "en":
                continue
            domains = clean_domains([row["url"]])
            name = re.sub(r"\s*\(en\)$", "", row["name"].strip())
            if not domains or not name:
                continue
            base = registrable_domain(f"http://{domains[0]}") or ""
            if _GOVERNMENT_DOMAIN.search(domains[0]) or base in _INTERGOVERNMENTAL:
                kind = "government"
            elif _ORGANISATION.search(name) and not _OUTLET_WORD.search(name):
                kind = "website"
            else:
                kind = "news"
            yield Entry(name, domains=domains, kind=kind, origin=["freebie"])


def read_wikidata(path: Path) -> Iterator[Entry]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if "English" in r["languages"].split("|")
                or (not r["languages"] and r["countries"] in _ENGLISH_SPEAKING)]
    # A site several items list (a publishing group's, a regional portal) is none of theirs.
    seen: dict[str, int] = {}
    for row in rows:
        for d in set(clean_domains(row["domains"].split("|"))):
            seen[d] = seen.get(d, 0) + 1
    for row in rows:
        name = row["name"].strip()
        domains = [d for d in clean_domains(row["domains"].split("|")) if seen[d] == 1]
        if not domains or not name or name == row["qid"]:
            continue  # an item without an English label is named by its id
        entry = Entry(name, domains=domains, origin=[f"wikidata:{row['qid']}"], prose=False)
        place = row["places"].split("|")[0].strip() or row["countries"].split("|")[0].strip()
        if place:  # only to tell apart papers of the same name; dropped after merging
            entry.origin.append(f"place:{place}")
        yield entry


def read_hand(path: Path) -> list[Entry]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    entries = []
    for raw in data.get("outlet", []):
        kind = raw.get("kind", "news")
        # Sites known for their links (GitHub, Imgur, Stack Exchange): "Google", "Apple" or
        # "Twitter" in prose is seldom what a quote cites.
        entry = Entry(raw["name"], kind=kind, origin=["hand"],
                      prose=raw.get("prose", kind not in _LINK_KINDS),
                      reliability=raw.get("reliability"))
        for alias in raw.get("aliases", []):
            entry.add_alias(alias)
        entry.add_domains(normalise_domain(d) for d in raw.get("domains", []))
        entries.append(entry)
    return entries


class Merged:
    """Entries so far, looked up by domain and by name."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.by_domain: dict[str, Entry] = {}
        self.by_key: dict[str, Entry] = {}

    def add(self, new: Entry, *, join_by_name: bool) -> None:
        # Only the same host joins: a more specific one ("eea.europa.eu") is another site.
        old = next((self.by_domain[d] for d in new.domains if d in self.by_domain), None)
        if old is None and (join_by_name or not new.domains):
            old = self.by_key.get(_key(new.name))
        if old is None:
            if _key(new.name) in self.by_key:
                # Another outlet of the same name ("The Independent" in Uganda): keep it for
                # its domains, under a name that tells them apart, never matched in prose.
                place = next((o.split(":", 1)[1] for o in new.origin
                              if o.startswith("place:")), None)
                new.name = f"{new.name} ({place or new.domains[0]})"
                new.prose = False
                if _key(new.name) in self.by_key:
                    new.name = f"{new.name.rsplit(' (', 1)[0]} ({new.domains[0]})"
            self.entries.append(new)
            old = new
        else:
            for origin in new.origin:
                if origin not in old.origin and not origin.startswith("place:"):
                    old.origin.append(origin)
            if new.prose and old.prose:
                old.add_alias(new.name)
            for alias in new.aliases:
                old.add_alias(alias)
            for rating in new.perennial:
                # A row joined to an outlet of another name rates that other title (The Mail
                # on Sunday in the Daily Mail's entry): keep the name it applies to.
                if _key(new.name) != _key(old.name):
                    rating.setdefault("listed_as", new.name)
                old.perennial.append(rating)
            if old.kind == "news" and new.kind != "news" and "hand" not in old.origin:
                old.kind = new.kind
        for d in new.domains:
            if d not in self.by_domain:
                self.by_domain[d] = old
                old.add_domains([d])
        for name in (old.name, *old.aliases):
            self.by_key.setdefault(_key(name), old)


def merge(hand: list[Entry], perennial: Iterable[Entry], freebie: Iterable[Entry],
          wikidata: Iterable[Entry]) -> list[Entry]:
    merged = Merged()
    for entry in hand:
        merged.add(entry, join_by_name=True)
    for entry in perennial:
        merged.add(entry, join_by_name=True)
    for entry in freebie:  # a name the hand-made or perennial entries hold is that outlet
        merged.add(entry, join_by_name=True)
    for entry in wikidata:
        merged.add(entry, join_by_name=False)
    for entry in merged.entries:
        entry.origin = [o for o in entry.origin if not o.startswith("place:")]
        _drop_shared_aliases(entry, merged)
        entry.ordinary = [n for n in (entry.name, *entry.aliases) if is_ordinary(n)]
        if "hand" not in entry.origin and entry.name in entry.ordinary and \
                len(_key(entry.name).split()) == 1:
            # "History", "People", "The National", "Reason": capitalised, they start
            # sentences and other names far more often than they cite the outlet.
            entry.prose = False
    return merged.entries


def _drop_shared_aliases(entry: Entry, merged: Merged) -> None:
    """An alias that another entry holds as its name or alias names neither for sure."""
    # ("New York Times" beside "The New York Times" is kept: add_alias let it in.)
    entry.aliases = [a for a in entry.aliases if _key(a) == _key(entry.name) or (
        merged.by_key.get(_key(a)) is entry and len(_key(a).replace(" ", "")) > 1)]


@cache
def _lexicon() -> frozenset[str]:
    try:
        from english_words import get_english_words_set  # only to build the gazetteer
    except ImportError as exc:
        raise LookupError("the english-words package is missing: "
                          "pip install -e '.[gazetteer]'") from exc
    return frozenset(w for w in get_english_words_set(["web2"], lower=False) if w.islower())


def is_ordinary(name: str) -> bool:
    """Made of ordinary English words ("The Sun", "Financial Times"), "the" and one word
    ("The Australian"), or a bare one- or two-letter abbreviation ("AP", "FT"): each stands
    for other things in text too."""
    words = _WORD.findall(name)
    letters = "".join(words)
    if len(letters) <= 2:
        return True
    if len(words) == 2 and words[0].lower() == "the" and not words[1].isupper():
        return True  # "The Australian", "The Hindu": an adjective or a noun after "the"
    content = [w for w in words if w.casefold() not in _FUNCTION_WORDS]
    if not content or any(w.isupper() and len(w) > 1 for w in content):
        return False  # an acronym: written in capitals, matched in capitals only
    return all(w.casefold() in _lexicon() for w in content)


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_str(i) for i in items) + "]"


def render(entries: list[Entry], sources: str) -> str:
    lines = [
        "# The outlet gazetteer the indexer reads. GENERATED by `python -m index.gazetteer`:",
        "# do not edit by hand; edit index/outlets.hand.toml and run it again.",
        f"# From: {sources}.",
        "# Derived from Wikipedia's \"Reliable sources/Perennial sources\" list (CC BY-SA 3.0),",
        "# freebie's websources.csv (MIT, (c) 2017 Sasho Savkov) and Wikidata (CC0); see README.",
        "# Fields as in outlets.hand.toml, and: origin (hand, perennial, freebie, wikidata:QID),",
        "# perennial (the statuses Wikipedia's editors gave it, with the scope they apply to",
        f"# and its article; their discussions are linked from {PERENNIAL_LIST_URL}).",
        "",
        f"perennial_list = {_toml_str(PERENNIAL_LIST_URL)}",
    ]
    for e in entries:
        lines += ["", "[[outlet]]", f"name = {_toml_str(e.name)}"]
        if e.aliases:
            lines.append(f"aliases = {_toml_list(e.aliases)}")
        lines.append(f"domains = {_toml_list(e.domains)}")
        if e.kind != "news":
            lines.append(f"kind = {_toml_str(e.kind)}")
        if e.ordinary:
            lines.append(f"ordinary = {_toml_list(e.ordinary)}")
        if not e.prose:
            lines.append("prose = false")
        if e.reliability is not None:
            lines.append(f"reliability = {_toml_str(e.reliability)}")
        lines.append(f"origin = {_toml_list(e.origin)}")
        for rating in e.perennial:
            parts = [f"status = {_toml_list(rating['status'])}"]  # type: ignore[arg-type]
            parts += [f"{k} = {_toml_str(str(rating[k]))}" for k in ("scope", "listed_as",
                                                                      "article") if k in rating]
            lines += ["[[outlet.perennial]]", *parts]
    return "\n".join(lines) + "\n"


def build(data: Path, hand: Path) -> list[Entry]:
    """The merged entries, from the three lists in ``data`` and the hand-made file.

    Raises:
        FileNotFoundError: a list is missing.
    """
    for name in (PERENNIAL, FREEBIE, WIKIDATA):
        if not (data / name).is_file():
            raise FileNotFoundError(f"{data / name}: no such file (the news-outlets lists)")
    return merge(read_hand(hand), read_perennial(data / PERENNIAL),
                 read_freebie(data / FREEBIE), read_wikidata(data / WIKIDATA))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.gazetteer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the news-outlets folder (default: ../shared/data/news-outlets)")
    parser.add_argument("--hand", type=Path, default=DEFAULT_HAND,
                        help="the hand-made entries (default: index/outlets.hand.toml)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where to write the gazetteer (default: index/outlets.toml)")
    args = parser.parse_args(argv)
    try:
        entries = build(args.data, args.hand)
    except (OSError, KeyError, ValueError, LookupError, tomllib.TOMLDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.out.write_text(render(entries, f"{args.hand.name}, news-outlets/{{{PERENNIAL}, "
                                        f"{FREEBIE}, {WIKIDATA}}}"), encoding="utf-8")
    counts: dict[str, int] = {}
    for e in entries:
        for origin in e.origin:
            key = origin.split(":", 1)[0]
            counts[key] = counts.get(key, 0) + 1
    kinds = {k: sum(1 for e in entries if e.kind == k) for k in KINDS}
    print(f"{len(entries)} entries -> {args.out}; by origin (an entry may have several): "
          + ", ".join(f"{k} {n}" for k, n in counts.items())
          + "; by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.items() if n)
          + f"; rated by the perennial list: {sum(1 for e in entries if e.perennial)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
