"""Changes to the hybrid ranking measured and not shipped, on TUNING data only (issue 13).

    python -m bench.hybrid_variants [--data ../shared/data] [--fresh] [--sentences]

Tuning sets only, as ``bench.hybrid_tune``: SciFact's TRAIN judgments (809 claims) and
``bench/paraphrases_tune.tsv`` with ``bench/paraphrases_tune2.tsv`` (95 questions); SciFact test
and the held-out paraphrase sets are never read here.

For every question it takes what the shipped hybrid fuses (``IndexReader.fusion_inputs``, 100
from each list), the cosine of each candidate's thread title, and what the variants need: each
question word's frequency in each candidate (from the stored BM25 impacts, as
``index.relevance.relevance`` recovers it), each candidate's length, title and unit vector, and
the question's vector (kept in ``data/bench/variants-*.pkl``; ``--fresh`` collects them again:
about a minute). Each variant changes one input of ``index.hybrid.fuse`` and ranks as the
reader does (``fuse``, then ``with_titles`` for the first 20). It prints SciFact train nDCG@10
/ Recall@100, the tune sets' success@5 / MRR@10, and the SciFact train gain over the shipped
ranking with a 95% bootstrap interval over the claims:

- the word side (``relevance``: an idf-weighted mean of each word's ``tf / (tf + k1)``) with
  BM25's length normalisation, ``tf / (tf + k1' (1 - b' + b' length / mean length))``, over the
  whole range or only for questions whose best BM25 passage covers them (the dense weight's
  band); with each word's weight its idf to a power; with the thread title's words;
- the question's vector moved toward the fused list's first k passages' (Rocchio's positive
  term, weight beta) and every candidate's cosine recomputed (no second search);
- the coverage raised when BM25's best passage holds the question's rarest word;
- with ``--sentences``, the best cosine of any sentence of each of the first 20 passages in the
  meaning (it embeds every sentence of them: 15 minutes for SciFact train at load 6).

It starts with how the shipped ranking compares per question with BM25 alone and the vectors
alone within the same candidates (where the remaining nDCG@10 is).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import pickle
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ir_measures
import numpy as np
from ir_measures import RR, R, Success, nDCG

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hybrid_tune import TUNE_SETS  # noqa: E402
from bench.scifact_eval import WORK, paraphrases, scifact  # noqa: E402
from index import embedding, store  # noqa: E402
from index.hybrid import FUSION, fuse, with_titles  # noqa: E402
from index.reader import IndexReader  # noqa: E402
from index.sentences import sentences  # noqa: E402
from index.tokenize import Tokenizer  # noqa: E402

DEPTH = FUSION.candidates
MEASURES = [nDCG @ 10, R @ 100, Success @ 5, RR @ 10]
HEAD = 20  # the sentences' variant: the fused list's first this many
Question = dict[str, Any]
Ranking = Callable[[Question], np.ndarray]


async def collect(db: Path, queries: list[tuple[str, str]]) -> tuple[dict[str, Question],
                                                                        list[str]]:
    """Each question's inputs (see the module's docstring) and the passage ids by document
    number. Reads the reader's internals (its question words, postings, lengths, vectors):
    what only a bench needs, kept out of the served path."""
    out = {}
    async with await IndexReader.open(db) as reader:
        await reader.loaded()
        if not await reader.semantic_ready():
            raise SystemExit(f"{db} has no usable vectors: see the log")
        dense = reader._dense
        assert dense is not None
        for qid, text in queries:
            inputs = await reader.fusion_inputs(text, DEPTH)
            if inputs is None:
                continue
            docs = inputs[0]
            words = reader._question_words(text, reader._tokenize(text))
            index = reader._postings.index_for(t for w in words for t in w.terms)
            norms = await reader._length_norms(docs)
            k1 = reader._k1
            frequencies = []
            for word in words:
                options = []
                for option in word.options:
                    parts = []
                    for term, idf in option.terms:
                        tf = np.zeros(len(docs))
                        if idf > 0:  # as index.relevance.relevance recovers it
                            term_docs, impacts = index.postings(term)
                            at = np.searchsorted(term_docs, docs)
                            found = at < len(term_docs)
                            found[found] = term_docs[at[found]] == docs[found]
                            s = impacts[at[found]].astype(np.float64) / idf
                            tf[found] = s * k1 * norms[found] / np.maximum(k1 + 1 - s, 1e-9)
                        parts.append((term, tf))
                    options.append((option.strength, parts))
                frequencies.append((word.weight, options))
            rowids = reader._rowids[docs].tolist()
            async with reader._db.execute(store.TITLE_OF, (json.dumps(rowids),)) as cur:
                title = {rowid: t for rowid, t in await cur.fetchall()}
            assert reader._lengths is not None
            out[qid] = {"text": text, "docs": docs, "bm25": inputs[1], "cosine": inputs[2],
                        "relevance": inputs[3], "coverage": inputs[4],
                        "titles": await reader.title_similarities(text, docs),
                        "words": frequencies, "lengths": reader._lengths[docs],
                        "title_text": [title[r] for r in rowids],
                        "vectors": dense._rows(docs).astype(np.float32)
                        * dense.scales[docs, None],
                        "vector": reader._kept.questions[text]}
        pids = await reader.passage_ids()
    return out, pids


def cached(name: str, db: Path, queries: list[tuple[str, str]], fresh: bool
           ) -> tuple[dict[str, Question], list[str]]:
    path = WORK / f"variants-{name}.pkl"
    if path.exists() and not fresh:
        with path.open("rb") as f:
            data: tuple[dict[str, Question], list[str]] = pickle.load(f)
        return data
    data = asyncio.run(collect(db, queries))
    with path.open("wb") as f:
        pickle.dump(data, f)
    return data


def shipped(q: Question, cosine: np.ndarray | None = None, words: np.ndarray | None = None,
            coverage: float | None = None) -> np.ndarray:
    """The candidates ranked as the reader ranks them, with one input replaced."""
    docs = q["docs"]
    candidates = (docs, q["bm25"], q["cosine"] if cosine is None else cosine,
                  q["relevance"] if words is None else words,
                  q["coverage"] if coverage is None else coverage)
    order, scores = fuse(*candidates, FUSION)
    head = order[:FUSION.title_head]
    order, _ = with_titles(order, scores, candidates,
                           q["titles"][np.searchsorted(docs, head)], FUSION)
    return order


def word_shares(q: Question, k1: float = 1.5, b: float = 0.0) -> list[tuple[float, np.ndarray]]:
    """Each question word's weight and its share in each candidate, ``tf / (tf + k1 norm)``
    with ``norm = 1 - b + b * length / mean length`` (b 0, k1 1.5: the shipped relevance)."""
    norm = 1 - b + b * q["lengths"]
    out = []
    for weight, options in q["words"]:
        best = np.zeros(len(q["docs"]))
        for strength, parts in options:
            shares = [tf / (tf + k1 * norm) for _, tf in parts]
            best = np.maximum(best, strength * np.minimum.reduce(shares))
        out.append((weight, best))
    return out


def words(q: Question, k1: float = 1.5, b: float = 0.0, power: float = 1.0) -> np.ndarray:
    """The word side: the mean of the words' shares, each weighted by its idf ** ``power``."""
    shares = [(w ** power, s) for w, s in word_shares(q, k1, b) if w > 0]
    total = sum(w for w, _ in shares)
    if total <= 0:
        return np.zeros(len(q["docs"]))
    return np.clip(sum(w * s for w, s in shares) / total, 0.0, 1.0)


