"""Corpus folder -> index file: load every document, skip and report the broken ones."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import ann, embedding, memory
from .bm25 import BM25Params
from .errors import CorpusError, unexpected
from .loaders import (
    LOADERS,
    LoadContext,
    companions,
    corpus_files,
    ignored_files,
    loader_for,
    sedump,
    unfollowed_links,
)
from .model import CHATBOT_REPLY, CLAIM, OTHER_ANSWER, PROMPT, QUESTION, Passage, Thread
from .outlets import KINDS, NOT_SOURCES, Gazetteer
from .quote_model import (
    mark_answerer_material,
    mark_claims,
    mark_question_quotes,
    mark_thread_quotes,
)
from .settings import IndexSettings
from .sources import KIND_WORDS, label
from .store import (
    FileCounts,
    LoadedFile,
    PreviousIndex,
    UnusableIndex,
    clear_leftovers,
    replacing,
)
from .tokenize import Tokenizer
from .vectors import (
    Deferred,
    EmbedReport,
    complete_with,
    embed_apart,
    embed_missing,
    key_of,
)
from .writer import HeldTwice, IndexWriter, parsed_passages

log = logging.getLogger(__name__)

TOKENIZER_NAME = "nltk-stopwords+snowball-english/1"
# Kinds of quote a build counts: every source kind, and quotes of the question.
COUNTED_KINDS = (*KINDS, QUESTION, OTHER_ANSWER, PROMPT, CHATBOT_REPLY, CLAIM)
FORMATS = (" ".join(sorted(LOADERS)) + " Posts.xml; a BEIR folder's queries.jsonl holds its "
           "questions, not passages")


@dataclass(slots=True)
class BuildReport:
    """What a build loaded and what it skipped, for the CLI and ``/reload`` to show."""

    database: Path
    files: list[LoadedFile] = field(default_factory=list)
    skipped: list[CorpusError] = field(default_factory=list)
    # Records left out of files that loaded (a dump's oversized row).
    skipped_records: list[CorpusError] = field(default_factory=list)
    seconds: float = 0.0
    vectors: str | None = None  # what became of the passage vectors, when asked for
    # The same for scripts (``--json``'s ``vectors``): counts and states, not a sentence.
    vector_outcome: dict[str, object] | None = None
    # Files under the corpus that no loader reads (a PDF, a CSV), relative to it: named, not read.
    ignored: list[str] = field(default_factory=list)
    # Files the previous index held that this one does not (deleted or moved), relative paths.
    removed: list[str] = field(default_factory=list)
    # Each dump's site, for its thread links (relative path -> site), and those of them guessed
    # from the folder's name alone (``sedump.site_named_by_folder``).
    sites: dict[str, str] = field(default_factory=dict)
    sites_by_folder: list[str] = field(default_factory=list)
    # The corpus folder: the JSON report names skipped files relative to it, as it names the
    # others (review14 L1: /reload showed the host's absolute paths to server admins).
    corpus: Path | None = None

    def _relative(self, path: Path) -> str:
        if self.corpus is not None and path.is_relative_to(self.corpus):
            return str(path.relative_to(self.corpus))
        return str(path)

    def _named(self, err: CorpusError) -> str:
        """``err`` as it reads, its file named relative to the corpus as elsewhere (review16 F2)."""
        return str(CorpusError(self._relative(err.path), err.problem, record=err.record))

    @property
    def totals(self) -> FileCounts:
        """Threads, passages, quotes and sourced quotes of every file indexed."""
        counts = [f.counts for f in self.files]
        kinds: Counter[str] = Counter()
        for c in counts:
            kinds.update(dict(c.kinds))
        return FileCounts(sum(c.threads for c in counts), sum(c.passages for c in counts),
                          sum(c.quotes for c in counts), sum(c.sourced_quotes for c in counts),
                          tuple(sorted(kinds.items())))

    @property
    def by_kind(self) -> dict[str, int]:
        """Quotes by kind of source, every kind (in ``KINDS`` order), zeros included."""
        kinds = dict(self.totals.kinds)
        return {k: kinds.get(k, 0) for k in COUNTED_KINDS}

    def parsed_passages(self) -> list[Passage]:
        """The passages of the files parsed by this build (not those reused unchanged), as
        the index it wrote holds them."""
        return parsed_passages(self.database, [f.path for f in self.files if not f.reused])

    def to_json(self) -> dict[str, object]:
        """The report for scripts (``python -m index build --json``) and the bot's /reload."""
        totals = self.totals
        return {
            "database": str(self.database),
            "files": [{"path": f.path, "threads": f.counts.threads, "reused": f.reused,
                       "passages": f.counts.passages} for f in self.files],
            "skipped": [{"path": self._relative(e.path), "record": e.record,
                         "problem": e.problem} for e in self.skipped],
            "skipped_records": [{"path": self._relative(e.path), "record": e.record,
                                 "problem": e.problem} for e in self.skipped_records],
            "threads": totals.threads, "passages": totals.passages, "quotes": totals.quotes,
            "sourced_quotes": totals.sourced_quotes, "quotes_by_source_kind": self.by_kind,
            "seconds": round(self.seconds, 3),
            "vectors": (None if self.vector_outcome is None else self.vector_outcome
                        | ({"summary": self.vectors} if self.vectors else {})),
            "ignored": self.ignored, "removed": self.removed,
            "sites": {path: {"site": site, "from": "folder name"
                             if path in self.sites_by_folder else "site.toml or a dotted name"}
                      for path, site in self.sites.items()},
        }

    def summary(self) -> str:
        reused = sum(1 for f in self.files if f.reused)
        totals = self.totals
        lines = [
            f"Indexed {len(self.files)} file(s)"
            + (f" ({reused} unchanged, reused)" if reused else "")
            + f": {totals.threads} thread(s), {totals.passages} passage(s), {totals.quotes} "
            f"quote(s), {totals.sourced_quotes} with an outlet, in {self.seconds:.2f} s -> "
            f"{self.database}",
        ]
        kinds = self.by_kind
        if any(kinds.values()):
            lines.append("Quotes by source: " + ", ".join(
                f"{KIND_WORDS[k]} {kinds[k]}" for k in KINDS if k not in NOT_SOURCES)
                + "; not sources: " + ", ".join(f"{KIND_WORDS[k]} {kinds[k]}"
                                                for k in COUNTED_KINDS
                                                if k in NOT_SOURCES or k not in KINDS))
        if self.vectors:
            lines.append(self.vectors)
        if self.skipped:
            lines.append(f"Skipped {len(self.skipped)} file(s):")
            lines += [f"  {self._named(err)}" for err in self.skipped]
        if self.skipped_records:
            lines.append(f"Skipped {len(self.skipped_records)} record(s) of files that loaded:")
            lines += [f"  {self._named(err)}" for err in self.skipped_records]
        if self.removed:
            lines.append(f"Removed {len(self.removed)} file(s) no longer in the corpus: "
                         + _some(self.removed))
        if self.ignored:
            lines.append(f"Ignored {len(self.ignored)} file(s) the index does not read "
                         f"(formats read: {FORMATS}): {_some(self.ignored)}")
        if self.sites_by_folder:
            lines.append("Thread links named after the dump's folder (put site = \"...\" in a "
                         "site.toml beside Posts.xml if the site is another): " + _some(
                             [f"{p} -> https://{self.sites[p]}" for p in self.sites_by_folder]))
        return "\n".join(lines)


