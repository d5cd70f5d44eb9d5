"""HTML -> blocks of text and quotes with their links: what the HTML, Markdown and Stack
Exchange dump loaders share (Markdown is rendered to HTML first)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Literal

import numpy as np
from selectolax.lexbor import LexborHTMLParser, LexborNode

_SPACE = re.compile(r"\s+")
_TEXT_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "dl", "figure"}
_LIST_TAGS = {"ul", "ol"}
_CONTAINERS = {"div", "section", "article", "main", "span", "body", "details", "aside"}
_SKIP = {"hr", "script", "style", "noscript", "template", "svg", "img", "br", "nav", "form",
         "button", "iframe"}
# Deeper than this, HTML is refused before it is parsed: lexbor takes quadratic time in the
# depth (20,000 levels: 1 s; 100,000: 40 s), and reading a page's blocks recurses anyway.
MAX_DEPTH = 2_000
# Elements that never hold others (void), or that the next sibling closes (their end tag is
# optional): neither nests, however often they are opened without being closed. Each name as
# a number: its bytes, zero-padded to 8.
_FLAT = np.array([int.from_bytes(name.encode().ljust(8, b"\0"), "little") for name in (
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "html", "head", "body")],
    dtype=np.uint64)
_LOWER = np.arange(256, dtype=np.uint8)
_LOWER[ord("A"):ord("Z") + 1] += 32
_NAME_BYTE = np.zeros(256, dtype=bool)
_NAME_BYTE[list(b"abcdefghijklmnopqrstuvwxyz0123456789")] = True
_NAME_END = np.zeros(256, dtype=bool)
_NAME_END[list(b" \t\n\r\f/>")] = True


class NestedTooDeep(ValueError):
    """HTML whose elements nest deeper than ``MAX_DEPTH``."""

    def __init__(self) -> None:
        super().__init__(f"refused: HTML elements nested more than {MAX_DEPTH:,} levels deep")


def check_depth(html: str) -> None:
    """Raise ``NestedTooDeep`` if the elements of ``html`` nest deeper than ``MAX_DEPTH``.

    Start tags count +1, end tags -1 (never below 0), leaving out void elements, those the
    next sibling closes, and self-closed ones: an upper bound where end tags are left out.
    Done over the bytes with numpy, in linear time (a 7 MB page of 400,000 tags: about a
    second on a busy machine), not a Python step per tag.

    Raises:
        NestedTooDeep: the nesting is deeper than ``MAX_DEPTH``.
    """
    if html.count("<") <= MAX_DEPTH:  # cannot nest that deep: no scan
        return
    data = np.frombuffer(html.encode("utf-8", "replace") + bytes(10), dtype=np.uint8)
    opens = np.flatnonzero(data == ord("<"))
    ends = data[opens + 1] == ord("/")
    # The first 9 bytes of each tag's name, lower-cased.
    window = _LOWER[np.lib.stride_tricks.sliding_window_view(data, 9)[opens + 1 + ends]]
    tags = (window[:, 0] >= ord("a")) & (window[:, 0] <= ord("z"))
    length = np.argmin(_NAME_BYTE[window], axis=1)  # 0 for a name of 9 bytes or more
    named = (length > 0) & _NAME_END[window[np.arange(len(window)), length]]
    codes = np.where(np.arange(8) < length[:, None], window[:, :8], 0).astype(np.uint8)
    flat = named & np.isin(np.ascontiguousarray(codes).view(np.uint64).ravel(), _FLAT)
    closes = np.flatnonzero(data == ord(">"))
    after = np.searchsorted(closes, opens)
    ended = after < len(closes)
    self_closed = np.zeros(len(opens), dtype=bool)
    self_closed[ended] = data[closes[after[ended]] - 1] == ord("/")
    walk = np.cumsum(np.where(ends[tags & ~flat & ~self_closed], -1, 1))
    # The depth never goes below 0 (a stray end tag closes nothing): the walk, lifted by its
    # lowest point so far.
    if walk.size and int((walk - np.minimum(np.minimum.accumulate(walk), 0)).max()) > MAX_DEPTH:
        raise NestedTooDeep()


@dataclass(slots=True)
class Block:
    kind: Literal["text", "quote"]
    paragraphs: list[str]
    links: list[str] = field(default_factory=list)
    # The anchor text of each link, where known: where a link stands in the text says which
    # one a lead-in cites ("... at <page>. From this page:").
    anchors: list[str] = field(default_factory=list)
    # Where each link's text starts in ``text``, where known (HTML): a link's words may also
    # stand elsewhere as plain text ("If you remove the Prompt Editing ..."), so a search for
    # them can find the wrong place. Empty: unknown (plain text), search the words instead.
    offsets: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


# What a ``<br>`` becomes before the text is read (``mark_breaks``): a line separator, which
# ``squash`` keeps as a line break where other white space becomes one space. A newline is
# white space to the tokenizer as a space is, so a line kept changes no search term.
LINE_BREAK = "\u2028"


def squash(text: str) -> str:
    """White space as one space, or as one line break where a ``<br>`` stood in it."""
    return _SPACE.sub(lambda m: "\n" if LINE_BREAK in m.group() else " ", text).strip()


def mark_breaks(node: LexborNode) -> None:
    """Each ``<br>`` under ``node`` made a ``LINE_BREAK``: a dialogue's turns, a list of
    headlines set one a line stay one a line, and the words either side are not joined into
    one ("turns<br>headlines" read as "turnsheadlines" before)."""
    for br in node.css("br"):
        br.replace_with(LINE_BREAK)


def _pre_text(node: LexborNode) -> str:
    """A <pre> block's text with its line breaks (a command's output, code): only the ends of
    its lines and blank lines before and after it go (``splitlines`` also ends a line at a
    ``LINE_BREAK``)."""
    return "\n".join(line.rstrip() for line in node.text().splitlines()).strip("\n")


def _links(node: LexborNode) -> list[str]:
    return [href for href, _ in _anchors(node)]


def _anchors(node: LexborNode) -> list[tuple[str, str]]:
    """(address, anchor text) of each link under ``node`` (itself included), in order."""
    return [(href.strip(), squash(a.text())) for a in node.css("a[href]")
            if (href := a.attributes.get("href")) and href.strip()]


def _placed_anchors(node: LexborNode) -> tuple[str, list[tuple[str, str, int]]]:
    """``node``'s text as ``node.text()`` gives it, and (address, anchor text, where the
    anchor's first non-space character is in that text) of each link under it, in order."""
    raw: list[str] = []
    size = 0
    found = []
    for n in node.traverse(include_text=True):
        if n.tag == "-text":
            raw.append(n.text_content or "")
            size += len(raw[-1])
        elif n.tag == "a" and (href := n.attributes.get("href")) and href.strip():
            words = n.text()
            found.append((href.strip(), squash(words), size + len(words) - len(words.lstrip())))
    return "".join(raw), found