def in_band(q: Question, k1: float, b: float) -> np.ndarray:
    """``words(k1, b)`` as far as the question is covered (the dense weight's band), the
    shipped word side as far as it is not."""
    share = min(max((q["coverage"] - FUSION.uncovered) / (FUSION.covered - FUSION.uncovered),
                    0.0), 1.0)
    return share * words(q, k1, b) + (1 - share) * q["relevance"]


def title_words(q: Question, tokenize: Tokenizer) -> np.ndarray:
    """The idf-weighted share of the question's words in each candidate's thread title."""
    total = sum(w for w, _ in q["words"])
    out = np.zeros(len(q["docs"]))
    seen: dict[str, float] = {}
    for i, title in enumerate(q["title_text"]):
        if title not in seen and total > 0:
            tokens = set(tokenize(title))
            seen[title] = sum(weight for weight, options in q["words"]
                              if any(all(t in tokens for t, _ in parts)
                                     for _, parts in options)) / total
        out[i] = seen.get(title, 0.0)
    return out


def rocchio(q: Question, k: int, beta: float) -> np.ndarray:
    """Every candidate's cosine to the question's vector moved toward the mean vector of the
    shipped ranking's first ``k``."""
    at = np.searchsorted(q["docs"], shipped(q)[:k])
    moved = q["vector"] + beta * q["vectors"][at].mean(axis=0)
    out: np.ndarray = (q["vectors"] @ (moved / np.linalg.norm(moved))).astype(np.float64)
    return out


