"""What the relevance gate reads in the candidates' own words (``index.relevance.Gate``):
which hits hold the question's rarest word, and in which titles; their sentences holding it,
cut to a window around it; whether the first sentence names it; whether a hit holds the term
a definition question asks about. The vectors of what is read are ``index.kept_vectors``'.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

import numpy as np

from .hits import Hit
from .loading import PostingsLoader
from .relevance import (
    DEFINED_TERM_PASSAGES,
    SENTENCE_HEAD,
    Word,
    adjacent,
    defined_term,
    holds,
    rarest_word,
)
from .sentences import SENTENCE_WINDOW, sentences, window
from .tokenize import Tokenizer

# A sentence's words as written (``around`` finds where the rarest word is).
_SPACED = re.compile(r"\S+")


async def rarest_held(words: list[Word], docs: np.ndarray, hits: list[Hit],
                      postings: PostingsLoader, k1: float,
                      norms: Callable[[np.ndarray], Awaitable[np.ndarray]], tokenize: Tokenizer
                      ) -> tuple[frozenset[str], np.ndarray, np.ndarray]:
    """The index terms of the question's rarest word the index knows
    (``index.relevance.rarest_word``; ``words`` are the question's), whether each hit holds
    it, and whether its thread's title holds it too. ``norms`` gives BM25's length
    normalisation of documents."""
    word = rarest_word(words)
    if word is None:
        none = np.zeros(len(docs), dtype=bool)
        return frozenset(), none, none
    index = postings.index_for(word.terms)
    held = holds(docs, word, index.postings, k1, await norms(docs))
    forms = set(word.terms)
    # Only the titles of passages that hold the word matter: the others are not tokenized.
    in_title = np.array([bool(h_held) and not forms.isdisjoint(tokenize(h.thread_title))
                         for h, h_held in zip(hits, held.tolist(), strict=True)], dtype=bool)
    return frozenset(forms), held, in_title


def defined_here(question: str, terms: list[str], words: list[Word], hits: list[Hit],
                 offset: int, postings: PostingsLoader, tokenize: Tokenizer) -> np.ndarray:
    """Whether each of the ranking's first ``SENTENCE_HEAD`` hits holds, in its text or
    lead-in, the term a short definition question asks about (``defined_term``)."""
    held = np.zeros(len(hits), dtype=bool)

    def passages(word: Word) -> int:  # a common word: past the count at its first form
        index = postings.index_for(word.terms)
        docs = [index.postings(t)[0] for t in word.terms]
        if max(len(d) for d in docs) > DEFINED_TERM_PASSAGES:
            return max(len(d) for d in docs)
        return len(functools.reduce(np.union1d, docs))
    term = defined_term(question, terms, rarest_word(words), passages)
    if term is not None:
        for i, hit in enumerate(hits[:max(0, min(len(hits), SENTENCE_HEAD - offset))]):
            held[i] = term in tokenize(hit.text) or term in tokenize(hit.lead_in or "")
    return held


def head_sentences(hits: list[Hit], terms: list[str], forms: frozenset[str], offset: int,
                   tokenize: Tokenizer, *, phrases: bool, every: bool = False
                   ) -> tuple[list[list[str]], np.ndarray, list[list[str]]]:
    """For each of the ranking's first ``SENTENCE_HEAD`` hits (by rank, past ``offset`` as
    well), its sentences that hold one of ``forms`` (the rarest word's terms); with
    ``phrases``, for every hit whether one of its sentences has two of the question's
    ``terms`` adjacent as the question has them (``index.relevance.adjacent``; False past
    those); with ``every``, each of those hits' sentences, all of them."""
    head = max(0, min(len(hits), SENTENCE_HEAD - offset))
    held: list[list[str]] = []
    split_all: list[list[str]] = []
    phrase = np.zeros(len(hits), dtype=bool)
    if not forms and not phrases and not every:
        return held, phrase, split_all
    for i, hit in enumerate(hits[:head]):
        split = [(s, tokenize(s)) for s in sentences(hit.text)]
        held.append([around(s, forms, tokenize) for s, t in split if not forms.isdisjoint(t)])
        split_all.append([s for s, _ in split] if every else [])
        phrase[i] = phrases and adjacent(terms, [t for _, t in split])
    return held, phrase, split_all


def around(sentence: str, forms: frozenset[str], tokenize: Tokenizer) -> str:
    """A held sentence as it is embedded: past ``SENTENCE_WINDOW`` characters, the window
    around the first word of it that is one of ``forms`` (``index.sentences.window``)."""
    if len(sentence) <= SENTENCE_WINDOW:
        return sentence
    for word in _SPACED.finditer(sentence):
        if not forms.isdisjoint(tokenize(word.group())):
            return window(sentence, (word.start() + word.end()) // 2)
    return window(sentence, 0)  # held by words joined across a space: from the start


def first_sentence_holds(hits: list[Hit], rare: np.ndarray, forms: frozenset[str],
                         tokenize: Tokenizer) -> np.ndarray:
    """Whether each hit that holds the rarest word (``rare``) holds it in its first
    sentence: a passage about the term names it first."""
    return np.array([bool(held) and not forms.isdisjoint(
        tokenize(next(iter(sentences(h.text, 1)), "")))
        for h, held in zip(hits, rare.tolist(), strict=True)], dtype=np.bool_)
