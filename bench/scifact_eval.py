"""Relevance on SciFact (BEIR): nDCG@10 and Recall@100 of the project's ranking.

    python -m bench.scifact_eval [--split test|train] [--bm25-only] [--data ../shared/data/scifact]

Builds the index from SciFact's ``corpus.jsonl`` through the project's own loader, asks every
query of the split with judgments, and scores the run with ir-measures (trec_eval's maths).
Tune on ``--split train``; report ``test``. Needs the ``relevance`` extra (``make relevance``
installs it).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

import ir_measures
from ir_measures import R, nDCG

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.build import build  # noqa: E402
from index.queries import read_queries  # noqa: E402
from index.reader import IndexReader  # noqa: E402


def read_qrels(path: Path) -> list[ir_measures.Qrel]:
    qrels = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:  # a header line first
        qid, docid, score = line.split("\t")
        qrels.append(ir_measures.Qrel(qid, docid, int(score)))
    return qrels


async def run_queries(db: Path, queries: list[tuple[str, str]], k: int, *, stages: bool = True
                      ) -> tuple[list[ir_measures.ScoredDoc], list[float]]:
    run, times = [], []
    async with await IndexReader.open(db, spelling=stages, feedback=stages) as reader:
        for qid, text in queries:
            t = time.perf_counter()
            hits = await reader.search(text, k)
            times.append(time.perf_counter() - t)
            run.extend(ir_measures.ScoredDoc(qid, h.passage_id, h.score) for h in hits)
    return run, times


def evaluate(data: Path, split: str, db: Path | None = None, *, stages: bool = True
             ) -> dict[str, float]:
    qrels = read_qrels(data / "qrels" / f"{split}.tsv")
    judged = {q.query_id for q in qrels}
    queries = [(qid, text) for qid, text in read_queries(data / "queries.jsonl")
               if qid in judged]
    with tempfile.TemporaryDirectory() as tmp:
        if db is None:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            # A copy: the build refuses links out of the corpus folder.
            shutil.copyfile(data / "corpus.jsonl", corpus / "scifact.jsonl")
            db = Path(tmp) / "scifact.db"
            build(corpus, db)
        run, times = asyncio.run(run_queries(db, queries, 100, stages=stages))
    scores = ir_measures.calc_aggregate([nDCG @ 10, R @ 100], qrels, run)
    return {"nDCG@10": scores[nDCG @ 10], "R@100": scores[R @ 100], "queries": len(queries),
            "mean_ms": 1000 * sum(times) / len(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--bm25-only", action="store_true",
                        help="plain BM25, without spelling variants and feedback")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "scifact")
    args = parser.parse_args()
    result = evaluate(args.data, args.split, stages=not args.bm25_only)
    print(f"SciFact {args.split} ({result['queries']} queries): nDCG@10 {result['nDCG@10']:.4f}, "
          f"R@100 {result['R@100']:.4f}, {result['mean_ms']:.2f} ms a query")


if __name__ == "__main__":
    main()