def squashed_offsets(raw: str, offsets: list[int]) -> list[int]:
    """Where each offset of ``raw`` falls in ``squash(raw)``: ``len(squash(raw[:k] + "x")) -
    1``, in one pass over the whitespace, not a squash per link (a page may have thousands).
    A run of whitespace becomes one space, a leading one none."""
    runs = [(m.start(), m.end()) for m in _SPACE.finditer(raw)]
    starts = [s for s, _ in runs]
    spaces = list(accumulate((e - s for s, e in runs), initial=0))
    placed = []
    for k in offsets:
        i = bisect_left(starts, k)  # the runs that start before k
        gone = spaces[i] - (runs[i - 1][1] - k if i and runs[i - 1][1] > k else 0)
        kept = i - (1 if i and starts[0] == 0 else 0)  # each run left as one space
        placed.append(k - gone + kept)
    return placed


def _text_block(node: LexborNode, text: str) -> Block:
    """A text block of ``node`` whose text is ``squash(node.text())``, with its links and
    where they stand (none known if the walk does not give the same text)."""
    raw, placed = _placed_anchors(node)
    offsets = squashed_offsets(raw, [at for _, _, at in placed]) if squash(raw) == text else []
    return Block("text", [text], [h for h, _, _ in placed], [t for _, t, _ in placed], offsets)


