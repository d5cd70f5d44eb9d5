"""Realistic vectors for the scale benchmarks: the real model's vectors of real passages and
questions, and synthetic vectors drawn to match the real passages' statistics.

    python -m bench.real_vectors [--data ../shared/data]      # embed (once) and summarise
    python -m bench.real_vectors --check 40000 [--queries 300] # is the synthetic part fair?

**Real passages**: the shared data's SciFact corpus, Skeptics answers and the two Stack
Exchange dumps (history-meta, genai), each built by the project's own loaders and build with
all-MiniLM-L6-v2 (``index.build.build_with``, so the texts embedded are the bot's: thread
title, lead-in, passage), in ``data/real/``. Their int8 rows and scales are cached together in
``data/real/passages.npz`` (never in git). **Real questions**, embedded by the same model
(``index.embedding``) and cached in ``data/real/questions-SET.npz``; two sets, so a setting can
be chosen on one and reported on the other:

- ``report``: SciFact's test queries (the 300 judged), ``bench/paraphrases.tsv`` and the texts
  of ``bench/answers_questions.toml``'s first 631 questions (all it held on 2026-12-05);
- ``tune``: SciFact's train queries (the 809 judged) and ``bench/paraphrases_tune*.tsv``;
- ``tune-mixed``: shaped like ``report`` (its four kinds in about its proportions), from
  questions ``report`` does not hold: SciFact's first 300 judged train queries,
  ``bench/paraphrases_tune*.tsv``, and ``bench/answers_questions.toml``'s sets ``unseen6`` to
  ``unseen10`` (300 on-topic, 300 off-topic: written blind by others and used before
  2026-12-05 12:20 UTC; later sets are never taken). ``tune`` has no off-topic question, whose
  exact best 10 are far and near-tied: the hardest for a graph's walk (README, "Vector search
  at scale").

They are only query vectors here: nothing about ranking is chosen with them.

**Synthetic passages** (beyond the real ones): a Gaussian with the real passage vectors' mean
and covariance, each draw scaled to unit length (as the model's are). Chosen over "real
vectors plus noise" because it reproduces what made the old stand-in misleading, the one
large component every vector shares (the mean), and every question's score distribution over
the passages to its first two moments, with no free parameter (a noise level would set the
difficulty at will); and with no clusters it is, if anything, a harder case for a graph than
real text. ``--check`` measures whether that holds (README, "Vector search at scale").

**An index of N passages** (``install``): the real vectors at evenly spread places (so
questions have their true neighbours among them, and they are inserted into the graph mixed
with the rest, as a real corpus would be), synthetic ones everywhere else; the draws depend
only on N, the seed and the place, so an index of N is the same every time.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tomllib
from contextlib import closing
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.embedding import DEFAULT_MODEL, quantize  # noqa: E402

WORK = ROOT / "data" / "real"
DATA = ROOT.parent / "shared" / "data"
# What each real index is built from (paths under the shared data): name -> [(source, copy)].
SOURCES = {
    "scifact": [("scifact/corpus.jsonl", "corpus.jsonl")],
    "skeptics": [("skeptics/web_science_dataset.jsonl", "web_science_dataset.jsonl")],
    "stackexchange": [("stackexchange/history-meta/Posts.xml", "history-meta/Posts.xml"),
                      ("stackexchange/history-meta/Comments.xml", "history-meta/Comments.xml"),
                      ("stackexchange/genai/Posts.xml", "genai/Posts.xml")],
}
# bench/answers_questions.toml is appended to: the report set keeps the questions it held on
# 2026-12-05 at 02:40 UTC (later sets, such as the blind "unseen6", are others' to report on).
ANSWERS_QUESTIONS = 631
# The answers' sets "tune-mixed" takes (tuning material; never a later, blind one).
TUNE_SETS = ("unseen6", "unseen7", "unseen8", "unseen9", "unseen10")
TUNE_SCIFACT = 300
SLICE = 65_536  # rows drawn or written at a time
SEED = 17


def _build(name: str, data: Path) -> Path:
    """The real index ``name``, built with vectors (or brought up to date: it embeds only
    what its vector cache lacks)."""
    import shutil

    from bench.vector_index import build_with_vectors

    corpus = WORK / f"{name}-corpus"
    for source, copy in SOURCES[name]:
        target = corpus / copy  # copies: the build refuses links out of the corpus folder
        if not target.exists() or target.stat().st_size != (data / source).stat().st_size:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(data / source, target)
    return build_with_vectors(name, corpus, WORK / f"{name}.db")


def _index_vectors(db: Path) -> tuple[np.ndarray, np.ndarray]:
    from index import store

    uri = f"{db.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as con:
        meta = dict(con.execute(store.META).fetchall())
        arrays = store.arrays_from_rows(con.execute(store.VECTOR_ARRAYS).fetchall())
    if meta.get("vectors_missing") != "0" or meta.get("vectors_model") != DEFAULT_MODEL:
        raise SystemExit(f"{db}: vectors incomplete or not {DEFAULT_MODEL}'s")
    v = store.VectorArrays.from_arrays(meta["vectors_model"], int(meta["vectors_dim"]), arrays)
    return v.rows, v.scales


def passages(data: Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    """The real passages' int8 rows and scales (SOURCES' order), embedded once and cached."""
    cache = WORK / "passages.npz"
    if not cache.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        parts = [_index_vectors(_build(name, data)) for name in SOURCES]
        counts = np.array([len(r) for r, _ in parts])
        np.savez(cache, rows=np.concatenate([r for r, _ in parts]),
                 scales=np.concatenate([s for _, s in parts]), counts=counts)
    got = np.load(cache)
    return got["rows"], got["scales"]


def question_texts(which: str, data: Path = DATA) -> list[str]:
    """The real questions of the set ``which`` ("report", "tune" or "tune-mixed"), in a
    fixed order."""
    return [text for text, _ in labelled(which, data)]


def labelled(which: str, data: Path = DATA) -> list[tuple[str, str]]:
    """The set's questions with their kind: "scifact", "paraphrase", "on-topic" or
    "off-topic" (an answers question expecting nothing)."""
    import json

    if which not in ("report", "tune", "tune-mixed"):
        raise ValueError(f"no question set {which!r}")
    split = "test" if which == "report" else "train"
    judged = {line.split("\t")[0] for line in
              (data / "scifact" / "qrels" / f"{split}.tsv").read_text().splitlines()[1:]}
    out = []
    with open(data / "scifact" / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            query = json.loads(line)
            if query["_id"] in judged:
                out.append((query["text"], "scifact"))
    if which == "tune-mixed":
        out = out[:TUNE_SCIFACT]
    tsvs = (["paraphrases.tsv"] if which == "report"
            else ["paraphrases_tune.tsv", "paraphrases_tune2.tsv"])
    for name in tsvs:
        out += [(line.split("\t", 1)[1], "paraphrase") for line in
                (ROOT / "bench" / name).read_text(encoding="utf-8").splitlines()
                if line and not line.startswith("#")]
    if which != "tune":
        toml = tomllib.loads((ROOT / "bench" / "answers_questions.toml").read_text("utf-8"))
        asked = toml["q"][:ANSWERS_QUESTIONS] if which == "report" else \
            [q for q in toml["q"][ANSWERS_QUESTIONS:] if q["split"] in TUNE_SETS]
        out += [(q["text"], "on-topic" if q["expect"] else "off-topic") for q in asked]
    return out


def questions(which: str, data: Path = DATA) -> tuple[list[str], np.ndarray]:
    """The set's texts and their unit vectors by the real model (cached: the texts are kept
    with the vectors, so a set that grew since is embedded again)."""
    texts = question_texts(which, data)
    cache = WORK / f"questions-{which}.npz"
    if cache.exists():
        got = np.load(cache)
        if list(got["texts"]) == texts:
            return texts, got["vectors"]
    from index.embedding import load

    vectors = load().embed(texts)
    WORK.mkdir(parents=True, exist_ok=True)
    np.savez(cache, texts=np.array(texts), vectors=vectors)
    return texts, vectors


class Gaussian:
    """Unit vectors drawn from a Gaussian with the real passages' mean and covariance."""

    def __init__(self, rows: np.ndarray, scales: np.ndarray) -> None:
        units = rows.astype(np.float64) * scales[:, None]
        self.mean = units.mean(axis=0)
        cov = np.cov(units, rowvar=False)
        values, vectors = np.linalg.eigh(cov)
        self._root = (vectors * np.sqrt(np.clip(values, 0, None))).T.astype(np.float32)
        self.dim = units.shape[1]

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.standard_normal((n, self.dim), dtype=np.float32) @ self._root \
            + self.mean.astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x


