"""Markdown notes: ``> `` quotes, ``[text](url)`` links, optional front matter.

Front matter (YAML between ``---`` lines) may give ``title``, ``url`` (the note's own
address), ``outlet`` (for quotes whose link and lead-in name none) and ``date`` (when it was
written). The note is rendered to
HTML with markdown-it-py (raw HTML in the note is not passed through) and read as blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import frontmatter
import yaml
from markdown_it import MarkdownIt

from ..attribution import passages_from_blocks
from ..blocks import html_blocks
from ..dates import iso_date
from ..errors import CorpusError, excerpt
from ..model import Answer, Thread
from ..packing import pack
from .context import LoadContext, read_text


class _EveryLink(MarkdownIt):
    """Every link stays a link, whatever its address: its text is the note's words, and an
    address that is not http(s) is dropped where links are read (``http_url``), never
    stored. markdown-it leaves a "javascript:" link as its Markdown source instead, which was
    shown so (review12 D10)."""

    def validateLink(self, url: str) -> bool:  # markdown-it's name for it
        return True


_markdown = _EveryLink("commonmark", {"html": False})


def load(path: Path, ctx: LoadContext) -> Iterator[Thread]:
    text = read_text(path)
    if not text.strip():
        raise CorpusError(path, "the file is empty")
    try:
        post = frontmatter.loads(text)
    except yaml.MarkedYAMLError as exc:
        # Said without the snippet of the file that PyYAML's message quotes, in the file's
        # lines (PyYAML counts from the opening "---"), with where the construct it was reading
        # began: the parser often notices a missing "]" or quote a line or more later.
        mark, began = exc.problem_mark, exc.context_mark
        before = len(text[:text.find("---")].splitlines()) if "---" in text else 0
        where = f" at line {mark.line + 1 + before}, column {mark.column + 1}" if mark else ""
        if exc.problem and exc.context and began is not None:
            where += f" ({exc.context} from line {began.line + 1 + before})"
        problem = exc.problem or exc.context
        raise CorpusError(path, f"the front matter is not valid YAML: {problem}{where}",
                          record="front matter") from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise CorpusError(path, "the front matter is not valid YAML: "
                          f"{excerpt(str(exc), 80)}", record="front matter") from exc
    meta: dict[str, str] = {}
    for key in ("title", "url", "outlet"):
        if key in post.metadata:
            if not isinstance(value := post.metadata[key], str):
                raise CorpusError(path, f"{key!r} must be text", record="front matter")
            meta[key] = value
    url = ctx.link(meta.get("url"), path, key="url", record="front matter")
    has_date = "date" in post.metadata
    date = iso_date(post.metadata["date"]) if has_date else None
    if has_date and date is None:
        raise CorpusError(path, "'date' must be a date like 2020-01-06, got "
                          f"{excerpt(str(post.metadata['date']))}", record="front matter")
    blocks = html_blocks(_markdown.render(post.content))
    passages = passages_from_blocks(blocks, ctx.gazetteer, base_url=url)
    if outlet := ctx.outlet_name(meta.get("outlet"), path, key="outlet", record="front matter"):
        for p in passages:
            if p.kind == "quote" and p.outlet is None:
                p.outlet = outlet
    title = meta.get("title") or " ".join(
        next((b.text for b in blocks if b.kind == "text"), path.stem).split())
    yield Thread(key=f"note:{ctx.name(path)}", title=title[:300], url=url,
                 answers=[Answer(passages=pack(passages, ctx.passage_chars), url=url,
                                 date=date)])
