"""JSON Lines: one record per line, of two shapes.

- Q&A records (as in the Skeptics data set): ``question`` (the title), ``answer`` (plain text;
  quotes indented by two or more spaces), optional ``questionUrl``, ``answerUrl``,
  ``questionId``, ``answerId``, ``score``, ``date`` (when the answer was written).
- Passage records (a BEIR ``corpus.jsonl`` loads as it is): ``_id`` or ``id`` (kept as the
  passage id), ``text``, optional ``title``, ``url``, ``outlet``, ``date``. The text is a
  source's own words, so it is a quote; its outlet is ``outlet``, else the site of ``url``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..attribution import outlet_of
from ..dates import iso_date
from ..errors import CorpusError, unexpected
from ..model import Answer, Passage, Thread
from ..packing import MAX_RECORD_CHARS, bounded
from .context import LoadContext
from .plaintext import answer_paragraphs, answer_text_passages, marks_quotes
from .sedump import MAX_ROW_BYTES

MAX_LINE_BYTES = 8 * 1024 * 1024
# Past this many bad records the file is taken for something else than JSON Lines: skipped.
MAX_BAD_RECORDS = 100


def records(path: Path) -> Iterator[tuple[int, dict[str, Any] | CorpusError]]:
    """(line number, object) for each non-blank line, streamed. A line that is too long, not
    UTF-8, not JSON or not an object comes as its ``CorpusError`` in the object's place, so a
    caller skips that record and goes on.

    Raises:
        CorpusError: the file cannot be read.
    """
    try:
        with path.open("rb") as f:
            number = 0
            while line := f.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(line) > MAX_LINE_BYTES:
                    while line and not line.endswith(b"\n"):  # the rest, never all at once
                        line = f.readline(MAX_LINE_BYTES + 1)
                    yield number, CorpusError(
                        path, f"the line is longer than {MAX_LINE_BYTES // 2**20} MB",
                        record=f"line {number}")
                    continue
                if not line.strip():
                    continue
                yield number, _object(path, line, number)
    except OSError as exc:
        raise CorpusError(path, f"cannot read the file: {exc.strerror or exc}") from exc


def _object(path: Path, line: bytes, number: int) -> dict[str, Any] | CorpusError:
    """One line's JSON object, or why it is none."""
    where = f"line {number}"
    try:
        # Without its line break, an error's column is on this line ("column 9", not "1").
        value = json.loads(line.rstrip(b"\r\n").decode("utf-8-sig" if number == 1 else "utf-8"))
    except UnicodeDecodeError as exc:
        return CorpusError(path, f"not UTF-8 text (byte 0x{line[exc.start]:02x})", record=where)
    except json.JSONDecodeError as exc:
        problem = exc.msg.removesuffix(" at")  # some of json's messages end in "at"
        return CorpusError(path, f"not JSON: {problem} at column {exc.colno}{_hint(exc)}",
                           record=where)
    except RecursionError as exc:
        return unexpected(path, exc, record=where)
    if not isinstance(value, dict):
        return CorpusError(path, f"a record must be a JSON object, got {type(value).__name__}",
                           record=where)
    return value


def _text(record: dict[str, Any], key: str, path: Path, line: int) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise CorpusError(path, f"{key!r} must be text, got {type(value).__name__}",
                          record=f"line {line}")
    return value


def load(path: Path, ctx: LoadContext) -> Iterator[Thread]:
    """The file's threads; a bad record is skipped and reported (``ctx.skipped_records``) and
    the others load, unless no record loads or more than ``MAX_BAD_RECORDS`` are bad: then
    the file is skipped, naming its first bad record."""
    marked = _marks_quotes(path)
    loaded = 0
    bad: list[CorpusError] = []
    for line, record in records(path):
        try:
            if isinstance(record, CorpusError):
                raise record
            thread = _thread(path, line, record, ctx, marked)
        except CorpusError as err:
            bad.append(err)
            if len(bad) > MAX_BAD_RECORDS:
                raise _file_error(path, bad, f"more than {MAX_BAD_RECORDS} bad records"
                                  ) from None
            continue
        loaded += 1
        yield thread
    if not loaded:
        raise _file_error(path, bad, "no record loads") if bad else CorpusError(
            path, "no records: the file is empty")
    ctx.skipped_records.extend(bad)


