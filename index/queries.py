"""Query files for batch search: BEIR ``queries.jsonl`` or ``id<TAB>text`` lines."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import CorpusError


def read_queries(path: Path) -> list[tuple[str, str]]:
    """(query id, text) pairs, in file order.

    Raises:
        CorpusError: unreadable file, or a line that is neither form (naming the line).
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(path, f"cannot read the queries: {exc}") from exc
    queries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                record = json.loads(line)
                queries.append((str(record["_id"]), str(record["text"])))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise CorpusError(path, f"expected a JSON object with _id and text ({exc})",
                                  record=f"line {number}") from exc
        elif "\t" in line:
            qid, text = line.split("\t", 1)
            queries.append((qid.strip(), text.strip()))
        else:
            raise CorpusError(path, "expected id<TAB>text or a JSON object",
                              record=f"line {number}")
    return queries