def _some(names: list[str], limit: int = 10) -> str:
    """The first ``limit`` names, and how many more."""
    return ", ".join(names[:limit]) + (
        f" and {len(names) - limit} more" if len(names) > limit else "")


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
          params: BM25Params | None = None, progress: Callable[[Path], None] | None = None,
          reuse: bool = True, vectors_model: str | None = None) -> BuildReport:
    """Load every document under ``corpus`` and write a complete index to ``database``.

    A file that fails to load is skipped and reported; the index is replaced only when the
    whole build succeeds. With ``reuse``, files unchanged since the index at ``database`` was
    built (same path, same bytes, same loader settings) keep their rows and postings, copied
    from it, not parsed again; the result is the same as a clean build's. With
    ``vectors_model``, the index holds vector arrays for that model (``index.vectors``): the
    previous index's vectors carried over, the rest left for ``embed_missing``.

    Raises:
        CorpusError: ``corpus`` is not a readable folder.
    """
    started = time.perf_counter()
    if not corpus.is_dir():
        raise CorpusError(corpus, "the corpus folder does not exist or is not a folder")
    ctx = dataclasses.replace(ctx or LoadContext(), root=corpus, skipped_records=[])
    previous = PreviousIndex.open(database)
    before = set(previous.files) if previous is not None \
        and previous.meta.get("corpus") == str(corpus) else set()
    if not reuse and previous is not None:
        previous.close()
        previous = None
    if previous is not None and (previous.meta.get("loaders") != ctx.fingerprint
                                 or previous.meta.get("tokenizer") != TOKENIZER_NAME
                                 or (vectors_model is not None)
                                 != ("vectors_model" in previous.meta)):
        previous.close()
        # The gazetteer, passage size or tokenizer changed, or vectors were turned on or off
        # (unchanged files' passages need their keys): read all again.
        previous = None
    try:
        report = _build(corpus, database, ctx, params or BM25Params(), progress, previous,
                        vectors_model)
    except UnusableIndex as exc:
        log.warning("the previous index cannot be reused (%s): building afresh", exc)
        report = _build(corpus, database, ctx, params or BM25Params(), progress, None,
                        vectors_model)
    finally:
        if previous is not None:
            previous.close()
    report.seconds = time.perf_counter() - started
    report.corpus = corpus
    report.ignored = [str(p.relative_to(corpus)) for p in ignored_files(corpus)]
    report.skipped += [CorpusError(p, problem) for p, problem in unfollowed_links(corpus)]
    for loaded in report.files:
        path = corpus / loaded.path
        if path.name.lower() == "posts.xml":
            report.sites[loaded.path] = sedump.site_for(path.parent)
            if sedump.site_named_by_folder(path.parent):
                report.sites_by_folder.append(loaded.path)
    # Only a build that replaced the index removed anything (a failed one raised above).
    report.removed = sorted(before - {f.path for f in report.files}
                            - {str(e.path.relative_to(corpus)) for e in report.skipped
                               if e.path.is_relative_to(corpus)})
    return report