def rarest_held(q: Question, delta: float) -> float:
    """The coverage, raised by ``delta`` when BM25's best passage holds the rarest word."""
    shares = word_shares(q)
    if not shares:
        return float(q["coverage"])
    best = np.searchsorted(q["docs"], q["docs"][np.lexsort((q["docs"], -q["bm25"]))][0])
    rarest = int(np.argmax([w for w, _ in shares]))
    return float(q["coverage"]) + delta * float(shares[rarest][1][best] > 0)


def run_of(inputs: dict[str, Question], pids: list[str], rank: Ranking
           ) -> list[ir_measures.ScoredDoc]:
    return [ir_measures.ScoredDoc(qid, pids[d], float(100 - i))
            for qid, q in inputs.items() for i, d in enumerate(rank(q)[:100].tolist())]


def per_query(sets: dict[str, Any], rank: Ranking) -> np.ndarray:
    inputs, pids, qrels = sets["scifact"]
    found = {m.query_id: m.value for m in ir_measures.iter_calc(
        [nDCG @ 10], qrels, run_of(inputs, pids, rank))}
    return np.array([found.get(qid, 0.0) for qid in inputs])


def bootstrap(gain: np.ndarray, draws: int = 4000) -> tuple[float, float]:
    """The 95% interval of the mean of ``gain``, resampling the questions."""
    means = gain[np.random.default_rng(0).integers(0, len(gain), (draws, len(gain)))].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def sentence_vectors(sets: dict[str, Any], dbs: dict[str, Path]) -> None:
    """Each question's first ``HEAD`` passages' sentences' best cosine to the question
    (``q["sentence"]``, NaN for none), embedding every sentence of them once."""
    embedder = embedding.load()
    for name, (inputs, pids, _) in sets.items():
        docs = sorted({d for q in inputs.values() for d in shipped(q)[:HEAD].tolist()})
        con = sqlite3.connect(dbs[name])
        try:
            split = {d: sentences(con.execute("SELECT text FROM passages WHERE pid = ?",
                                              (pids[d],)).fetchone()[0], most=40)
                     for d in docs}
        finally:
            con.close()
        texts = sorted({s for group in split.values() for s in group})
        vectors = dict(zip(texts, embedder.embed(texts), strict=True))
        for q in inputs.values():
            best = np.full(len(q["docs"]), np.nan)
            for d in shipped(q)[:HEAD].tolist():
                if split[d]:
                    best[np.searchsorted(q["docs"], d)] = max(
                        float(vectors[s] @ q["vector"]) for s in split[d])
            q["sentence"] = best


def with_sentences(q: Question, share: float) -> np.ndarray:
    cosine = q["cosine"].copy()
    found = ~np.isnan(q["sentence"])
    cosine[found] = (1 - share) * cosine[found] + share * q["sentence"][found]
    return shipped(q, cosine=cosine)


