"""How well quotes and their sources are found: ``make attribution``.

    python -m bench.attribution [--split held-out|tuning|all] [--errors N] [--pool]

Ground truth comes from the data's own structure, read by this module's own small parsers
(lxml for HTML, a few lines for text), never by the loaders' code:

- Stack Exchange dumps (``../shared/data/stackexchange/*/Posts.xml``): every paragraph inside a
  ``<blockquote>`` (lists and other containers included) is quoted, every other one is the
  answerer's. A quote's citation is the one link of the lead-in (the text just before the
  block quote); with no link there, the one link inside the quote; where the lead-in has
  several links, the one the answerer cites, judged by hand (``attribution_judged.tsv``).
- The same answers flattened to plain text (paragraphs, no indentation, links reduced to their
  anchor text) test the path that recognises unmarked quotes from lead-ins.
- Skeptics (``../shared/data/skeptics/``): lines indented by two spaces are quotes; flattened
  (indentation removed) it tests the unmarked path again.
- The seed thread: its quotes and outlets judged by hand (``attribution_seed.tsv``).

A quote's right source is the site its cited link is on (the gazetteer's name for it, else its
registrable domain), or the one a hand judgment names (sources named in prose, where there is
no link; see the judgments' header for the definition and who judged).

The loaders' output is compared with the truth word by word (difflib over the words of each
answer), so the figures do not depend on how either side splits paragraphs: a paragraph counts
as shown as a quote when most of its words are in a quote passage. Figures per data set:

- quote recall / precision, by paragraph;
- URL right: of truly quoted paragraphs shown as quotes with a known citation, the share shown
  with that address; "multi" is the same where the lead-in has several links;
- outlet-pair precision: of paragraphs shown as a quote *with a source* (any name: a gazetteer
  entry of any kind, or a site named by its domain; linked posts and file links have none),
  the share that are quoted and name the right one. A paragraph shown with a source whose
  truth nobody judged counts as unjudged (listed by ``--pool`` so that a person judges it),
  never as right. "by qte" counts the same once per quote (right when all its paragraphs
  shown with a source are), so that one long quote does not weigh as twenty.

Each set is split by a hash of the answer's id: tune on ``tuning``, report ``held-out``.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import html
import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.loaders import LoadContext  # noqa: E402
from index.loaders.jsonl import load as load_jsonl  # noqa: E402
from index.loaders.plaintext import answer_text_passages  # noqa: E402
from index.loaders.plaintext import load as load_text  # noqa: E402
from index.loaders.sedump import load as load_dump  # noqa: E402
from index.model import Passage  # noqa: E402
from index.outlets import DEFAULT_GAZETTEER, registrable_domain  # noqa: E402
from index.quote_model import Model  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data").resolve()
SEED = ROOT / "corpus" / "politics-se-why-was-soleimani-in-iraq.txt"
HERE = Path(__file__).resolve().parent
JUDGED = HERE / "attribution_judged.tsv"
SEED_JUDGED = HERE / "attribution_seed.tsv"
DUMPS = ("genai", "history-meta")
SKEPTICS = "skeptics/web_science_dataset.jsonl"
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
UNJUDGED = "?"


# --- ground truth ------------------------------------------------------------------------

@dataclass
class Quote:
    """One quote of an answer (a ``<blockquote>``, a run of indented paragraphs)."""

    url: str | None = None  # None: not known; "": judged to cite no address
    multi: bool = False  # its lead-in has several links
    outlet: str | None = UNJUDGED  # the right news outlet; None: none; "?": nobody judged


@dataclass
class Gold:
    """An answer's paragraphs, each with the quote it belongs to (None: the answerer's)."""

    set: str
    answer: str
    paragraphs: list[tuple[str, int | None]] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    question: str = ""  # the thread's question as plain text, which an answer may quote

    def flattened(self) -> str:
        """The answer as a scraper gives it: paragraphs, no indentation, no links."""
        return "\n\n".join(text for text, _ in self.paragraphs)


def held_out(answer: str) -> bool:
    """Half of the answers, fixed by their id: the ones figures are reported on."""
    return int(hashlib.sha256(answer.encode()).hexdigest(), 16) % 2 == 0


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


_BLOCK_TAGS = {"p", "li", "pre", "blockquote", "ul", "ol", "div", "table", "tr", "td", "th",
               "thead", "tbody", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
               "figure", "section", "details", "summary"}


def _is_block(node) -> bool:
    return isinstance(node.tag, str) and node.tag in _BLOCK_TAGS


def _http(href: str | None, base: str) -> str | None:
    if not href or not href.strip():
        return None
    url = urljoin(base, href.strip())
    parts = urlsplit(url)
    return url if parts.scheme in {"http", "https"} and parts.netloc else None


def html_gold(body: str, base: str, gold: Gold) -> None:
    """Paragraphs of an answer's HTML, each marked with its block quote, and each block
    quote's citation."""
    import lxml.html  # the bench's own parser, apart from the loaders' selectolax

    root = lxml.html.fragment_fromstring(body, create_parent="div")

    def links(nodes: Iterable) -> list[str]:
        found = []
        for node in nodes:
            if isinstance(node.tag, str):
                hrefs = [node.get("href")] if node.tag == "a" else []
                hrefs += [a.get("href") for a in node.iter("a")][1 if node.tag == "a" else 0:]
                found += [u for h in hrefs if (u := _http(h, base))]
        return found

    def lead_links(bq) -> list[str]:
        """Links of the text just before a block quote: inline text before it in the same
        parent, else the element before it."""
        parent = bq.getparent()
        before = []
        for sib in parent:
            if sib is bq:
                break
            before = [] if _is_block(sib) else [*before, sib]
        inline_text = (parent.text or "") if not any(_is_block(s) for s in parent
                                                      if s is not bq and s in before) else ""
        prev = bq.getprevious()
        if before or inline_text.strip() or (prev is not None and (prev.tail or "").strip()):
            return links(before)
        return links([prev]) if prev is not None else []

    def walk(node, quote: int | None) -> None:
        buf: list[str] = [node.text or ""]

        def flush() -> None:
            text = squash(" ".join(buf))
            if _WORD.search(text):
                gold.paragraphs.append((text, quote))
            buf.clear()

        for child in node:
            if _is_block(child):
                flush()
                q = quote
                if child.tag == "blockquote" and quote is None:
                    q = len(gold.quotes)
                    lead = lead_links(child)
                    inside = links([child])
                    url = lead[0] if len(lead) == 1 else (
                        inside[0] if not lead and len(set(inside)) == 1 else None)
                    gold.quotes.append(Quote(url=url, multi=len(lead) > 1))
                walk(child, q)
            elif isinstance(child.tag, str) and child.tag not in {"script", "style"}:
                buf.append(child.text_content())
            buf.append(child.tail or "")
        flush()

    walk(root, None)