def _markers(node: LexborNode) -> Iterator[str]:
    """What each item of a list starts with: "• ", or its number in an ``<ol>`` ("1. ", from
    its ``start``): "the second step" needs the "2."."""
    if node.tag != "ol":
        while True:
            yield "• "
    start = (node.attributes.get("start") or "").strip()
    n = int(start) if start.lstrip("-").isdigit() and len(start) < 10 else 1
    while True:
        yield f"{n}. "
        n += 1


def _inline(node: LexborNode, raw: list[str], found: list[tuple[str, str, int]]) -> None:
    """The text under ``node`` as ``node.text()`` gives it, but for nested lists (each item
    of those is a line of its own), appended to ``raw``; each link, with where its text
    starts in ``"".join(raw)``, to ``found``. A walk with a stack, not recursion: inline
    elements may nest as deep as ``MAX_DEPTH``."""
    size = sum(map(len, raw))
    stack = [iter(list(node.iter(include_text=True)))]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "-text":
            raw.append(child.text_content or "")
            size += len(raw[-1])
        elif child.tag in _LIST_TAGS:
            raw.append(" ")
            size += 1
        else:
            if child.tag == "a" and (href := child.attributes.get("href")) and href.strip():
                words = child.text()
                found.append((href.strip(), squash(words),
                              size + len(words) - len(words.lstrip())))
            stack.append(iter(list(child.iter(include_text=True))))


# A nested list's items are indented this many levels at most.
_MAX_INDENT = 4


def _list_lines(node: LexborNode) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """A list's lines ("1. ...", "• ..."; a nested list's indented under its item), each with
    its links and where each stands in that line. A stack of the lists being read, not
    recursion: lists may nest as deep as ``MAX_DEPTH``."""
    lines: list[tuple[str, list[tuple[str, str, int]]]] = []
    stack = [(iter(list(node.iter(include_text=False))), _markers(node), 0)]
    while stack:
        items, markers, depth = stack[-1]
        item = next(items, None)
        if item is None:
            stack.pop()
            continue
        if item.tag != "li":
            continue
        raw: list[str] = []
        found: list[tuple[str, str, int]] = []
        _inline(item, raw, found)
        text = squash("".join(raw))
        marker = "  " * min(depth, _MAX_INDENT) + next(markers)
        if text:
            places = squashed_offsets("".join(raw), [at for *_, at in found])
            lines.append((marker + text, [(h, t, len(marker) + at)
                                          for (h, t, _), at in zip(found, places, strict=True)]))
        # Its own sub-lists, not theirs (nodes compared by identity: ``==`` compares HTML).
        subs = [sub for sub in item.css("ul, ol")
                if (owner := _item_of(sub.parent)) is not None and owner.mem_id == item.mem_id]
        stack.extend((iter(list(sub.iter(include_text=False))), _markers(sub), depth + 1)
                     for sub in reversed(subs))
    return lines


def _item_of(node: LexborNode | None) -> LexborNode | None:
    """The nearest ``<li>`` that is or holds ``node``."""
    while node is not None and node.tag != "li":
        node = node.parent
    return node


def _list_block(node: LexborNode) -> Block | None:
    """A list as one text block, its items a line each, with its links and where they
    stand (a list's lead-in's link is weighed by its sentence like a paragraph's)."""
    lines = _list_lines(node)
    text, links, anchors, offsets = "", [], [], []
    for line, found in lines:
        start = len(text) + (1 if text else 0)
        text = f"{text}\n{line}" if text else line
        for href, anchor, at in found:
            links.append(href)
            anchors.append(anchor)
            offsets.append(start + at)
    return Block("text", [text], links, anchors, offsets) if text else None


def _list_text(node: LexborNode) -> str:
    block = _list_block(node)
    return block.text if block else ""


def _quote_paragraphs(node: LexborNode) -> list[str]:
    paragraphs = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag in _LIST_TAGS:
            text = _list_text(child)
        elif tag == "-text":
            text = squash(child.text_content or "")
        elif tag in _SKIP:
            continue
        elif tag == "pre":
            text = _pre_text(child)
        else:
            text = squash(child.text())
        if text:
            paragraphs.append(text)
    return paragraphs


