"""Ranking benchmark: this project against tantivy, bm25s (numba and numpy) and rank-bm25.

    python -m bench.ranking [--sizes 10000 100000 1000000] [--queries 1000] [--no-scifact]
        [--no-served | --served-only] [--served-queries 300] [--served-index DB]
        [--served-rank-bm25-queries N]

Two tables. The BM25 kernels (below), and the served path: what a user gets, question text
in, the best 10 passages with their text out. For the served path each size is a synthetic
corpus of threads (``bench.synthetic_corpus``) built into a real index by ``index.build``;
this project answers through ``IndexReader.search`` (as the bot opens it, BM25 without
vectors: ``bench.semantic_scale`` measures the hybrid); the peers index the same tokens
(each passage's, its thread title's and question's, tokenized by the project) and give back
the text: tantivy from a stored field, bm25s and rank-bm25 from a list in memory.

Synthetic corpora: a Zipf vocabulary of 100,000 words, 20 to 120 tokens a passage; queries of
3 to 8 words drawn from the same distribution (the hard case: many very common words); a second
set drawn from it without its N commonest words ("trimmed", ``--without-commonest N``, 300 by
default: with them out, tantivy's times match the ones the ranking issue reports for it); and
a third drawn uniformly from the vocabulary; asked one at a time (as the bot asks them).
SciFact: the project's tokens of title and text, the 300 test queries. Every engine gets the
same tokens. Each engine and size runs in a fresh process, which reports the build time (from
tokens), the median and p99 query time (top 10), and its memory (resident memory after the
index is built, above the process with its libraries and the tokens loaded). For this project
it also reports reopening the stored index and answering a first question. rank-bm25 runs up
to 100,000 passages (it scores every passage in Python), on 100 queries.
Needs the `bench` extra: `.venv/bin/pip install -e '.[bench]'`. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ENGINES = ("sourced", "tantivy", "bm25s-numba", "bm25s-numpy", "rank-bm25")
VOCABULARY = 100_000


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- data -------------------------------------------------------------------------------------

def synthetic(n_docs: int, n_queries: int, seed: int = 0,
              without_commonest: int = 300) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = 1 / np.arange(1, VOCABULARY + 1)
    cdf = np.cumsum(p / p.sum())
    lengths = rng.integers(20, 121, n_docs)
    ids = np.minimum(np.searchsorted(cdf, rng.random(int(lengths.sum()))), VOCABULARY - 1)
    q_lengths = rng.integers(3, 9, n_queries)
    q_ids = np.minimum(np.searchsorted(cdf, rng.random(int(q_lengths.sum()))), VOCABULARY - 1)
    # A second set with words drawn uniformly from the vocabulary: mostly rare words, as
    # people's questions are once stopwords are gone. Zipf-drawn queries are the hard case.
    u_lengths = rng.integers(3, 9, n_queries)
    u_ids = rng.integers(0, VOCABULARY, int(u_lengths.sum()))
    # The Zipf draw without the commonest words, as a stopword list would leave it.
    trimmed = p.copy()
    trimmed[:without_commonest] = 0
    t_cdf = np.cumsum(trimmed / trimmed.sum())
    t_lengths = rng.integers(3, 9, n_queries)
    t_ids = np.minimum(np.searchsorted(t_cdf, rng.random(int(t_lengths.sum()))), VOCABULARY - 1)
    return {"ids": ids, "lengths": lengths, "q_ids": q_ids, "q_lengths": q_lengths,
            "u_ids": u_ids, "u_lengths": u_lengths, "t_ids": t_ids, "t_lengths": t_lengths,
            "n_terms": np.array([VOCABULARY])}


def scifact(data: Path) -> dict[str, np.ndarray]:
    from index.loaders import LoadContext
    from index.loaders.jsonl import load
    from index.queries import read_queries
    from index.tokenize import Tokenizer

    tokenize = Tokenizer()
    vocab: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    for thread in load(data / "corpus.jsonl", LoadContext()):
        tokens = tokenize(thread.title) + tokenize(thread.answers[0].passages[0].text)
        ids.extend(vocab.setdefault(t, len(vocab)) for t in tokens)
        lengths.append(len(tokens))
    judged = {line.split("\t")[0] for line in
              (data / "qrels" / "test.tsv").read_text().splitlines()[1:]}
    q_ids: list[int] = []
    q_lengths: list[int] = []
    for qid, text in read_queries(data / "queries.jsonl"):
        if qid in judged:
            # Words the corpus lacks get fresh ids: every engine ignores them alike.
            tokens = [vocab.setdefault(t, len(vocab)) for t in tokenize(text)]
            q_ids.extend(tokens)
            q_lengths.append(len(tokens))
    return {"ids": np.array(ids), "lengths": np.array(lengths), "q_ids": np.array(q_ids),
            "q_lengths": np.array(q_lengths), "n_terms": np.array([len(vocab)])}


def split(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(lengths)[:-1])


# -- engines (each in its own process) ---------------------------------------------------------

def run_engine(engine: str, data_file: Path, max_queries: int) -> dict[str, float]:
    data = dict(np.load(data_file))
    n_terms = int(data["n_terms"][0])
    queries = [q.tolist() for q in split(data["q_ids"], data["q_lengths"])][:max_queries]
    uniform = ([q.tolist() for q in split(data["u_ids"], data["u_lengths"])][:max_queries]
               if "u_ids" in data else [])
    trimmed = ([q.tolist() for q in split(data["t_ids"], data["t_lengths"])][:max_queries]
               if "t_ids" in data else [])
    words = [f"w{i}" for i in range(n_terms)]
    # The bare interpreter with the engine's libraries imported is the baseline for memory.
    libraries = {"sourced": ["index.bm25", "index.reader"], "tantivy": ["tantivy"],
                 "rank-bm25": ["rank_bm25"]}.get(engine, ["bm25s"])
    for name in libraries:
        __import__(name)
    gc.collect()
    base = rss_mb()
    result: dict[str, float] = {}
    if engine == "sourced":
        from index.bm25 import ImpactIndex

        vocab = {w: i for i, w in enumerate(words)}
        t = time.perf_counter()
        index = ImpactIndex.from_ids(data["ids"].astype(np.int64),
                                     data["lengths"].astype(np.int64), vocab)
        result["build_s"] = time.perf_counter() - t
        result["reopen_s"], result["loaded_s"] = reopen_seconds(
            index, data_file.with_suffix(".db"), [words[i] for i in queries[0]])

        def search(q: list[int]) -> object:
            return index.top_k([words[i] for i in q], 10)
    elif engine == "tantivy":
        import tantivy

        schema_builder = tantivy.SchemaBuilder()
        schema_builder.add_text_field("body", stored=False, tokenizer_name="whitespace")
        schema = schema_builder.build()
        folder = tempfile.mkdtemp(prefix="tantivy-")
        t = time.perf_counter()
        index = tantivy.Index(schema, path=folder)
        writer = index.writer(heap_size=1_000_000_000, num_threads=2)
        for doc in split(data["ids"], data["lengths"]):
            writer.add_document(tantivy.Document(body=" ".join(words[i] for i in doc)))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        result["build_s"] = time.perf_counter() - t
        searcher = index.searcher()

        def search(q: list[int]) -> object:
            query = index.parse_query(" ".join(words[i] for i in q), ["body"])
            return searcher.search(query, 10).hits
    elif engine.startswith("bm25s"):
        import bm25s
        from bm25s.tokenization import Tokenized

        backend = engine.split("-")[1]
        vocab = {w: i for i, w in enumerate(words)}
        corpus = Tokenized(ids=[d.tolist() for d in split(data["ids"], data["lengths"])],
                           vocab=vocab)
        t = time.perf_counter()
        retriever = bm25s.BM25(method="robertson", backend=backend)
        retriever.index(corpus, show_progress=False)
        result["build_s"] = time.perf_counter() - t
        del corpus

        def search(q: list[int]) -> object:
            return retriever.retrieve(Tokenized(ids=[q], vocab=vocab), k=10, n_threads=1,
                                      show_progress=False, backend_selection=backend)
    elif engine == "rank-bm25":
        from rank_bm25 import BM25Okapi

        docs = [[words[i] for i in d] for d in split(data["ids"], data["lengths"])]
        t = time.perf_counter()
        bm25 = BM25Okapi(docs)
        result["build_s"] = time.perf_counter() - t
        del docs

        def search(q: list[int]) -> object:
            scores = bm25.get_scores([words[i] for i in q])
            return np.argpartition(-scores, 10)[:10]
    else:
        raise SystemExit(f"unknown engine {engine}; choose from {', '.join(ENGINES)}")
    gc.collect()
    result["memory_mb"] = rss_mb() - base
    search(queries[0])  # warm: compiled code, caches
    for key, query_set in (("", queries), ("trimmed_", trimmed), ("uniform_", uniform)):
        times = []
        for q in query_set:
            t = time.perf_counter()
            search(q)
            times.append((time.perf_counter() - t) * 1000)
        if times:
            result[f"{key}median_ms"] = float(np.median(times))
            result[f"{key}p99_ms"] = float(np.percentile(times, 99))
    result["queries"] = len(queries)
    return result


def reopen_seconds(index: object, db: Path, first_query: list[str]) -> tuple[float, float]:
    """Store the arrays as the project does (blobs in SQLite), then time, in a fresh process,
    importing the project, opening them and answering a first question (as the reader does,
    while the postings load in the background), and until the postings are all in memory."""
    from index.bm25 import ImpactIndex
    from index.store import PAGE_SIZE

    assert isinstance(index, ImpactIndex)
    with sqlite3.connect(db) as con:
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        con.execute("CREATE TABLE IF NOT EXISTS arrays (name TEXT PRIMARY KEY, dtype TEXT, "
                    "data BLOB)")
        arrays = {"offsets": index.offsets, "docs": index.docs, "impacts": index.impacts}
        con.executemany("INSERT OR REPLACE INTO arrays VALUES (?,?,?)",
                        [(n, str(a.dtype), a.tobytes()) for n, a in arrays.items()]
                        + [("vocabulary", "text", "\n".join(index.vocabulary).encode())])
    code = (
        "import sys, time, json, sqlite3; t = time.perf_counter()\n"
        "from pathlib import Path\nfrom index.loading import PostingsLoader\n"
        "from index.store import arrays_from_rows, ARRAYS\n"
        "from index.kernels import warm_up; warm_up()  # as IndexReader.open does\n"
        "con = sqlite3.connect(sys.argv[1]); a = arrays_from_rows(con.execute(ARRAYS).fetchall())\n"
        "vocabulary = {w: i for i, w in enumerate(a.vocabulary)}\n"
        "postings = PostingsLoader(Path(sys.argv[1]), vocabulary, a['offsets'], int(sys.argv[2]))"
        ".start()\n"
        "q = json.loads(sys.argv[3]); postings.index_for(q).top_k(q, 10)\n"
        "first = time.perf_counter() - t; postings.wait()\n"
        "print(first, time.perf_counter() - t)\n")
    # The median of three: reading hundreds of MB is at the mercy of the machine's moment.
    runs = [[float(x) for x in subprocess.run(
        [sys.executable, "-c", code, str(db), str(index.n_docs), json.dumps(first_query)],
        capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()] for _ in range(3)]
    return float(np.median([r[0] for r in runs])), float(np.median([r[1] for r in runs]))


# -- the served path: question text in, hits with their text out ------------------------------

SERVED_QUERY = """
SELECT p.id, p.text, t.title, t.question FROM passages p JOIN answers a ON a.id = p.answer_id
JOIN threads t ON t.id = a.thread_id
"""


def served_data(folder: Path, n: int) -> Path:
    """A synthetic corpus of ``n`` passages (``bench.synthetic_corpus``) built into a real
    index (BM25 alone: vectors are ``bench.semantic_scale``'s), in ``folder``."""
    from bench.synthetic_corpus import write_corpus
    from index.build import build

    write_corpus(folder / "corpus", n)
    db = folder / "sourced.db"
    build(folder / "corpus", db)
    return db


def stored_passages(db: Path) -> tuple[list[str], list[list[str]]]:
    """Every passage's text and its BM25 tokens (text, thread title and question, as the
    build tokenizes them), in the index's document order: what the peers index and store."""
    from index.store import arrays_from_rows
    from index.tokenize import Tokenizer

    tokenize = Tokenizer()
    with closing(sqlite3.connect(db)) as con:
        rowids = arrays_from_rows(con.execute(
            "SELECT name, dtype, data FROM arrays WHERE name = 'rowids'").fetchall())["rowids"]
        rows = {i: (text, title, question)
                for i, text, title, question in con.execute(SERVED_QUERY)}
    texts, tokens, context = [], [], {}
    for rowid in rowids.tolist():
        text, title, question = rows.pop(rowid)
        if title not in context:  # a thread's words, tokenized once for all its passages
            context = {title: tokenize(title) + tokenize(question)}
        texts.append(text)
        tokens.append(tokenize(text) + context[title])
    return texts, tokens


def run_served(engine: str, db: Path, questions: list[str]) -> dict[str, float]:
    """One engine's served path in this process: question text in, the best 10 passages with
    their text out. Memory: everything the engine holds to serve (the index and the text),
    above the process with its libraries imported."""
    libraries = {"sourced": ["index.reader"], "tantivy": ["tantivy"],
                 "rank-bm25": ["rank_bm25"]}.get(engine, ["bm25s"])
    for name in ["index.tokenize", *libraries]:
        __import__(name)
    from index.tokenize import Tokenizer

    tokenize = Tokenizer()
    gc.collect()
    base = rss_mb()
    result: dict[str, float] = {}
    t = time.perf_counter()
    if engine == "sourced":
        import asyncio

        from index.reader import IndexReader

        loop = asyncio.new_event_loop()
        # As the bot opens it (bot/indexes.py): the default query stages.
        reader = loop.run_until_complete(IndexReader.open(db, semantic=False))
        loop.run_until_complete(reader.loaded())

        def serve(question: str) -> list[str]:
            return [h.text for h in loop.run_until_complete(reader.search(question, 10))]
    else:
        texts, tokens = stored_passages(db)
        if engine == "tantivy":
            import tantivy

            builder = tantivy.SchemaBuilder()
            builder.add_text_field("body", stored=False, tokenizer_name="whitespace")
            builder.add_text_field("text", stored=True, index_option="basic")
            folder = tempfile.mkdtemp(prefix="tantivy-")
            atexit.register(shutil.rmtree, folder, True)  # 200 MB at a million passages
            index = tantivy.Index(builder.build(), path=folder)
            writer = index.writer(heap_size=1_000_000_000, num_threads=2)
            for body, text in zip(tokens, texts, strict=True):
                writer.add_document(tantivy.Document(body=" ".join(body), text=text))
            writer.commit()
            writer.wait_merging_threads()
            index.reload()
            del texts, tokens
            searcher = index.searcher()

            def serve(question: str) -> list[str]:
                terms = tokenize(question)
                if not terms:
                    return []
                query = index.parse_query(" ".join(terms), ["body"])
                return [searcher.doc(address)["text"][0]
                        for _, address in searcher.search(query, 10).hits]
        elif engine.startswith("bm25s"):
            import bm25s
            from bm25s.tokenization import Tokenized

            backend = engine.split("-")[1]
            vocab: dict[str, int] = {}
            ids = [[vocab.setdefault(w, len(vocab)) for w in doc] for doc in tokens]
            del tokens
            retriever = bm25s.BM25(method="robertson", backend=backend)
            retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
            del ids

            def serve(question: str) -> list[str]:
                q = [vocab[w] for w in tokenize(question) if w in vocab]
                if not q:
                    return []
                docs, _ = retriever.retrieve(Tokenized(ids=[q], vocab=vocab), k=10,
                                             n_threads=1, show_progress=False,
                                             backend_selection=backend)
                return [texts[d] for d in docs[0]]
        elif engine == "rank-bm25":
            from rank_bm25 import BM25Okapi

            bm25 = BM25Okapi(tokens)
            del tokens

            def serve(question: str) -> list[str]:
                scores = bm25.get_scores(tokenize(question))
                best = np.argpartition(-scores, 10)[:10]
                return [texts[d] for d in best[np.argsort(-scores[best])]]
        else:
            raise SystemExit(f"unknown engine {engine}; choose from {', '.join(ENGINES)}")
    result["build_s"] = time.perf_counter() - t
    gc.collect()
    result["memory_mb"] = rss_mb() - base
    for q in questions[:10]:  # warm: compiled code, caches
        serve(q)
    times = []
    for q in questions:
        t = time.perf_counter()
        hits = serve(q)
        times.append((time.perf_counter() - t) * 1000)
        assert all(isinstance(h, str) and h for h in hits)
    result["median_ms"] = float(np.median(times))
    result["p99_ms"] = float(np.percentile(times, 99))
    result["queries"] = len(questions)
    return result


def served_table(sizes: list[int], n_questions: int, engines: list[str],
                 index: Path | None = None, rank_bm25_queries: int | None = None) -> None:
    """``index``: measure this built index of ``bench.synthetic_corpus``'s threads (one
    ``bench.semantic_scale --keep`` kept: the same corpus as ``served_data``'s, built with
    vectors, which BM25 alone ignores) instead of building one a size. rank-bm25 scores every
    passage in Python (about 20 s a question at 1,000,000): above 100,000 passages it runs only
    when ``rank_bm25_queries`` says how many questions."""
    print()
    print("served path: question text in, the best 10 passages with their text out (this "
          "project: IndexReader.search as the bot opens it; tantivy: a stored text field; "
          "bm25s, rank-bm25: text looked up in a list); synthetic threads (bench."
          "synthetic_corpus), the same tokens for every engine")
    print("ready s: this project, opening its index until the postings are all in memory; "
          "the peers, reading the passages from it and building their index")
    print(f"{'corpus':>10} {'engine':>12} {'ready s':>8} {'median ms':>10} {'p99 ms':>8} "
          f"{'memory MB':>10}  load average (1, 5, 15 min)")
    for n in [0] if index else sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db = index or served_data(Path(tmp), n)
            if index:
                with closing(sqlite3.connect(f"{index.resolve().as_uri()}?mode=ro", uri=True)
                             ) as con:
                    n = int(dict(con.execute("SELECT key, value FROM meta").fetchall())["n_docs"])
            for engine in engines:
                if engine == "rank-bm25" and n > 100_000 and not rank_bm25_queries:
                    continue
                count = (rank_bm25_queries or 100) if engine == "rank-bm25" else n_questions
                proc = subprocess.run(
                    [sys.executable, "-m", "bench.ranking", "--served-worker", engine,
                     "--data", str(db), "--queries", str(count)],
                    capture_output=True, text=True, cwd=ROOT)
                if proc.returncode != 0:
                    print(f"{n:>10,} {engine:>12} failed: {proc.stderr.strip()[-300:]}")
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                load = " ".join(f"{x:.1f}" for x in os.getloadavg())
                note = f"  {r['queries']} queries" if r["queries"] < n_questions else ""
                print(f"{n:>10,} {engine:>12} {r['build_s']:>8.1f} {r['median_ms']:>10.3f} "
                      f"{r['p99_ms']:>8.3f} {r['memory_mb']:>10.0f}  {load}{note}", flush=True)


# -- the table --------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--without-commonest", type=int, default=300, metavar="N",
                        help="the trimmed queries leave out the N commonest words")
    parser.add_argument("--no-scifact", action="store_true")
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared/data/scifact")
    parser.add_argument("--no-served", action="store_true",
                        help="only the BM25 kernels, not the served path")
    parser.add_argument("--served-only", action="store_true",
                        help="only the served path, not the BM25 kernels")
    parser.add_argument("--served-queries", type=int, default=300)
    parser.add_argument("--served-index", type=Path, metavar="DB",
                        help="the served path on this built index of the synthetic threads "
                        "(bench.semantic_scale --keep), not one built for each size")
    parser.add_argument("--served-rank-bm25-queries", type=int, metavar="N",
                        help="rank-bm25's questions in the served path (default 100; above "
                        "100,000 passages it runs only when this is given)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--served-worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_engine(args.worker, args.data, args.queries)))
        return
    if args.served_worker:
        import random

        from bench.semantic_scale import questions

        print(json.dumps(run_served(args.served_worker, args.data,
                                    questions(random.Random(5), args.queries))))
        return
    if args.served_only:
        served_table(args.sizes, args.served_queries, args.engines, args.served_index,
                     args.served_rank_bm25_queries)
        return
    sets: list[tuple[str, int | None]] = [(f"{n:,}", n) for n in args.sizes]
    if not args.no_scifact and args.scifact.is_dir():
        sets.append(("SciFact", None))
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {sys.version.split()[0]}; "
          "load average at the start: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print("queries: Zipf-drawn words (median, p99, ratio of medians to the fastest peer); "
          f"trimmed: the same without the {args.without_commonest} commonest words; uniform: "
          "words drawn uniformly from the vocabulary (median, p99 of each)")
    print(f"{'corpus':>10} {'engine':>12} {'build s':>8} {'median ms':>10} {'p99 ms':>8} "
          f"{'vs fastest':>10} {'trimmed med':>11} {'trimmed p99':>11} {'uniform med':>11} "
          f"{'uniform p99':>11} {'memory MB':>10}  notes")
    with tempfile.TemporaryDirectory() as tmp:
        for name, size in sets:
            data = (synthetic(size, args.queries, without_commonest=args.without_commonest)
                    if size else scifact(args.scifact))
            data_file = Path(tmp) / f"{name.replace(',', '')}.npz"
            np.savez(data_file, **data)
            rows = {}
            for engine in args.engines:
                if engine == "rank-bm25" and (size or 0) > 100_000:
                    continue
                queries = 100 if engine == "rank-bm25" else args.queries
                proc = subprocess.run([sys.executable, "-m", "bench.ranking", "--worker", engine,
                                       "--data", str(data_file), "--queries", str(queries)],
                                      capture_output=True, text=True, cwd=ROOT)
                if proc.returncode != 0:
                    print(f"{name:>10} {engine:>12} failed: {proc.stderr.strip()[-300:]}")
                    continue
                rows[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
            peers = [r["median_ms"] for e, r in rows.items() if e != "sourced"]
            fastest = min(peers) if peers else None
            for engine, r in rows.items():
                ratio = f"{r['median_ms'] / fastest:.2f}x" if fastest else "-"
                note = (f"reopen + first answer {r['reopen_s']:.2f} s (all postings in "
                        f"{r['loaded_s']:.2f} s)" if "reopen_s" in r else "")
                if r["queries"] < args.queries:
                    note = f"{r['queries']} queries"
                other = " ".join(
                    f"{r[f'{key}_median_ms']:>11.3f} {r[f'{key}_p99_ms']:>11.3f}"
                    if f"{key}_median_ms" in r else f"{'-':>11} {'-':>11}"
                    for key in ("trimmed", "uniform"))
                print(f"{name:>10} {engine:>12} {r['build_s']:>8.1f} {r['median_ms']:>10.3f} "
                      f"{r['p99_ms']:>8.3f} {ratio:>10} {other} {r['memory_mb']:>10.0f}  "
                      f"{note}", flush=True)
    if not args.no_served:
        served_table(args.sizes, args.served_queries, args.engines, args.served_index,
                     args.served_rank_bm25_queries)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
