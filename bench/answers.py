"""An evaluation of answers, not of rankings: does the bot show the passage that answers an
on-topic question, and honestly nothing for an off-topic one?

    python -m bench.answers [--split heldout|fresh|unseen|tune|all] [--min-relevance X] [--sweep] [-v]

Builds a mixed corpus in a temporary folder from the shared data (the shipped seed, Skeptics'
Q&A file, the genai.stackexchange.com dump and the two saved pages), asks every question of
``bench/answers_questions.toml`` through ``bot.answering.answer`` (what the terminal mode and
the Discord cogs call) with the settings of the config file, and prints the share right in
each group: on-topic questions whose first page shows a passage they expect, off-topic ones
answered "no good match". ``--sweep`` prints both shares for a range of thresholds, on the tune
questions: choose there, report held-out.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answering import answer  # noqa: E402
from index.build import build  # noqa: E402
from index.config import AnswerSettings, load_config  # noqa: E402
from index.reader import IndexReader  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data").resolve()
QUESTIONS = Path(__file__).with_name("answers_questions.toml")
SEED = "politics-se-why-was-soleimani-in-iraq"


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
    """The mixed corpus, copied into ``folder`` (never into the repository)."""
    corpus = folder / "corpus"
    (corpus / "dump").mkdir(parents=True)
    for suffix in (".txt", ".meta.toml"):
        shutil.copy(ROOT / "corpus" / f"{SEED}{suffix}", corpus)
    shutil.copy(DATA / "skeptics" / "web_science_dataset.jsonl", corpus / "skeptics.jsonl")
    shutil.copytree(DATA / "stackexchange" / "genai", corpus / "dump" / "genai")
    for page in sorted((DATA / "stackexchange-pages").glob("*.html")):
        shutil.copy(page, corpus)
    return corpus


async def shown(reader: IndexReader, questions: list[Question], settings: AnswerSettings
                ) -> list[list[str]]:
    """The passage ids each question's first page shows."""
    out = []
    for q in questions:
        result = await answer(reader, q.text, k=settings.passages,
                              min_relevance=settings.min_relevance, min_score=settings.min_score)
        out.append([h.passage_id for h in result.hits])
    return out


def shares(questions: list[Question], pages: list[list[str]]) -> tuple[str, str]:
    def share(on_topic: bool) -> str:
        group = [q.shown_right(p) for q, p in zip(questions, pages, strict=True)
                 if q.on_topic == on_topic]
        return f"{sum(group)}/{len(group)} = {sum(group) / len(group):.1%}" if group else "-"
    return share(True), share(False)


async def run(args: argparse.Namespace) -> None:
    if not DATA.is_dir():
        sys.exit(f"the shared data is not at {DATA}: this evaluation needs it")
    settings = load_config(args.config).answers if args.config else load_config().answers
    if args.min_relevance is not None:
        settings = dataclasses.replace(settings, min_relevance=args.min_relevance)
    questions = read_questions()
    chosen = [q for q in questions if args.split == "all" or q.split == args.split]
    with tempfile.TemporaryDirectory(prefix="sourced-answers-") as tmp:
        corpus = mixed_corpus(Path(tmp))
        report = build(corpus, Path(tmp) / "index.db")
        print(report.summary().splitlines()[0])
        async with await IndexReader.open(Path(tmp) / "index.db") as reader:
            if args.sweep:
                tune = [q for q in questions if q.split == "tune"]
                print("min_relevance  on-topic (tune)  off-topic (tune)")
                for step in range(0, 61, 2):
                    s = dataclasses.replace(settings, min_relevance=step / 100)
                    on, off = shares(tune, await shown(reader, tune, s))
                    print(f"{step / 100:<13}  {on:<15}  {off}")
                return
            pages = await shown(reader, chosen, settings)
    on, off = shares(chosen, pages)
    print(f"questions: {args.split} ({len(chosen)}); min_relevance = {settings.min_relevance}")
    print(f"on-topic, the answering passage shown:  {on}")
    print(f"off-topic, an honest \"no good match\":   {off}")
    if args.verbose:
        for q, p in zip(chosen, pages, strict=True):
            if not q.shown_right(p):
                print(f"  WRONG: {q.text!r} -> {p or 'no good match'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("heldout", "fresh", "unseen", "tune", "all"), default="heldout")
    parser.add_argument("--config", type=Path, help="a config file (default: the bot's)")
    parser.add_argument("--min-relevance", type=float, help="override [answers] min_relevance")
    parser.add_argument("--sweep", action="store_true",
                        help="shares on the tune questions for thresholds 0 to 0.6")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the wrong answers")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
