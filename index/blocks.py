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

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _links(node: LexborNode) -> list[str]:
    return [href.strip() for a in node.css("a[href]")
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
            text = squash(child.text())
            if text:
                blocks.append(Block("text", [text], _links(child)))
    return blocks


def html_blocks(html: str) -> list[Block]:
    """Blocks of an HTML fragment or page body."""
    tree = LexborHTMLParser(html)
    return blocks_of(tree.body) if tree.body is not None else []
