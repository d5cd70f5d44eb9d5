"""Saved HTML pages: a Stack Exchange question page saved from a browser, or any article
with ``<blockquote>`` and links.

A Stack Exchange page is recognised by its question (``#question``); its answers are
``div.answer`` with their bodies in ``div.s-prose.js-post-body``, scores in
``.js-vote-count``, comments in ``li.comment``. Any other page becomes one thread: its title,
its canonical address, and its body as one answer whose blockquotes are quotes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..attribution import http_url, passages_from_blocks
from ..blocks import NestedTooDeep, blocks_of, check_depth, squash
from ..dates import iso_date
from ..errors import CorpusError
from ..model import Answer, Comment, Thread
from ..packing import pack
from .context import LoadContext

MAX_BYTES = 64 * 1024 * 1024
# Python codecs that decode bytes to text but are no page's charset: some raise bare
# UnicodeError, punycode takes quadratic time.
_NOT_CHARSETS = {"punycode", "idna", "undefined", "unicode-escape", "raw-unicode-escape",
                 "utf-7"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode(path: Path, data: bytes) -> str:
    """The page's text in the charset it declares (UTF-8 when it declares none).

    Raises:
        CorpusError: binary data, an unknown charset, or bytes that are not in it.
    """
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise CorpusError(path, "binary data (a NUL byte), not an HTML page",
                          record=f"line {line}")
    match = _CHARSET.search(data[:4096])
    charset = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise CorpusError(path, f"the page declares an unknown charset {charset!r}") from None
    if codec.name in _NOT_CHARSETS or not getattr(codec, "_is_text_encoding", True):
        raise CorpusError(path, f"the page declares {charset!r}, which is not a charset")
    try:
        return data.decode("utf-8-sig" if codec.name == "utf-8" else codec.name)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(path, f"not {charset} text as the page declares (byte "
                          f"0x{data[exc.start]:02x})", record=f"line {line}") from exc
    except UnicodeError as exc:  # codecs that report no position
        raise CorpusError(path, f"not {charset} text as the page declares") from exc


def _int(node: LexborNode | None) -> int | None:
    if node is None:
        return None
    value = node.attributes.get("data-value") or node.text(strip=True)
    try:
        return int(value or "")
    except ValueError:
        return None


def _comments(node: LexborNode) -> list[Comment]:
    comments = []
    for c in node.css("li.comment"):
        text = c.css_first(".comment-copy")
        if text is None:
            continue
        user = c.css_first(".comment-user")
        date = c.css_first(".relativetime-clean") or c.css_first(".comment-date span")
        comments.append(Comment(
            text=squash(text.text()), score=_int(c.css_first(".comment-score span")),
            author=squash(user.text()) if user else None,
            date=(date.attributes.get("title") or squash(date.text())).split(",")[0]
            if date else None))
    return comments


def _answered(node: LexborNode) -> str | None:
    """When an answer was posted: its ``dateCreated`` time, else the "answered" line of its
    signature (``<span title="2013-09-26 21:55:00Z">``), not the "edited" one."""
    created = node.css_first('time[itemprop="dateCreated"]')
    if created is not None and (date := iso_date(created.attributes.get("datetime"))):
        return date
    for action in node.css(".user-action-time"):
        span = action.css_first(".relativetime")
        if span is not None and squash(action.text()).lower().startswith("answered"):
            return iso_date(span.attributes.get("title"))
    return None


def _canonical(tree: LexborHTMLParser) -> str | None:
    for selector, attribute in (("link[rel=canonical]", "href"),
                                ('meta[property="og:url"]', "content")):
        node = tree.css_first(selector)
        if node is not None and (url := http_url(node.attributes.get(attribute))):
            return url
    return None


def load(path: Path, ctx: LoadContext) -> Iterator[Thread]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CorpusError(path, f"the page is larger than {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise CorpusError(path, "the file is empty")
    text = decode(path, data)
    try:
        check_depth(text)
    except NestedTooDeep as exc:
        raise CorpusError(path, str(exc)) from None
    tree = LexborHTMLParser(text)
    url = _canonical(tree)
    question = tree.css_first("#question")
    if question is not None:
        yield _stack_exchange(path, tree, question, url, ctx)
    else:
        yield _article(path, tree, url, ctx)


def _title(tree: LexborHTMLParser, path: Path) -> str:
    for selector in ("#question-header h1", "h1", "title"):
        node = tree.css_first(selector)
        if node is not None and (text := squash(node.text())):
            return text
    return path.stem


def _stack_exchange(path: Path, tree: LexborHTMLParser, question: LexborNode,
                    url: str | None, ctx: LoadContext) -> Thread:
    site = urlsplit(url).hostname if url else None
    base = f"https://{site}" if site else None
    body = question.css_first("div.js-post-body")
    answers = []
    for node in tree.css("div.answer"):
        answer_body = node.css_first("div.js-post-body")
        if answer_body is None:
            continue
        answer_id = node.attributes.get("data-answerid")
        passages = passages_from_blocks(blocks_of(answer_body), ctx.gazetteer, base_url=base)
        answers.append(Answer(
            passages=pack(passages, ctx.passage_chars), score=_int(node.css_first(
                ".js-vote-count")), comments=_comments(node),
            accepted="accepted-answer" in (node.attributes.get("class") or ""),
            url=f"{base}/a/{answer_id}" if base and answer_id else None,
            date=_answered(node)))
    question_id = question.attributes.get("data-questionid")
    return Thread(
        key=f"{site}/q/{question_id}" if site and question_id else f"page:{ctx.name(path)}",
        title=_title(tree, path),
        question="\n\n".join(b.text for b in blocks_of(body)) if body else "",
        url=url, site=site, score=_int(question.css_first(".js-vote-count")),
        tags=[squash(t.text()) for t in question.css(".post-tag")],
        comments=_comments(question), answers=answers)


def _article(path: Path, tree: LexborHTMLParser, url: str | None, ctx: LoadContext) -> Thread:
    root = tree.css_first("article") or tree.css_first("main") or tree.body
    if root is None:
        raise CorpusError(path, "no page body")
    passages = passages_from_blocks(blocks_of(root), ctx.gazetteer, base_url=url)
    return Thread(key=f"page:{ctx.name(path)}", title=_title(tree, path), url=url,
                  site=urlsplit(url).hostname if url else None,
                  answers=[Answer(passages=pack(passages, ctx.passage_chars), url=url)])