def blocks_of(node: LexborNode) -> list[Block]:
    """The text and quote blocks under ``node``, in document order (its ``<br>``s become
    ``LINE_BREAK``s: the tree is changed)."""
    mark_breaks(node)
    return _blocks_of(node)


def _blocks_of(node: LexborNode) -> list[Block]:
    blocks: list[Block] = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = squash(child.text_content or "")
            if text:
                blocks.append(Block("text", [text]))
        elif tag == "blockquote":
            paragraphs = _quote_paragraphs(child)
            if paragraphs:
                blocks.append(Block("quote", paragraphs, _links(child)))
        elif tag in _LIST_TAGS and child.css_first("blockquote") is not None:
            # A list item that quotes: its own words and its quotes, each a block.
            markers = _markers(child)
            for item in child.iter(include_text=False):
                if item.tag == "li":
                    blocks.extend(_item_blocks(item, next(markers)))
        elif tag in _LIST_TAGS:
            if (block := _list_block(child)) is not None:
                blocks.append(block)
        elif tag in _CONTAINERS and any(c.tag in {"p", "blockquote", "div", "ul", "ol"}
                                        for c in child.iter(include_text=False)):
            blocks.extend(_blocks_of(child))
        elif tag is None or tag in _SKIP or tag.startswith("-"):
            continue
        else:
            if tag == "pre":
                # A <pre>'s text keeps its lines: where its links stand is not worked out.
                if text := _pre_text(child):
                    pairs = _anchors(child)
                    blocks.append(Block("text", [text], [h for h, _ in pairs],
                                        [t for _, t in pairs]))
            elif text := squash(child.text()):
                blocks.append(_text_block(child, text))
    return blocks


_INLINE_BREAKS = {"blockquote", "p", "div", "ul", "ol", "pre", "table", "dl"}


def _item_blocks(item: LexborNode, marker: str = "• ") -> list[Block]:
    """A list item holding a block quote: runs of inline text (one paragraph each, the first
    after the item's ``marker``, with their links and where they stand) between the blocks
    under it."""
    blocks: list[Block] = []
    words: list[str] = []
    # The pieces are joined as they stand: the text nodes hold the spaces between them, and a
    # space added between every two would part "Per <a>Y</a>:" into "Per Y :".
    links: list[tuple[str, str, int]] = []  # with where each stands in "".join(words)
    size = 0  # len("".join(words)): where the next piece starts
    placed = True  # every link's place is known

    def flush() -> None:
        nonlocal size, placed
        raw = "".join(words)
        if text := squash(raw):
            offsets = squashed_offsets(raw, [at for *_, at in links]) if placed else []
            blocks.append(Block("text", [text], [h for h, _, _ in links],
                                [t for _, t, _ in links], offsets))
        words.clear()
        links.clear()
        size, placed = 0, True

    for child in item.iter(include_text=True):
        if child.tag in _INLINE_BREAKS:
            flush()
            wrapper = LexborHTMLParser(child.html or "")
            blocks.extend(_blocks_of(wrapper.body) if wrapper.body is not None else [])
            continue
        if child.tag == "-text":
            words.append(child.text_content or "")
        elif child.tag not in _SKIP:
            raw, anchors = _placed_anchors(child)
            words.append(child.text())
            # Should the walk not give the element's text, where its links are is unknown.
            placed = placed and raw == words[-1]
            links.extend((h, t, size + at) for h, t, at in anchors)
        else:
            continue
        size += len(words[-1])
    flush()
    # The item's marker before its first words, inline or a paragraph of their own
    # ("<li><p>...</p>"); an item that opens with its quote shows none.
    if blocks and blocks[0].kind == "text" and blocks[0].paragraphs:
        first = blocks[0]
        first.paragraphs[0] = marker + first.paragraphs[0]
        first.offsets = [len(marker) + at for at in first.offsets]
    return blocks


def html_blocks(html: str) -> list[Block]:
    """Blocks of an HTML fragment or page body.

    Raises:
        NestedTooDeep: see ``check_depth``.
    """
    check_depth(html)
    tree = LexborHTMLParser(html)
    return blocks_of(tree.body) if tree.body is not None else []
