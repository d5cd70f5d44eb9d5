"""Stack Exchange data dumps: streamed, blockquotes as quotes, outlets from the lead-in's link."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from index.loaders import LoadContext, corpus_files, loader_for
from index.loaders.sedump import load, site_for
from index.model import Thread


def answer(threads: list[Thread], answer_id: int):
    return next(a for t in threads for a in t.answers
                if a.url and a.url.endswith(f"/a/{answer_id}"))


@pytest.fixture(scope="module")
def genai(ctx_module) -> list[Thread]:
    path = Path(__file__).resolve().parents[2] / "shared/data/stackexchange/genai/Posts.xml"
    if not path.exists():
        pytest.skip(f"third-party data not found at {path}")
    return list(load(path, ctx_module))


@pytest.fixture(scope="module")
def history(ctx_module) -> list[Thread]:
    path = Path(__file__).resolve().parents[2] / "shared/data/stackexchange/history-meta/Posts.xml"
    if not path.exists():
        pytest.skip(f"third-party data not found at {path}")
    return list(load(path, ctx_module))


@pytest.fixture(scope="module")
def ctx_module() -> LoadContext:
    return LoadContext()


def test_genai_561_quote_is_wired(genai: list[Thread]) -> None:
    a = answer(genai, 561)
    [quote] = [p for p in a.passages if p.kind == "quote"]
    assert quote.outlet == "Wired"
    assert quote.url == "https://www.wired.com/story/5-updates-gpt-4-turbo-openai-chatgpt-sam-altman/"
    assert quote.text.startswith("Say goodbye to the perpetual reminder")


def test_history_3752_quotes_the_asker_not_the_bbc(history: list[Thread]) -> None:
    a = answer(history, 3752)
    [quote] = [p for p in a.passages if p.kind == "quote"]
    assert quote.text.startswith("There is no delay after an event before records are manifest")
    assert (quote.outlet, quote.url) == (None, None)
    assert quote.lead_in == "However, I'm not sure that I'd agree with your assertion that"


def test_dump_counts_and_threads(genai: list[Thread], history: list[Thread]) -> None:
    assert (len(genai), sum(len(t.answers) for t in genai)) == (181, 243)
    assert (len(history), sum(len(t.answers) for t in history)) == (556, 1095)
    first = genai[0]
    assert first.url == "https://genai.stackexchange.com/questions/1"
    assert first.title == "What do (parentheses) and [square brackets] do in image prompts?"
    assert first.tags == ["image-generation", "prompt-design"]
    assert first.answers[0].accepted and first.answers[0].score == 12
    # Comments.xml beside Posts.xml is read with it.
    assert sum(len(t.comments) + sum(len(a.comments) for a in t.answers) for t in history) > 0


def test_answers_best_first(history: list[Thread]) -> None:
    for t in history:
        scores = [a.score or 0 for a in t.answers]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(("folder", "site"), [
    ("history-meta", "history.meta.stackexchange.com"),
    ("politics", "politics.stackexchange.com"),
    ("stackoverflow", "stackoverflow.com"),
    ("stackoverflow-meta", "meta.stackoverflow.com"),
    ("math.stackexchange.com", "math.stackexchange.com"),
])
def test_site_from_folder(tmp_path: Path, folder: str, site: str) -> None:
    (tmp_path / folder).mkdir()
    assert site_for(tmp_path / folder) == site


def test_site_sidecar(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('site = "skeptics.stackexchange.com"\n')
    assert site_for(tmp_path) == "skeptics.stackexchange.com"


def test_only_posts_xml_is_a_document(tmp_path: Path) -> None:
    for name in ("Posts.xml", "Comments.xml", "Users.xml", "site.toml"):
        (tmp_path / name).write_text("<posts/>")
    assert [p.name for p in corpus_files(tmp_path)] == ["Posts.xml"]
    assert loader_for(tmp_path / "Posts.xml") is load


def synthetic_dump(path: Path, questions: int) -> None:
    body = "&lt;p&gt;According to the BBC:&lt;/p&gt;&lt;blockquote&gt;&lt;p&gt;" + "word " * 150 \
        + "&lt;/p&gt;&lt;/blockquote&gt;"
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        for q in range(questions):
            qid, aid = 2 * q + 1, 2 * q + 2
            f.write(f'  <row Id="{qid}" PostTypeId="1" Score="1" Title="Q {q}" Tags="|a|" '
                    f'Body="{body}" />\n  <row Id="{aid}" PostTypeId="2" ParentId="{qid}" '
                    f'Score="2" Body="{body}" />\n')
        f.write("</posts>\n")


def test_memory_does_not_grow_with_the_dump(tmp_path: Path, ctx: LoadContext) -> None:
    """Peak Python memory while streaming a dump 4x larger stays about the same."""
    peaks = []
    for questions in (500, 2_000):
        folder = tmp_path / f"s{questions}"
        folder.mkdir()
        synthetic_dump(folder / "Posts.xml", questions)
        tracemalloc.start()
        count = sum(1 for _ in load(folder / "Posts.xml", ctx))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert count == questions
    small, large = peaks
    assert large < small * 1.5, f"peak {small / 1e6:.1f} MB -> {large / 1e6:.1f} MB"
