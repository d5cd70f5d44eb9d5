"""How well a passage answers a question, on a scale that means the same for every question
and corpus: 0 (none of the question's words) to 1 (every word, saturated).

A raw BM25 score grows with the number of query words and with their rarity in the corpus at
hand, so no threshold on it holds across questions. This is an idf-weighted mean, over the
question's own words, of each word's BM25-saturated frequency in the passage, ``tf / (tf +
k1)`` (Robertson & Zaragoza, 2009, "The Probabilistic Relevance Framework: BM25 and Beyond",
section 3.3): 0.4 for a word met once, 0.57 twice, tending to 1. The frequency is recovered from
the stored impact without BM25's length normalisation: a passage is indexed with its thread's
title and question, and a thread with a long question would otherwise make all its passages
look less relevant. A word the corpus has never seen counts with the idf of a word in no
passage, so a question about something the corpus does not hold scores low however well its
common words match. A spelling variant stands for the word it varies at its similarity.

Only the question's words count, not the pseudo-relevance feedback terms: those come from the
best passages themselves, and would make any question look answered. The measure filters
what the ranking found; it never reorders it.

Words alone miss a passage that answers in other words ("little finger" for "pinky"). When the
hybrid ranking found the passages, ``with_meaning`` folds in the cosine similarity of the
passage's vector to the question's, calibrated for the model (``MEANING``): ``(cosine - zero)
/ (1 - zero)``, weighted beside the words' measure. The result keeps the 0-to-1 scale and the
threshold ``[answers] min_relevance`` keeps its meaning on both paths.

A passage close in meaning can still be about a neighbouring subject ("the tallest building in
the world" and a thread on the Tower of Babel). In a Q&A corpus the thread's title is the
question its passages answer, so meaning also asks the thread: the cosine of the title's vector
to the question's counts beside the passage's (``MeaningScale.title_share``), and a passage of a
thread whose title is far from the question (``title_floor``) counts only when the passage
itself is very close (``alone``). Both are properties of the question and the thread alone, not
of the corpus around them, so the scale still means the same in any corpus.

A neighbour can pass the thread's test too: "is it safe to eat sushi while pregnant?" and a
thread on which days to order sushi are close in meaning, title and passage alike, because most
of the question is about sushi. What the passage leaves out shows when one word is taken out
of the question: "is it safe to eat sushi while?" is closer to that passage than the whole
question is. So each of the question's words is left out in turn (``question_parts``, the
rarest ``PARTS``), and the most a passage's cosine rises on any of them (``pull``: the word the
passage does not address) counts against its similarity, ``MeaningScale.pull`` times. A passage
that answers the question loses similarity whichever word is taken out.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .bm25 import floor_negative_idf, okapi_idf
from .embedding import DEFAULT_MODEL
from .tokenize import fold

# The question's words left out in turn to find what a passage leaves out: the rarest this many.
PARTS = 3
_WORD = re.compile(r"[^\W_]+")
# (term) -> its postings: ascending document numbers and their BM25 impacts.
PostingsOf = Callable[[str], tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]]


@dataclass(frozen=True, slots=True)
class Option:
    """Index terms that can stand for a question's word, all needed at once (more than one
    when the question joins what the corpus writes apart: "superfood", "super-food"), with
    their idf, at a strength (1, or a spelling variant's similarity)."""

    terms: tuple[tuple[str, float], ...]
    strength: float = 1.0


@dataclass(frozen=True, slots=True)
class Word:
    """One distinct word of the question: its weight, and the ways the index can match it."""

    weight: float
    options: tuple[Option, ...]
    # The word as the index writes it (folded and stemmed, ``Tokenizer``).
    term: str = ""

    @property
    def terms(self) -> list[str]:
        return [t for o in self.options for t, _ in o.terms]


class IdfTable:
    """Each term's idf as the stored impacts used it (negative idf floored as rank-bm25 does),
    and the idf of a word in no passage."""

    def __init__(self, vocabulary: dict[str, int], offsets: npt.NDArray[np.int64], n_docs: int,
                 epsilon: float) -> None:
        self._vocabulary = vocabulary
        df = np.diff(offsets)
        self._idf = floor_negative_idf(okapi_idf(n_docs, df), epsilon)
        self.unseen = float(okapi_idf(n_docs, np.zeros(1, np.int64))[0]) if n_docs else 0.0

    def __call__(self, term: str) -> float | None:
        row = self._vocabulary.get(term)
        return None if row is None else float(self._idf[row])


def question_words(terms: Sequence[str], idf: IdfTable,
                   variants: Callable[[str], list[tuple[str, float]]] | None = None,
                   joined: dict[str, list[str]] | None = None) -> list[Word]:
    """The question's distinct words, with the index terms that can match each: the word
    itself, its spelling ``variants`` (term -> (variant, similarity)), the index terms it
    forms ``joined`` with a neighbour ("hay fever" -> "hayfever"), and, for a word the index
    has never seen, two index terms it splits into ("superfood" -> "super" + "food")."""
    words = []
    for term, count in Counter(terms).items():
        own = idf(term)
        options = [Option(((term, own),))] if own is not None else []
        for variant, similarity in variants(term) if variants else []:
            if (v_idf := idf(variant)) is not None:
                options.append(Option(((variant, v_idf),), similarity))
        for whole in (joined or {}).get(term, []):
            if (w_idf := idf(whole)) is not None:
                options.append(Option(((whole, w_idf),)))
        if own is None:
            options.extend(_splits(term, idf))
        # How much the word tells: its own idf, or, unseen, that of a word in no passage.
        weight = count * (own if own is not None else idf.unseen)
        words.append(Word(weight, tuple(options), term))
    return words


def _splits(term: str, idf: IdfTable, shortest: int = 3) -> list[Option]:
    options = []
    for at in range(shortest, len(term) - shortest + 1):
        head, tail = idf(term[:at]), idf(term[at:])
        if head is not None and tail is not None:
            options.append(Option(((term[:at], head), (term[at:], tail))))
    return options


def relevance(docs: npt.NDArray[np.integer], words: Sequence[Word], postings: PostingsOf,
              k1: float, norms: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each of ``docs``' relevance to the question of ``words``, in [0, 1]; ``norms`` are the
    documents' BM25 length normalisations, ``1 - b + b * length / average length``."""
    total = sum(w.weight for w in words)
    out = np.zeros(len(docs), dtype=np.float64)
    if total <= 0 or not len(docs):
        return out
    docs = np.asarray(docs, dtype=np.int64)
    shares: dict[str, npt.NDArray[np.float64]] = {}

    def share_of(term: str, term_idf: float) -> npt.NDArray[np.float64]:
        if term not in shares:
            share = np.zeros(len(docs), dtype=np.float64)
            if term_idf > 0:
                term_docs, impacts = postings(term)
                # In the postings' type: int64 keys would copy the whole row (a common word's
                # million postings: about a millisecond, for each term and candidate list).
                at = np.searchsorted(term_docs, docs.astype(term_docs.dtype))
                found = at < len(term_docs)
                found[found] = term_docs[at[found]] == docs[found]
                # impact = idf * s, s = tf * (k1 + 1) / (tf + k1 * norm): solved for tf.
                s = impacts[at[found]].astype(np.float64) / term_idf
                if k1 > 0:
                    tf = s * k1 * norms[found] / np.maximum(k1 + 1 - s, 1e-9)
                    share[found] = tf / (tf + k1)
                else:  # no saturation: any occurrence is all the word can give
                    share[found] = 1.0
            shares[term] = share
        return shares[term]

    for word in words:
        best = np.zeros(len(docs), dtype=np.float64)
        for option in word.options:
            # A split word counts as far as its weaker half does.
            parts = [share_of(t, i) for t, i in option.terms]
            best = np.maximum(best, option.strength * np.minimum.reduce(parts))
        out += word.weight * best
    return np.clip(out / total, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class MeaningScale:
    """How a model's cosine similarity counts in ``relevance`` (``with_meaning``): the cosine
    at which meaning adds nothing (``zero``) and at which it counts in full (``full``), linear
    between; and its ``weight`` beside the words' measure (which weighs ``1 - weight``)."""

    zero: float
    full: float
    weight: float
    # The thread's evidence: the share of its title's cosine in the similarity (the passage's
    # weighs the rest); below ``title_floor`` a passage counts only from a cosine of ``alone``.
    title_share: float = 0.0
    title_floor: float = -1.0
    alone: float = 1.0
    # How much a passage's cosine rising when one of the question's words is left out counts
    # against it (0: not at all; the parts are then never embedded).
    pull: float = 0.0

    def __call__(self, similarity: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
        return np.clip((np.asarray(similarity, dtype=np.float64) - self.zero)
                       / (self.full - self.zero), 0.0, 1.0)


# Calibrations by model. all-MiniLM-L6-v2's: the pull is off. With it (WITH_PULL: 2, the 3
# rarest words left out, zero 0.14, chosen on every question written before "unseen4": 228/245
# on-topic and 205/211 off-topic answered right there, against 228 and 199 without), the
# held-out "unseen4" got 59/61 and 42/54 against 58/61 and 42/54 without: no off-topic answer
# gained, for 3 more sentences to embed with every question (4-18 ms on a loaded machine), a
# cost issue 13's latency target (25 ms median at a million passages) has no room for. The
# rest was chosen on the questions of `make answers`
# written before "unseen3" (bench/answers_questions.toml: tune, held-out, fresh, unseen, unseen2
# and tune2, 195 on-topic and 163 off-topic; README "Answers"), with the threshold kept at
# 0.35: the title's share 0.3, its floor 0.44 (0.42 to 0.46, and alone from 0.6 to 0.7, give
# the same answers there) and zero 0.18: 179/195 on-topic and 155/163 off-topic answered right
# there, against 174 and 153 without the thread's evidence (zero 0.2). Meaning alone (no word
# in common, title and passage alike) passes from a cosine of 0.54; the words alone never do
# (they weigh 0.2). A model without a calibration here counts words only.
MEANING = {DEFAULT_MODEL: MeaningScale(zero=0.18, full=1.0, weight=0.8, title_share=0.3,
                                       title_floor=0.44, alone=0.65)}
WITH_PULL = {DEFAULT_MODEL: MeaningScale(zero=0.14, full=1.0, weight=0.8, title_share=0.3,
                                         title_floor=0.44, alone=0.65, pull=2.0)}


def question_parts(question: str, words: Sequence[str], weight: Callable[[str], float]
                   ) -> list[str]:
    """The question with each of its distinct ``words`` (folded, as ``Tokenizer.words`` gives
    them) left out in turn, every occurrence: for the ``PARTS`` words of most ``weight``."""
    distinct = list(dict.fromkeys(words))
    chosen = sorted(distinct, key=lambda w: -weight(w))[:PARTS]
    spans = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(question)]
    parts = []
    for word in sorted(chosen, key=distinct.index):
        text = question
        for start, end, folded in reversed(spans):
            if folded == word:
                text = text[:start] + text[end:]
        if text != question:
            parts.append(" ".join(text.split()))
    return parts


def pull(similarity: npt.NDArray[np.floating], parts: npt.NDArray[np.floating]
         ) -> npt.NDArray[np.float64]:
    """For each passage, the most its cosine rises when one of the question's words is left
    out (0 when none raises it): ``parts`` holds each part's cosines, a row a part."""
    base = np.asarray(similarity, dtype=np.float64)
    if not len(parts):
        return np.zeros_like(base)
    rise: npt.NDArray[np.float64] = np.maximum(
        (np.asarray(parts, dtype=np.float64) - base).max(axis=0), 0.0)
    return rise


def with_meaning(lexical: npt.NDArray[np.floating], similarity: npt.NDArray[np.floating],
                 scale: MeaningScale, title_similarity: npt.NDArray[np.floating] | None = None,
                 pulled: npt.NDArray[np.floating] | None = None) -> npt.NDArray[np.float64]:
    """The relevance of passages the hybrid ranking found: the words' measure and the
    calibrated similarity, weighted; still from 0 to 1. ``title_similarity``: the cosine of
    each passage's thread title to the question (None: the passage's own stands for it);
    ``pulled``: each passage's ``pull`` (None: none), which lowers both cosines."""
    words = np.asarray(lexical, dtype=np.float64)
    passage = np.asarray(similarity, dtype=np.float64)
    title = passage if title_similarity is None else np.asarray(title_similarity, np.float64)
    if pulled is not None and scale.pull:
        lowered = scale.pull * np.asarray(pulled, dtype=np.float64)
        passage, title = passage - lowered, title - lowered
    meaning = (1 - scale.title_share) * passage + scale.title_share * title
    out = np.clip((1 - scale.weight) * words + scale.weight * scale(meaning), 0.0, 1.0)
    return np.where((title >= scale.title_floor) | (passage >= scale.alone), out, 0.0)


def rarest_word(words: Sequence[Word]) -> Word | None:
    """The question's word of most weight (idf) that the index can match at all: the term a
    passage must hold to be about what the question asks (None: no such word)."""
    weights = np.array([w.weight for w in words])
    # numpy's order among equal weights, as the gate was fitted with.
    order = [int(i) for i in np.argsort(-weights) if words[int(i)].options]
    return words[order[0]] if order else None


# The candidates, best ranked first, whose sentences the gate reads (``sentence``; at most
# ``index.sentences.SENTENCES`` in each): embedding is the cost, and only sentences holding the
# question's rarest word are embedded (none for a passage without it).
SENTENCE_HEAD = 5


# A question asking what a term is or means ("what is ikejime?", "whats tit for tat", "who
# was al-Muhandis?", "what does few-shot mean?"): its answer is often one sentence inside a
# broader thread, whose title is far from the question.
DEFINITION = re.compile(r"^\s*(what|whats|what's|what’s|who)\s*(is|are|'s|’s|s|was|were)\b"
                        r"|^\s*(define|definition|meaning)\b|\bwhat (does|do)\b.*\bmean\b",
                        re.IGNORECASE)


# A question asking for a figure (a year, a count or amount, a measure): a neighbour sharing the
# thread's subject but asking a figure the thread never gives ("what year did Hormel first
# sell Spam", "how high was the Fukushima tsunami") holds none of that kind (h21gate).
FIGURE_ASKS = (
    ("year", re.compile(r"\b(what|which) year\b|\bwhen (did|was|were|is|will|does|do|had|has)\b"
                        r"|\bhow long ago\b|\bwhat date\b|\bsince when\b|\bwhat (century|decade)\b",
                        re.IGNORECASE)),
    ("measure", re.compile(r"\bhow (tall|high|big|large|long|old|far|deep|heavy|fast|hot|cold|wide"
                           r"|thick|loud|strong|small|short|low)\b", re.IGNORECASE)),
    ("count", re.compile(r"\bhow (many|much)\b|\bwhat (percentage|percent|proportion|share|"
                         r"fraction|number|amount|age)\b|\bdeath toll\b|\bnet worth\b"
                         r"|\bhow (often|frequently)\b", re.IGNORECASE)),
)
# What holds a figure of each kind: a year or a dated month; any digit or number word; a
# number with a unit (a measure is a number of something). A sum of money counts for both.
FIGURE_HELD = {
    "year": re.compile(r"\b(1[0-9]\d\d|20\d\d)s?\b|\b(january|february|march|april|may|june"
                       r"|july|august|september|october|november|december)\s+\d", re.IGNORECASE),
    "count": re.compile(r"\d|\b(hundred|thousand|million|billion|trillion|dozen|percent|half"
                        r"|twice|double|triple)s?\b", re.IGNORECASE),
    "measure": re.compile(r"\d[\d,.]*\s*(-|\s)?(%|percent|per cent|mm|cm|m|meters?|metres?|feet"
                          r"|foot|ft|inch(es)?|km|miles?|kg|g|mg|mcg|µg|lbs?|pounds?|ounces?|oz"
                          r"|tons?|tonnes?|years?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?"
                          r"|seconds?|secs?|°\s*[cf]?|degrees?|calories|kcal|mph|kph|ml|l|litres?"
                          r"|liters?|cups?|times|people|deaths|hundred|thousand|million|billion"
                          r"|trillion|dollars|\$)", re.IGNORECASE),
}
_MONEY = re.compile(r"[$£€]\s*\d")


def figure_asked(question: str) -> str | None:
    """The kind of figure ``question`` asks for ("year", "measure", "count"), or None."""
    return next((kind for kind, asks in FIGURE_ASKS if asks.search(question)), None)


def figure_missing(texts: Sequence[str], kind: str | None) -> npt.NDArray[np.bool_]:
    """Whether each text holds no figure of the ``kind`` asked (all False when none is)."""
    if kind is None:
        return np.zeros(len(texts), dtype=bool)
    held = FIGURE_HELD[kind]
    money = kind != "year"
    return np.array([not (held.search(t) or (money and _MONEY.search(t))) for t in texts],
                    dtype=bool)


# "what does ghrelin do?": asks what a thing is for, as a definition asks what it is.
WHAT_IT_DOES = re.compile(r"^\s*what\s+(does|do)\s+.*\bdo\b", re.IGNORECASE)
# Asks for a judgement or for the state of things now, not what a term is ("what's the best
# pizza topping?", "what is the weather in Paris today?": review12 D1, where a passage merely
# holding "pizza" or "Paris" was shown).
# The judgement only as what is asked about ("what's the best X"), not inside a term ("what
# is time dilation?", "the right to be forgotten", "top surgery": review13).
NO_TERM_ASKED = re.compile(
    r"^\s*(?:what|whats|what's|what’s|which)\s*(?:is|are|'s|’s|s)?\s+(?:the\s+|a\s+|an\s+)?"
    r"(?:best|worst|good|better|nicest|favou?rite|ideal|cheapest|easiest|fastest|safest|"
    r"healthiest)\b|\b(?:weather|forecast|today|tonight|tomorrow|currently)\b",
    re.IGNORECASE)
# A short definition question ("what is kuru?", "what does ghrelin do") whose term the corpus
# holds in at most DEFINED_TERM_PASSAGES passages: the first candidates (``SENTENCE_HEAD``)
# that hold it in the question's own spelling answer it, whatever the gate says. The gate's
# evidence is against them (their thread is about something broader, so the title and the
# passage are far from the question: h19gate's error analysis), but a term that rare is
# mentioned only where it is explained or used. At most DEFINED_TERM_WORDS words (index terms)
# in the question: "what's the best camo pattern for deer hunting" is no definition.
DEFINED_TERM_PASSAGES = 3
DEFINED_TERM_WORDS = 4


def defined_term(question: str, terms: Sequence[str], word: Word | None,
                 passages: Callable[[Word], int]) -> str | None:
    """The term a short definition question asks about: its rarest word (``rarest_word``),
    as the question spells it, when the index holds it in at most ``DEFINED_TERM_PASSAGES``
    passages (``passages``: how many hold the word in any of its forms); else None."""
    if word is None or not word.term or len(set(terms)) > DEFINED_TERM_WORDS:
        return None
    if not (DEFINITION.search(question) or WHAT_IT_DOES.search(question)) \
            or NO_TERM_ASKED.search(question):
        return None
    if word.term not in {t for o in word.options for t, _ in o.terms}:
        return None  # the index knows only its variants: nothing holds it as spelt
    return word.term if passages(word) <= DEFINED_TERM_PASSAGES else None


def without_word(question: str, forms: frozenset[str], tokenize: Callable[[str], list[str]]
                 ) -> str:
    """The question with every word that is one of ``forms`` (the rarest word's index terms)
    taken out: what else it asks. A neighbour shares the rare word but not the rest ("how long
    do walruses live in the wild?" and a thread on a walrus scene); an answer fits the rest too."""
    if not forms:
        return question
    text = question
    for m in reversed(list(_WORD.finditer(question))):
        if not forms.isdisjoint(tokenize(m.group())):
            text = text[:m.start()] + text[m.end():]
    return " ".join(text.split()) or "?"


def adjacent(terms: Sequence[str], sentence_terms: Sequence[Sequence[str]]) -> bool:
    """Whether two words next to each other in the question (``terms``: stopwords out, as
    the index has them) stand next to each other in one of the sentences too: the phrase
    itself ("lauric acid", "tit tat"), not its words scattered."""
    pairs = set(pairwise(terms))
    return any(pairs.intersection(pairwise(t)) for t in sentence_terms)


def holds(docs: npt.NDArray[np.integer], word: Word | None, postings: PostingsOf, k1: float,
          norms: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Whether each of ``docs`` holds ``word`` (itself, a variant, or its joined or split
    forms): its share of ``relevance`` is above 0."""
    if word is None:
        return np.zeros(len(docs), dtype=bool)
    held: npt.NDArray[np.bool_] = relevance(docs, [word], postings, k1, norms) > 0
    return held


GATE_FILE = Path(__file__).with_name("relevance_gate.json")
# A tree's nodes in the gate file: the feature and threshold each inner node splits on, its
# children (-1 at a leaf) and each leaf's value.
_TREE_ARRAYS = ("feature", "threshold", "left", "right", "value")


class GateFileError(ValueError):
    """The gate file (``relevance_gate.json``) is not as ``bench.gate_fit`` writes it."""
# The features read from the first candidates' sentences (or, for ``rest_*``, from the question
# without its rarest word): what costs a forward pass of the model.
READS_SENTENCES = frozenset({"sentence", "sentence_found", "definition_sentence", "adjacent",
                             "best_sentence", "rest_cosine", "rest_title"})
# The feature that reads every sentence of the first candidates, not only those holding the
# rarest word: with it, every one of those candidates is read (four times the sentences).
READS_EVERY_SENTENCE = frozenset({"best_sentence"})
# The features that read the question without its rarest word: one more short text embedded.
READS_REST = frozenset({"rest_cosine", "rest_title"})


@dataclass(frozen=True, slots=True)
class Trees:
    """A boosted sum of regression trees over the gate's features (fitted by scikit-learn's
    HistGradientBoostingClassifier, exported by ``bench.gate_fit``): the log-odds is ``base``
    plus, for each tree, the value of the leaf a candidate's features lead to. Every tree's
    nodes in one set of arrays: a node sends a candidate ``left`` when its ``feature`` is at
    most ``threshold``, else ``right``; a leaf has ``left`` -1. A logistic model weighs each
    feature alone; the trees also weigh them together (a verbatim passage under a title about
    something else, a close title with no rare word held)."""

    base: float
    roots: tuple[int, ...]
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]
    # The same as arrays, made once: a question's candidates are scored in numpy.
    _arrays: tuple[npt.NDArray[Any], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_arrays", tuple(np.asarray(a) for a in (
            self.roots, self.feature, self.threshold, self.left, self.right, self.value)))

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Trees:
        """The trees of a gate file: ``base`` and ``trees``, one object a tree (``to_json``),
        its node numbers its own. Raises ``GateFileError`` saying which tree and node is
        wrong: a child must come after its node, so every walk ends at a leaf."""
        trees = data.get("trees")
        if not isinstance(trees, list) or not trees:
            raise GateFileError("trees: expected a non-empty list of trees")
        flat: dict[str, list[Any]] = {k: [] for k in _TREE_ARRAYS}
        roots = []
        for n, tree in enumerate(trees):
            arrays = [tree.get(k) if isinstance(tree, dict) else None for k in _TREE_ARRAYS]
            if not all(isinstance(a, list) and a for a in arrays) or \
                    len({len(a) for a in arrays}) != 1:  # type: ignore[arg-type]
                raise GateFileError(f"tree {n}: expected {', '.join(_TREE_ARRAYS)} as lists "
                                    f"of one length")
            feature, threshold, left, right, value = arrays
            size, at = len(feature), len(flat["feature"])  # type: ignore[arg-type]
            for i, (lo, hi) in enumerate(zip(left, right, strict=True)):  # type: ignore
                leaf = lo == -1 and hi == -1
                if not leaf and not (i < lo < size and i < hi < size):
                    raise GateFileError(f"tree {n}, node {i}: children {lo}, {hi} must both "
                                        f"be -1 (a leaf) or nodes after it of the {size}")
            if not all(math.isfinite(float(v)) for v in (*threshold, *value)):  # type: ignore
                raise GateFileError(f"tree {n}: a threshold or value is not a finite number")
            roots.append(at)
            flat["feature"] += [int(f) for f in feature]  # type: ignore[union-attr]
            flat["threshold"] += [float(t) for t in threshold]  # type: ignore[union-attr]
            flat["left"] += [-1 if c == -1 else at + int(c) for c in left]  # type: ignore
            flat["right"] += [-1 if c == -1 else at + int(c) for c in right]  # type: ignore
            flat["value"] += [float(v) for v in value]  # type: ignore[union-attr]
        return cls(base=float(data["base"]), roots=tuple(roots),  # type: ignore[arg-type]
                   **{k: tuple(v) for k, v in flat.items()})

    def to_json(self) -> dict[str, object]:
        """``base`` and one object a tree, its node numbers its own (a leaf's children -1):
        each tree on a line of the gate file (``compact_json``)."""
        ends = (*self.roots[1:], len(self.feature))
        trees = []
        for start, end in zip(self.roots, ends, strict=True):
            local = {k: list(getattr(self, k)[start:end]) for k in _TREE_ARRAYS}
            for k in ("left", "right"):
                local[k] = [-1 if c == -1 else c - start for c in local[k]]
            trees.append(local)
        return {"base": self.base, "trees": trees}

    def __call__(self, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The log-odds of each row of ``x`` (candidates x the gate's features): every tree
        walked at once, one level a step."""
        roots, feature, threshold, left, right, value = self._arrays
        node = np.broadcast_to(roots, (len(x), len(roots))).copy()
        rows = np.arange(len(x))[:, None]
        while True:
            inner = left[node] >= 0
            if not inner.any():
                break
            go_left = x[rows, feature[node]] <= threshold[node]
            node = np.where(inner, np.where(go_left, left[node], right[node]), node)
        out: npt.NDArray[np.float64] = self.base + value[node].sum(axis=1)
        return out


@dataclass(frozen=True, slots=True)
class Gate:
    """The accept/refuse decision of the hybrid path: a logistic model (or boosted trees,
    ``trees``) over each candidate's evidence (``evidence``), its log-odds placed so that the
    fitted operating point (``threshold``, a probability chosen by cross-validation) falls at
    ``shown_at``, the default ``[answers] min_relevance``: at the default the bot shows what
    the fit chose, a higher ``min_relevance`` shows less, a lower one more."""

    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float
    shown_at: float
    # The thread's test, one feature: a title at least this close, or the passage this close.
    title_floor: float
    alone: float
    # The cascade: a gate that reads no sentences (``cheap``) decides a question unless one of
    # the candidates whose sentences would be read has a log-odds within the cheap gate's
    # ``band`` (below, above) of its threshold: only then are the sentences embedded and this
    # gate decides. None: this gate always decides.
    cheap: Gate | None = None
    band: tuple[float, float] = (0.0, 0.0)
    # Trees in place of the weights (``coefficients`` then empty, ``intercept`` unused).
    trees: Trees | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Gate:
        fields = {k: data[k] for k in ("intercept", "threshold", "shown_at", "title_floor",
                                       "alone")}
        cheap = data.get("cheap")  # its own features, weights, threshold and band
        features: tuple[str, ...] = tuple(data["features"])  # type: ignore[arg-type]
        given = data.get("trees")
        trees = Trees.from_json(given) if isinstance(given, dict) else None
        if trees is not None and not all(0 <= f < len(features) for f, lo in zip(
                trees.feature, trees.left, strict=True) if lo != -1):  # a leaf splits on none
            raise GateFileError(f"trees: a node splits on a feature past the {len(features)}")
        return cls(features=features,
                   coefficients=tuple(data.get("coefficients", ())),  # type: ignore[arg-type]
                   trees=trees,
                   cheap=cls.from_json({**fields, **cheap}) if isinstance(cheap, dict) else None,
                   band=tuple(data.get("band", (0.0, 0.0))),  # type: ignore[arg-type]
                   **fields)  # type: ignore[arg-type]

    def uncertain(self, evidence: Mapping[str, npt.NDArray[np.floating]],
                  read: npt.NDArray[np.bool_]) -> bool:
        """Whether the candidates whose sentences would be ``read`` leave this gate (a
        cascade's cheap one) unsure: one of them within ``band`` of the threshold in
        log-odds. The band is measured on the other side of the decision: the gate that
        reads the sentences decides those questions."""
        if not read.any():
            return False
        z = self._log_odds(evidence)[read] - _logit(self.threshold)
        below, above = self.band
        return bool(np.any((z >= -below) & (z <= above)))

    @property
    def reads_sentences(self) -> bool:
        """Whether the gate weighs the candidates' sentences (they must be embedded)."""
        return not READS_SENTENCES.isdisjoint(self.features)

    @property
    def reads_every_sentence(self) -> bool:
        """Whether the gate weighs every sentence of the first candidates, not only those
        holding the rarest word."""
        return not READS_EVERY_SENTENCE.isdisjoint(self.features)

    @property
    def reads_rest(self) -> bool:
        """Whether the gate weighs the question without its rarest word (``without_word``)."""
        return not READS_REST.isdisjoint(self.features)

    def evidence(self, words: npt.NDArray[np.floating], cosine: npt.NDArray[np.floating],
                 title: npt.NDArray[np.floating], rare: npt.NDArray[np.bool_],
                 rare_in_title: npt.NDArray[np.bool_],
                 sentence: npt.NDArray[np.floating] | None = None,
                 phrase: npt.NDArray[np.bool_] | None = None, definition: bool = False,
                 best_sentence: npt.NDArray[np.floating] | None = None,
                 first_rare: npt.NDArray[np.bool_] | None = None,
                 rest: tuple[npt.NDArray[np.floating], npt.NDArray[np.floating]] | None = None,
                 no_figure: npt.NDArray[np.bool_] | None = None
                 ) -> dict[str, npt.NDArray[np.float64]]:
        """The features, by name, of each candidate: the words' measure (``relevance``), the
        passage's and its title's cosine, the title's test, whether it holds the question's
        rarest word (``rarest_word``), and whether its thread's title holds it too; with
        ``sentence`` (each candidate's best cosine of a sentence holding that word, NaN where
        none was read), that cosine (the passage's where NaN) and whether there was one; with
        ``phrase`` (whether two adjacent words of the question are adjacent in one of its
        sentences: ``adjacent``), that as ``adjacent``. ``definition``: whether the question
        asks what a term is (``DEFINITION``), alone and times the title's and the
        sentence's cosines (a definition's thread is often about something broader).
        ``best_sentence``: the best cosine of any of its sentences (NaN where none was read:
        the passage's own stands for it); ``first_rare``: whether its first sentence holds the
        rarest word (a passage about the term says so first); ``rest``: the passage's and its
        title's cosines to the question without its rarest word (``without_word``), 0 for a
        definition question, whose rest ("what is") asks nothing. ``no_figure``: whether the
        question asks a figure and the passage holds none of its kind (``figure_missing``)."""
        cos = np.asarray(cosine, dtype=np.float64)
        tcos = np.asarray(title, dtype=np.float64)
        out = {"words": np.asarray(words, dtype=np.float64), "cosine": cos, "title": tcos,
               "thread_or_close": ((tcos >= self.title_floor) | (cos >= self.alone)
                                   ).astype(np.float64),
               "rare": np.asarray(rare, dtype=np.float64),
               "rare_in_title": np.asarray(rare_in_title, dtype=np.float64)}
        if sentence is not None:
            found = ~np.isnan(np.asarray(sentence, dtype=np.float64))
            out["sentence"] = np.where(found, sentence, cos)
            out["sentence_found"] = found.astype(np.float64)
        if phrase is not None:
            out["adjacent"] = np.asarray(phrase, dtype=np.float64)
        d = 1.0 if definition else 0.0
        out["definition"] = np.full(len(cos), d)
        out["definition_title"] = d * tcos
        if sentence is not None:
            out["definition_sentence"] = d * out["sentence"]
        if best_sentence is not None:
            out["best_sentence"] = np.where(np.isnan(np.asarray(best_sentence, np.float64)),
                                            cos, best_sentence)
        if first_rare is not None:
            out["first_sentence_rare"] = (np.asarray(first_rare, dtype=bool)
                                          & np.asarray(rare, dtype=bool)).astype(np.float64)
        if rest is not None:
            out["rest_cosine"] = (1 - d) * np.asarray(rest[0], dtype=np.float64)
            out["rest_title"] = (1 - d) * np.asarray(rest[1], dtype=np.float64)
        if no_figure is not None:
            out["figure_missing"] = np.asarray(no_figure, dtype=np.float64)
        return out

    def probability(self, evidence: Mapping[str, npt.NDArray[np.floating]]
                    ) -> npt.NDArray[np.float64]:
        """The fitted probability that each candidate answers the question."""
        return _sigmoid(self._log_odds(evidence))

    def __call__(self, evidence: Mapping[str, npt.NDArray[np.floating]]
                 ) -> npt.NDArray[np.float64]:
        """Each candidate's relevance, 0 to 1: at least ``shown_at`` exactly when its
        probability is at least ``threshold``, or it holds the term of a short definition
        question (``evidence["defined_term"]``, where given: ``defined_term``)."""
        shift = _logit(self.shown_at) - _logit(self.threshold)
        z = self._log_odds(evidence)
        held = evidence.get("defined_term")
        if held is not None and np.any(held):
            # ``defined_term``: the candidates holding a short definition question's rare
            # term pass, raised together (their order kept) so the least of them just does.
            held = np.asarray(held, dtype=bool)
            z = z + held * max(0.0, _logit(self.threshold) + 1e-6 - float(z[held].min()))
        return _sigmoid(z + shift)

    def _log_odds(self, evidence: Mapping[str, npt.NDArray[np.floating]]
                  ) -> npt.NDArray[np.float64]:
        if self.trees is not None:
            return self.trees(np.column_stack([np.asarray(evidence[name], dtype=np.float64)
                                               for name in self.features]))
        z = np.full(len(next(iter(evidence.values()))), self.intercept, dtype=np.float64)
        for name, c in zip(self.features, self.coefficients, strict=True):
            z += c * np.asarray(evidence[name], dtype=np.float64)
        return z


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = 1 / (1 + np.exp(-z))
    return out


def load_gates(path: Path = GATE_FILE) -> dict[str, Gate]:
    """The fitted gates by model (none when the file is missing: ``MEANING`` answers).
    Raises ``GateFileError`` naming the file and the model when a gate is malformed."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    gates = {}
    for model, gate in data["models"].items():
        try:
            gates[model] = Gate.from_json(gate)
        except (GateFileError, KeyError, TypeError, ValueError) as exc:
            raise GateFileError(f"{path}: model {model}: {exc}") from exc
    return gates


def compact_json(data: object, indent: int = 1, level: int = 0) -> str:
    """``data`` as JSON, indented, but anything at most two levels deep (a list of numbers;
    an object of such lists, as a gate's tree) on one line: the file stays short and a change
    of one tree is a change of one line."""
    pad, inner = " " * indent * level, " " * indent * (level + 1)
    if _depth(data) <= 2:
        return json.dumps(data, separators=(", ", ": "))
    if isinstance(data, dict):
        items = [f"{inner}{json.dumps(k)}: {compact_json(v, indent, level + 1)}"
                 for k, v in data.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    assert isinstance(data, list)  # deeper than 2: a list or an object
    return "[\n" + ",\n".join(f"{inner}{compact_json(v, indent, level + 1)}"
                               for v in data) + f"\n{pad}]"


def _depth(data: object) -> int:
    if isinstance(data, dict):
        return 1 + max((_depth(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return 1 + max((_depth(v) for v in data), default=0)
    return 0


# The hybrid path's decision by model; a model without one counts meaning as ``MEANING`` says.
GATES = load_gates()
