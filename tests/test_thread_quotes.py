"""A quote of another answer of the same thread (review7 D1): labelled as such, never a source."""

from __future__ import annotations

import html
from pathlib import Path

from index.build import build
from index.model import OTHER_ANSWER, Answer, Passage, Thread
from index.quote_model import mark_thread_quotes
from index.sources import source_label

ORIGINAL = ("Firstly, it is not at all clear from your answer why you think that the date of "
            "printing the modern Bible matters.")


def thread(*answers: tuple[str | None, list[Passage]]) -> Thread:
    return Thread(key="t", title="Bible as a source?",
                  answers=[Answer(passages=ps, date=date) for date, ps in answers])


def test_a_rebuttal_quoting_an_earlier_answer_is_labelled_so() -> None:
    quote = Passage("quote", ORIGINAL)
    rebuttal = Passage("quote", "Firstly, it is not at all clear [...] why you think that the "
                                "date of printing the modern Bible matters.")
    t = thread(("2018-08-05", [Passage("answer", "Some context. " + ORIGINAL)]),
               ("2018-08-06", [quote, Passage("answer", "That is wrong."), rebuttal]))
    mark_thread_quotes(t)
    assert quote.source_kind == rebuttal.source_kind == OTHER_ANSWER
    assert source_label("quote", None, OTHER_ANSWER).startswith("Quote of another answer")


def test_what_is_not_a_quote_of_an_earlier_answer_keeps_its_label() -> None:
    later = Passage("quote", ORIGINAL)  # the other answer came later: it cannot be quoted
    short = Passage("quote", "Time it takes to build siege engines")  # a shared title
    asked = Passage("quote", "Is the date of printing the modern Bible relevant at all here?")
    named = Passage("quote", ORIGINAL, "BBC")  # a named source's words are its own
    undated = Passage("quote", ORIGINAL)
    t = thread(("2018-08-07", [Passage("answer", ORIGINAL + " Time it takes to build siege "
                                       "engines. Is the date of printing the modern Bible "
                                       "relevant at all here?")]),
               ("2018-08-06", [later, short, asked, named]))
    mark_thread_quotes(t)
    assert [p.source_kind for p in (later, short, asked, named)] == [None] * 4
    t = thread((None, [Passage("answer", ORIGINAL)]), (None, [undated]))
    mark_thread_quotes(t)
    assert undated.source_kind is None


def test_a_build_counts_quotes_of_another_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    a = html.escape(f"<p>{ORIGINAL}</p>")
    b = html.escape(f"<blockquote><p>{ORIGINAL}</p></blockquote><p>I disagree.</p>")
    (corpus / "Posts.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
        '  <row Id="1" PostTypeId="1" Score="1" Title="Bible as a source?" Tags="|a|" '
        'Body="&lt;p&gt;May I cite the Bible?&lt;/p&gt;" CreationDate="2018-08-04T10:00:00" />\n'
        f'  <row Id="2" PostTypeId="2" ParentId="1" Score="9" Body="{a}" '
        'CreationDate="2018-08-05T10:00:00" />\n'
        f'  <row Id="3" PostTypeId="2" ParentId="1" Score="-9" Body="{b}" '
        'CreationDate="2018-08-06T10:00:00" />\n</posts>\n', encoding="utf-8")
    report = build(corpus, tmp_path / "index.db")
    assert report.by_kind["other_answer"] == 1
    assert "another answer 1" in report.summary()
