"""The nearest-neighbour index (``index.ann``) on real vectors: recall against exact search.

    python -m bench.ann_real [--data ../shared/data]

The synthetic vectors the scale benchmarks use are the hard case for a projection to fewer
dimensions (random projections of random words vary about evenly in every direction); real
sentence vectors do not. So this asks real questions, embedded by the real model, of indexes
of real passages (``make relevance``'s, under ``data/bench``: SciFact's corpus with its 300
test queries, and the Skeptics corpus with the paraphrase set, ``bench/paraphrases.tsv``),
and prints, for each: recall@10 and recall@100 of ``NearestIndex.top_k`` (the graph over the
projection, candidates rescored exactly) against exact search over the same int8 vectors
(``index.dense``; ties at the cut count as found); and, without the graph, how many of the
exact 10 best are among the best 100 and the best ``index.ann.RESCORED`` by the projection
alone (what the rescoring can recover from).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import ann, embedding, store  # noqa: E402
from index.dense import DenseIndex  # noqa: E402
from index.queries import read_queries  # noqa: E402

WORK = ROOT / "data" / "bench"


def exact_index(db: Path) -> DenseIndex:
    uri = f"{db.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(store.META).fetchall())
        arrays = store.arrays_from_rows(con.execute(store.VECTOR_ARRAYS).fetchall())
    v = store.VectorArrays.from_arrays(meta["vectors_model"], int(meta["vectors_dim"]), arrays)
    return DenseIndex(v.rows, v.scales)


def measure(db: Path, questions: list[str], model: embedding.Embedder) -> str:
    ann.build(db)  # as a build would, when the index's graph is missing or another format's
    nearest = ann.NearestIndex.open(db)
    exact = exact_index(db)
    units = exact.rows.astype(np.float32) * exact.scales[:, None]
    projected = ann.project(units, nearest._basis, nearest._scale).astype(np.int32)
    r10, r100, within = [], [], []  # type: ignore[var-annotated]
    for q in model.embed(questions):
        scores = exact.scores(q)
        cut = np.sort(scores)
        for k, out in ((10, r10), (100, r100)):
            docs, _ = nearest.top_k(q, k)
            out.append(float(np.mean(scores[docs] >= cut[-k] - 1e-6)))
        by_projection = projected @ ann.project(q, nearest._basis, nearest._scale).astype(
            np.int32)
        order = np.argsort(-by_projection, kind="stable")
        within.append([float(np.count_nonzero(scores[order[:r]] >= cut[-10] - 1e-6)) / 10
                       for r in (100, ann.RESCORED)])
    among_100, among_rescored = np.mean(within, axis=0)
    return (f"| {db.name} | {len(exact.scales):,} | {len(questions)} | {np.mean(r10):.4f} | "
            f"{np.mean(r100):.4f} | {among_100:.4f} | {among_rescored:.4f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    judged = {line.split("\t")[0] for line in (args.data / "scifact" / "qrels" / "test.tsv")
              .read_text(encoding="utf-8").splitlines()[1:]}
    scifact = [text for qid, text in read_queries(args.data / "scifact" / "queries.jsonl")
               if qid in judged]
    paraphrases = [line.split("\t")[1] for line in (ROOT / "bench" / "paraphrases.tsv")
                   .read_text(encoding="utf-8").splitlines()
                   if line and not line.startswith("#")]
    model = embedding.load()
    print(f"graph over {ann.DIMS} dimensions, {ann.CONNECTIVITY} links, "
          f"{ann.EXPANSION_SEARCH} candidates kept, {ann.RESCORED} rescored")
    print("| index | passages | questions | recall@10 | recall@100 | exact 10 best among "
          f"the projection's best 100 | best {ann.RESCORED} |")
    print("|---|---|---|---|---|---|---|")
    print(measure(WORK / "scifact.db", scifact, model), flush=True)
    print(measure(WORK / "skeptics.db", paraphrases, model), flush=True)


if __name__ == "__main__":
    main()