def site_base(folder: str) -> str:
    name = folder.removesuffix("-meta")
    site = f"{name}.meta.stackexchange.com" if folder.endswith("-meta") else \
        f"{name}.stackexchange.com"
    return f"https://{site}"


def dump_gold(folder: str, kind: str = "2") -> list[Gold]:
    """The answers of a dump (``kind`` "1": its questions, addressed .../q/ID)."""
    base = site_base(folder)
    golds = []
    asked: dict[str | None, str] = {}
    parents = []
    for _, row in ET.iterparse(DATA / "stackexchange" / folder / "Posts.xml"):
        if row.tag == "row" and row.get("PostTypeId") == kind:
            gold = Gold(folder, f"{base}/{'a' if kind == '2' else 'q'}/{row.get('Id')}")
            html_gold(row.get("Body") or "", base, gold)
            golds.append(gold)
            parents.append(row.get("ParentId"))
        elif row.tag == "row" and row.get("PostTypeId") == "1":
            question = Gold(folder, row.get("Id") or "")
            html_gold(row.get("Body") or "", base, question)
            asked[row.get("Id")] = question.flattened()  # as a scraped page shows it
        row.clear()
    for gold, parent in zip(golds, parents, strict=True):
        gold.question = asked.get(parent, "")
    return golds


