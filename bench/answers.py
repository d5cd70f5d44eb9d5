"""An evaluation of answers, not of rankings: does the bot show the passage that answers an
on-topic question, and honestly nothing for an off-topic one?

    python -m bench.answers [--split heldout|fresh|unseen|unseen2|unseen3|unseen4|unseen5|
                                     unseen6|unseen7|unseen8|unseen9|unseen10|unseen11|
                                     unseen12|unseen13|unseen14|unseen15|tune|tune2|tune3|
                                     all]
                            [--bm25-only] [--min-relevance X] [--sweep] [-v]
                            [--relevance-cost [--no-cascade]]

Builds a mixed corpus from the shared data (the shipped seed, Skeptics' Q&A file, the
genai.stackexchange.com dump and the two saved pages) with the config's settings, passage
vectors included as the bot's default build makes them, asks every question of
``bench/answers_questions.toml`` through ``bot.answering.answer`` (what the terminal mode and
the Discord cogs call), and prints the share right in each group: on-topic questions whose
first page shows a passage they expect, off-topic ones answered "no good match".

The corpus copy and the index live in ``data/answers-bench/`` (``--cache``): a rerun finds the
files unchanged and keeps the index, vectors and all; a build stopped while embedding takes up
where it stopped. ``--bm25-only`` answers without the vectors (the path of an index built with
``[semantic] enabled = false``). ``--sweep`` prints both shares for a range of thresholds, on
the tune questions: choose there, report the others.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import filecmp
import re
import shutil
import sqlite3
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import index.reader  # noqa: E402
from bot.answering import CANDIDATES, answer  # noqa: E402
from index.build import build_with  # noqa: E402
from index.config import AnswerSettings, load_config  # noqa: E402
from index.reader import Hit, IndexReader  # noqa: E402
from index.settings import PROJECT_ROOT  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data").resolve()
QUESTIONS = Path(__file__).with_name("answers_questions.toml")
CACHE = PROJECT_ROOT / "data" / "answers-bench"
SEED = "politics-se-why-was-soleimani-in-iraq"
# The question file's splits, each one a --split choice (a test holds the two together).
SPLITS = ("heldout", "fresh", "unseen", "unseen2", "unseen3", "unseen4", "unseen5", "unseen6",
          "unseen7", "unseen8", "unseen9", "unseen10", "unseen11", "unseen12", "unseen13",
          "unseen14", "unseen15", "tune", "tune2", "tune3")


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    expect: tuple[str, ...]  # passage-id prefixes; empty: off topic
    split: str

    @property
    def on_topic(self) -> bool:
        return bool(self.expect)

    def shown_right(self, passage_ids: list[str]) -> bool:
        if not self.on_topic:
            return not passage_ids
        return any(pid == e or pid.startswith(e + "/") for pid in passage_ids
                   for e in self.expect)


def read_questions(path: Path = QUESTIONS) -> list[Question]:
    with path.open("rb") as f:
        return [Question(q["text"], tuple(q["expect"]), q["split"])
                for q in tomllib.load(f)["q"]]


def mixed_corpus(folder: Path) -> Path:
    """The mixed corpus, copied into ``folder`` (never into the repository's corpus); files
    already there with the same bytes are left alone, so a rebuild reuses them."""
    corpus = folder / "corpus"
    wanted = {corpus / f"{SEED}{suffix}": ROOT / "corpus" / f"{SEED}{suffix}"
              for suffix in (".txt", ".meta.toml")}
    wanted[corpus / "skeptics.jsonl"] = DATA / "skeptics" / "web_science_dataset.jsonl"
    for f in sorted((DATA / "stackexchange" / "genai").iterdir()):
        wanted[corpus / "dump" / "genai" / f.name] = f
    for page in sorted((DATA / "stackexchange-pages").glob("*.html")):
        wanted[corpus / page.name] = page
    for path in [p for p in corpus.rglob("*") if p.is_file()] if corpus.is_dir() else []:
        if path not in wanted:
            path.unlink()
    for copy, original in wanted.items():
        if not (copy.is_file() and filecmp.cmp(copy, original, shallow=False)):
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, copy)
    return corpus


async def shown(reader: IndexReader, questions: list[Question], settings: AnswerSettings,
                texts: dict[str, str] | None = None) -> list[list[str]]:
    """The passage ids each question's first page shows: every passage of a quote shown
    joined (``texts``: each stored passage's text), not only the first, whose id the joined
    one keeps (h19gate: "what is kuru" answered by a run's second passage counted wrong)."""
    out = []
    for q in questions:
        result = await answer(reader, q.text, k=settings.passages,
                              min_relevance=settings.min_relevance, min_score=settings.min_score)
        out.append([pid for h in result.hits for pid in members(h, texts or {})])
    return out


_PART = re.compile(r"(?P<answer>.+/p)(?P<index>\d+)$")


def members(hit: Hit, texts: dict[str, str]) -> list[str]:
    """The stored passages a shown one is made of: itself, or for consecutive passages of a
    quote joined into one (``bot.answering``), each of them, in order."""
    m = _PART.match(hit.passage_id)
    if hit.kind != "quote" or "\n\n" not in hit.text or m is None:
        return [hit.passage_id]
    ids: list[str] = []
    joined = ""
    for place in range(int(m["index"]), int(m["index"]) + hit.text.count("\n\n") + 2):
        pid = f"{m['answer']}{place}"
        text = texts.get(pid)
        if text is None:
            break
        joined = f"{joined}\n\n{text}" if ids else text
        if not hit.text.startswith(joined):
            break
        ids.append(pid)
        if joined == hit.text:
            break
    return ids or [hit.passage_id]


def texts_of(database: Path) -> dict[str, str]:
    """Every stored passage's text, by its id."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT pid, text FROM passages"))
    finally:
        con.close()


def threads_of(database: Path) -> dict[str, int]:
    """Every passage id's thread (the index's own numbering)."""
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return dict(con.execute("SELECT p.pid, a.thread_id FROM passages p "
                                "JOIN answers a ON a.id = p.answer_id"))
    finally:
        con.close()


def named_share(questions: list[Question], pages: list[list[str]], thread: dict[str, int]
                ) -> str:
    """Of the passages on the on-topic questions' right first pages, how many are from a thread
    the question names in ``expect`` (a lower bound on the page's precision: another thread
    may answer too without being named)."""
    named = shown_n = 0
    for q, page in zip(questions, pages, strict=True):
        if not (q.on_topic and q.shown_right(page)):
            continue
        threads = {thread[pid] for pid in thread
                   if any(pid == e or pid.startswith(e + "/") for e in q.expect)}
        named += sum(thread[pid] in threads for pid in page)
        shown_n += len(page)
    return f"{named}/{shown_n} = {named / shown_n:.1%}" if shown_n else "-"


def shares(questions: list[Question], pages: list[list[str]]) -> tuple[str, str]:
    def share(on_topic: bool) -> str:
        group = [q.shown_right(p) for q, p in zip(questions, pages, strict=True)
                 if q.on_topic == on_topic]
        return f"{sum(group)}/{len(group)} = {sum(group) / len(group):.1%}" if group else "-"
    return share(True), share(False)


async def relevance_cost(reader: IndexReader, questions: list[Question], rounds: int = 5
                         ) -> None:
    """What computing ``relevance`` costs a question, timed where the reader computes it: the
    words' measure for the candidates (``IndexReader._relevance``), the thread titles'
    similarity (``IndexReader._title_similarities``: embedding the titles not met before,
    timed on the first pass, then kept), the meaning folded in (``with_meaning``), the
    gate's rarest word (``IndexReader._rarest_held``) and, when the gate reads them, the
    sentences holding it, or all their sentences and the question without that word, as the
    gate weighs them (``IndexReader._sentence_similarities``: embedding those of the first
    candidates, timed on the first pass, then kept; only for the questions the cascade's cheap
    gate is unsure of, counted), for the bot's number of candidates."""
    spent = {"words": 0.0, "titles": 0.0, "meaning": 0.0, "gate": 0.0, "sentences": 0.0}
    read = [0, 0]  # questions with sentences to read, and their sentences

    def timed(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: object, **kwargs: object) -> Any:
            started = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return call

    def timed_async(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
        async def call(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return await f(*args)
            finally:
                spent[name] += time.perf_counter() - started
        return call

    reader._title_similarities = timed_async(  # type: ignore[method-assign]
        "titles", reader._title_similarities)
    reader._rarest_held = timed_async("gate", reader._rarest_held)  # type: ignore[method-assign]
    sentence_similarities = timed_async("sentences", reader._sentence_similarities)

    async def counted(question: str, held: list[list[str]], every: list[list[str]],
                      *args: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        texts = {s for groups in (held, every) for group in groups for s in group}
        read[0] += bool(texts)  # any sentence to embed (or kept)
        read[1] += len(texts)
        result: tuple[np.ndarray, np.ndarray, np.ndarray | None] = \
            await sentence_similarities(question, held, every, *args)
        return result
    reader._sentence_similarities = counted  # type: ignore[method-assign]
    reader._head_sentences = timed("gate", reader._head_sentences)  # type: ignore
    # The first pass: passage lengths read, kernels compiled, every title embedded once.
    started = time.perf_counter()
    for q in questions:
        await reader.search(q.text, CANDIDATES)
    first, first_titles = time.perf_counter() - started, spent["titles"]
    first_sentences, first_read = spent["sentences"], list(read)
    spent["titles"] = spent["gate"] = spent["sentences"] = 0.0
    reader._relevance = timed("words", reader._relevance)  # type: ignore[method-assign]
    original = index.reader.with_meaning
    index.reader.with_meaning = timed("meaning", original)
    started = time.perf_counter()
    try:
        for _ in range(rounds):
            for q in questions:
                await reader.search(q.text, CANDIDATES)
    finally:
        index.reader.with_meaning = original
    n = rounds * len(questions)
    total = (time.perf_counter() - started) / n * 1000
    print(f"first pass ({len(questions)} questions): {first / len(questions) * 1000:.1f} ms a "
          f"question, of which the titles' vectors {first_titles / len(questions) * 1000:.1f} ms"
          f", the gate's sentences {first_sentences / len(questions) * 1000:.1f} ms (read for "
          f"{first_read[0]} of {len(questions)} questions, {first_read[1]} sentences)")
    print(f"{n} searches of {CANDIDATES} candidates ({len(questions)} questions x {rounds}): "
          f"{total:.1f} ms a question in all, of which relevance {spent['words'] / n * 1000:.2f}"
          f" ms (the words) + {spent['titles'] / n * 1000:.2f} ms (the titles, kept) + "
          f"{spent['meaning'] / n * 1000:.3f} ms (meaning) + {spent['gate'] / n * 1000:.2f} ms "
          f"(the gate's rarest word: who holds it, in which titles, which sentences) + "
          f"{spent['sentences'] / n * 1000:.2f} ms (the gate's sentences, kept)")


async def run(args: argparse.Namespace) -> None:
    if not DATA.is_dir():
        sys.exit(f"the shared data is not at {DATA}: this evaluation needs it")
    config = load_config(args.config) if args.config else load_config()
    settings = config.answers
    if args.min_relevance is not None:
        settings = dataclasses.replace(settings, min_relevance=args.min_relevance)
    questions = read_questions()
    chosen = [q for q in questions if args.split == "all" or q.split == args.split]
    corpus = mixed_corpus(args.cache)
    database = args.cache / "index.db"
    report = build_with(config.index, corpus=corpus, database=database)
    print(report.summary().splitlines()[0])
    if report.vectors:
        print(report.vectors)
    async with await IndexReader.open(database, semantic=not args.bm25_only) as reader:
        hybrid = await reader.semantic_ready()
        print(f"path: {'hybrid (BM25 + passage vectors)' if hybrid else 'BM25 alone'}")
        if not args.bm25_only and not hybrid:
            sys.exit("the index has no usable passage vectors: see the build's message above, "
                     "or measure the BM25 path with --bm25-only")
        gate = reader._gate
        if args.no_cascade and gate is not None:  # the gate alone, reading every sentence
            reader._gate = dataclasses.replace(gate, cheap=None)
        if args.relevance_cost:
            await relevance_cost(reader, chosen)
            return
        texts = texts_of(database)
        if args.sweep:
            tune = [q for q in questions if q.split == "tune"]
            print("min_relevance  on-topic (tune)  off-topic (tune)")
            for step in range(0, 61, 2):
                s = dataclasses.replace(settings, min_relevance=step / 100)
                on, off = shares(tune, await shown(reader, tune, s, texts))
                print(f"{step / 100:<13}  {on:<15}  {off}")
            return
        started = time.perf_counter()
        pages = await shown(reader, chosen, settings, texts)
        per_question = (time.perf_counter() - started) / max(1, len(chosen))
    on, off = shares(chosen, pages)
    print(f"questions: {args.split} ({len(chosen)}); min_relevance = {settings.min_relevance}; "
          f"{per_question * 1000:.0f} ms a question")
    print(f"on-topic, the answering passage shown:  {on}")
    print(f"off-topic, an honest \"no good match\":   {off}")
    print(f"on those right pages, passages of a thread the question names: "
          f"{named_share(chosen, pages, threads_of(database))}")
    if args.verbose:
        for q, p in zip(chosen, pages, strict=True):
            if not q.shown_right(p):
                print(f"  WRONG: {q.text!r} -> {p or 'no good match'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", default="heldout", choices=(*SPLITS, "all"))
    parser.add_argument("--config", type=Path, help="a config file (default: the bot's)")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help=f"where the corpus copy and its index are kept (default: {CACHE})")
    parser.add_argument("--bm25-only", action="store_true",
                        help="answer without the passage vectors (the BM25 path)")
    parser.add_argument("--min-relevance", type=float, help="override [answers] min_relevance")
    parser.add_argument("--relevance-cost", action="store_true",
                        help="time the relevance measure within the search")
    parser.add_argument("--no-cascade", action="store_true",
                        help="the gate reads the sentences for every question, not only when "
                             "its cheap gate is unsure (to measure what the cascade saves)")
    parser.add_argument("--sweep", action="store_true",
                        help="shares on the tune questions for thresholds 0 to 0.6")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the wrong answers")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