def where_the_rest_is(sets: dict[str, Any]) -> None:
    """The shipped ranking per question against BM25 alone and the vectors alone."""
    hybrid = per_query(sets, shipped)
    bm25 = per_query(sets, lambda q: q["docs"][np.lexsort((q["docs"], -q["bm25"]))])
    dense = per_query(sets, lambda q: q["docs"][np.lexsort((q["docs"], -q["cosine"]))])
    coverage = np.array([q["coverage"] for q in sets["scifact"][0].values()])
    print(f"SciFact train nDCG@10 within the candidates: hybrid {hybrid.mean():.4f}, BM25 "
          f"alone {bm25.mean():.4f}, vectors alone {dense.mean():.4f}, the better of the two "
          f"for each claim {np.maximum(bm25, dense).mean():.4f}; claims the hybrid ranks 0.2 "
          f"below BM25 alone {int((hybrid < bm25 - 0.2).sum())}, below the vectors alone "
          f"{int((hybrid < dense - 0.2).sum())}; 0 for all three "
          f"{int(((hybrid == 0) & (bm25 == 0) & (dense == 0)).sum())} of {len(hybrid)}")
    print("| coverage of BM25's best | claims | hybrid | BM25 alone | vectors alone | better of "
          "the two |\n|---|---|---|---|---|---|")
    for lo, hi in ((0, 0.15), (0.15, 0.25), (0.25, 0.4), (0.4, 0.6), (0.6, 1.01)):
        m = (coverage >= lo) & (coverage < hi)
        print(f"| {lo}-{min(hi, 1)} | {int(m.sum())} | {hybrid[m].mean():.4f} | "
              f"{bm25[m].mean():.4f} | {dense[m].mean():.4f} | "
              f"{np.maximum(bm25, dense)[m].mean():.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--fresh", action="store_true", help="collect the inputs again")
    parser.add_argument("--sentences", action="store_true",
                        help="also the sentences' variant (embeds them: minutes)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    tune = [paraphrases(args.data, path) for path in TUNE_SETS]
    both = (tune[0][0], [q for t in tune for q in t[1]], [j for t in tune for j in t[2]])
    sets, dbs = {}, {}
    for name, (db, queries, qrels) in (("scifact", scifact(args.data, "train")),
                                       ("tune", both)):
        inputs, pids = cached(name, db, queries, args.fresh)
        sets[name], dbs[name] = (inputs, pids, qrels), db
    tokenize = Tokenizer()
    where_the_rest_is(sets)
    base = per_query(sets, shipped)

    def row(label: str, rank: Ranking) -> None:
        a = ir_measures.calc_aggregate(MEASURES, sets["scifact"][2],
                                       run_of(*sets["scifact"][:2], rank))
        b = ir_measures.calc_aggregate(MEASURES, sets["tune"][2], run_of(*sets["tune"][:2], rank))
        gain = per_query(sets, rank) - base
        lo, hi = bootstrap(gain)
        print(f"| {label} | {a[nDCG @ 10]:.4f} | {a[R @ 100]:.4f} | {b[Success @ 5]:.4f} | "
              f"{b[RR @ 10]:.4f} | {gain.mean():+.4f} [{lo:+.4f}, {hi:+.4f}] |", flush=True)

    print("\n| variant | SciFact train nDCG@10 | R@100 | tune success@5 | tune MRR@10 | train "
          "gain [95%] |\n|---|---|---|---|---|---|")
    row("shipped", shipped)
    for k1, b in itertools.product((0.9, 1.2, 1.5, 2.0, 3.0), (0.0, 0.25, 0.5, 0.75)):
        row(f"word side k1 {k1}, b {b}", lambda q, k1=k1, b=b: shipped(q, words=words(q, k1, b)))
    for k1, b in ((0.9, 0.25), (0.9, 0.0), (1.2, 0.5), (0.9, 0.5)):
        row(f"word side k1 {k1}, b {b} where covered", lambda q, k1=k1, b=b: shipped(
            q, words=in_band(q, k1, b)))
    for power in (0.5, 1.5, 2.0, 3.0):
        row(f"word side, idf ** {power}", lambda q, p=power: shipped(q, words=words(q, power=p)))
    for share in (0.05, 0.1, 0.2, 0.3):
        row(f"word side with the title's words, {share}", lambda q, s=share: shipped(
            q, words=(1 - s) * q["relevance"] + s * title_words(q, tokenize)))
    for k, beta in itertools.product((1, 3, 5, 10), (0.1, 0.3, 0.5, 1.0)):
        row(f"Rocchio, first {k}, beta {beta}", lambda q, k=k, beta=beta: shipped(
            q, cosine=rocchio(q, k, beta)))
    for delta in (0.05, 0.1, 0.2):
        row(f"coverage + {delta} when BM25's best holds the rarest word",
            lambda q, d=delta: shipped(q, coverage=rarest_held(q, d)))
    if args.sentences:
        sentence_vectors(sets, dbs)
        for share in (0.2, 0.35, 0.5, 0.7, 1.0):
            row(f"best sentence's cosine, {share} of the meaning (first {HEAD})",
                lambda q, s=share: with_sentences(q, s))


if __name__ == "__main__":
    main()
