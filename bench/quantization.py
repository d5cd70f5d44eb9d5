"""int8 vectors against float32: does quantizing (``index.embedding.quantize``) change the
dense ranking? On SciFact's first N passages (title and abstract), with the test queries that
have a relevant passage among them.

    python -m bench.quantization [--passages 2000]

Embeds the passages once (float32), quantizes them as the index stores them, and prints
nDCG@10 and Recall@100 of the vectors alone for both, and the top-10 overlap.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import ir_measures
import numpy as np
from ir_measures import R, nDCG

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index import embedding  # noqa: E402
from index.embedding import quantize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "scifact")
    args = parser.parse_args()
    corpus = [json.loads(line) for line in (args.data / "corpus.jsonl").open(encoding="utf-8")]
    corpus = corpus[:args.passages]
    ids = [r["_id"] for r in corpus]
    model = embedding.load()
    full = model.embed([f"{r.get('title') or ''}. {r['text']}" for r in corpus])
    rows, scales = quantize(full)
    int8 = rows.astype(np.float32) * scales[:, None]
    known = set(ids)
    qrels = [ir_measures.Qrel(q, d, int(s)) for q, d, s in
             (line.split("\t") for line in
              (args.data / "qrels" / "test.tsv").read_text().splitlines()[1:]) if d in known]
    judged = {q.query_id for q in qrels}
    queries = [(q["_id"], q["text"]) for q in map(json.loads, (args.data / "queries.jsonl").open())
               if q["_id"] in judged]
    asked = model.embed([text for _, text in queries])
    tops = {}
    for name, matrix in (("float32", full), ("int8", int8)):
        scores = asked @ matrix.T
        run, tops[name] = [], []
        for (qid, _), row in zip(queries, scores, strict=True):
            top = np.argsort(-row)[:100]
            tops[name].append(set(top[:10].tolist()))
            run += [ir_measures.ScoredDoc(qid, ids[i], float(row[i])) for i in top]
        r = ir_measures.calc_aggregate([nDCG @ 10, R @ 100], qrels, run)
        print(f"{name}: nDCG@10 {r[nDCG @ 10]:.4f}, R@100 {r[R @ 100]:.4f}")
    overlap = np.mean([len(a & b) / 10 for a, b in zip(tops["float32"], tops["int8"],
                                                          strict=True)])
    print(f"{len(queries)} queries; top-10 overlap int8 vs float32: {overlap:.4f}")


if __name__ == "__main__":
    main()