def real_places(n: int, real: int) -> np.ndarray:
    """Where the ``real`` vectors go in an index of ``n >= real``: evenly spread."""
    return (np.arange(real, dtype=np.int64) * n) // real


def realistic(n: int, seed: int = SEED, real: tuple[np.ndarray, np.ndarray] | None = None
              ):  # type: ignore[no-untyped-def]
    """(start, int8 rows, scales) slices of an index of ``n`` realistic vectors (``real``:
    the real rows and scales, ``passages()`` unless given)."""
    rows, scales = real if real is not None else passages()
    if n < len(rows):
        raise SystemExit(f"an index of {n:,} holds fewer than the {len(rows):,} real passages")
    gauss = Gaussian(rows, scales)
    places = real_places(n, len(rows))
    for at in range(0, n, SLICE):
        part = min(SLICE, n - at)
        r, s = quantize(gauss.draw(np.random.default_rng([seed, n, at]), part))
        here = places[(places >= at) & (places < at + part)]
        which = np.searchsorted(places, here)
        r[here - at], s[here - at] = rows[which], scales[which]
        yield at, r, s


def install(db: Path, seed: int = SEED,
            real: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """Replace the vectors of the index at ``db`` (complete, made for the default model) by
    realistic ones, in place, and remove its nearest-neighbour files (their name is the
    passages' keys, which stay: they would otherwise be taken for these vectors')."""
    with closing(sqlite3.connect(db)) as con:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        dim, n = int(meta["vectors_dim"]), None
        rowid = {name: r for name, r in con.execute(
            "SELECT name, rowid FROM arrays WHERE name IN ('vectors', 'vector_scales')")}
        with con.blobopen("arrays", "data", rowid["vector_scales"]) as blob:
            n = len(blob) // 4
        with con.blobopen("arrays", "data", rowid["vectors"]) as rows_blob, \
                con.blobopen("arrays", "data", rowid["vector_scales"]) as scales_blob:
            for at, r, s in realistic(n, seed, real):
                if r.shape[1] != dim:
                    raise SystemExit(f"{db}: {dim} dimensions, the model has {r.shape[1]}")
                rows_blob.seek(at * dim)
                rows_blob.write(r.tobytes())
                scales_blob.seek(at * 4)
                scales_blob.write(s.astype(np.float32).tobytes())
        con.commit()
    for old in db.parent.glob(f".{db.name}.ann-*"):
        old.unlink()
    (db.parent / f".{db.name}.made-by").write_text(f"bench.real_vectors seed {seed}\n")


def is_installed(db: Path, seed: int = SEED) -> bool:
    marker = db.parent / f".{db.name}.made-by"
    return marker.exists() and marker.read_text() == f"bench.real_vectors seed {seed}\n"


class GaussianModel:
    """Stands in for the model while a benchmark index is built (``embed_missing`` embeds its
    passages and titles with it); ``install`` then replaces the passages' vectors."""

    name = DEFAULT_MODEL
    dim = 384

    def __init__(self) -> None:
        rows, scales = passages()
        self._gauss = Gaussian(rows, scales)
        self._rng = np.random.default_rng(SEED)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self._gauss.draw(self._rng, len(texts))


def _graph_recall(base: np.ndarray, queries: np.ndarray, expansions: list[int]
                  ) -> list[float]:
    """recall@10 of a usearch graph built as ``index.ann`` builds it (int8, cosine, 16 links,
    128 while adding) over ``base`` (unit vectors), asked for its 10 best with each
    expansion, against exact search over the same int8 rows (ties at the cut count)."""
    from usearch.index import Index

    from index import ann

    rows, scales = quantize(base)
    graph = Index(ndim=base.shape[1], metric="cos", dtype="i8", connectivity=ann.CONNECTIVITY,
                  expansion_add=ann.EXPANSION_ADD)
    graph.add(np.arange(len(rows), dtype=np.uint64), rows, threads=0)
    exact = (rows.astype(np.float32) @ queries.T) * scales[:, None]  # passages x questions
    cut = np.sort(exact, axis=0)[-10]
    out = []
    for expansion in expansions:
        graph.expansion_search = expansion
        found = graph.search(queries, 10, threads=1).keys.astype(np.int64)
        got = exact[found, np.arange(len(queries))[:, None]]
        out.append(float(np.mean(got >= cut[:, None] - 1e-6)))
    return out


def check(size: int, n_queries: int, expansions: list[int]) -> None:
    """Is the synthetic part a fair or pessimistic stand-in? The graph's recall on the real
    passages against an equal number of synthetic ones, and in a mixed set of ``size``."""
    rows, scales = passages()
    real = rows.astype(np.float32) * scales[:, None]
    gauss = Gaussian(rows, scales)
    rng = np.random.default_rng(SEED)
    # Passages as questions: real ones left out of the real set, fresh draws for the other.
    held = rng.permutation(len(real))
    asked_real, base_real = real[held[:n_queries]], real[np.sort(held[n_queries:])]
    base_synth = gauss.draw(rng, len(base_real))
    asked_synth = gauss.draw(rng, n_queries)
    _, report = questions("report")
    _, tune = questions("tune")
    people = np.concatenate([report, tune])
    people = people[np.random.default_rng(SEED).permutation(len(people))[:n_queries]]
    heads = " | ".join(f"{e}" for e in expansions)
    print(f"{len(base_real):,} real passages, as many synthetic; {n_queries} questions each; "
          f"load average {os.getloadavg()}")
    print(f"| passages | questions | recall@10 with expansion {heads} |")
    print("|---|---|" + "---|" * len(expansions))
    for label, base, asked in (
            ("real", base_real, people), ("synthetic", base_synth, people),
            ("real", base_real, asked_real), ("synthetic", base_synth, asked_synth)):
        kind = "people's (real model)" if asked is people else f"{label} passages left out"
        got = _graph_recall(base, asked, expansions)
        print(f"| {label} ({len(base):,}) | {kind} | " + " | ".join(f"{r:.4f}" for r in got)
              + " |", flush=True)
    mixed = np.zeros((size, real.shape[1]), dtype=np.float32)
    places = real_places(size, len(base_real))
    synth = np.ones(size, dtype=bool)
    synth[places] = False
    mixed[places] = base_real
    mixed[synth] = gauss.draw(rng, int(synth.sum()))
    got = _graph_recall(mixed, people, expansions)
    print(f"| mixed ({size:,}: {len(base_real):,} real) | people's (real model) | "
          + " | ".join(f"{r:.4f}" for r in got) + " |")
    exact = mixed @ people.T
    top = np.argsort(-exact, axis=0)[:10]
    print(f"share of the mixed set's exact 10 best that are synthetic: "
          f"{synth[top].mean():.4f}; load average {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--check", type=int, metavar="SIZE")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--expansions", type=int, nargs="+", default=[10, 16, 32, 64, 128])
    args = parser.parse_args()
    rows, scales = passages(args.data)
    counts = np.load(WORK / "passages.npz")["counts"]
    units = rows.astype(np.float64) * scales[:, None]
    mean = units.mean(axis=0)
    values = np.linalg.eigvalsh(np.cov(units, rowvar=False))[::-1]
    parts = ", ".join(f"{k} {c:,}" for k, c in zip(SOURCES, counts, strict=True))
    print(f"real passages: {len(rows):,} ({parts}); "
          f"mean vector length {np.linalg.norm(mean):.3f}; the covariance's largest "
          f"eigenvalue {values[0] / values.sum():.3f} of its trace")
    for which in ("report", "tune", "tune-mixed"):
        texts, _ = questions(which, args.data)
        print(f"questions {which}: {len(texts)}")
    if args.check:
        check(args.check, args.queries, args.expansions)


if __name__ == "__main__":
    main()