def _build(corpus: Path, database: Path, ctx: LoadContext, params: BM25Params,
           progress: Callable[[Path], None] | None, previous: PreviousIndex | None,
           vectors_model: str | None = None) -> BuildReport:
    report = BuildReport(database)
    paths = corpus_files(corpus)
    digests: dict[Path, str | CorpusError] = {}
    for path in paths:
        try:
            _refuse_links_out(path, corpus)
            digests[path] = _digest(path)
        except CorpusError as err:
            digests[path] = err
    keep = {} if previous is None else {
        rel: old for path, sha in digests.items()
        if (old := previous.files.get(rel := str(path.relative_to(corpus)))) is not None
        and old.sha256 == sha}
    if previous is not None and len(keep) == len(paths) == len(previous.files) \
            and previous.meta.get("corpus") == str(corpus) and previous.params == params:
        for path in paths:
            if progress:
                progress(path)
            rel = str(path.relative_to(corpus))
            report.files.append(LoadedFile(rel, keep[rel].sha256, _format(path), (),
                                           keep[rel].counts, reused=True))
            report.skipped_records += [CorpusError(corpus / where, problem, record=record)
                                       for where, record, problem
                                       in previous.skipped_records(rel)]
        log.info("nothing changed since %s was built: kept as it is", database)
        clear_leftovers(database)
        return report
    with replacing(database) as tmp:
        writer = IndexWriter(tmp, corpus, previous if keep else None, keep,
                             key_of if vectors_model is not None else None)
        try:
            for path in paths:
                if progress:
                    progress(path)
                relative = str(path.relative_to(corpus))
                _add(writer, path, digests[path], corpus, ctx, relative in keep, report)
            meta = {"tokenizer": TOKENIZER_NAME, "corpus": str(corpus),
                    "loaders": ctx.fingerprint}
            writer.finish(params, meta, ctx.gazetteer.ratings(), vectors_model)
        finally:
            writer.close()
    return report


