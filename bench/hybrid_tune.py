"""Choosing the fusion of BM25 and dense candidates, on SciFact's TRAIN judgments only.

    python -m bench.hybrid_tune [--split train]

Takes each query's 100 best passages by BM25 (with and without spelling variants and RM3)
and by the passage vectors alone, through ``IndexReader`` as ``bench.scifact_eval`` does,
then fuses them every way tried: reciprocal rank fusion with ``K`` and the dense list's
weight, and the min-max normalised sum with the dense weight ``alpha``. Prints nDCG@10 and
Recall@100 for each; the best on train goes into ``index/hybrid.py``. Never run it on test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import ir_measures
import numpy as np
from ir_measures import R, nDCG

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scifact_eval import run_queries, scifact  # noqa: E402
from index.hybrid import normalised_sum, rrf  # noqa: E402


def by_query(run: list[ir_measures.ScoredDoc]) -> dict[str, tuple[list[str], np.ndarray]]:
    out: dict[str, tuple[list[str], list[float]]] = {}
    for d in run:
        out.setdefault(d.query_id, ([], []))
        out[d.query_id][0].append(d.doc_id)
        out[d.query_id][1].append(d.score)
    return {q: (docs, np.array(scores)) for q, (docs, scores) in out.items()}


def fuse(first: dict, second: dict, how: str, param: float, weight: float
         ) -> list[ir_measures.ScoredDoc]:
    run = []
    for qid in set(first) | set(second):
        a_docs, a_scores = first.get(qid, ([], np.zeros(0)))
        b_docs, b_scores = second.get(qid, ([], np.zeros(0)))
        names = sorted(set(a_docs) | set(b_docs))
        number = {n: i for i, n in enumerate(names)}
        a = np.array([number[d] for d in a_docs], dtype=np.int64)
        b = np.array([number[d] for d in b_docs], dtype=np.int64)
        if how == "rrf":
            docs, scores = rrf([(a, 1.0), (b, weight)], k=param)
        else:
            docs, scores = normalised_sum([(a, a_scores, 1 - weight), (b, b_scores, weight)])
        run += [ir_measures.ScoredDoc(qid, names[d], float(s))
                for d, s in zip(docs[:100].tolist(), scores[:100].tolist(), strict=True)]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="train", choices=["train", "test"])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    db, queries, qrels = scifact(args.data, args.split)

    def scored(ranking: str) -> dict:
        run, _ = asyncio.run(run_queries(db, queries, 100, ranking, scores=True))
        return by_query(run)

    dense = scored("dense")
    measures = [nDCG @ 10, R @ 100]
    print(f"SciFact {args.split}, {len(queries)} queries")
    for bm25_name in ("bm25", "bm25+stages"):
        bm25 = scored(bm25_name)
        for name, run in (("alone", [d for q in bm25 for d in _docs(q, bm25[q])]),):
            s = ir_measures.calc_aggregate(measures, qrels, run)
            print(f"{bm25_name} {name}: nDCG@10 {s[nDCG @ 10]:.4f} R@100 {s[R @ 100]:.4f}")
        for k in (5, 10, 20, 40, 60, 100):
            for weight in (0.5, 0.75, 1.0, 1.5, 2.0):
                s = ir_measures.calc_aggregate(measures, qrels,
                                               fuse(bm25, dense, "rrf", k, weight))
                print(f"{bm25_name} rrf K={k} dense weight {weight}: nDCG@10 "
                      f"{s[nDCG @ 10]:.4f} R@100 {s[R @ 100]:.4f}", flush=True)
        for alpha in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            s = ir_measures.calc_aggregate(measures, qrels, fuse(bm25, dense, "sum", 0, alpha))
            print(f"{bm25_name} normalised sum, dense weight {alpha}: nDCG@10 "
                  f"{s[nDCG @ 10]:.4f} R@100 {s[R @ 100]:.4f}", flush=True)


def _docs(qid: str, ranked: tuple[list[str], np.ndarray]) -> list[ir_measures.ScoredDoc]:
    return [ir_measures.ScoredDoc(qid, d, float(s)) for d, s in zip(*ranked, strict=True)]


if __name__ == "__main__":
    main()
