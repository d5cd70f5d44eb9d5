"""HTML -> blocks of text and quotes with their links: what the HTML, Markdown and Stack
Exchange dump loaders share (Markdown is rendered to HTML first)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from selectolax.lexbor import LexborHTMLParser, LexborNode

_SPACE = re.compile(r"\s+")
_TEXT_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "dl", "figure"}
_LIST_TAGS = {"ul", "ol"}
_CONTAINERS = {"div", "section", "article", "main", "span", "body", "details", "aside"}
_SKIP = {"hr", "script", "style", "noscript", "template", "svg", "img", "br", "nav", "form",
         "button", "iframe"}


@dataclass(slots=True)
class Block:
    kind: Literal["text", "quote"]
    paragraphs: list[str]
    links: list[str] = field(default_factory=list)
    # The anchor text of each link, where known: where a link stands in the text says which
    # one a lead-in cites ("... at <page>. From this page:").
    anchors: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _pre_text(node: LexborNode) -> str:
    """A <pre> block's text with its line breaks (a command's output, code): only the ends of
    its lines and blank lines before and after it go."""
    return "\n".join(line.rstrip() for line in node.text().splitlines()).strip("\n")


def _links(node: LexborNode) -> list[str]:
    return [href for href, _ in _anchors(node)]


def _anchors(node: LexborNode) -> list[tuple[str, str]]:
    """(address, anchor text) of each link under ``node`` (itself included), in order."""
    return [(href.strip(), squash(a.text())) for a in node.css("a[href]")
            if (href := a.attributes.get("href")) and href.strip()]


def _list_text(node: LexborNode) -> str:
    items = [squash(li.text()) for li in node.css("li")]
    return "\n".join(f"• {item}" for item in items if item)


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
    """The text and quote blocks under ``node``, in document order."""
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
            for item in child.iter(include_text=False):
                if item.tag == "li":
                    blocks.extend(_item_blocks(item))
        elif tag in _LIST_TAGS:
            text = _list_text(child)
            if text:
                blocks.append(Block("text", [text], _links(child)))
        elif tag in _CONTAINERS and any(c.tag in {"p", "blockquote", "div", "ul", "ol"}
                                        for c in child.iter(include_text=False)):
            blocks.extend(blocks_of(child))
        elif tag is None or tag in _SKIP or tag.startswith("-"):
            continue
        else:
            text = _pre_text(child) if tag == "pre" else squash(child.text())
            if text:
                pairs = _anchors(child)
                blocks.append(Block("text", [text], [h for h, _ in pairs], [t for _, t in pairs]))
    return blocks


_INLINE_BREAKS = {"blockquote", "p", "div", "ul", "ol", "pre", "table", "dl"}


def _item_blocks(item: LexborNode) -> list[Block]:
    """A list item holding a block quote: runs of inline text (one "• " paragraph each, with
    their links) between the blocks under it."""
    blocks: list[Block] = []
    words: list[str] = []
    links: list[tuple[str, str]] = []

    def flush() -> None:
        text = squash(" ".join(words))
        if text:
            blocks.append(Block("text", [f"• {text}" if not blocks else text],
                                [h for h, _ in links], [t for _, t in links]))
        words.clear()
        links.clear()

    for child in item.iter(include_text=True):
        if child.tag in _INLINE_BREAKS:
            flush()
            wrapper = LexborHTMLParser(child.html or "")
            blocks.extend(blocks_of(wrapper.body) if wrapper.body is not None else [])
        elif child.tag == "-text":
            words.append(child.text_content or "")
        elif child.tag not in _SKIP:
            words.append(child.text())
            links.extend(_anchors(child))
    flush()
    return blocks


def html_blocks(html: str) -> list[Block]:
    """Blocks of an HTML fragment or page body."""
    tree = LexborHTMLParser(html)
    return blocks_of(tree.body) if tree.body is not None else []
