"""The vectors a question's relevance reads, kept between questions: the question's own (the
bot's next page asks it again), its parts', the thread titles' the candidates meet, and the
sentences the gate reads. Each kept in a bounded, oldest-first dict; ``index.reader`` owns one.
"""

from __future__ import annotations

import asyncio

import aiosqlite
import numpy as np

from . import embedding, title_vectors
from .relevance import IdfTable, question_parts
from .tokenize import Tokenizer

# Question vectors kept (the bot's next page asks the same question again).
_QUESTION_VECTORS = 64
# Thread titles' vectors kept (1.5 KB each): the titles the questions' candidates meet.
_TITLE_VECTORS = 4096
# Sentences' vectors kept (the gate's ``sentence``): the next page, or a question asked again.
_SENTENCE_VECTORS = 4096


def _trim(kept: dict[str, np.ndarray], most: int) -> None:
    """Drop the oldest entries past ``most`` (dicts keep their insertion order)."""
    while len(kept) > most:
        kept.pop(next(iter(kept)))


class KeptVectors:
    """The vectors kept for one open index. ``db`` is the reader's connection, read for the
    titles' vectors when the index holds them (``stored_titles``, set once the model is in)."""

    def __init__(self, db: aiosqlite.Connection, tokenize: Tokenizer, idf: IdfTable) -> None:
        self._db = db
        self._tokenize = tokenize
        self._idf = idf
        self.questions: dict[str, np.ndarray] = {}
        self.parts: dict[str, np.ndarray] = {}  # the question's parts' vectors (relevance)
        self.titles: dict[str, np.ndarray] = {}
        self.sentences: dict[str, np.ndarray] = {}
        self.stored_titles = False  # whether the index holds the titles' vectors

    async def for_ranking(self, question: str, embedder: embedding.Embedder, *,
                          parts: bool) -> np.ndarray:
        """The question's vector for the ranking, kept for the last few questions; embedded
        with its ``parts`` (for the relevance's pull) when new: one forward pass for all."""
        vector = self.questions.get(question)
        if vector is None:
            texts = self.question_parts(question) if parts else []
            vectors = await asyncio.to_thread(embedder.embed, [question, *texts])
            vector = vectors[0]
            self.questions[question] = vector
            if texts:
                self._keep_parts(question, vectors[1:])
            _trim(self.questions, _QUESTION_VECTORS)
        return vector

    async def question(self, question: str, embedder: embedding.Embedder) -> np.ndarray:
        """The question's vector, as the ranking embedded it (kept for the last few
        questions), or embedded again if other questions pushed it out meanwhile."""
        vector = self.questions.get(question)
        if vector is None:
            vector = (await asyncio.to_thread(embedder.embed, [question]))[0]
        return vector

    async def part_vectors(self, question: str, embedder: embedding.Embedder) -> np.ndarray:
        """The vectors of the question with each of its rarest words left out
        (``index.relevance.question_parts``); the last few questions' are kept."""
        vectors = self.parts.get(question)
        if vectors is None:  # pushed out by other questions meanwhile
            vectors = await asyncio.to_thread(embedder.embed, self.question_parts(question))
            self._keep_parts(question, vectors)
        return vectors

    def question_parts(self, question: str) -> list[str]:
        def weight(word: str) -> float:  # the word's idf: the rarest words are left out
            terms = self._tokenize(word)
            idf = self._idf(terms[0]) if terms else None
            return self._idf.unseen if idf is None else idf
        return question_parts(question, self._tokenize.words(question), weight)

    def _keep_parts(self, question: str, vectors: np.ndarray) -> None:
        self.parts[question] = vectors
        _trim(self.parts, _QUESTION_VECTORS)

    def keep_title(self, title: str, vector: np.ndarray) -> None:
        """A title's vector read along with it (``IndexReader.title_similarities``), kept
        unless it already is; not trimmed until the next titles are met."""
        if title not in self.titles:
            self.titles[title] = vector

    async def title_vectors(self, titles: list[str], embedder: embedding.Embedder
                            ) -> dict[str, np.ndarray]:
        """Each title's vector: read from the index when it holds them, else embedded when
        first met; either way kept, a bounded number of them. Callers read the returned
        dict, not ``titles``: trimming may drop a title just met."""
        found = {t: self.titles[t] for t in titles if t in self.titles}
        new = list(dict.fromkeys(t for t in titles if t not in found))
        if new and self.stored_titles:  # embedded by the build (index.title_vectors)
            async with self._db.execute(*title_vectors.query(new)) as cur:
                for title, blob in await cur.fetchall():
                    found[title] = title_vectors.vector(blob)
            new = [t for t in new if t not in found]
        if new:  # an index built before title vectors, or by another model
            found.update(zip(new, await asyncio.to_thread(embedder.embed, new), strict=True))
        self.titles.update(found)
        _trim(self.titles, _TITLE_VECTORS)
        return found

    async def title_similarities(self, question: str, titles: list[str],
                                 embedder: embedding.Embedder) -> np.ndarray:
        """The cosine of each thread title's vector to the question's (the thread's evidence
        in ``with_meaning``)."""
        found = await self.title_vectors(titles, embedder)
        question_vector = await self.question(question, embedder)
        return np.array([float(found[t] @ question_vector) for t in titles]
                        if titles else [], dtype=np.float64)

    async def sentence_similarities(self, question: str, held: list[list[str]],
                                    every: list[list[str]], n: int,
                                    embedder: embedding.Embedder, rest: str | None = None
                                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """For each of ``n`` hits, the best cosine to the question of its ``held`` sentences
        and of ``every`` sentence (``index.gate_text.head_sentences``), NaN past them and
        where there are none; and the vector of ``rest`` (the question without its rarest
        word), embedded in the same batch. A passage's vector mixes its title, lead-in and
        every sentence: the one sentence that answers a question about a term inside a
        broader thread is diluted there."""
        texts = [s for groups in (held, every) for group in groups for s in group]
        texts += [rest] if rest is not None else []
        # This question's sentences, apart: trimming the kept ones below may drop some.
        found = {s: self.sentences[s] for s in texts if s in self.sentences}
        new = list(dict.fromkeys(s for s in texts if s not in found))
        if new:  # in a worker thread: the model must not hold up the event loop
            found.update(zip(new, await asyncio.to_thread(embedder.embed, new), strict=True))
            self.sentences.update(found)
            _trim(self.sentences, _SENTENCE_VECTORS)
        vector = await self.question(question, embedder) if found else None
        out = []
        for groups in (held, every):
            best = np.full(n, np.nan, dtype=np.float64)
            for i, group in enumerate(groups):
                if group:
                    best[i] = max(float(found[s] @ vector) for s in group)
            out.append(best)
        return out[0], out[1], found[rest] if rest is not None else None
