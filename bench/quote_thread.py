"""Quotes of another answer of the same thread (review7 D1): how many the loaders label so.

    python -m bench.quote_thread

Truth from the dumps' structure, read by this module's own parser (lxml), never the loaders':
a block-quoted paragraph of an answer quotes another answer when eight consecutive words of
it (case and punctuation aside) stand in that other answer outside its own block quotes. The
loaders' side: quote passages whose ``source_kind`` is ``other_answer`` after
``index.quote_model.mark_thread_quotes``. Prints the counts, and every paragraph where the two
disagree, to read by hand.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.loaders import LoadContext  # noqa: E402
from index.loaders.sedump import load as load_dump  # noqa: E402
from index.model import OTHER_ANSWER  # noqa: E402
from index.quote_model import mark_question_quotes, mark_thread_quotes  # noqa: E402
from index.sources import label  # noqa: E402

DATA = (ROOT / ".." / "shared" / "data").resolve()
DUMPS = ("genai", "history-meta")
SHINGLE = 8
_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def truth(folder: str) -> dict[str, list[tuple[str, bool]]]:
    """Each answer's block-quoted paragraphs (its address -> [(text, quotes another answer)])."""
    import lxml.html  # the bench's own parser, apart from the loaders' selectolax

    answers: dict[str, list[ET.Element]] = {}
    for _, row in ET.iterparse(DATA / "stackexchange" / folder / "Posts.xml"):
        if row.tag == "row" and row.get("PostTypeId") == "2":
            answers.setdefault(row.get("ParentId") or "", []).append(row)
    out: dict[str, list[tuple[str, bool]]] = {}
    for rows in answers.values():
        own: dict[str, set[tuple[str, ...]]] = {}
        quoted: dict[str, list[str]] = {}
        for row in rows:
            tree = lxml.html.fromstring(f"<div>{row.get('Body') or ''}</div>")
            quoted[row.get("Id") or ""] = [" ".join(p.text_content().split()) for bq in
                                           tree.iter("blockquote") for p in
                                           (bq.findall(".//p") or [bq])]
            for bq in list(tree.iter("blockquote")):
                bq.drop_tree()
            own[row.get("Id") or ""] = _shingles(_words(tree.text_content()))
        for aid, paragraphs in quoted.items():
            out[aid] = [(text, any(_shingles(_words(text)) & s for other, s in own.items()
                                   if other != aid)) for text in paragraphs if text]
    return out


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: no shared data at {DATA}")
        return 0
    ctx = LoadContext(passage_chars=0)
    total = labelled = agree = 0
    for folder in DUMPS:
        gold = truth(folder)
        for thread in load_dump(DATA / "stackexchange" / folder / "Posts.xml", ctx):
            label([thread], ctx.gazetteer)
            mark_question_quotes(thread)
            mark_thread_quotes(thread)
            for answer in thread.answers:
                aid = (answer.url or "").rstrip("/").rsplit("/", 1)[-1]
                paragraphs = gold.get(aid, [])
                marked = [p for p in answer.passages if p.kind == "quote"]
                for text, true in paragraphs:
                    words = " ".join(_words(text))
                    shown = any(p.source_kind == OTHER_ANSWER and words and
                                words in " ".join(_words(p.text)) for p in marked)
                    total += true
                    labelled += shown
                    agree += true and shown
                    if true != shown:
                        print(f"  {'missed' if true else 'extra '} {folder} a/{aid}: {text[:110]}")
    print(f"block-quoted paragraphs that quote another answer (truth): {total}; labelled "
          f"'another answer': {labelled}; both: {agree}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