def skeptics_gold() -> list[Gold]:
    golds = []
    with (DATA / SKEPTICS).open(encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            gold = Gold("skeptics", str(record["answerId"]))
            quote: int | None = None
            # Paragraphs are separated by lines holding nothing but spaces.
            for chunk in re.split(r"\n[ \t]*\n", html.unescape(record["answer"])):
                lines = [ln for ln in chunk.split("\n") if ln.strip()]
                if not lines:
                    continue
                indented = all(ln.startswith("  ") for ln in lines)
                if indented and quote is None:
                    quote = len(gold.quotes)
                    gold.quotes.append(Quote())
                elif not indented:
                    quote = None
                if _WORD.search(chunk):  # "[...]" between quoted paragraphs: no words to find
                    gold.paragraphs.append((squash(" ".join(lines)), quote))
            golds.append(gold)
    return golds


def seed_gold(seed: Path = SEED) -> Gold:
    """The seed's answer paragraphs (its own small parser) with the hand-judged quotes."""
    text = seed.read_text(encoding="utf-8")
    body = re.split(r"^\d+ Answers? \d+$", text, maxsplit=1, flags=re.M)[1]
    judged = list(csv.reader(_rows(SEED_JUDGED), delimiter="\t", quoting=csv.QUOTE_NONE))
    gold = Gold("seed", "seed")
    answer = -1
    for chunk in re.split(r"\n\s*\n", body):
        lines = chunk.strip("\n").split("\n")
        if not chunk.strip():
            continue
        if re.fullmatch(r"-?\d+", lines[0].strip()):
            # A score line (maybe with comments and the next score): a new answer begins at
            # the last number of the chunk.
            answer += 1
            continue
        if chunk.startswith(("You must log in", "Not the answer")):
            break
        words = squash(chunk.replace("•", " "))
        row = next((r for r in judged if int(r[0]) == answer and words.startswith(r[1])), None)
        quote = None
        if row is not None:
            quote = int(row[2])
            while len(gold.quotes) <= quote:
                gold.quotes.append(Quote(outlet=None))
            gold.quotes[quote].outlet = row[3] or None
        gold.paragraphs.append((words, quote))
    return gold


def _rows(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        yield from (line for line in f if line.strip() and not line.startswith("#"))


# --- the gazetteer's domains (read from its file, not through index.outlets' lookups) -----

def _entries(path: Path) -> list[dict]:
    """The gazetteer's entries that can be a quote's source (never a linked post or a file
    host, which the bot shows as such)."""
    with path.open("rb") as f:
        return [e for e in tomllib.load(f).get("outlet", [])
                if e.get("kind", "news") not in {"linked_post", "file_host"}]


def outlet_domains(path: Path = DEFAULT_GAZETTEER) -> dict[str, str]:
    return {d.lower().removeprefix("www."): entry["name"]
            for entry in _entries(path) for d in entry.get("domains", [])}


def not_sources(path: Path = DEFAULT_GAZETTEER) -> set[str]:
    """Domains of Q&A sites and file hosts: a link there cites a post or a file, no source."""
    with path.open("rb") as f:
        return {d.lower().removeprefix("www.") for e in tomllib.load(f).get("outlet", [])
                if e.get("kind") in {"linked_post", "file_host"} for d in e.get("domains", [])}


_PICTURE = re.compile(r"\.(?:png|jpe?g|gif|webp|bmp|svg)$", re.IGNORECASE)


def outlet_names(path: Path = DEFAULT_GAZETTEER) -> set[str]:
    return {entry["name"] for entry in _entries(path)}


def outlet_aliases(path: Path = DEFAULT_GAZETTEER) -> dict[str, str]:
    """Every name and alias of a source, folded, -> its name (a judge writes "NYT")."""
    return {_fold(alias): entry["name"] for entry in _entries(path)
            for alias in (entry["name"], *entry.get("aliases", []))}


def outlet_at(url: str, domains: dict[str, str], others: set[str] | None = None) -> str | None:
    """The source a cited link is on: the gazetteer's name for its site, else the site's
    registrable domain (how a site nobody lists is shown: "ohandle.com · website"); None for
    a post of a Q&A site or a file (``others``: their domains) or a picture."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    while host:
        if host in domains:
            return domains[host]
        if host in (others or set()):
            return None
        _, _, host = host.partition(".")
    return None if _PICTURE.search(urlsplit(url).path) else registrable_domain(url)


def _fold(name: str) -> str:
    return _SPACE.sub(" ", name.casefold().removeprefix("the ")).strip()


def same_outlet(a: str | None, b: str | None, aliases: dict[str, str] | None = None) -> bool:
    """The same source: names equal but for case and a leading "The", or aliases of one
    gazetteer entry (a judge writes "NYT" or "The New York Times")."""
    def key(name: str | None) -> str | None:
        if not name:
            return None
        return _fold((aliases or {}).get(_fold(name), name))
    return key(a) == key(b)


def apply_judgments(golds: list[Gold], domains: dict[str, str]) -> None:
    """Right outlets: the cited link's outlet, then the hand judgments (which win)."""
    by_key = {(g.set, g.answer): g for g in golds}
    rows = list(csv.reader(_rows(JUDGED), delimiter="\t", quoting=csv.QUOTE_NONE))
    judged = [(by_key[(r[0], r[1])].quotes[int(r[2])], r[3], r[4]) for r in rows
              if (r[0], r[1]) in by_key and int(r[2]) < len(by_key[(r[0], r[1])].quotes)]
    for quote, what, value in judged:
        if what == "url":
            quote.url = "" if value == "-" else value
    for g in golds:
        for q in g.quotes:
            if q.url is not None:
                q.outlet = outlet_at(q.url, domains, not_sources()) if q.url else None
    for quote, what, value in judged:
        if what == "outlet":
            quote.outlet = None if value == "-" else value


# --- comparing the loaders' passages with the truth ----------------------------------------

@dataclass
class Shown:
    """What the loader made of one true paragraph."""

    quote: bool
    outlet: str | None
    url: str | None


def align(gold: Gold, passages: list[Passage]) -> list[Shown]:
    """For each true paragraph, the passage most of its words ended up in."""
    gold_words: list[int] = []
    words_g: list[str] = []
    for i, (text, _) in enumerate(gold.paragraphs):
        ws = [w.lower() for w in _WORD.findall(text)]
        words_g += ws
        gold_words += [i] * len(ws)
    words_s: list[str] = []
    owner: list[int] = []
    for j, p in enumerate(passages):
        ws = [w.lower() for w in _WORD.findall(p.text)]
        words_s += ws
        owner += [j] * len(ws)
    votes: list[dict[int, int]] = [{} for _ in gold.paragraphs]
    matcher = difflib.SequenceMatcher(None, words_g, words_s, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            v = votes[gold_words[a + k]]
            v[owner[b + k]] = v.get(owner[b + k], 0) + 1
    shown = []
    for i, (text, _) in enumerate(gold.paragraphs):
        total = len(_WORD.findall(text))
        quoted = sum(n for j, n in votes[i].items() if passages[j].kind == "quote")
        if votes[i] and quoted * 2 > total:
            j = max((j for j in votes[i] if passages[j].kind == "quote"),
                    key=lambda j: votes[i][j])
            shown.append(Shown(True, passages[j].outlet, passages[j].url))
        else:
            shown.append(Shown(False, None, None))
    return shown


@dataclass
class Tally:
    answers: int = 0
    quoted: int = 0          # truly quoted paragraphs
    shown: int = 0           # paragraphs shown as quotes
    hit: int = 0             # both
    url_n: int = 0
    url_ok: int = 0
    multi_n: int = 0
    multi_ok: int = 0
    outlet_n: int = 0        # paragraphs shown as a quote with a source, judged
    outlet_ok: int = 0
    unjudged: int = 0
    quote_n: int = 0         # the same counted once per quote (a false quote: per paragraph)
    quote_ok: int = 0
    named_n: int = 0         # pairs whose paragraph is truly quoted: naming, not detection
    named_ok: int = 0
    multi_quotes: int = 0    # multi-link lead-ins counted per quote
    multi_quotes_ok: int = 0
    withheld: int = 0        # truly quoted, shown as a quote with no source, truth known
    errors: list[str] = field(default_factory=list)

    def add(self, gold: Gold, shown: list[Shown], aliases: dict[str, str], *,
            links: bool = True) -> None:
        """Count one answer. A paragraph is "shown with a source" when the loader gives it
        any source name: a gazetteer entry or a site named by its domain (linked posts and
        file links have none)."""
        self.answers += 1
        by_quote: dict[int, bool] = {}
        multi: dict[int, bool] = {}
        for (text, q), s in zip(gold.paragraphs, shown, strict=True):
            quote = gold.quotes[q] if q is not None else None
            self.quoted += quote is not None
            self.shown += s.quote
            self.hit += s.quote and quote is not None
            if s.quote != (quote is not None):
                what = "missed quote" if quote else "false quote"
                self.errors.append(f"{gold.answer} {what}: {text[:110]}")
            if links and s.quote and quote is not None and quote.url is not None:
                right = (s.url or "") == quote.url
                self.url_n += 1
                self.url_ok += right
                if quote.multi:
                    self.multi_n += 1
                    self.multi_ok += right
                    multi[q] = multi.get(q, True) and right
                if not right:
                    self.errors.append(f"{gold.answer} url {s.url} != {quote.url}")
            if s.quote and not s.outlet and quote is not None and \
                    quote.outlet not in (None, UNJUDGED):
                self.withheld += 1
            if s.quote and s.outlet:
                right = quote.outlet if quote is not None else None
                if right == UNJUDGED:
                    self.unjudged += 1
                    self.errors.append(f"{gold.answer} UNJUDGED q{q} {s.outlet}: {text[:90]}")
                    continue
                self.outlet_n += 1
                ok = same_outlet(s.outlet, right, aliases)
                self.outlet_ok += ok
                if q is None:
                    self.quote_n += 1
                    self.quote_ok += ok
                else:  # a quote is right when all its paragraphs shown with a source are
                    by_quote[q] = by_quote.get(q, True) and ok
                    self.named_n += 1
                    self.named_ok += ok
                if not ok:
                    self.errors.append(f"{gold.answer} outlet {s.outlet} != {right}: "
                                       f"{text[:80]}")
        self.quote_n += len(by_quote)
        self.quote_ok += sum(by_quote.values())
        self.multi_quotes += len(multi)
        self.multi_quotes_ok += sum(multi.values())


# --- the data sets ---------------------------------------------------------------------------

Runner = Callable[[LoadContext], Iterator[tuple[Gold, list[Passage]]]]


# For each answer, other weights for the unmarked path (``--cross-fitted``); none: the committed.
Models = dict[str, Model]


def dump_sets(folder: str, golds: list[Gold], models: Models | None = None) -> dict[str, Runner]:
    def marked(ctx: LoadContext) -> Iterator[tuple[Gold, list[Passage]]]:
        by_url = {g.answer: g for g in golds}
        for thread in load_dump(DATA / "stackexchange" / folder / "Posts.xml", ctx):
            for a in thread.answers:
                if a.url in by_url:
                    yield by_url[a.url], a.passages

    return {f"{folder} marked": marked, f"{folder} unmarked": unmarked_runner(golds, models)}


def question_sets(folder: str, golds: list[Gold]) -> dict[str, Runner]:
    """The dump's questions through the answers' marked path: more lead-ins with several
    links to choose the cited one from (their citations and quotes only; the bot shows a
    question as text, so these rows stay out of the totals)."""
    def marked(ctx: LoadContext) -> Iterator[tuple[Gold, list[Passage]]]:
        from index.attribution import passages_from_blocks
        from index.blocks import html_blocks

        by_url = {g.answer: g for g in golds}
        base = site_base(folder)
        for _, row in ET.iterparse(DATA / "stackexchange" / folder / "Posts.xml"):
            url = f"{base}/q/{row.get('Id')}"
            if row.tag == "row" and url in by_url:
                yield by_url[url], passages_from_blocks(
                    html_blocks(row.get("Body") or ""), ctx.gazetteer, base_url=base,
                    thread_url=f"{base}/questions/{row.get('Id')}")
            row.clear()

    return {f"{folder} questions": marked}


def unmarked_runner(golds: list[Gold], models: Models | None) -> Runner:
    def unmarked(ctx: LoadContext) -> Iterator[tuple[Gold, list[Passage]]]:
        for g in golds:
            yield g, answer_text_passages(g.flattened(), ctx, question=g.question or None,
                                          model=(models or {}).get(g.answer))
    return unmarked


def skeptics_sets(golds: list[Gold], models: Models | None = None) -> dict[str, Runner]:
    def marked(ctx: LoadContext) -> Iterator[tuple[Gold, list[Passage]]]:
        by_id = {g.answer: g for g in golds}
        for thread in load_jsonl(DATA / SKEPTICS, ctx):
            answer_id = thread.key.rsplit("/", 1)[1]
            yield by_id[answer_id], thread.answers[0].passages

    return {"skeptics marked": marked, "skeptics unmarked": unmarked_runner(golds, models)}


def seed_tally(ctx: LoadContext | None = None, seed: Path = SEED) -> Tally:
    """The seed thread against its hand-judged quotes (also checked by the test suite, on
    its own copy of the seed)."""
    ctx = ctx or LoadContext(passage_chars=0)
    gold = seed_gold(seed)
    [thread] = list(load_text(seed, ctx))
    tally = Tally()
    tally.add(gold, align(gold, [p for a in thread.answers for p in a.passages]),
              outlet_aliases())
    return tally


def pool(gold: Gold, shown: list[Shown]) -> Iterator[str]:
    """Quotes shown with an outlet whose right outlet nobody judged yet (pooling: every pair
    a version of the loaders showed gets judged, so that precision never rests on a guess)."""
    done: set[int] = set()
    for i, ((text, q), s) in enumerate(zip(gold.paragraphs, shown, strict=True)):
        if q is None or q in done or gold.quotes[q].outlet != UNJUDGED:
            continue
        lead = gold.paragraphs[i - 1][0] if i and gold.paragraphs[i - 1][1] is None else ""
        if s.quote and s.outlet:
            done.add(q)
            yield (f"{gold.set}\t{gold.answer}\t{q}\toutlet\t?\tshown {s.outlet} | "
                   f"LEAD {lead[-300:]} | QUOTE {text[:200]}")


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:6.1f}%" if den else "     - "


def row(name: str, t: Tally) -> str:
    return (f"{name:<22} {t.answers:>5} {t.quoted:>6} {_pct(t.hit, t.quoted)} "
            f"{_pct(t.hit, t.shown)} {_pct(t.url_ok, t.url_n)} {t.url_n:>4} "
            f"{_pct(t.multi_ok, t.multi_n)} {t.multi_n:>3} {_pct(t.outlet_ok, t.outlet_n)} "
            f"{t.outlet_n:>4} {t.unjudged:>3} {_pct(t.quote_ok, t.quote_n)} {t.quote_n:>4}")


HEADER = (f"{'data set':<22} {'answ':>5} {'quoted':>6} {'recall':>7} {'precis':>7} "
          f"{'URL ok':>7} {'n':>4} {'multi':>7} {'n':>3} {'outlet':>7} {'n':>4} {'unj':>3} "
          f"{'by qte':>7} {'n':>4}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=["held-out", "tuning", "all"], default="held-out")
    parser.add_argument("--errors", type=int, default=0,
                        help="print up to N errors per set (tuning split only)")
    parser.add_argument("--only", help="only the data sets whose name contains this")
    parser.add_argument("--cross-fitted", action="store_true",
                        help="the unmarked path detects quotes with weights fitted without "
                        "the answer's fold (tuning split only; bench.quote_train.fold_models)")
    parser.add_argument("--pool", action="store_true",
                        help="list the quotes (both splits) whose outlet needs a hand judgment")
    args = parser.parse_args(argv)
    if args.errors and args.split != "tuning":
        parser.error("--errors shows mistakes to learn from: only on --split tuning")
    if args.cross_fitted and args.split != "tuning":
        parser.error("--cross-fitted is error analysis on the tuning half: --split tuning")
    if not DATA.is_dir():
        print(f"skipped: no shared data at {DATA}")
        return 0

    ctx = LoadContext(passage_chars=0)  # one passage per paragraph: nothing is packed
    domains, names, aliases = outlet_domains(), outlet_names(), outlet_aliases()
    golds = {f: dump_gold(f) for f in DUMPS}
    questions = {f: dump_gold(f, "1") for f in DUMPS}
    skeptics = skeptics_gold()
    apply_judgments([g for gs in (*golds.values(), *questions.values()) for g in gs] + skeptics,
                    domains)
    models: Models | None = None
    if args.cross_fitted:
        from bench.quote_train import fold_models
        models = fold_models()
    sets: dict[str, Runner] = {}
    for folder in DUMPS:
        sets.update(dump_sets(folder, golds[folder], models))
    sets.update(skeptics_sets(skeptics, models))
    for folder in DUMPS:
        sets.update(question_sets(folder, questions[folder]))

    if args.pool:
        for name, run in sets.items():
            for gold, passages in run(ctx):
                for line in pool(gold, align(gold, passages)):
                    print(f"{name}\t{line}")
        return 0

    keep = {"held-out": lambda g: held_out(g.answer), "tuning": lambda g: not held_out(g.answer),
            "all": lambda g: True}[args.split]
    with DEFAULT_GAZETTEER.open("rb") as f:
        entries = len(tomllib.load(f).get("outlet", []))
    print(f"split: {args.split}   gazetteer: {entries} entries, {len(names)} of them can be a "
          "quote's source (the others are Q&A sites and file hosts)")
    print(HEADER)
    print(row("seed (all of it)", seed_tally()))
    totals = {"marked": Tally(), "unmarked": Tally(), "questions": Tally()}
    for name, run in sets.items():
        if args.only and args.only not in name:
            continue
        tally = Tally()
        for gold, passages in run(ctx):
            if keep(gold):
                tally.add(gold, align(gold, passages), aliases,
                          links=not name.endswith(" unmarked"))
        print(row(name, tally))
        total = totals[name.rsplit(" ", 1)[1]]
        for f in Tally.__dataclass_fields__:
            if f != "errors":
                setattr(total, f, getattr(total, f) + getattr(tally, f))
        for line in tally.errors[: args.errors]:
            print("   ", line)
    for kind, total in totals.items():
        print(row(f"all {kind}", total))
    marked, unmarked, asked = totals["marked"], totals["unmarked"], totals["questions"]
    print(f"\nmulti-link lead-ins counted per quote: URL right {marked.multi_quotes_ok} of "
          f"{marked.multi_quotes} quotes of answers; with the questions' "
          f"{marked.multi_quotes_ok + asked.multi_quotes_ok} of "
          f"{marked.multi_quotes + asked.multi_quotes} (by paragraph "
          f"{_pct(marked.multi_ok + asked.multi_ok, marked.multi_n + asked.multi_n).strip()} of "
          f"{marked.multi_n + asked.multi_n})")
    print("outlet pairs (paragraphs): shown with a source / right / right source known but "
          f"not shown: marked {marked.outlet_n} / {marked.outlet_ok} / {marked.withheld}, "
          f"unmarked {unmarked.outlet_n} / {unmarked.outlet_ok} / {unmarked.withheld}")
    print("naming alone (pairs whose paragraph is truly quoted; detection errors left out): "
          f"marked{_pct(marked.named_ok, marked.named_n)} ({marked.named_n}), "
          f"unmarked{_pct(unmarked.named_ok, unmarked.named_n)} ({unmarked.named_n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
