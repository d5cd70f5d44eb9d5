"""``python -m index``: build the index from the corpus, or search it."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tqdm import tqdm

from . import logs
from .build import build_with
from .config import load_config
from .errors import CorpusError, IndexNotFound
from .loaders import corpus_files
from .parent import exit_with_parent
from .queries import read_queries
from .settings import ConfigError, IndexSettings
from .sources import source_label

if TYPE_CHECKING:  # the reader brings numba (~100 MB), which a build does not need
    from .reader import Hit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    parser.add_argument("--config", type=Path, help="config file (default: config.toml if "
                        "present, else config.example.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    p_build = sub.add_parser("build", help="read the corpus folder and write the index database")
    p_build.add_argument("--corpus", type=Path, help="corpus folder (default: from the config)")
    p_build.add_argument("--db", type=Path, help="index database (default: from the config)")
    p_build.add_argument("--json", action="store_true",
                         help="print the build report as JSON instead of a summary")

    p_search = sub.add_parser("search", help="ask the index a question, or many (--queries)")
    p_search.add_argument("question", nargs="?", help="the question, in quotes")
    p_search.add_argument("--db", type=Path, help="index database (default: from the config)")
    p_search.add_argument("-k", type=int, default=5, help="how many passages (default: 5)")
    p_search.add_argument("--json", action="store_true", help="print a JSON array of hits")
    p_search.add_argument("--queries", type=Path, help="batch mode: a file of queries (BEIR "
                          "queries.jsonl, or id<TAB>text per line)")
    p_search.add_argument("--run", type=Path, help="batch mode: write a TREC run file here "
                          "(qid Q0 passage_id rank score tag)")
    p_search.add_argument("--tag", default="sourced", help="the run's tag (default: sourced)")
    p_search.add_argument("--bm25-only", action="store_true",
                          help="plain BM25 on the question's words: no spelling variants, no "
                          "feedback terms, no passage vectors (scores then equal rank-bm25's "
                          "BM25Okapi)")

    args = parser.parse_args(argv)
    if args.command == "search" and args.k < 1:
        p_search.error(f"-k must be at least 1, not {args.k}")
    logs.configure()
    try:
        settings = load_config(args.config).index  # the whole file, checked as the bot does
        if args.command == "build":
            return _build(settings, args.corpus, args.db, as_json=args.json)
        db = args.db or settings.database
        # `[semantic] enabled = false`: BM25 alone when answering too, no model loaded.
        semantic = not args.bm25_only and settings.semantic.enabled
        if args.queries or args.run:
            if not (args.queries and args.run) or args.question:
                parser.error("batch mode takes --queries FILE and --run OUT, and no question")
            if args.json:
                parser.error("--json does not apply to batch mode: it writes a TREC run file")
            return asyncio.run(_batch(db, args.queries, args.run, args.k, args.tag,
                                      stages=not args.bm25_only, semantic=semantic))
        if not args.question:
            parser.error("search needs a question (or --queries and --run)")
        return asyncio.run(_search(db, args.question, args.k, args.json,
                                   stages=not args.bm25_only, semantic=semantic))
    except (ConfigError, CorpusError, IndexNotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder
        what = "write the index" if args.command == "build" else "read the index or write the run"
        print(f"error: could not {what}: {exc}", file=sys.stderr)
        return 1


def _advance(bar: tqdm[Any]) -> Callable[[Path], None]:
    def advance(_path: Path) -> None:
        bar.update()
    return advance


def _build(settings: IndexSettings, corpus: Path | None, db: Path | None, *,
           as_json: bool) -> int:
    exit_with_parent()
    corpus = corpus or settings.corpus
    bar = None
    embed_bar: list[tqdm] = []
    logged = [-1]  # the last twentieth logged
    if sys.stderr.isatty():  # a person is watching: a progress bar instead of a log line a file
        bar = tqdm(total=len(corpus_files(corpus)) if corpus.is_dir() else 0, unit="file",
                   desc="indexing", leave=False)
        logging.getLogger("index.build").setLevel(logging.WARNING)

    def embedding(done: int, total: int) -> None:
        """A bar on a terminal, else a log line about every 5% (and at the end). It counts
        distinct texts: passages with the same words are embedded once, so the summary's
        passages embedded can be more."""
        if sys.stderr.isatty():
            if not embed_bar:
                embed_bar.append(tqdm(total=total, unit="text", desc="embedding"))
            embed_bar[0].n = done
            embed_bar[0].refresh()
        elif total and (twentieth := 20 * done // total) > logged[0]:
            logged[0] = twentieth
            if done:
                logging.getLogger("index.vectors").info("embedded %d of %d distinct text(s)",
                                                        done, total)
            else:  # the first call, before any batch: say what is to come, not "0 of N"
                logging.getLogger("index.vectors").info("embedding %d distinct text(s)", total)

    try:
        report = build_with(settings, corpus=corpus, database=db,
                            progress=_advance(bar) if bar else None,
                            embed_progress=embedding, apart=True)
    except KeyboardInterrupt:
        print("stopped: the BM25 index is in place; the next build goes on embedding where "
              "this one stopped", file=sys.stderr)
        return 130
    finally:
        if bar is not None:
            bar.close()
        for b in embed_bar:
            b.close()
    print(json.dumps(report.to_json(), ensure_ascii=False) if as_json else report.summary())
    return 0


async def _search(db: Path, question: str, k: int, as_json: bool, *, stages: bool,
                  semantic: bool) -> int:
    from .reader import IndexReader

    async with await IndexReader.open(db, spelling=stages, feedback=stages,
                                      semantic=semantic) as reader:
        await reader.semantic_ready()  # one question: wait for the model rather than skip it
        hits = await reader.search(question, k)
    if as_json:
        print(json.dumps([h.to_json() for h in hits], ensure_ascii=False, indent=2))
    elif not hits:
        print("No passage matches that question.")
    else:
        print("\n\n".join(_describe(h) for h in hits))
    return 0


async def _batch(db: Path, queries: Path, run: Path, k: int, tag: str, *, stages: bool,
                 semantic: bool) -> int:
    from .reader import IndexReader

    asked = read_queries(queries)
    async with await IndexReader.open(db, spelling=stages, feedback=stages,
                                      semantic=semantic) as reader:
        await reader.semantic_ready()
        with run.open("w", encoding="utf-8") as out:
            for qid, text in asked:
                for hit in await reader.search(text, k):
                    out.write(f"{trec_id(qid)} Q0 {trec_id(hit.passage_id)} {hit.rank} "
                              f"{hit.score:.6f} {trec_id(tag)}\n")
    print(f"{len(asked)} queries -> {run}", file=sys.stderr)
    return 0


def trec_id(text: str) -> str:
    """An id as one column of a TREC run file, whose columns are split at white space: white
    space and "%" percent-encoded (a note's file name may hold spaces), the rest as it is."""
    return re.sub(r"[\s%]", lambda m: quote(m[0]), text)


def _describe(hit: Hit) -> str:
    source = source_label(hit.kind, hit.outlet, hit.source_kind)  # as the bot says it
    head = f"{hit.rank}. [{source}] score {hit.score:.3f}"
    if hit.relevance is not None:
        head += f", relevance {hit.relevance:.2f}"
    if hit.answer_score is not None:  # Markdown notes and passage records have none
        head += f", answer score {hit.answer_score}"
    if hit.answered_at:
        head += f", answered {hit.answered_at[:10]}"
    links = "\n   ".join(u for u in (hit.url, hit.thread_url) if u)
    body = "\n".join(f"   {line}".rstrip() for line in hit.text.splitlines())
    return f"{head}\n{body}\n   {hit.thread_title}" + (f"\n   {links}" if links else "")


if __name__ == "__main__":
    sys.exit(main())
