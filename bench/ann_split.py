"""Where a served hybrid search's time goes, stage by stage, at any size.

    python -m bench.ann_split --index DB [--questions-from tune|tune-mixed|report] [--queries 150]
        [--seed 11] [--expansion N] [--rescored N] [--no-widen | --widen B:K,...] [--threads N]
    python -m bench.ann_split --embedding ROUNDS [--threads N] [--questions-from tune]

Each question goes through ``IndexReader.search(question, 3)``, the bot's path, once (a new
question: nothing of it is kept from before); the reader's, the graph's and the model's methods
are wrapped to add up their wall time (no profiler: it would slow the small calls most). Stages
nest: "candidates" holds "BM25", "embed: candidates" (the question with its relevance parts,
one forward pass) and the vector stage ("graph walk", "rescoring"); "sentences" (the gate's) holds
"embed: sentences". ``--expansion``, ``--rescored`` and ``--threads`` override ``index.ann``'s
EXPANSION_SEARCH (each graph's walk; EXPANSION_ONE_GRAPH too) and RESCORED and
``index.encoders``' THREADS for the run; ``--no-widen`` turns its WIDEN off (every walk keeps
EXPANSION_SEARCH), ``--widen`` sets it (to compare settings on the tune questions before
changing them). Ten other questions of the set warm the process up
first. Prints one Markdown table, the load average before and after, and the settings.
``--embedding ROUNDS``: the model alone (no index), each question embedded alone ROUNDS times:
median and p99 ms, the question's tokens and the width of the pass fed to ONNX Runtime.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import functools
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import real_vectors  # noqa: E402
from index import ann, embedding, encoders, memory, reader  # noqa: E402

# The reader's stages, by method: what each is called in the table.
READER_STAGES = {
    "_candidates": "candidates", "_top_k": "BM25", "title_similarities": "titles (fusion)",
    "_title_similarities": "titles (relevance)", "_distinct_first": "distinct threads",
    "_hits": "hits' text", "_rarest_held": "rarest word", "_relevance": "words' relevance",
    "_length_norms": "length norms", "_sentence_similarities": "sentences",
    "_part_vectors": "parts (again)",
}
GRAPH_STAGES = {"_search": "graph walk", "_best": "rescoring", "_rows": "rows read"}

_stage: contextvars.ContextVar[str] = contextvars.ContextVar("stage", default="other")


class Timings:
    """Wall time spent in each wrapped method, per call."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {}
        self.texts: dict[str, list[int]] = {}

    def add(self, label: str, seconds: float) -> None:
        self.spent.setdefault(label, []).append(seconds)

    def wrap(self, cls: type, name: str, label: str) -> Callable[[], None]:
        """Time ``cls.name`` as ``label``; returns what puts the method back."""
        original = cls.__dict__[name]
        if asyncio.iscoroutinefunction(original):
            @functools.wraps(original)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                token, start = _stage.set(label), time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    self.add(label, time.perf_counter() - start)
                    _stage.reset(token)
            setattr(cls, name, timed_async)
        else:
            @functools.wraps(original)
            def timed(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    self.add(label, time.perf_counter() - start)
            setattr(cls, name, timed)
        return lambda: setattr(cls, name, original)

    def wrap_embed(self) -> Callable[[], None]:
        """Time the model's forward passes under the reader stage that asked for them (the
        stage travels into ``asyncio.to_thread``'s worker with the context)."""
        original = embedding.Embedder.embed

        def embed(model: embedding.Embedder, texts: Any) -> Any:
            label = f"embed: {_stage.get()}"
            start = time.perf_counter()
            try:
                return original(model, texts)
            finally:
                self.add(label, time.perf_counter() - start)
                self.texts.setdefault(label, []).append(len(texts))
        setattr(embedding.Embedder, "embed", embed)  # noqa: B010 (mypy: no assigning to a method)
        return lambda: setattr(embedding.Embedder, "embed", original)

    def wrap_give_back(self) -> Callable[[], None]:
        """Time ``index.memory.give_back`` (malloc_trim after each forward pass) as a stage of
        its own; the encoder imports it when the model is loaded, so wrap before that."""
        original = memory.give_back

        def give_back(*args: Any, **kwargs: Any) -> bool:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(f"give back: {_stage.get()}", time.perf_counter() - start)
        setattr(memory, "give_back", give_back)  # noqa: B010
        return lambda: setattr(memory, "give_back", original)


def p99(values: list[float]) -> float:
    return sorted(values)[int(0.99 * (len(values) - 1))]


def table(timings: Timings, totals: list[float], n: int) -> list[str]:
    """The Markdown table: the whole search, then each stage by its mean time a question."""
    lines = ["| stage | calls a question | texts a call | ms a question (mean) | "
             "median of calls ms |", "|---|---|---|---|---|",
             f"| search (total; median {1000 * statistics.median(totals):.2f}, p99 "
             f"{1000 * p99(totals):.2f}) | 1 | - | {1000 * statistics.mean(totals):.2f} | "
             f"{1000 * statistics.median(totals):.2f} |"]
    for label, spent in sorted(timings.spent.items(), key=lambda kv: -sum(kv[1])):
        texts = timings.texts.get(label)
        lines.append(f"| {label} | {len(spent) / n:.2f} | "
                     + (f"{statistics.mean(texts):.1f}" if texts else "-")
                     + f" | {1000 * sum(spent) / n:.2f} | {1000 * statistics.median(spent):.2f} |")
    return lines


async def split(db: Path, asked: list[str], warm: list[str]) -> tuple[Timings, list[float]]:
    """Ask each question once through the reader with its stages timed."""
    timings = Timings()
    undo = [timings.wrap(reader.IndexReader, name, label)
            for name, label in READER_STAGES.items()]
    undo += [timings.wrap(ann.NearestIndex, name, label) for name, label in GRAPH_STAGES.items()]
    undo += [timings.wrap_embed(), timings.wrap_give_back()]
    try:
        async with await reader.IndexReader.open(db, semantic=True) as r:
            await r.loaded()
            if not await r.semantic_ready():
                raise SystemExit(f"{db}: no vectors or no model: nothing hybrid to time")
            for question in warm:
                await r.search(question, 3)
            timings.spent.clear()
            timings.texts.clear()
            totals = []
            for question in asked:
                start = time.perf_counter()
                await r.search(question, 3)
                totals.append(time.perf_counter() - start)
    finally:
        for put_back in undo:
            put_back()
    return timings, totals


def embedding_alone(asked: list[str], rounds: int) -> list[str]:
    """The model alone on each question, as the reader embeds a new one (one text a pass):
    median and p99 ms, the question's tokens and the width of what the encoder fed ONNX
    Runtime (a pass of one text should not be padded)."""
    import onnxruntime
    from tokenizers import Tokenizer  # the encoder's own tokenizer file

    widths: list[int] = []
    run = onnxruntime.InferenceSession.run

    def recorded(session: Any, output: Any, feed: dict[str, Any], *args: Any) -> Any:
        widths.append(int(feed["input_ids"].shape[1]))
        return run(session, output, feed, *args)
    setattr(onnxruntime.InferenceSession, "run", recorded)  # noqa: B010
    try:
        model = embedding.load()
        model.embed(["warm up"])
        widths.clear()
        times = []
        for _ in range(rounds):
            for question in asked:
                start = time.perf_counter()
                model.embed([question])
                times.append(time.perf_counter() - start)
    finally:
        setattr(onnxruntime.InferenceSession, "run", run)  # noqa: B010
    tokenizer = Tokenizer.from_file(str(Path(embedding._resolve(embedding.DEFAULT_MODEL))
                                        / "tokenizer.json"))
    tokenizer.no_padding()  # the file pads to 128 unless told not to
    tokens = [len(e.ids) for e in tokenizer.encode_batch(asked)]
    fed = f"{statistics.median_low(widths)} ({max(widths)} at most)" if widths else "- (not ONNX)"
    return [f"| embedding alone ({model.runtime}, THREADS {encoders.THREADS}) | "
            f"{1000 * statistics.median(times):.2f} | {1000 * p99(times):.2f} | "
            f"{statistics.median_low(tokens)} ({max(tokens)} at most) | {fed} |"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--questions-from", choices=["tune", "tune-mixed", "report"],
                        default="tune")
    parser.add_argument("--queries", type=int, default=150)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--expansion", type=int, help="index.ann.EXPANSION_SEARCH for the run")
    parser.add_argument("--rescored", type=int, help="index.ann.RESCORED for the run")
    parser.add_argument("--no-widen", action="store_true", help="every walk keeps "
                        "EXPANSION_SEARCH (index.ann.WIDEN off)")
    parser.add_argument("--widen", metavar="BOUND:KEPT,...", help="index.ann.WIDEN for the "
                        "run, farthest bound first (e.g. 0.466:4096,0.506:2048)")
    parser.add_argument("--threads", type=int, help="index.encoders.THREADS for the run")
    parser.add_argument("--embedding", type=int, metavar="ROUNDS", help="time the model "
                        "alone on the questions, ROUNDS times each (no index needed)")
    args = parser.parse_args(argv)
    if args.expansion:  # each graph's walk, whatever the file holds
        ann.EXPANSION_SEARCH = ann.EXPANSION_ONE_GRAPH = args.expansion
    if args.rescored:
        ann.RESCORED = args.rescored
    if args.no_widen:
        ann.WIDEN = ()
    if args.widen:
        ann.WIDEN = tuple((float(b), int(k)) for b, k in
                          (step.split(":") for step in args.widen.split(",")))
    if args.threads:
        encoders.THREADS = args.threads
    texts = real_vectors.question_texts(args.questions_from)
    random.Random(args.seed).shuffle(texts)
    asked, warm = texts[:args.queries], texts[args.queries:args.queries + 10]
    load = os.getloadavg()
    if args.embedding:
        lines = embedding_alone(asked, args.embedding)
        print(f"{len(asked)} {args.questions_from} questions (seed {args.seed}) x "
              f"{args.embedding}; load before " + " ".join(f"{x:.2f}" for x in load)
              + ", after " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        print("| | median ms | p99 ms | tokens a question (median) | width fed (median) |\n"
              "|---|---|---|---|---|")
        print("\n".join(lines))
        return
    if args.index is None:
        parser.error("--index is needed (but with --embedding)")
    timings, totals = asyncio.run(split(args.index, asked, warm))
    print(f"{len(asked)} {args.questions_from} questions (seed {args.seed}), {args.index}: "
          f"EXPANSION_SEARCH {ann.EXPANSION_SEARCH} (each graph; one graph: "
          f"{ann.EXPANSION_ONE_GRAPH}), WIDEN {ann.WIDEN or 'off'}, RESCORED {ann.RESCORED}, "
          f"THREADS {encoders.THREADS}; load before "
          + " ".join(f"{x:.2f}" for x in load) + ", after "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("\n".join(table(timings, totals, len(asked))))


if __name__ == "__main__":
    main()
