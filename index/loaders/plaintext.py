"""Stack Exchange thread pages scraped to plain text (the shipped seed's format).

Layout: the question's score alone on the first line, the question body, the comment count,
the comments (``  • score`` / text / ``– author`` / ``Commented DATE``; score and author may be
missing, and the date may end the text line), a line ``N Answers N``, then each answer as its
score on a line of its own, its paragraphs and its comments. A comment count may stand with no
comments under it (the page hid them). Quotes indented by two or more spaces are quotes;
where none is indented, they are recognised from how each paragraph reads and from the lead-ins
(``index.quote_model``, ``index.attribution``).
Title, address and site come from a ``NAME.meta.toml`` sidecar when there is one.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..attribution import passages_from_blocks
from ..blocks import Block
from ..errors import CorpusError, excerpt, unexpected
from ..lead_ins import confirm_unmarked_outlets
from ..link_text import says_nothing_without_link
from ..model import Answer, Comment, Passage, Thread
from ..packing import pack
from ..quote_model import Model, unmarked_passages
from .context import LoadContext, read_text

_SCORE = re.compile(r"^-?\d+$")
_ANSWERS = re.compile(r"^(\d+)\s+Answers?(?:\s+\1)?$")
_BULLET = re.compile(r"^\s+•\s?(.*)$")
_AUTHOR = re.compile(r"^[–—-]\s+(.+)$")
_DATE = r"\w{3}\s+\d{1,2},\s+\d{4}(?:\s+at\s+\d{1,2}:\d{2})?"
_COMMENTED = re.compile(rf"^(.*?)\s*\bCommented\s+({_DATE})\s*$")
# Page furniture after the last answer.
_CHROME = re.compile(
    r"^(?:You must log in to answer this question\.?|Not the answer you're looking for\?.*|"
    r"Start asking to get answers.*|Add a comment|Show \d+ more comments?|"
    r"Highly active question.*|Protected question.*)$"
)


@dataclass
class _Post:
    """An answer (or the question) as lines, before paragraphs are made."""

    score: int | None
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def load(path: Path, ctx: LoadContext) -> Iterator[Thread]:
    """Read one scraped thread page.

    Raises:
        CorpusError: the file is not text, or not in this layout (naming the line).
    """
    text = read_text(path)
    lines = [line.rstrip() for line in text.splitlines()]
    if not any(lines):
        raise CorpusError(path, "the file is empty")
    meta = _sidecar(path)

    split = next((i for i, line in enumerate(lines) if _ANSWERS.match(line.strip())), len(lines))
    head = _posts(path, lines[:split], 0, expect_one=True)
    answers = _posts(path, lines[split + 1:], split + 1, expect_one=False)
    if split < len(lines):
        expected = int(_ANSWERS.match(lines[split].strip()).group(1))  # type: ignore[union-attr]
        if expected != len(answers):
            raise CorpusError(path, f"the page says {expected} answers but {len(answers)} were "
                              "found", record=f"line {split + 1}")
    question = head[0]
    asked = "\n\n".join(p.text for p in _paragraphs(question.body))
    yield Thread(
        key=meta.get("key") or ctx.name(path),
        title=meta.get("title") or path.stem.replace("-", " ").replace("_", " "),
        question=asked,
        url=ctx.link(meta.get("url"), path.with_name(path.stem + ".meta.toml"), key="url",
                     record="sidecar"),
        site=meta.get("site"),
        score=question.score,
        comments=question.comments,
        answers=[
            Answer(
                passages=text_passages(_paragraphs(a.body), ctx, question=asked),
                score=a.score,
                comments=a.comments,
            )
            for a in answers
        ],
    )


def _sidecar(path: Path) -> dict[str, str]:
    side = path.with_name(path.stem + ".meta.toml")
    if not side.exists():
        return {}
    try:
        with side.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CorpusError(side, f"cannot read the sidecar: {exc}") from exc
    except RecursionError as exc:
        raise unexpected(side, exc) from None
    return {k: str(v) for k, v in data.items() if isinstance(v, str | int)}


def _posts(path: Path, lines: list[str], offset: int, *, expect_one: bool) -> list[_Post]:
    """Split lines into posts: a score line opens each; comments follow a count line."""
    posts: list[_Post] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped or _CHROME.match(stripped):
            if posts and not stripped:
                posts[-1].body.append((offset + i + 1, ""))  # keeps paragraphs apart
            i += 1
            continue
        if posts and _SCORE.match(stripped) and line == stripped:
            nxt = _next_nonblank(lines, i + 1)
            # A count line: comments follow, or it is directly followed by the next score line.
            if nxt is not None and (
                _BULLET.match(lines[nxt]) or (nxt == i + 1 and _SCORE.match(lines[nxt].strip()))
            ):
                i = _comments(path, lines, i + 1, offset, posts[-1])
                continue
            if expect_one and nxt is None:
                i += 1  # a count with no comments shown, at the end of the question
                continue
            if not expect_one:
                posts.append(_Post(int(stripped), offset + i + 1))
                i += 1
                continue
        if not posts:
            if not _SCORE.match(stripped):
                raise CorpusError(path, "expected the question's score on a line of its own, "
                                  f"found {excerpt(stripped)}", record=f"line {offset + i + 1}")
            posts.append(_Post(int(stripped), offset + i + 1))
            i += 1
            continue
        posts[-1].body.append((offset + i + 1, line))
        i += 1
    return posts


def _next_nonblank(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if lines[i].strip():
            return i
        i += 1
    return None


def _comments(path: Path, lines: list[str], i: int, offset: int, post: _Post) -> int:
    """Read the comments after a count line into ``post``; return the next line to read."""
    n = len(lines)
    while i < n:
        i_next = _next_nonblank(lines, i)
        if i_next is None or not _BULLET.match(lines[i_next]):
            return i if i_next is None else i_next
        i = i_next
        first = _BULLET.match(lines[i]).group(1).strip()  # type: ignore[union-attr]
        i += 1
        body: list[str] = []
        while i < n and lines[i].startswith("    ") and not _BULLET.match(lines[i]):
            body.append(lines[i].strip())
            i += 1
        post.comments.append(_comment(first, body))
    return i


def _comment(first: str, rest: list[str]) -> Comment:
    score = None
    if _SCORE.match(first):
        score = int(first)
        text_lines = rest
    else:
        text_lines = [first, *rest]
    author = date = None
    kept: list[str] = []
    for line in text_lines:
        if m := _AUTHOR.match(line):
            author = m.group(1).strip()
        elif m := _COMMENTED.match(line):
            date = m.group(2)
            if m.group(1):
                kept.append(m.group(1))
        else:
            kept.append(line)
    return Comment(text=" ".join(kept).strip(), score=score, author=author, date=date)


class Paragraph(NamedTuple):
    text: str
    indented: bool  # every line starts with two spaces or more (a "  • " list always does)
    listed: bool = False  # a run of "•" lines


def _paragraphs(body: list[tuple[int, str]]) -> list[Paragraph]:
    """Blank-line separated paragraphs, each with whether it is indented (a quote, in
    formats that indent quotes by two or more spaces). A run of ``•`` lines is one list."""
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    in_list = False
    indented = True

    def flush() -> None:
        nonlocal indented
        if current:
            paragraphs.append(Paragraph("\n".join(current) if in_list else _joined(current),
                                        indented, in_list))
            current.clear()
        indented = True

    for _, line in body:
        bullet = _BULLET.match(line)
        if not line.strip():
            if not in_list:
                flush()
            continue
        if bullet:
            if not in_list:
                flush()
                in_list = True
            current.append(f"• {bullet.group(1).strip()}")
            continue
        if in_list and current and line.startswith("  ") and (
                _GOES_ON.search(current[-1]) is not None or line.strip()[:1].islower()):
            # An item a scraper wrapped ("• The ground surface must have an icy,", then
            # "crusty snow, on which ..."): its next line goes on in it (review10 D9).
            current[-1] += " " + line.strip()
            continue
        if in_list:
            flush()
            in_list = False
        indented = indented and line.startswith("  ")
        current.append(line.strip())
    flush()
    return paragraphs


# A line that a scraper or a PDF wrapped goes on in the next: it ends on a word that cannot
# end a line of its own (an article, a preposition, a conjunction) or on a comma or a hyphen,
# or the next line starts in lower case.
_GOES_ON = re.compile(
    r"(?:[,\-–—]|\b(?:a|an|the|of|in|on|at|to|for|from|by|with|and|or|but|nor|as|that|which|"
    r"who|whose|is|are|was|were|be|been|has|have|had|its|their|his|her|our|your|my|than|"
    r"into|onto|about|between|this|these|those))$", re.IGNORECASE)


def _joined(lines: list[str]) -> str:
    """A paragraph's lines: each on a line of its own (a list of headlines, of studies, a
    dialogue), unless it was wrapped mid-sentence (``_GOES_ON``), then joined by a space."""
    text = lines[0]
    for line in lines[1:]:
        wrapped = _GOES_ON.search(text) is not None or line[:1].islower()
        text += (" " if wrapped else "\n") + line
    return text


def marks_quotes(paragraphs: list[Paragraph]) -> bool:
    """Whether quotes are marked by indentation: some paragraph other than a list (whose
    bullets are always indented) is."""
    return any(p.indented and not p.listed for p in paragraphs)


def text_passages(paragraphs: list[Paragraph], ctx: LoadContext, *,
                  marked: bool | None = None, question: str | None = None,
                  model: Model | None = None) -> list[Passage]:
    """An answer's passages: quotes marked by indentation when it (or, with ``marked``, the
    file it is in) marks them, else recognised from how each paragraph reads and from the
    answerer's lead-ins (``index.quote_model.unmarked_passages``). Where quotes are
    marked, an indented list is quoted too; an answer with nothing indented quotes nothing.
    ``question``: the thread's question, whose words an answer may repeat as a quote.
    ``model``: other weights than the committed ones (the bench's cross-fitted analysis)."""
    if marked is None:
        marked = marks_quotes(paragraphs)
    if marked:
        blocks: list[Block] = []
        for p in paragraphs:
            if p.indented and blocks and blocks[-1].kind == "quote":
                blocks[-1].paragraphs.append(p.text)
            else:
                blocks.append(Block("quote" if p.indented else "text", [p.text]))
        passages = passages_from_blocks(blocks, ctx.gazetteer, question=question)
    else:
        found = confirm_unmarked_outlets(
            unmarked_passages([p.text for p in paragraphs], ctx.gazetteer, model,
                              question=question),
            ctx.gazetteer)
        # "Source", "Link here.": a link the scraper dropped, unless it leads in a quote.
        passages = [p for i, p in enumerate(found)
                    if p.kind != "answer" or not says_nothing_without_link(p.text)
                    or (i + 1 < len(found) and found[i + 1].lead_in == p.text)]
    return pack(passages, ctx.passage_chars)


def answer_paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of an answer given as one string (JSON Lines records)."""
    return _paragraphs(list(enumerate(text.splitlines(), start=1)))


def answer_text_passages(text: str, ctx: LoadContext, *, marked: bool | None = None,
                         question: str | None = None,
                         model: Model | None = None) -> list[Passage]:
    """``text_passages`` of an answer given as one string (JSON Lines records)."""
    return text_passages(answer_paragraphs(text), ctx, marked=marked, question=question,
                         model=model)
