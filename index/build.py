"""Corpus folder -> index file: load every document, skip and report the broken ones."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .bm25 import BM25Params, ImpactIndex
from .errors import CorpusError
from .loaders import LoadContext, companions, corpus_files, loader_for
from .model import Passage, Thread
from .outlets import Gazetteer
from .settings import IndexSettings
from .store import LoadedFile, PreviousIndex, replacing, write_index
from .tokenize import Tokenizer

log = logging.getLogger(__name__)

TOKENIZER_NAME = "nltk-stopwords+snowball-english/1"


@dataclass(slots=True)
class BuildReport:
    """What a build loaded and what it skipped, for the CLI and ``/reload`` to show."""

    database: Path
    files: list[LoadedFile] = field(default_factory=list)
    skipped: list[CorpusError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def threads(self) -> int:
        return sum(len(f.threads) for f in self.files)

    @property
    def passages(self) -> list[Passage]:
        return [p for f in self.files for t in f.threads for a in t.answers for p in a.passages]

    def to_json(self) -> dict[str, object]:
        """The report for scripts (``python -m index build --json``) and the bot's /reload."""
        passages = self.passages
        quotes = [p for p in passages if p.kind == "quote"]
        return {
            "database": str(self.database),
            "files": [{"path": f.path, "threads": len(f.threads), "reused": f.reused,
                       "passages": sum(len(a.passages) for t in f.threads for a in t.answers)}
                      for f in self.files],
            "skipped": [{"path": str(e.path), "record": e.record, "problem": e.problem}
                        for e in self.skipped],
            "threads": self.threads, "passages": len(passages), "quotes": len(quotes),
            "sourced_quotes": sum(1 for p in quotes if p.outlet),
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        passages = self.passages
        quotes = [p for p in passages if p.kind == "quote"]
        reused = sum(1 for f in self.files if f.reused)
        lines = [
            f"Indexed {len(self.files)} file(s)"
            + (f" ({reused} unchanged, reused)" if reused else "")
            + f": {self.threads} thread(s), {len(passages)} "
            f"passage(s), {len(quotes)} quote(s), {sum(1 for p in quotes if p.outlet)} with an "
            f"outlet, in {self.seconds:.2f} s -> {self.database}",
        ]
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)} file(s):")
            lines += [f"  {err}" for err in self.skipped]
        return "\n".join(lines)


def document_terms(tokenizer: Tokenizer, threads: Iterable[Thread]) -> Iterator[list[str]]:
    """What BM25 indexes for each passage, in order: its own words, then its thread's title
    and question, so a quote that never names its subject is still found by the question's
    words. The thread's words are tokenized once for all its passages."""
    for thread in threads:
        context = tokenizer(thread.title) + tokenizer(thread.question)
        for answer in thread.answers:
            for passage in answer.passages:
                yield tokenizer(passage.text) + context


def build(corpus: Path, database: Path, *, ctx: LoadContext | None = None,
          params: BM25Params | None = None, tokenizer: Tokenizer | None = None,
          progress: Callable[[Path], None] | None = None, reuse: bool = True) -> BuildReport:
    """Load every document under ``corpus`` and write a complete index to ``database``.

    A file that fails to load is skipped and reported; the index is replaced only when the
    whole build succeeds. With ``reuse``, files unchanged since the index at ``database`` was
    built (same path, same bytes, same loader settings) are read back from it, not parsed
    again; the result is the same as a clean build.

    Raises:
        CorpusError: ``corpus`` is not a readable folder.
    """
    started = time.perf_counter()
    if not corpus.is_dir():
        raise CorpusError(corpus, "the corpus folder does not exist or is not a folder")
    ctx = ctx or LoadContext()
    tokenizer = tokenizer or Tokenizer()
    report = BuildReport(database)
    previous = PreviousIndex.open(database) if reuse else None
    if previous is not None and previous.meta.get("loaders") != ctx.fingerprint:
        previous.close()
        previous = None  # the gazetteer or passage size changed: every file is read again
    keys: dict[str, Path] = {}
    try:
        for path in corpus_files(corpus):
            if progress:
                progress(path)
            try:
                loaded = _load_one(path, corpus, ctx, previous)
                for t in loaded.threads:
                    if t.key in keys:
                        raise CorpusError(path, f"thread {t.key!r} is already loaded from "
                                          f"{keys[t.key]}", record=f"thread {t.key}")
                keys.update((t.key, path) for t in loaded.threads)
            except CorpusError as err:
                log.warning("skipped %s", err)
                report.skipped.append(err)
                continue
            report.files.append(loaded)
    finally:
        if previous is not None:
            previous.close()

    params = params or BM25Params()
    bm25 = ImpactIndex.build(
        document_terms(tokenizer, (t for f in report.files for t in f.threads)), params)
    with replacing(database) as tmp:
        write_index(tmp, report.files, bm25, params,
                    {"tokenizer": TOKENIZER_NAME, "corpus": str(corpus),
                     "loaders": ctx.fingerprint})
    report.seconds = time.perf_counter() - started
    return report


def build_with(settings: IndexSettings, *, corpus: Path | None = None,
               database: Path | None = None,
               progress: Callable[[Path], None] | None = None) -> BuildReport:
    """``build`` with the gazetteer, passage size and BM25 parameters of the config."""
    ctx = LoadContext(Gazetteer.load(settings.outlets), settings.passage_chars)
    return build(corpus or settings.corpus, database or settings.database, ctx=ctx,
                 params=settings.bm25, progress=progress)


def _digest(path: Path) -> str:
    """The document's bytes and its companions' (sidecars, Comments.xml), streamed."""
    digest = hashlib.sha256()
    for part in (path, *companions(path)):
        try:
            with part.open("rb") as f:
                digest.update(hashlib.file_digest(f, "sha256").digest())
        except OSError as exc:
            raise CorpusError(part, f"cannot read the file: {exc.strerror or exc}") from exc
    return digest.hexdigest()


def _load_one(path: Path, corpus: Path, ctx: LoadContext,
              previous: PreviousIndex | None) -> LoadedFile:
    relative = str(path.relative_to(corpus))
    digest = _digest(path)
    kind = path.suffix.lstrip(".").lower()
    if previous is not None and previous.files.get(relative, (0, ""))[1] == digest:
        threads = previous.threads(previous.files[relative][0])
        log.debug("unchanged %s: %d thread(s), reused", relative, len(threads))
        return LoadedFile(relative, digest, kind, threads, reused=True)
    loader = loader_for(path)
    if loader is None:  # corpus_files lists only files with a loader
        raise CorpusError(path, "no loader for this kind of file")
    threads = list(loader(path, ctx))
    log.info("loaded %s: %d thread(s), %d passage(s)", relative, len(threads),
             sum(len(a.passages) for t in threads for a in t.answers))
    return LoadedFile(relative, digest, kind, threads)
