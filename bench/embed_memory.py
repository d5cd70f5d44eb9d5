"""Memory and speed of the embedding process, and that its vectors are sentence-transformers'.

    python -m bench.embed_memory [--passages 512] [--offset 0] [--tokens N]
        [--runtime sourced transformers sentence-transformers]

Each runtime runs in a fresh process, as a build's embedding process does
(``index.vectors.embed_apart``), over N SciFact passages from the ``--offset``-th (title and
abstract as ``index.embedding.embedded_text`` joins them: long ones, many cut at the model's
256 tokens), in chunks of ``index.vectors.CHUNK`` as ``embed_missing`` hands them over:

- ``sourced``: ``index.embedding.load()`` and ``Embedder.embed``, what the build runs (ONNX
  Runtime since 2026-12-05; ``--tokens``: with ``index.encoders.ONNX_TOKENS`` and ``TOKENS``
  set to N, to try another batch bound);
- ``transformers``: ``index.encoders.transformers_encoder``, the same batches on PyTorch (what
  the build ran before ONNX Runtime, and its fallback);
- ``sentence-transformers``: the reference, ``SentenceTransformer(...).encode`` with
  ``index.encoders.BATCH`` texts a batch, normalized (the build's runtime before).

Sets of passages: ``--offset 0 --passages 256`` tunes (the batch bound); ``--offset 2000
--passages 512`` is the README's memory and speed figures; ``--offset 4500 --passages 512``
(SciFact's passages 4,500-5,011) is held out for the check that ONNX Runtime's vectors are
PyTorch's (written down before its first run, on 2026-12-05, and run once).

It prints resident memory after loading the model, at the end and at its peak (``VmHWM``: the
interpreter and libraries included), passages embedded a second, and the largest absolute
difference and least cosine between each runtime's vectors and the reference's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "data" / "scifact" / "corpus.jsonl"
REFERENCE = "sentence-transformers"


def status_mb() -> dict[str, float]:
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024
    return out


def passages(n: int, offset: int = 0) -> list[str]:
    from index.embedding import embedded_text

    texts = []
    with SCIFACT.open(encoding="utf-8") as f:
        for number, line in enumerate(f):
            if number < offset:
                continue
            record = json.loads(line)
            texts.append(embedded_text(record["title"], record["text"]))
            if len(texts) == n:
                break
    return texts


def child(runtime: str, n: int, out: Path, offset: int, tokens: int | None) -> None:
    """Embed in this process; print one JSON line of figures."""
    from index import embedding, encoders
    from index.vectors import CHUNK

    texts = passages(n, offset)
    if tokens:
        encoders.TOKENS = encoders.ONNX_TOKENS = tokens
    if runtime == REFERENCE:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        model = SentenceTransformer(embedding._resolve(embedding.DEFAULT_MODEL), device="cpu")

        def embed(chunk: list[str]) -> np.ndarray:
            return np.asarray(model.encode(chunk, batch_size=encoders.BATCH,
                                           normalize_embeddings=True, convert_to_numpy=True,
                                           show_progress_bar=False), dtype=np.float32)
    elif runtime == "transformers":
        import torch

        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        folder = embedding._resolve(embedding.DEFAULT_MODEL)
        longest = embedding.mean_pooled(Path(folder))
        assert longest is not None
        embed = encoders.transformers_encoder(folder, longest)[0]
    else:
        model = embedding.load()
        print(f"sourced: {model.runtime}", file=sys.stderr)
        embed = model.embed  # type: ignore[assignment]
    loaded = status_mb()
    started = time.perf_counter()
    vectors = np.concatenate([embed(texts[at:at + CHUNK]) for at in range(0, n, CHUNK)])
    seconds = time.perf_counter() - started
    np.save(out, vectors)
    end = status_mb()
    print(json.dumps({"loaded": loaded["VmRSS"], "end": end["VmRSS"], "peak": end["VmHWM"],
                      "end_file": end["RssFile"], "seconds": seconds,
                      "per_second": n / seconds}))


def main(runtimes: list[str], n: int, offset: int, tokens: int | None) -> None:
    print(f"{n} SciFact passages from the {offset}th, chunks of 256"
          + (f", batches of at most {tokens} tokens" if tokens else "")
          + f"; {os.getloadavg()[0]:.1f} load average at the start")
    print(f"{'runtime':<22} {'loaded':>8} {'peak':>8} {'end':>8} {'of it file':>10} "
          f"{'passages/s':>10} {'max |diff|':>11} {'least cos':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        got: dict[str, tuple[dict[str, float], np.ndarray]] = {}
        # The reference first, when asked for: the others are compared to it.
        for runtime in sorted(runtimes, key=lambda r: r != REFERENCE):
            out = Path(tmp) / f"{runtime}.npy"
            done = subprocess.run([sys.executable, "-m", "bench.embed_memory", "--child",
                                   runtime, str(n), str(out), str(offset), str(tokens or 0)],
                                  cwd=ROOT, check=True, capture_output=True, text=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            got[runtime] = figures, np.load(out)
        reference = got[REFERENCE][1] if REFERENCE in got else None
        for runtime, (f, v) in got.items():
            compared = "-".rjust(11) + " " + "-".rjust(10) if reference is None else (
                f"{float(np.abs(v - reference).max()):>11.2e} "
                f"{float(np.min(np.sum(v * reference, axis=1))):>10.7f}")
            print(f"{runtime:<22} {f['loaded']:>5.0f} MB {f['peak']:>5.0f} MB "
                  f"{f['end']:>5.0f} MB {f['end_file']:>7.0f} MB {f['per_second']:>10.1f} "
                  f"{compared}", flush=True)
    print(f"{os.getloadavg()[0]:.1f} load average at the end")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=512)
    parser.add_argument("--offset", type=int, default=0, help="the first SciFact passage")
    parser.add_argument("--tokens", type=int,
                        help="index.encoders.TOKENS and ONNX_TOKENS for this run")
    parser.add_argument("--runtime", nargs="+", default=["sourced", REFERENCE],
                        choices=["sourced", "transformers", REFERENCE])
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), Path(args.child[2]), int(args.child[3]),
              int(args.child[4]) or None)
    else:
        main(args.runtime, args.passages, args.offset, args.tokens)