def _add(writer: IndexWriter, path: Path, digest: str | CorpusError, corpus: Path,
         ctx: LoadContext, reused: bool, report: BuildReport) -> None:
    """Put one corpus file in the new index (its rows kept, or parsed and written), or
    report why it is skipped."""
    relative = str(path.relative_to(corpus))
    loaded = False
    try:
        if isinstance(digest, CorpusError):
            raise digest
        if reused:
            counts = writer.add_reused(relative)
            log.debug("unchanged %s: %d thread(s), reused", relative, counts.threads)
            report.skipped_records += writer.skipped_of(relative)
        else:
            try:
                counts = writer.add_parsed(relative, digest, _format(path),
                                           _threads(path, ctx))
            except HeldTwice:
                loaded = True  # what its loader left out is reported all the same
                raise
            loaded = True
            writer.note_skipped(ctx.skipped_records)
            log.info("loaded %s: %d thread(s), %d passage(s)", relative, counts.threads,
                     counts.passages)
        report.files.append(LoadedFile(relative, digest, _format(path), (), counts,
                                       reused=reused))
    except CorpusError as err:
        log.warning("skipped %s", err)
        report.skipped.append(err)
    finally:
        if loaded:
            for record in ctx.skipped_records:
                log.warning("left out of a file that loaded: %s", record)
            report.skipped_records += ctx.skipped_records
        ctx.skipped_records.clear()


def _threads(path: Path, ctx: LoadContext) -> Iterator[Thread]:
    """A file's threads as its loader reads them, labelled; anything a loader lets out but
    ``CorpusError`` becomes that file's ``CorpusError``."""
    loader = loader_for(path)
    if loader is None:  # corpus_files lists only files with a loader
        raise CorpusError(path, "no loader for this kind of file")
    try:
        for thread in loader(path, ctx):
            label([thread], ctx.gazetteer)
            mark_question_quotes(thread)
            mark_thread_quotes(thread)
            mark_answerer_material(thread)
            mark_claims(thread)
            yield thread
    except CorpusError:
        raise
    except Exception as exc:  # a loader lets out only CorpusError; a crafted file may not
        log.debug("the loader of %s failed", path, exc_info=not isinstance(
            exc, RecursionError))
        raise unexpected(path, exc) from exc


def changed_since(corpus: Path, database: Path) -> list[Path]:
    """Documents, and folders (a file added or removed changes its folder), of ``corpus``
    modified after ``database`` was written, newest first: an index that does not hold them
    yet. By modification times only, so a start-up check costs a ``stat`` a file."""
    try:
        built = database.stat().st_mtime
    except OSError:
        return []
    if not corpus.is_dir():
        return []
    candidates = [*corpus_files(corpus), corpus, *(p for p in corpus.rglob("*") if p.is_dir())]
    newer = [(mtime, p) for p in candidates if (mtime := _mtime(p)) > built]
    return [p for _, p in sorted(newer, reverse=True)]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _format(path: Path) -> str:
    return path.suffix.lstrip(".").lower()


