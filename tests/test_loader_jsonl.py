"""JSON Lines: Q&A records (Skeptics) and passage records (BEIR)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import CorpusError
from index.loaders import LoadContext
from index.loaders.jsonl import MAX_BAD_RECORDS, load
from index.outlets import Gazetteer


def test_skeptics_36547_quote_is_the_new_york_times(shared_data: Path, ctx: LoadContext) -> None:
    threads = list(load(shared_data / "skeptics" / "web_science_dataset.jsonl", ctx))
    assert len(threads) == 1066
    [thread] = [t for t in threads if t.key.endswith("/36547")]
    assert thread.title == 'Does "Plan B" (Levonorgestrel) prevent implantation of fertilized eggs?'
    assert thread.url == "https://skeptics.stackexchange.com/questions/36535"
    quotes = [p for p in thread.answers[0].passages if p.kind == "quote"]
    nyt = [p for p in quotes if p.outlet == "The New York Times"]
    assert nyt and nyt[0].text.startswith("Experts say implantation was likely placed on the label")
    assert nyt[0].lead_in.startswith("However, it's not clear")
    # Quotes of papers introduced by their titles name no outlet.
    assert quotes[0].outlet is None and quotes[0].text.startswith("Among 17 women")


def test_beir_corpus_keeps_its_ids(shared_data: Path, ctx: LoadContext) -> None:
    threads = list(load(shared_data / "scifact" / "corpus.jsonl", ctx))
    assert len(threads) == 5183
    first = threads[0]
    [passage] = first.answers[0].passages
    assert passage.pid == "4983"
    assert first.title.startswith("Microstructural development of human newborn")
    assert passage.kind == "quote" and passage.outlet is None


def test_passage_records_with_outlets_and_urls(tmp_path: Path, ctx: LoadContext) -> None:
    path = tmp_path / "p.jsonl"
    rows = [{"id": "a1", "title": "T", "text": "x", "url": "https://www.reuters.com/x"},
            {"id": 7, "text": "y", "outlet": "My Newsletter"},
            {"_id": "c", "text": "z", "url": "https://example.org/p"},
            {"_id": "d", "text": "w", "url": "javascript:alert(1)"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    threads = list(load(path, ctx))
    passages = [t.answers[0].passages[0] for t in threads]
    assert [t.url for t in threads] == [None] * 4  # an article is no thread to link to
    assert [(p.pid, p.outlet, p.url) for p in passages] == [
        ("a1", "Reuters", "https://www.reuters.com/x"), ("7", "My Newsletter", None),
        ("c", "example.org", "https://example.org/p"), ("d", None, None)]


def test_an_answer_repeating_its_question_body_quotes_it(tmp_path: Path,
                                                         ctx: LoadContext) -> None:
    path = tmp_path / "qa.jsonl"
    record = {"question": "Coffee and growth", "questionId": "1", "answerId": "2",
              "questionBody": "My mother told me coffee would stunt my growth. Is that so?",
              "answer": "You were told:\n\nMy mother told me coffee would stunt my growth."
                        "\n\nI found no study that says so, and I looked."}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [thread] = load(path, ctx)
    assert thread.question == record["questionBody"]
    assert [p.kind for p in thread.answers[0].passages] == ["answer", "quote", "answer"]


@pytest.mark.parametrize(("content", "record", "problem"), [
    (b'[1, 2]\n', "line 1", "a record must be a JSON object, got list"),
    (b'{"text": \n', "line 1", "not JSON: Expecting value at column 10 (the line ends before "
     "the record does: cut off?)"),
    (b'{"id": "1", "text": "a\tb"}\n', "line 1",
     "not JSON: Invalid control character at column 23 (a string is not closed on this line"),
    (b'{"id": "1", "text": "cut off her\n', "line 1", "cut off, or a tab or line break written "
     "raw inside it instead of \\t or \\n)"),
    (b'{"title": "no text"}\n', "line 1", "a record needs `answer`"),
    (b'{"id": "1", "text": ["not", "text"]}\n', "line 1", "'text' must be text"),
    (b'{"id": "1", "text": "caf\xe9"}\n', "line 1", "not UTF-8"),
    (b'\n{"title": "a"}\n[]\n', "line 2", "a record needs `answer` (a Q&A record) or `text` "
     "with `_id` or `id` (a passage record) (no record loads: 2)"),
    (b"", None, "no records"),
])
def test_a_file_of_no_good_record_is_skipped_naming_the_first(
        tmp_path: Path, ctx: LoadContext, content: bytes, record: str | None,
        problem: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(CorpusError) as info:
        list(load(path, ctx))
    assert info.value.path == path and info.value.record == record
    assert problem in info.value.problem


def test_a_bad_record_is_skipped_and_the_others_load(tmp_path: Path,
                                                     gazetteer: Gazetteer) -> None:
    ctx = LoadContext(gazetteer)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "1", "text": "ok"}\n[1, 2]\n{"text": \n'
                     b'{"id": "4", "text": ["x"]}\n{"id": "5", "text": "also ok"}\n')
    assert [t.answers[0].passages[0].pid for t in load(path, ctx)] == ["1", "5"]
    assert [(e.path, e.record) for e in ctx.skipped_records] == [
        (path, "line 2"), (path, "line 3"), (path, "line 4")]
    assert "not JSON" in ctx.skipped_records[1].problem


def test_a_file_of_many_bad_records_is_skipped(tmp_path: Path, gazetteer: Gazetteer) -> None:
    """A file that is not JSON Lines at all is one error, not a hundred thousand."""
    ctx = LoadContext(gazetteer)
    path = tmp_path / "not-json.jsonl"
    path.write_bytes(b'{"id": "1", "text": "ok"}\n' + b"garbage\n" * (MAX_BAD_RECORDS + 1))
    with pytest.raises(CorpusError) as info:
        list(load(path, ctx))
    assert info.value.record == "line 2"
    assert f"more than {MAX_BAD_RECORDS} bad records: {MAX_BAD_RECORDS + 1}" in info.value.problem
    assert not ctx.skipped_records  # the file's error says it all


def test_a_100_mb_line_is_refused_without_reading_it_whole(tmp_path: Path,
                                                           ctx: LoadContext) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as f:
        f.write(b'{"id": "1", "text": "ok"}\n{"id": "2", "text": "')
        f.write(b"a" * (100 * 1024 * 1024))
        f.write(b'"}\n')
    fresh = LoadContext(ctx.gazetteer)
    assert [t.answers[0].passages[0].pid for t in load(path, fresh)] == ["1"]
    [skipped] = fresh.skipped_records
    assert skipped.record == "line 2" and "longer than 8 MB" in skipped.problem
