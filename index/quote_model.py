"""Which paragraphs of an unmarked answer read as quoted: a small logistic model.

Without marks (a page scraped to plain text), a colon introduces the answerer's own list as
often as a quote, so the lead-in alone cannot tell. The paragraph's own style can: a source
writes in the third person and past tense, with dates, names, "said", citations like "[1]"; an
answerer writes "I think", "you", asks questions, talks of the question, the claim, the
answer. Each paragraph gets features of its own words and style, of its neighbours' and of the
lead-in before it, and one logistic model scores them. The weights are learnt by
``bench/quote_train.py`` on the tuning half of ``make attribution``'s ground truth and stored in
``quote_model.json``; this module only reads them (no scikit-learn at build time).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from .attribution import classify, is_title_or_reference, only_asks
from .lead_ins import (
    answerer_speaks,
    is_back_reference,
    is_lead_in,
    lead_in_outlet,
    speaks_in_first_person,
)
from .model import CHATBOT_REPLY, CLAIM, OTHER_ANSWER, PROMPT, QUESTION, Passage, Thread
from .outlets import Gazetteer
from .sentences import last_sentence
from .voices import (
    ABOUT_CHATBOTS,
    answerer_material,
    introduces_claim,
    names_claim_above,
    transcript_speaker,
)

MODEL = Path(__file__).with_name("quote_model.json")
# The rules' named evidence is overruled where the model scores the paragraph below this: a
# news lead-in's run carried on into "However, ..." or "It seems ...". Picked on the tuning
# half's cross-validation (0.15 and 0.3 tried; 0.3 kept more recall at the same precision).
VETO = 0.3

_TOKEN = re.compile(r"[a-z]+(?:['’][a-z]+)?|\d+")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
_CITE = re.compile(r"\[\d+\]|\[citation needed\]|[a-z][.,;]?\d{1,2}(?:,\d{1,2})*(?=\s|$)")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
_MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|"
                    r"October|November|December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\b")
_PERCENT = re.compile(r"\d\s?%|\bper\s?cent\b")
def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Word classes, looked up in the paragraph's words (lower-cased, outside quotation marks but
# for "said"): a set lookup is many times faster than an alternation searched in the text.
_SAID = _set("said says told reported stated added explained according")
_WE = _set("we our us ourselves")
_YOU = _set("you your yours yourself")
_HEDGE = _set("think believe guess probably perhaps maybe seem seems suspect imho imo "
                   "personally honestly actually basically anyway")
_SITE = _set("question questions answer answers answered asker op post posts edit edited "
                  "upvote downvote vote votes voted tag tags meta site community moderator "
                  "moderators mod mods comment comments flag flagged close closed reopen chat "
                  "stackexchange claim claims skeptic skeptics")
_LINKISH = re.compile(r"https?://|www\.|\.com\b|\.org\b")
_ELLIPSIS = re.compile(r"\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…")
_CAPITAL = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+")
_DIGIT = re.compile(r"\d")


def _bucket(n: float, edges: Sequence[float]) -> int:
    return sum(n >= e for e in edges)


def style(text: str) -> dict[str, float]:
    """Features of one paragraph's own words: what a source's prose and an answerer's differ
    in."""
    stripped = text.strip()
    outside = _QUOTED.sub(" ", stripped)
    words = stripped.split()
    n = max(len(words), 1)
    tokens = _TOKEN.findall(stripped.lower())
    mine = set(_TOKEN.findall(outside.lower()))
    f: dict[str, float] = {
        f"len{_bucket(len(words), (4, 10, 20, 40, 80, 160))}": 1.0,
        "first_person": float(speaks_in_first_person(stripped)),
        "answerer": float(answerer_speaks(stripped)),
        "we": float(not _WE.isdisjoint(mine)),
        "you": float(not _YOU.isdisjoint(mine)),
        "question": float(stripped.endswith("?")),
        "qmark": float("?" in outside),
        "hedge": float(not _HEDGE.isdisjoint(mine)),
        "site": min(sum(t in _SITE for t in tokens if t in mine), 3) / 3,
        "contraction": float(any("'" in t or "’" in t for t in mine)),
        "quotes": float(bool(_QUOTED.search(stripped))),
        "starts_quote": float(stripped[:1] in "\"“'‘"),
        "cite": float(bool(_CITE.search(stripped))),
        "year": min(len(_YEAR.findall(stripped)), 3) / 3,
        "month": float(bool(_MONTH.search(stripped))),
        "percent": float(bool(_PERCENT.search(stripped))),
        "said": float(not _SAID.isdisjoint(tokens)),
        "link": float(bool(_LINKISH.search(stripped))),
        "ellipsis": float(bool(_ELLIPSIS.search(stripped))),
        "starts_ellipsis": float(bool(_ELLIPSIS.match(stripped))),
        "starts_lower": float(stripped[:1].islower()),
        "starts_paren": float(stripped[:1] in "(["),
        "ends_colon": float(stripped.endswith(":")),
        "ends_stop": float(stripped[-1:] in ".!\"”'’)"),
        "list": float(stripped.startswith(("•", "-", "*")) or bool(re.match(r"\d+[.)]\s",
                                                                           stripped))),
        "past": min(sum(len(t) > 4 and t.endswith("ed") for t in tokens) / n * 10, 1.0),
        "capitals": min(len(_CAPITAL.findall(stripped)) / n * 4, 1.0),
        "digits": min(len(_DIGIT.findall(stripped)) / n, 1.0),
        "title_ref": float(is_title_or_reference(stripped)),
        "back_ref": float(is_back_reference(stripped)),
    }
    return f


def _words(text: str, prefix: str) -> dict[str, float]:
    tokens = _TOKEN.findall(text.lower())
    f: dict[str, float] = {}
    for t in tokens:
        f[f"{prefix}{t}"] = 1.0
    for a, b in pairwise(tokens):
        f[f"{prefix}{a}_{b}"] = 1.0
    return f


@dataclass
class _Para:
    text: str
    lead: bool
    named: bool
    style: dict[str, float]


def features(paragraphs: Sequence[str], gazetteer: Gazetteer,
             ruled: Sequence[Passage] | None = None) -> list[dict[str, float]]:
    """The model's features of each paragraph of one answer; ``ruled``: what the lead-in
    rules (``index.attribution.classify``) made of them, if already known."""
    paras = []
    for text in paragraphs:
        lead = is_lead_in(text, gazetteer)
        named = lead and lead_in_outlet(text, gazetteer) is not None
        paras.append(_Para(text, lead, named, style(text)))
    if ruled is None:
        ruled = classify(paragraphs, gazetteer)
    out = []
    since = 99  # paragraphs since the last lead-in
    for i, p in enumerate(paras):
        f: dict[str, float] = {"bias": 1.0}
        f.update(p.style)
        f.update(_words(p.text, "w:"))
        tail = p.text.rstrip()[-40:].lower()
        f.update({f"end:{t}": 1.0 for t in _TOKEN.findall(tail)[-2:]})
        f["lead"] = float(p.lead)
        f["rule"] = float(ruled[i].kind == "quote")
        f["rule_outlet"] = float(ruled[i].outlet is not None)
        f["p:rule"] = float(i > 0 and ruled[i - 1].kind == "quote")
        f["first"] = float(i == 0)
        f["last"] = float(i == len(paras) - 1)
        f["alone"] = float(len(paras) == 1)
        if i:
            prev = paras[i - 1]
            f.update({f"p:{k}": v for k, v in prev.style.items()})
            f["p:lead"] = float(prev.lead)
            f["p:named"] = float(prev.named)
            f.update({f"pend:{t}": 1.0 for t in _TOKEN.findall(prev.text.rstrip()[-40:]
                                                                .lower())[-2:]})
            f.update({f"pw:{t}": 1.0 for t in _TOKEN.findall(prev.text[-120:].lower())[-12:]})
        else:
            f["p:none"] = 1.0
        if i + 1 < len(paras):
            nxt = paras[i + 1]
            f.update({f"n:{k}": v for k, v in nxt.style.items()})
            f["n:lead"] = float(nxt.lead)
            f.update({f"nw:{t}": 1.0 for t in _TOKEN.findall(nxt.text[:60].lower())[:6]})
        else:
            f["n:none"] = 1.0
        f[f"since{min(since, 4)}"] = 1.0
        since = 0 if p.lead else since + 1
        out.append(f)
    return out


@dataclass(frozen=True)
class Model:
    """Logistic weights over ``features``; a paragraph is quoted at ``threshold`` or above."""

    weights: dict[str, float]
    threshold: float

    @classmethod
    def load(cls, path: Path = MODEL) -> Model:
        return _load(path)

    def scores(self, paragraphs: Sequence[str], gazetteer: Gazetteer,
               ruled: Sequence[Passage] | None = None) -> list[float]:
        return [_logistic(self.weights, f) for f in features(paragraphs, gazetteer, ruled)]


# A paragraph wholly in quotation marks, or quoted speech and who said it ("...," Abdul Mahdi
# said in a statement.).
_ENCLOSED = re.compile(r'^(?:"[^"]*"|“[^“”]*”)(?:[.)]|\s+[^"“”]{0,60}\b(?:said|says|added|'
                       r'adds|wrote|writes|told)\b[^"“”]{0,40})?$')


def named_evidence(paragraphs: Sequence[str], ruled: Sequence[Passage],
                   gazetteer: Gazetteer) -> list[bool]:
    """Quotes the lead-in rules found on evidence the model does not weigh: a lead-in naming
    a news outlet, a run the answerer closes by citing a news outlet by name ("Furthermore,
    Reuters has published ..."), a paragraph wholly in quotation marks (``_ENCLOSED``)."""
    def news(text: str) -> bool:
        named = lead_in_outlet(text, gazetteer)
        return named is not None and gazetteer.kind_of(named) == "news"

    kept = [False] * len(ruled)
    i = 0
    while i < len(ruled):
        if ruled[i].kind != "quote":
            i += 1
            continue
        j = i
        while j + 1 < len(ruled) and ruled[j + 1].kind == "quote" and \
                ruled[j + 1].lead_in == ruled[i].lead_in:
            j += 1
        outlet = ruled[i].outlet
        closed = j + 1 < len(ruled) and is_lead_in(paragraphs[j + 1], gazetteer) and \
            news(paragraphs[j + 1])
        for k in range(i, j + 1):
            kept[k] = closed or (outlet is not None and gazetteer.kind_of(outlet) == "news") \
                or bool(_ENCLOSED.match(paragraphs[k].strip()))
        i = j + 1
    return kept


_WORD = re.compile(r"\w+")


def quotes_question(paragraphs: Sequence[str], question: str | None) -> list[bool]:
    """Which paragraphs repeat the thread's question word for word (at least four words, and
    not a lead-in ending in ":"): the answerer quoting what was asked, marks or not."""
    if not question or not question.strip():
        return [False] * len(paragraphs)
    asked = f" {' '.join(_WORD.findall(question.lower()))} "
    found = []
    for text in paragraphs:
        words = _WORD.findall(text.lower())
        found.append(len(words) >= 4 and not text.rstrip().endswith(":")
                     and f" {' '.join(words)} " in asked)
    return found


def mark_question_quotes(thread: Thread) -> None:
    """Give the ``QUESTION`` source kind to every quote that cites nothing and only repeats
    the thread's question (or its title) word for word, or only asks a question (one sentence
    ending in "?", another thread's or the claim's: "Is there any scientific evidence that
    marijuana has any effect on lobsters?"): what was asked, marked or not. It is no evidence,
    and no source should be claimed for it."""
    for answer in thread.answers:
        for p in answer.passages:
            if p.kind == "quote" and p.outlet is None and p.url is None and (
                    only_asks(p.text) or any(quotes_question([p.text], asked)[0]
                                             for asked in (thread.question, thread.title))):
                p.source_kind = QUESTION


# Where a quote leaves words out: "[...]", "...", "…".
_ELLIPSIS = re.compile(r"\[\s*(?:\.\s*){3}\]|\.\s*\.\s*\.|…")
# Whom a quoted comment or answer was addressed to, or who wrote it: "@name ", "name: ".
_ADDRESSED = re.compile(r"^\s*(?:@[\w.-]+:?|\w+:)\s+")
# Fewer words than this in all, or in one piece between ellipses, prove nothing: two answers
# may both quote the same title ("Time it takes to build siege engines", history-meta 636).
THREAD_QUOTE_WORDS = 8
_PIECE_WORDS = 4


def mark_thread_quotes(thread: Thread) -> None:
    """Give the ``OTHER_ANSWER`` source kind to every quote that cites nothing and whose
    words (at least ``THREAD_QUOTE_WORDS``, every piece between its ellipses) another answer
    of the thread says in its own words: an answerer quoting a fellow answerer to rebut it
    (review7 D1: history-meta answer 3795 block-quotes four paragraphs of answer 3792, and
    the bot showed them as a sourced "Quote" and again as 3792's own words)."""
    own = [" " + " ".join(_WORD.findall(" ".join(p.text for p in a.passages
                                                 if p.kind == "answer").lower())) + " "
           for a in thread.answers]
    for i, answer in enumerate(thread.answers):
        # Only an earlier answer can be quoted: two answers that quote the same titles or
        # documents (history-meta 636's lists of questions) do not quote each other.
        others = [text for j, text in enumerate(own) if j != i and _earlier(
            thread.answers[j].date, answer.date)]
        if not others:
            continue
        for p in answer.passages:
            if p.kind != "quote" or p.outlet is not None or p.url is not None or \
                    p.source_kind or p.text.rstrip().endswith("?"):
                continue  # a question quoted is another thread's, or the claim's, as often
            text = _ADDRESSED.sub("", p.text)  # "@sempaiscuba The most obvious ..."
            pieces = [_WORD.findall(piece.lower()) for piece in _ELLIPSIS.split(text)]
            pieces = [w for w in pieces if len(w) >= _PIECE_WORDS]
            if sum(map(len, pieces)) < THREAD_QUOTE_WORDS:
                continue
            if any(all(f" {' '.join(w)} " in text for w in pieces) for text in others):
                p.source_kind = OTHER_ANSWER


def mark_answerer_material(thread: Thread) -> None:
    """Give the ``PROMPT`` or ``CHATBOT_REPLY`` source kind to every quote that cites
    nothing and whose lead-in calls it a prompt or a chatbot's reply
    (``index.voices.answerer_material``; review7 D7: "Summarize https://..." under "I
    used the prompt on Bard:" and ChatGPT's output under "ChatGPT:" were shown as quotes of a
    source the answerer had not named)."""
    kinds = {"prompt": PROMPT, "chatbot_reply": CHATBOT_REPLY}
    for answer in thread.answers:
        about = ABOUT_CHATBOTS.search(
            " ".join([thread.title, *(p.text for p in answer.passages)])) is not None
        before: Passage | None = None
        for p in answer.passages:
            if p.kind == "quote" and p.outlet is None and p.url is None and not p.source_kind:
                found = answerer_material(p.lead_in, about) or transcript_speaker(p.text, about)
                if found:
                    p.source_kind = kinds[found]
                elif before is not None and before.kind == "quote" \
                        and before.source_kind == CHATBOT_REPLY \
                        and p.lead_in in (None, before.lead_in):
                    # A reply set as several blockquotes, nothing between them, or one cut
                    # into several passages, labels its first only ("assistant: A stable
                    # environment is ...": review10 D2). Not after a prompt: what follows
                    # one unlabelled is as likely its reply (review11).
                    p.source_kind = CHATBOT_REPLY
            before = p


def mark_claims(thread: Thread) -> None:
    """Give the ``CLAIM`` source kind to every quote whose lead-in introduces it as the claim
    under examination (``index.voices.introduces_claim``), or whose next paragraph
    calls it so (``names_claim_above``), whatever it cites: shown
    above a Skeptics answer's verdict as if evidence, Wikipedia's "In 2012, Thabet developed a
    formula ..." told readers the opposite of the answer's "NO!" (review9 D1). Quotes already
    known to be no source (the question, another answer, a prompt, a reply) keep their kind."""
    for answer in thread.answers:
        passages = answer.passages
        for i, p in enumerate(passages):
            if p.kind == "quote" and p.source_kind not in _NO_EVIDENCE \
                    and (introduces_claim(p.lead_in) or _translates_a_claim(passages[:i], p)):
                p.source_kind = CLAIM
            elif p.kind == "answer" and names_claim_above(p.text):
                # The quote above it, all of it, where nothing introduces it (a quote led in
                # by "A 2010 study found:" is that study's, whatever follows: review11).
                j = i - 1
                while j >= 0 and passages[j].kind == "quote" and passages[j].lead_in is None \
                        and passages[j].source_kind not in _NO_EVIDENCE:
                    passages[j].source_kind = CLAIM
                    j -= 1


_NO_EVIDENCE = frozenset({QUESTION, OTHER_ANSWER, PROMPT, CHATBOT_REPLY, "linked_post"})
# "A rough translation of this is", "Translated:": the quote after it is the quote before it
# in another language.
_TRANSLATION = re.compile(r"\btranslat(?:ion|ed|ing)\b", re.IGNORECASE)


def _translates_a_claim(before: Sequence[Passage], quote: Passage) -> bool:
    """The quote is the answerer's translation of the claim quoted just before it (review12:
    Skeptics 44309's 1930 French newspaper claim, its English shown as an unnamed source's
    quote, read as evidence). Only the claim's kind carries over, never an outlet: a
    translation is not the outlet's words."""
    if not quote.lead_in or not _TRANSLATION.search(last_sentence(quote.lead_in)):
        return False
    earlier = next((b for b in reversed(before) if b.kind == "quote"), None)
    return earlier is not None and earlier.source_kind == CLAIM


def _earlier(one: str | None, other: str | None) -> bool:
    """``one`` was written before ``other`` (ISO 8601 dates compare as text); unknown: no."""
    return bool(one and other) and (one or "") < (other or "")


def unmarked_passages(paragraphs: Sequence[str], gazetteer: Gazetteer,
                      model: Model | None = None, *,
                      question: str | None = None) -> list[Passage]:
    """One passage per paragraph of an answer whose quotes are not marked: quoted where the
    model scores it at its threshold or above, where the lead-in rules quote it on named
    evidence (``named_evidence``) and the model scores it at least ``VETO``, or where it
    repeats the thread's ``question`` (``quotes_question``); else the answerer's words
    (precision first).
    A quote of the question cites no source. Another quote the lead-in rules also found
    keeps their outlet and lead-in; the rest take as lead-in the answerer's paragraph before
    their run, and that paragraph's outlet when it cites one."""
    model = model or Model.load()
    ruled = classify(paragraphs, gazetteer)
    kept = named_evidence(paragraphs, ruled, gazetteer)
    asked = quotes_question(paragraphs, question)
    quoted = [(k and s >= VETO) or s >= model.threshold or a for k, s, a in
              zip(kept, model.scores(paragraphs, gazetteer, ruled), asked, strict=True)]
    passages = []
    for i, (rule, quote) in enumerate(zip(ruled, quoted, strict=True)):
        if not quote:
            passages.append(Passage("answer", rule.text))
        elif asked[i]:
            j = i - 1
            while j >= 0 and quoted[j]:
                j -= 1
            lead = paragraphs[j] if j >= 0 and is_lead_in(paragraphs[j], gazetteer) else None
            passages.append(Passage("quote", rule.text, lead_in=lead))
        elif rule.kind == "quote":
            passages.append(rule)
        else:
            j = i - 1
            while j >= 0 and quoted[j]:
                j -= 1
            lead = paragraphs[j] if j >= 0 and is_lead_in(paragraphs[j], gazetteer) else None
            outlet = lead_in_outlet(lead, gazetteer) if lead else None
            passages.append(Passage("quote", rule.text, outlet=outlet, lead_in=lead))
    return passages


def _logistic(weights: dict[str, float], f: dict[str, float]) -> float:
    z = sum(weights.get(k, 0.0) * v for k, v in f.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


@cache
def fingerprint(path: Path = MODEL) -> str:
    """The weights file's hash: a build that used other weights reads its files again."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def _load(path: Path) -> Model:
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model(data["weights"], float(data["threshold"]))
