"""bench.ann_split: the served search's time split by stage, on a tiny real index with the
real model, the graph walked (EXACT_BELOW lowered as in test_ann)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import ann_split
from index import ann, embedding, memory, reader
from index.build import build_with
from tests.test_semantic import settings, write_corpus


def test_each_question_is_timed_once_with_its_stages(tmp_path: Path, run,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ann, "EXACT_BELOW", 0)  # through the graph, as at a million
    s = settings(tmp_path)
    write_corpus(s.corpus)
    build_with(s)
    originals = (reader.IndexReader.__dict__["_candidates"], ann.NearestIndex._search,
                 embedding.Embedder.embed, memory.give_back)
    asked = ["can a heart attack hit people under 40?", "container ships queued at the port",
             "do tablets hurt children's reading?"]
    timings, totals = run(ann_split.split(s.database, asked, ["harbour strike"]))
    assert len(totals) == 3 and all(t > 0 for t in totals)
    # The warm-up question is not counted; each new question is embedded once (alone: the
    # relevance's parts would be in the same pass), walks the graph once, is rescored once.
    for label in ("candidates", "BM25", "graph walk", "rescoring", "embed: candidates",
                  "hits' text"):
        assert len(timings.spent[label]) == 3, label
    assert timings.texts["embed: candidates"] == [1, 1, 1]
    # Nested stages take no longer than the stage holding them.
    assert sum(timings.spent["graph walk"]) <= sum(timings.spent["candidates"])
    # Every wrapped method is put back.
    assert (reader.IndexReader.__dict__["_candidates"], ann.NearestIndex._search,
            embedding.Embedder.embed, memory.give_back) == originals
    lines = ann_split.table(timings, totals, len(asked))
    assert lines[2].startswith("| search (total; median ")
    assert any(line.startswith("| graph walk | 1.00 |") for line in lines)


def test_a_question_alone_is_fed_without_padding() -> None:
    # BERT's word pieces: [CLS] heart attack [SEP]; ONNX Runtime is given those 4, not 128
    row = ann_split.embedding_alone(["heart attack"], 2)
    assert len(row) == 1 and row[0].endswith("| 4 (4 at most) | 4 (4 at most) |")
