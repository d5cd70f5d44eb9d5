"""Reading an index: search, outlets, stats. Async, through aiosqlite, as the bot uses it.

Opening loads the small arrays and starts reading the BM25 postings in the background
(``index.loading``): a question asked before they are in reads its own terms' rows. Passage
text stays in SQLite and is fetched for the few hits shown. Opening never reads the corpus.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import sqlite3
import stat
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import aiosqlite
import numpy as np

from . import embedding, gate_text, store, title_vectors
from .ann import NearestIndex
from .bm25 import ImpactIndex
from .errors import IndexNotFound, IndexOutdated
from .expansion import VARIANT_WEIGHT, SpellingVariants
from .feedback import FEEDBACK_DOCS, rm3
from .hits import CitedSource, Hit, Stats, hit_of_row
from .hybrid import FUSION, fuse, one_per_thread, with_titles
from .kept_vectors import KeptVectors
from .kernels import warm_up
from .loading import PostingsLoader
from .model import Kind
from .relevance import (
    DEFINITION,
    GATES,
    MEANING,
    Gate,
    IdfTable,
    MeaningScale,
    Word,
    figure_asked,
    figure_missing,
    pull,
    question_words,
    relevance,
    with_meaning,
    without_word,
)
from .tokenize import Tokenizer

# Re-exported: the bot, the benchmarks and the tests import them from here.
__all__ = ["CitedSource", "Hit", "IndexReader", "Stats"]

log = logging.getLogger(__name__)

# Above this many postings a query is scored in a worker thread, off the event loop.
_OFF_LOOP_POSTINGS = 200_000


def _file_identity(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError as exc:
        raise IndexNotFound(f"no index at {path}: run `python -m index build` first") from exc
    if not stat.S_ISREG(status.st_mode):
        raise IndexNotFound(f"no index at {path}: run `python -m index build` first")
    return status.st_dev, status.st_ino


class IndexReader:
    """An open index. Make one with ``await IndexReader.open(path)``; ``await close()`` it."""

    def __init__(self, path: Path, db: aiosqlite.Connection, postings: PostingsLoader,
                 kinds: np.ndarray, outlets: np.ndarray, rowids: np.ndarray,
                 meta: dict[str, str], *, spelling: bool = True, feedback: bool = True,
                 semantic: bool = True) -> None:
        self.path = path
        self._db = db
        self._postings = postings
        self._rowids = rowids  # BM25 document -> passages.id
        self._quote = kinds.astype(bool)
        self._outlet = outlets
        self._sourced = self._quote & (outlets > 0)
        self.meta = meta
        self._tokenize = Tokenizer()
        # The stages around BM25: spelling variants of rare words (index.expansion), then
        # pseudo-relevance feedback (index.feedback). Without both, scores are BM25Okapi's.
        self._variants = SpellingVariants(postings) if spelling else None
        self.feedback = feedback
        # Hybrid retrieval (index.dense, index.hybrid) once the vectors and the model are in;
        # BM25 alone until then, or for good when the index has no complete vectors.
        self.semantic = semantic
        self._dense: NearestIndex | None = None
        self._embedder: embedding.Embedder | None = None
        # How the vectors' similarity counts in a hit's relevance (None: words only).
        self._meaning: MeaningScale | None = None
        # The fitted accept/refuse decision that gives hybrid hits their relevance (None: the
        # calibration above does).
        self._gate: Gate | None = None
        self._dense_ready = threading.Event()
        self._dense_thread: threading.Thread | None = None
        self._identity: tuple[int, int] | None = None  # the file this reader has open
        self._words: tuple[tuple[str, tuple[str, ...]], list[Word]] | None = None
        self._idf = IdfTable(postings.vocabulary, postings.offsets, postings.n_docs,
                             float(meta.get("epsilon", 0.25)))
        # The question's, its parts', the titles' and the sentences' vectors, kept.
        self._kept = KeptVectors(db, self._tokenize, self._idf)
        self._k1 = float(meta.get("k1", 1.5))
        self._lengths: np.ndarray | None = None  # each passage's length / the mean

    @classmethod
    async def open(cls, path: Path, *, spelling: bool = True, feedback: bool = True,
                   semantic: bool = True) -> IndexReader:
        """Open an index file read-only; ``spelling`` and ``feedback`` turn the query stages
        around BM25 on or off; ``semantic`` the hybrid ranking with the index's vectors
        (loaded in the background; BM25 alone until they are).

        Raises:
            IndexNotFound: no file at ``path``, or it is not a Sourced index.
            IndexOutdated: it is one, written by another version of Sourced.
        """
        warm_up()
        # The reader connects to the file more than once; a build renaming a new index into
        # place in between would mix two indexes. Builds always write a new file, so the
        # same file before the first connection and after the last means they all have it.
        for _ in range(3):
            before = _file_identity(path)
            try:
                reader = await cls._connect(path, spelling=spelling, feedback=feedback,
                                            semantic=semantic)
            except IndexNotFound:
                if _file_identity(path) != before:
                    continue  # what looked broken was two files mixed: try again
                raise
            if _file_identity(path) == before:
                reader._identity = before
                reader._postings.start()
                reader._start_dense()
                return reader
            await reader.close()
        raise IndexNotFound(f"{path} was replaced three times while it was being opened: "
                            "try again once the build is done")

    @classmethod
    async def _connect(cls, path: Path, *, spelling: bool, feedback: bool,
                       semantic: bool) -> IndexReader:
        db = await aiosqlite.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            async with db.execute(store.META) as cur:
                meta: dict[str, str] = {key: value for key, value in await cur.fetchall()}
            async with db.execute(store.ARRAYS) as cur:
                rows = await cur.fetchall()
            # Decoding a large vocabulary takes most of a second at a million terms: off the
            # event loop, which a /reload must not stall (review8).
            arrays = await asyncio.to_thread(store.arrays_from_rows, rows)
        except Exception as exc:
            await db.close()
            if isinstance(exc, aiosqlite.Error):
                raise IndexNotFound(f"{path} is not a Sourced index ({exc}): rebuild it with "
                                    "`python -m index build`") from exc
            raise
        if meta.get("schema_version") != str(store.SCHEMA_VERSION):
            await db.close()
            raise IndexOutdated(f"{path} was built by another version of Sourced: rebuild it "
                                "with `python -m index build`")
        if missing := arrays.missing(store.SERVED_ARRAYS):
            await db.close()
            raise IndexNotFound(f"{path} is not a Sourced index (no {', '.join(sorted(missing))}"
                                " array): rebuild it with `python -m index build`")
        vocabulary = await asyncio.to_thread(lambda: {t: i for i, t in
                                                       enumerate(arrays.vocabulary)})
        try:
            postings = PostingsLoader(path, vocabulary, arrays["offsets"], int(meta["n_docs"]))
        except sqlite3.Error as exc:
            await db.close()
            raise IndexNotFound(f"{path} is not a Sourced index ({exc}): rebuild it with "
                                "`python -m index build`") from exc
        return cls(path, db, postings, arrays["kinds"], arrays["outlets"], arrays["rowids"],
                   meta, spelling=spelling, feedback=feedback, semantic=semantic)

    def _start_dense(self) -> None:
        if not self.semantic:
            return
        model = self.meta.get("vectors_model")
        if model is None:
            log.info("%s has no passage vectors ([semantic] off when it was built): answering "
                     "with BM25 alone", self.path)
            return
        if self.meta.get("vectors_missing") != "0":
            log.warning("%s: %s passage(s) have no vector yet (a build stopped, still "
                        "embedding, or unable to load the model: its log says which): "
                        "answering with BM25 alone until `python -m index build` embeds them "
                        "(with the `semantic` extra installed: pip install -e '.[semantic]')",
                        self.path, self.meta.get("vectors_missing"))
            return
        self._dense_thread = threading.Thread(target=self._load_dense, args=(model,),
                                              daemon=True, name="sourced-load-vectors")
        self._dense_thread.start()

    def _load_dense(self, model: str) -> None:
        """Map the nearest-neighbour index and load the model, off the event loop; on any
        failure, say so once and stay with BM25."""
        try:
            # The graph is found through the file at the path: it must be this reader's file,
            # not a newer index renamed into place since (its document numbers differ).
            if _file_identity(self.path) != self._identity:
                raise ValueError("the index was replaced while opening; reopen it")
            dense = NearestIndex.open(self.path)
            if _file_identity(self.path) != self._identity:
                raise ValueError("the index was replaced while opening; reopen it")
            if len(dense.scales) != self.n_passages or not np.all(dense.scales != 0):
                raise ValueError("the vectors do not cover every passage")
            embedder = embedding.load(model)
            if embedder.dim != dense.dim:
                raise ValueError(f"the model gives {embedder.dim} dimensions, the index "
                                 f"holds {dense.dim}")
            dense.top_k(embedder.embed(["warm up"])[0], 1)
            self._meaning = MEANING.get(model)
            self._gate = GATES.get(model)
            if self._meaning is None and self._gate is None:
                log.info("no relevance calibration for the model %r: a passage's relevance "
                         "counts the question's words only (index/relevance.py)", model)
            self._kept.stored_titles = self.meta.get(title_vectors.MODEL) == model
            self._dense, self._embedder = dense, embedder
        except Exception as exc:  # whatever it was, BM25 answers on
            log.warning("semantic search is off for %s, answering with BM25 alone: %s",
                        self.path, exc, exc_info=True)
        finally:
            self._dense_ready.set()

    @property
    def loading_model(self) -> bool:
        """Whether the sentence model is loading (or loaded): the index has every vector and
        ``[semantic]`` is on. Without a model to load, the reader has said why in the log."""
        return self._dense_thread is not None

    async def semantic_ready(self) -> bool:
        """Wait until the vectors and the model are loaded (or failed to); whether search is
        hybrid."""
        if self._dense_thread is not None:
            await asyncio.to_thread(self._dense_ready.wait)
        return self._dense is not None

    async def close(self) -> None:
        if self._dense_thread is not None:
            await asyncio.to_thread(self._dense_thread.join)
        await asyncio.to_thread(self._postings.close)
        await self._db.close()

    async def loaded(self) -> None:
        """Wait until the BM25 postings are all in memory (questions do not need to)."""
        await asyncio.to_thread(self._postings.wait)

    async def __aenter__(self) -> IndexReader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def n_passages(self) -> int:
        return self._postings.n_docs

    async def search(self, question: str, k: int = 3, *, kind: Kind | None = None,
                     outlet: str | None = None, offset: int = 0) -> list[Hit]:
        """The best ``k`` passages for ``question`` (after skipping ``offset``), best first.
        Sourced quotes go first among equal scores. ``kind`` and ``outlet`` restrict them."""
        terms = self._tokenize(question)
        if not terms or k <= 0:
            return []
        allowed = None
        if kind is not None:
            allowed = self._quote if kind == "quote" else ~self._quote
        if outlet is not None:
            outlet_id = await self._outlet_id(outlet)
            if outlet_id is None:
                return []
            mask = self._outlet == outlet_id
            allowed = mask if allowed is None else allowed & mask
        dense, embedder = self._dense, self._embedder
        if dense is not None and embedder is not None:
            return await self._hybrid(question, terms, k, offset, allowed, dense, embedder)
        query = self._variants.expand(terms) if self._variants else dict(Counter(terms))
        if self.feedback:
            first, first_scores = await self._top_k(query, FEEDBACK_DOCS, allowed)
            if len(first):
                rowids = self._rowids[first].tolist()
                async with self._db.execute(store.FEEDBACK_TEXT, (json.dumps(rowids),)) as cur:
                    texts = {rowid: text for rowid, text in await cur.fetchall()}
                query = await asyncio.to_thread(self._feedback, query, [
                    texts[rowid] for rowid in rowids], first_scores.tolist())
        docs, scores = await self._top_k(query, k, allowed, offset)
        relevances = self._relevance(question, terms, docs, await self._length_norms(docs))
        return await self._hits(docs.tolist(), scores.tolist(), first_rank=offset + 1,
                                relevances=relevances.tolist())

    async def _hybrid(self, question: str, terms: list[str], k: int, offset: int,
                      allowed: np.ndarray | None, dense: NearestIndex,
                      embedder: embedding.Embedder) -> list[Hit]:
        """BM25 on the question's words (without the query stages: in the hybrid they cost
        time for no gain, index.hybrid) fused with the passages nearest the question's vector."""
        hits, evidence, gate = await self._hybrid_evidence(
            question, terms, k, offset, allowed, dense, embedder,
            sentences=self._gate is not None and self._gate.reads_sentences, serving=True)
        if gate is None or evidence is None:
            return hits
        relevances = gate(evidence)
        return [replace(h, relevance=r) for h, r in zip(hits, relevances.tolist(), strict=True)]

    async def evidence(self, question: str, k: int
                       ) -> tuple[list[Hit], dict[str, np.ndarray]] | None:
        """The hybrid ranking's first ``k`` hits for ``question`` with what the gate weighs for
        each (``index.relevance.Gate.evidence``; their ``relevance`` is the calibration's,
        ``MEANING``), for fitting the gate; None without vectors or a gate. The sentences'
        evidence is read whether the gate weighs it or not."""
        dense, embedder, terms = self._dense, self._embedder, self._tokenize(question)
        if dense is None or embedder is None or self._gate is None or not terms:
            return None
        hits, evidence, _ = await self._hybrid_evidence(question, terms, k, 0, None, dense,
                                                        embedder, sentences=True)
        return (hits, evidence) if evidence is not None else None

    async def _hybrid_evidence(self, question: str, terms: list[str], k: int, offset: int,
                               allowed: np.ndarray | None, dense: NearestIndex,
                               embedder: embedding.Embedder, *, sentences: bool = False,
                               serving: bool = False
                               ) -> tuple[list[Hit], dict[str, np.ndarray] | None, Gate | None]:
        """The hybrid hits, their relevance by the calibration (``MEANING``), the gate's
        evidence for them and the gate that weighs it (None without a gate): with
        ``sentences`` read; when ``serving``, only what the gate weighs, and none if the
        gate's cascade is sure without them (else all, for fitting)."""
        candidates = await self._candidates(question, terms, max(FUSION.candidates, offset + k),
                                            allowed, dense, embedder)
        fused, fused_scores = fuse(*candidates, FUSION)
        if FUSION.title_weight > 0:  # the thread's title, for the first few only (cheap)
            head = await self.title_similarities(question, fused[:FUSION.title_head])
            fused, fused_scores = with_titles(fused, fused_scores, candidates, head, FUSION)
        if FUSION.distinct_threads:
            order = await self._distinct_first(fused, FUSION.distinct_threads)
            fused, fused_scores = fused[order], fused_scores[order]
        docs, scores = fused[offset:offset + k], fused_scores[offset:offset + k]
        at = np.searchsorted(candidates[0], docs)  # the candidates are sorted
        similarities, relevances = candidates[2][at], candidates[3][at]
        hits = await self._hits(docs.tolist(), scores.tolist(), first_rank=offset + 1)
        titles, evidence, gate = None, None, self._gate
        if self._meaning is not None or self._gate is not None:
            titles = await self._title_similarities(question, [h.thread_title for h in hits],
                                                    embedder)
        if gate is not None and titles is not None:
            forms, rare, rare_in_title = await self._rarest_held(question, terms, docs, hits)
            sentence, phrase = None, None
            definition = DEFINITION.search(question) is not None
            every = not serving or gate.reads_every_sentence
            wants_rest = not serving or gate.reads_rest
            best, first_rare, rest = None, None, None
            if sentences:
                held, phrase, split = self._head_sentences(
                    hits, terms, forms, offset,
                    phrases=not serving or "adjacent" in gate.features, every=every)
                read = np.zeros(len(hits), dtype=bool)
                read[:len(held)] = [bool(h) for h in (split if every else held)]
                if serving and gate.cheap is not None and read.any():
                    # The cheap gate first: when it is sure, no sentence is embedded.
                    cheap = gate.cheap.evidence(relevances, similarities, titles, rare,
                                                rare_in_title, definition=definition)
                    if not gate.cheap.uncertain(cheap, read):
                        gate, evidence = gate.cheap, cheap
                if evidence is None:
                    # The question's rest without its rarest word: none asked by a definition.
                    rest_text = without_word(question, forms, self._tokenize) \
                        if wants_rest and forms and not definition else None
                    sentence, best, rest_vector = await self._sentence_similarities(
                        question, held, split, len(hits), embedder, rest_text)
                    if not serving or "first_sentence_rare" in gate.features:
                        first_rare = gate_text.first_sentence_holds(hits, rare, forms,
                                                                    self._tokenize)
                    if wants_rest:
                        if rest_vector is None:
                            rest = (similarities, titles)
                        else:
                            named = await self._kept.title_vectors(
                                [h.thread_title for h in hits], embedder)
                            rest = (dense.similarity(rest_vector, docs).astype(np.float64),
                                    np.array([float(named[h.thread_title] @ rest_vector)
                                              for h in hits], dtype=np.float64))
            if evidence is None:
                no_figure = figure_missing(
                    [f"{h.text} {h.lead_in or ''}" for h in hits], figure_asked(question)) \
                    if not serving or "figure_missing" in gate.features else None
                evidence = gate.evidence(relevances, similarities, titles, rare, rare_in_title,
                                         sentence, phrase, definition, best, first_rare, rest,
                                         no_figure)
            evidence["defined_term"] = gate_text.defined_here(
                question, terms, self._question_words(question, terms), hits, offset,
                self._postings, self._tokenize)
        if self._meaning is not None:
            pulled = None
            if self._meaning.pull:
                parts = await self._part_vectors(question, embedder)
                pulled = pull(similarities, np.array(
                    [dense.similarity(v, docs) for v in parts]).reshape(len(parts), len(docs)))
            relevances = with_meaning(relevances, similarities, self._meaning, titles, pulled)
        return [replace(h, relevance=r, similarity=sim) for h, r, sim in
                zip(hits, relevances.tolist(), similarities.tolist(), strict=True)
                ], evidence, gate

    # What the gate and the relevance read, each in its own module (``index.gate_text``,
    # ``index.kept_vectors``); called through the reader, where the benchmarks time them.
    async def _rarest_held(self, question: str, terms: list[str], docs: np.ndarray,
                           hits: list[Hit]) -> tuple[frozenset[str], np.ndarray, np.ndarray]:
        return await gate_text.rarest_held(self._question_words(question, terms), docs, hits,
                                           self._postings, self._k1, self._length_norms,
                                           self._tokenize)

    def _head_sentences(self, hits: list[Hit], terms: list[str], forms: frozenset[str],
                        offset: int, *, phrases: bool, every: bool = False
                        ) -> tuple[list[list[str]], np.ndarray, list[list[str]]]:
        return gate_text.head_sentences(hits, terms, forms, offset, self._tokenize,
                                        phrases=phrases, every=every)

    async def _sentence_similarities(self, question: str, held: list[list[str]],
                                     every: list[list[str]], n: int,
                                     embedder: embedding.Embedder, rest: str | None = None
                                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        return await self._kept.sentence_similarities(question, held, every, n, embedder,
                                                      rest)

    async def _part_vectors(self, question: str, embedder: embedding.Embedder) -> np.ndarray:
        return await self._kept.part_vectors(question, embedder)

    async def _title_similarities(self, question: str, titles: list[str],
                                  embedder: embedding.Embedder) -> np.ndarray:
        return await self._kept.title_similarities(question, titles, embedder)

    async def title_similarities(self, question: str, docs: np.ndarray) -> np.ndarray:
        """The cosine of the thread title of each passage in ``docs`` to ``question`` (whose
        vector the hybrid search has made); empty without vectors."""
        embedder = self._embedder
        if embedder is None or not len(docs):
            return np.zeros(0, dtype=np.float64)
        rowids = self._rowids[docs].tolist()
        if self._kept.stored_titles:  # the titles and their vectors in one query
            rows = list(await self._db.execute_fetchall(store.TITLE_VECTOR_OF,
                                                        (json.dumps(rowids),)))  # one trip
            title = {rowid: t for rowid, t, _ in rows}
            for _, t, blob in rows:
                if blob is not None:
                    self._kept.keep_title(t, title_vectors.vector(blob))
        else:
            async with self._db.execute(store.TITLE_OF, (json.dumps(rowids),)) as cur:
                title = {rowid: t for rowid, t in await cur.fetchall()}
        return await self._title_similarities(question, [title[r] for r in rowids], embedder)

    async def _candidates(self, question: str, terms: list[str], n: int,
                          allowed: np.ndarray | None, dense: NearestIndex,
                          embedder: embedding.Embedder
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
        """What ``index.hybrid.fuse`` ranks: the ``n`` best passages by BM25 and by the
        vectors, each with its BM25 score, its cosine similarity and its relevance
        (``index.relevance``); and the relevance of the best BM25 passage (0 without one)."""
        query = dict(Counter(terms))
        bm25_docs, _ = await self._top_k(query, n, allowed)
        vector = await self._kept.for_ranking(
            question, embedder, parts=self._meaning is not None and bool(self._meaning.pull))
        dense_docs, dense_scores = await asyncio.to_thread(dense.top_k, vector, n, allowed)
        docs = np.union1d(bm25_docs, dense_docs).astype(np.int64)
        bm25 = self._postings.index_for(query).scores_of(query, docs)
        # The vectors' own candidates come with their exact cosines: only BM25's others are
        # read and scored (their rows are read from disk at a million passages).
        cosine = np.empty(len(docs), dtype=np.float64)
        scored = np.zeros(len(docs), dtype=bool)
        scored[np.searchsorted(docs, dense_docs)] = True
        cosine[np.searchsorted(docs, dense_docs)] = dense_scores
        cosine[~scored] = dense.similarity(vector, docs[~scored])
        relevances = self._relevance(question, terms, docs, await self._length_norms(docs))
        coverage = 0.0
        if len(bm25_docs):
            coverage = float(relevances[np.searchsorted(docs, bm25_docs[0])])
        return docs, bm25, cosine, relevances, coverage

    async def fusion_inputs(self, question: str, n: int
                            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                       float] | None:
        """The candidates the hybrid ranking fuses for ``question`` with ``n`` from each list,
        as ``_candidates`` gives them (for tuning ``index.hybrid``); None without vectors."""
        dense, embedder = self._dense, self._embedder
        terms = self._tokenize(question)
        if dense is None or embedder is None or not terms:
            return None
        return await self._candidates(question, terms, n, None, dense, embedder)

    async def _distinct_first(self, docs: np.ndarray, n: int) -> np.ndarray:
        """``one_per_thread`` of the ranked ``docs``, looking up only the threads of a first
        part of the list: past the ``n``-th thread met, the order does not change."""
        head = 16
        while True:
            threads = await self.threads_of(docs[:head])
            if len(set(threads.tolist())) >= n or head >= len(docs):
                break
            head *= 4
        return np.concatenate([one_per_thread(threads, n),
                               np.arange(len(threads), len(docs), dtype=np.int64)])

    async def threads_of(self, docs: np.ndarray) -> np.ndarray:
        """The thread (its row id) of each document in ``docs``."""
        rowids = self._rowids[docs].tolist()
        async with self._db.execute(store.THREAD_OF, (json.dumps(rowids),)) as cur:
            thread = {rowid: t for rowid, t in await cur.fetchall()}
        return np.array([thread[r] for r in rowids], dtype=np.int64)

    async def passage_ids(self) -> list[str]:
        """Every passage's id, by document number (for evaluations)."""
        async with self._db.execute(store.PASSAGE_IDS) as cur:
            pid = {rowid: p for rowid, p in await cur.fetchall()}
        return [pid[rowid] for rowid in self._rowids.tolist()]

    async def nearest(self, question: str, k: int) -> list[Hit]:
        """The passages nearest the question by their vectors alone (for evaluations); none
        when the index has no vectors. Scores are cosine similarities."""
        dense, embedder = self._dense, self._embedder
        if dense is None or embedder is None or not question.strip():
            return []
        docs, scores = await asyncio.to_thread(
            lambda: dense.top_k(embedder.embed([question])[0], k))
        hits = await self._hits(docs.tolist(), scores.tolist(), first_rank=1)
        return [replace(h, similarity=s) for h, s in zip(hits, scores.tolist(), strict=True)]

    def _feedback(self, query: Mapping[str, float], texts: list[str], scores: list[float]
                  ) -> dict[str, float]:
        """RM3's expanded query; in a worker thread, as its time grows with the passages'."""
        return rm3(query, [self._tokenize(text) for text in texts], scores)

    def _joined(self, question: str) -> dict[str, list[str]]:
        """Index terms two neighbouring words of the question make when written together
        ("hay fever" -> "hayfever"), for each of the two words' terms."""
        words = self._tokenize.words(question)
        joined: dict[str, list[str]] = {}
        for a, b in itertools.pairwise(words):
            whole = self._tokenize(a + b)
            if len(whole) == 1 and whole[0] in self._postings.vocabulary:
                for part in self._tokenize(a) + self._tokenize(b):
                    joined.setdefault(part, []).append(whole[0])
        return joined

    async def _length_norms(self, docs: np.ndarray) -> np.ndarray:
        """BM25's length normalisation of ``docs`` (``1 - b + b * dl / avgdl``), which the
        relevance measure takes out again. The lengths are read once, at the first question."""
        if self._lengths is None:
            async with self._db.execute(store.LENGTHS) as cur:
                row = await cur.fetchone()
            lengths = np.frombuffer(row[1], dtype=np.dtype(row[0])).astype(np.float64) \
                if row else np.ones(self.n_passages)
            self._lengths = lengths / (float(lengths.mean()) if lengths.size else 1.0)
        b = float(self.meta.get("b", 0.75))
        norms: np.ndarray = 1 - b + b * self._lengths[docs]
        return norms

    def _question_words(self, question: str, terms: list[str]) -> list[Word]:
        # A search asks three times (relevance, rarest word, defined term): the spelling
        # variants' lookup is most of a millisecond, so the last question's words are kept.
        key = (question, tuple(terms))
        if self._words is not None and self._words[0] == key:
            return self._words[1]
        variants = self._variants
        words = question_words(
            terms, self._idf,
            # A variant's similarity, without the half weight the ranking gives it.
            (lambda t: [(v, w / VARIANT_WEIGHT) for v, w in variants.variants(t)])
            if variants else None,
            self._joined(question))
        self._words = (key, words)
        return words

    def _relevance(self, question: str, terms: list[str], docs: np.ndarray, norms: np.ndarray
                   ) -> np.ndarray:
        words = self._question_words(question, terms)
        index = self._postings.index_for(t for w in words for t in w.terms)
        return relevance(docs, words, index.postings, self._k1, norms)

    async def _top_k(self, query: Mapping[str, float], k: int, allowed: np.ndarray | None,
                     offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
        postings = self._postings
        top_k = functools.partial(ImpactIndex.top_k, query=query, k=k, allowed=allowed,
                                  prefer=self._sourced, offset=offset)
        if not postings.loaded:  # reads from the file: off the loop
            return await asyncio.to_thread(lambda: top_k(postings.index_for(query)))
        index = postings.index_for(query)
        work = sum(len(index.postings(t)[0]) for t in query)
        if work > _OFF_LOOP_POSTINGS:
            return await asyncio.to_thread(top_k, index)
        return top_k(index)

    async def passages_for_outlet(self, outlet: str, k: int = 3, offset: int = 0) -> list[Hit]:
        """Passages citing ``outlet`` in corpus order, for browsing without a question."""
        outlet_id = await self._outlet_id(outlet)
        if outlet_id is None:
            return []
        docs = np.flatnonzero(self._outlet == outlet_id)[offset:offset + k].tolist()
        return await self._hits(docs, [0.0] * len(docs), first_rank=offset + 1)

    async def whole(self, passage_ids: list[str]) -> list[Hit]:
        """The passages ``passage_ids`` (in that order, unknown ids left out), each quote with
        the passages next to it that continue it (same answer, same source, one quote split
        at ``passage_chars``) joined into one."""
        async with self._db.execute(store.ANSWER_PASSAGES, (json.dumps(passage_ids),)) as cur:
            rows = list(await cur.fetchall())
        out = []
        for rank, pid in enumerate(passage_ids, start=1):
            at = next((i for i, r in enumerate(rows) if r[1] == pid), None)
            if at is None:
                continue
            first = last = at
            if rows[at][2] == "quote":
                def same(i: int, at: int = at) -> bool:
                    a, b = rows[i], rows[at]
                    return (a[15], a[2], a[4], a[5]) == (b[15], "quote", b[4], b[5])
                while first > 0 and same(first - 1):
                    first -= 1
                while last + 1 < len(rows) and same(last + 1):
                    last += 1
            text = "\n\n".join(r[3] for r in rows[first:last + 1])
            out.append(replace(hit_of_row(rank, 0.0, rows[first]), text=text))
        return out

    async def outlets(self) -> list[tuple[str, int]]:
        """Every outlet cited, with its passage count, most cited first."""
        async with self._db.execute(store.OUTLET_COUNTS) as cur:
            return [(name, n) for name, n in await cur.fetchall()]

    async def sources(self) -> list[CitedSource]:
        """Every source cited, with its kind and passage count, most cited first; linked
        posts and file links counted by kind, with no name."""
        async with self._db.execute(store.SOURCE_COUNTS) as cur:
            return [CitedSource(*row) for row in await cur.fetchall()]

    async def files(self) -> list[tuple[str, str, int, int]]:
        """(path, sha256, threads, passages) of every file in the index, by path."""
        async with self._db.execute(store.FILES) as cur:
            return [(path, sha, threads, passages)
                    for path, sha, threads, passages in await cur.fetchall()]

    async def stats(self) -> Stats:
        async with self._db.execute(store.COUNTS) as cur:
            row = await cur.fetchone()
        assert row is not None  # an aggregate query always returns a row
        return Stats(*row)

    async def _outlet_id(self, name: str) -> int | None:
        async with self._db.execute(store.OUTLET_ID, (name,)) as cur:
            row = await cur.fetchone()
        return None if row is None else int(row[0])

    async def _hits(self, docs: list[int], scores: list[float], first_rank: int,
                    relevances: list[float] | None = None) -> list[Hit]:
        if not docs:
            return []
        rowids = self._rowids[docs].tolist()
        # One trip to the connection's thread, not three (execute, fetch, close): each costs
        # a thread wake-up, on every question.
        rows = {r[0]: r for r in await self._db.execute_fetchall(store.HIT_ROWS,
                                                                 (json.dumps(rowids),))}
        hits = [hit_of_row(first_rank + i, score, rows[rowid])
                for i, (rowid, score) in enumerate(zip(rowids, scores, strict=True))]
        if relevances is None:
            return hits
        return [replace(hit, relevance=r) for hit, r in zip(hits, relevances, strict=True)]