def _thread(path: Path, line: int, record: dict[str, Any], ctx: LoadContext,
            marked: bool) -> Thread:
    get = lambda key: _text(record, key, path, line)  # noqa: E731
    for key in ("answer", "text", "questionBody"):
        if len((get(key) or "").encode("utf-8", "surrogatepass")) > MAX_ROW_BYTES:
            # As a dump's row: no real post is this long, and one would fill the index
            # (review12 D5: a 5 MB answer became 1,339 passages, unreported).
            raise CorpusError(path, f"`{key}` is over {MAX_ROW_BYTES // 2**20} MB, longer than "
                              "any real post (Stack Exchange caps one at 30,000 characters)",
                              record=f"line {line}")
    if get("answer") is not None:
        return _qa_thread(path, line, get, ctx, marked)
    if get("text") is not None and (get("_id") or get("id")):
        return _passage_thread(path, line, get, ctx)
    raise CorpusError(path, "a record needs `answer` (a Q&A record) or `text` with `_id` or "
                      "`id` (a passage record)", record=f"line {line}")


def _file_error(path: Path, bad: list[CorpusError], why: str) -> CorpusError:
    """The whole file's error: its first bad record, and how many there were."""
    first = bad[0]
    more = f" ({why}: {len(bad)})" if len(bad) > 1 else ""
    return CorpusError(path, first.problem + more, record=first.record)


def _marks_quotes(path: Path) -> bool:
    """Whether the file's answers mark quotes by indentation (as Skeptics' do): then an answer
    with nothing indented quotes nothing, rather than having its quotes guessed from lead-ins.
    A first pass over the file; a broken record is reported by the second one."""
    try:
        return any(isinstance(record, dict) and isinstance(answer := record.get("answer"), str)
                   and marks_quotes(answer_paragraphs(html.unescape(answer)))
                   for _, record in records(path))
    except CorpusError:
        return False


def _qa_thread(path: Path, line: int, get: Any, ctx: LoadContext, marked: bool) -> Thread:
    question_id = get("questionId") or str(line)
    answer_id = get("answerId") or str(line)
    answer = html.unescape(get("answer") or "")
    score = get("score")
    asked = html.unescape(get("questionBody") or "")
    return Thread(
        key=f"{ctx.name(path)}/{question_id}/{answer_id}",
        title=html.unescape(get("question") or get("title") or f"Question {question_id}"),
        question=asked,
        url=ctx.link(get("questionUrl"), path, key="questionUrl", record=f"line {line}"),
        answers=[Answer(passages=answer_text_passages(answer, ctx, marked=marked,
                                                      question=asked),
                        score=int(score) if score and score.lstrip("-").isdigit() else None,
                        url=ctx.link(get("answerUrl"), path, key="answerUrl",
                                     record=f"line {line}"),
                        date=iso_date(get("date")))],
    )


def _passage_thread(path: Path, line: int, get: Any, ctx: LoadContext) -> Thread:
    pid = get("_id") or get("id")
    url = ctx.link(get("url"), path, key="url", record=f"line {line}")
    outlet = ctx.outlet_name(get("outlet"), path, key="outlet", record=f"line {line}") \
        or outlet_of(url, None, ctx.gazetteer)
    title = get("title") or ""
    # The record's url is the article's, not a thread's: no "thread" link points at it.
    return Thread(
        key=f"{ctx.name(path)}/{pid}", title=title, url=None,
        answers=[Answer(passages=list(bounded([Passage(
            "quote", get("text") or "", outlet=outlet, url=url, pid=pid)], MAX_RECORD_CHARS)),
            date=iso_date(get("date")))],
    )


def _hint(exc: json.JSONDecodeError) -> str:
    """What the decoder's words mean for whoever edits the file (review9 D9: "Invalid control
    character" was a line cut off inside a string)."""
    if exc.msg.startswith(("Unterminated string", "Invalid control character")):
        return " (a string is not closed on this line: cut off, or a tab or line break " \
            "written raw inside it instead of \\t or \\n)"
    if exc.pos >= len(exc.doc.rstrip()):
        return " (the line ends before the record does: cut off?)"
    return ""

