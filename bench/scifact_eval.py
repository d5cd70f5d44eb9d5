"""Relevance: SciFact (BEIR) and the paraphrase set, for each ranking the project has.

    python -m bench.scifact_eval [--split test|train] [--sets scifact paraphrases]
                                 [--rankings bm25 bm25+stages dense hybrid]
                                 [--data ../shared/data] [--paraphrases FILE]

Builds the indexes through the project's own loaders and build, with passage vectors
(``data/bench/``: kept between runs, so a rerun embeds nothing; the first run embeds about
11,000 passages, 10-25 minutes on two cores), asks every query and scores the run with
ir-measures (trec_eval's maths): nDCG@10, Recall@100, success@5 and MRR@10.

Rankings: ``bm25`` (BM25 alone, ``--bm25-only``), ``bm25+stages`` (with spelling variants and
RM3 feedback: the ranking of an index without vectors), ``dense`` (the passage vectors alone),
``hybrid`` (the default: BM25 fused with the vectors, ``index.hybrid``).

The paraphrase set (``bench/paraphrases.tsv``): questions about Skeptics threads worded unlike
the thread's title; a passage of the thread is relevant. Never tuned on. Tune on SciFact's
``--split train``; report ``test``. Needs the ``relevance`` extra (``make relevance``).
``--paraphrases FILE`` asks another set of the same format instead (for example the blind
``bench/paraphrases_unseen.tsv``); its rows are then labelled with the file's name.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import ir_measures
from ir_measures import RR, R, Success, nDCG

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.vector_index import build_with_vectors  # noqa: E402
from index.queries import read_queries  # noqa: E402
from index.reader import IndexReader  # noqa: E402

MEASURES = [nDCG @ 10, R @ 100, Success @ 5, RR @ 10]
RANKINGS = {  # name -> (spelling and feedback, semantic, dense alone)
    "bm25": (False, False, False),
    "bm25+stages": (True, False, False),
    "dense": (False, True, True),
    "hybrid": (True, True, False),
}
PARAPHRASES = ROOT / "bench" / "paraphrases.tsv"
WORK = ROOT / "data" / "bench"


def read_qrels(path: Path) -> list[ir_measures.Qrel]:
    qrels = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:  # a header line first
        qid, docid, score = line.split("\t")
        qrels.append(ir_measures.Qrel(qid, docid, int(score)))
    return qrels


def indexed(name: str, source: Path) -> Path:
    """An index of ``source`` (one file) with vectors, built or brought up to date."""
    corpus = WORK / f"{name}-corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    copy = corpus / source.name  # a copy: the build refuses links out of the corpus folder
    if copy.is_symlink() or not copy.exists() or copy.stat().st_size != source.stat().st_size:
        copy.unlink(missing_ok=True)
        shutil.copyfile(source, copy)
    return build_with_vectors(name, corpus, WORK / f"{name}.db")


async def run_queries(db: Path, queries: list[tuple[str, str]], k: int, ranking: str, *,
                      scores: bool = False) -> tuple[list[ir_measures.ScoredDoc], list[float]]:
    """The run of ``ranking`` for ``queries``: ranks as scores (or, with ``scores``, the
    hits' own scores, for fusing runs later), and each query's seconds."""
    stages, semantic, dense_alone = RANKINGS[ranking]
    run, times = [], []
    async with await IndexReader.open(db, spelling=stages, feedback=stages,
                                      semantic=semantic) as reader:
        await reader.loaded()
        if semantic and not await reader.semantic_ready():
            raise SystemExit(f"{db} has no usable vectors: see the log")
        for qid, text in queries:
            t = time.perf_counter()
            hits = await (reader.nearest(text, k) if dense_alone else reader.search(text, k))
            times.append(time.perf_counter() - t)
            # Ranks, not scores: ir-measures sorts by score, and ties would reorder.
            run.extend(ir_measures.ScoredDoc(qid, h.passage_id,
                                             h.score if scores else float(k - h.rank))
                       for h in hits)
    return run, times


def scifact(data: Path, split: str) -> tuple[Path, list[tuple[str, str]], list]:
    qrels = read_qrels(data / "scifact" / "qrels" / f"{split}.tsv")
    judged = {q.query_id for q in qrels}
    queries = [(qid, text) for qid, text in read_queries(data / "scifact" / "queries.jsonl")
               if qid in judged]
    return indexed("scifact", data / "scifact" / "corpus.jsonl"), queries, qrels


def paraphrases(data: Path, path: Path = PARAPHRASES
                ) -> tuple[Path, list[tuple[str, str]], list]:
    """The Skeptics index, the questions of ``path`` and their judgments: every passage of
    the question's thread is relevant."""
    db = indexed("skeptics", data / "skeptics" / "web_science_dataset.jsonl")
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    con = sqlite3.connect(db)
    try:
        qrels = []
        for thread_id, _ in rows:
            url = f"https://skeptics.stackexchange.com/questions/{thread_id}"
            pids = [pid for (pid,) in con.execute(
                "SELECT p.pid FROM passages p JOIN answers a ON a.id = p.answer_id "
                "JOIN threads t ON t.id = a.thread_id WHERE t.url = ?", (url,))]
            if not pids:
                raise SystemExit(f"{path}: thread {thread_id} is not in the Skeptics data")
            qrels += [ir_measures.Qrel(thread_id, pid, 1) for pid in pids]
    finally:
        con.close()
    return db, [(thread_id, question) for thread_id, question in rows], qrels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--sets", nargs="+", default=["scifact", "paraphrases"],
                        choices=["scifact", "paraphrases"])
    parser.add_argument("--rankings", nargs="+", default=list(RANKINGS), choices=list(RANKINGS))
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--paraphrases", type=Path, default=PARAPHRASES, metavar="FILE",
                        help="the paraphrase set to ask (default bench/paraphrases.tsv)")
    args = parser.parse_args()
    if "paraphrases" in args.sets and not args.paraphrases.is_file():
        parser.error(f"--paraphrases {args.paraphrases}: no such file")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    print("| set | ranking | nDCG@10 | Recall@100 | success@5 | MRR@10 | mean ms a query |")
    print("|---|---|---|---|---|---|---|")
    for name in args.sets:
        db, queries, qrels = scifact(args.data, args.split) if name == "scifact" \
            else paraphrases(args.data, args.paraphrases)
        # Another set's rows name its file, so two sets' figures are never confused.
        other = "" if args.paraphrases.resolve() == PARAPHRASES else f" {args.paraphrases.name}"
        label = f"SciFact {args.split} ({len(queries)})" if name == "scifact" \
            else f"paraphrases{other} ({len(queries)})"
        for ranking in args.rankings:
            run, times = asyncio.run(run_queries(db, queries, 100, ranking))
            s = ir_measures.calc_aggregate(MEASURES, qrels, run)
            print(f"| {label} | {ranking} | {s[nDCG @ 10]:.4f} | {s[R @ 100]:.4f} | "
                  f"{s[Success @ 5]:.4f} | {s[RR @ 10]:.4f} | "
                  f"{1000 * sum(times) / len(times):.1f} |", flush=True)


if __name__ == "__main__":
    main()