def build_with(settings: IndexSettings, *, corpus: Path | None = None,
               database: Path | None = None,
               progress: Callable[[Path], None] | None = None,
               embed_progress: Callable[[int, int], None] | None = None,
               apart: bool = False) -> BuildReport:
    """``build`` with the gazetteer, passage size and BM25 parameters of the config; then,
    with ``[semantic]`` enabled, the passages' vectors (``index.vectors.embed_missing``; in a
    process of its own with ``apart``, so that the model's memory is given back before
    the graph is built: ``index.vectors.embed_apart``). The BM25 index is in place before
    embedding starts; a model that cannot be loaded leaves it serving BM25 alone, with a
    warning."""
    ctx = LoadContext(Gazetteer.load(settings.outlets), settings.passage_chars)
    semantic = settings.semantic
    database = database or settings.database
    report = build(corpus or settings.corpus, database, ctx=ctx, params=settings.bm25,
                   progress=progress, vectors_model=semantic.model if semantic.enabled else None)
    # The BM25 stage's memory is freed but kept by malloc: give it back before the embedding
    # process starts beside this one and the graph is built in it (README, "build memory").
    memory.give_back()
    if semantic.enabled and (passages := complete_with(database, semantic.model)) is not None:
        done = EmbedReport(passages=passages, complete=True)
        built = _nearest(database)
        report.vectors = done.summary() + "; " + built.line
        report.vector_outcome = _outcome(done, built)
    elif semantic.enabled:
        # Loaded only if a vector is in neither the index nor the cache.
        model = Deferred(semantic.model, lambda: embedding.load(semantic.model))
        try:
            done = (embed_apart(database, semantic.model, progress=embed_progress)
                    if apart else embed_missing(database, model, progress=embed_progress))
        except embedding.EmbeddingUnavailable as exc:
            log.warning("no passage vectors, search answers with BM25 alone: %s", exc)
            report.vectors = f"Vectors: none ({exc})"
            report.vector_outcome = {"state": "none", "problem": str(exc)}
        else:
            report.vectors = done.summary()
            report.seconds += done.seconds
            nearest = _nearest(database) if done.complete else None
            if nearest is not None:
                report.vectors += "; " + nearest.line
            report.vector_outcome = _outcome(done, nearest)
    else:
        report.vector_outcome = {"state": "off"}
    return report


@dataclass(frozen=True, slots=True)
class Nearest:
    """What became of the nearest-neighbour index: "built", "unchanged" or "none"."""

    state: str
    line: str
    seconds: float | None = None
    problem: str | None = None


def _nearest(database: Path) -> Nearest:
    """Build the nearest-neighbour index of the vectors (``index.ann``); what became of it.
    Without it the reader answers with BM25 alone, so a failure is said, not raised."""
    memory.give_back()
    try:
        took = ann.build(database)
    except (ImportError, OSError, ValueError, RuntimeError) as exc:
        log.warning("no nearest-neighbour index, search answers with BM25 alone: %s", exc)
        return Nearest("none", f"nearest-neighbour index: none ({exc})", problem=str(exc))
    if took is None:
        return Nearest("unchanged", "nearest-neighbour index: unchanged")
    return Nearest("built", f"nearest-neighbour index built in {took:.1f} s", round(took, 3))


def _outcome(done: EmbedReport, nearest: Nearest | None) -> dict[str, object]:
    """``--json``'s ``vectors``: "complete" (every passage has its vector) or "incomplete"
    (search answers with BM25 alone until a build finishes them), with the counts."""
    return {"state": "complete" if done.complete else "incomplete",
            "passages": done.passages, "embedded": done.embedded, "from_cache": done.resumed,
            "titles_embedded": done.titles, "seconds": round(done.seconds, 3),
            "nearest_index": None if nearest is None else {
                "state": nearest.state, "seconds": nearest.seconds, "problem": nearest.problem}}


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


def _refuse_links_out(path: Path, corpus: Path) -> None:
    """A document or companion whose real path is outside the corpus folder (a symbolic link
    to /etc/passwd) is not read: the corpus is what admins put in it, nothing else."""
    real_corpus = corpus.resolve()
    for part in (path, *companions(path)):
        if not part.resolve().is_relative_to(real_corpus):
            what = "it" if part == path else f"{part.name}, read with it,"
            raise CorpusError(path, f"refused: {what} is a link to a file outside the corpus "
                              "folder")
