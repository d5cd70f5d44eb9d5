"""The plain-text thread loader and lead-in attribution, on the shipped seed thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import CorpusError
from index.loaders import LoadContext
from index.loaders.plaintext import answer_text_passages, load
from index.model import Thread

from .conftest import SEED


def _thread(ctx: LoadContext, path: Path = SEED) -> Thread:
    [thread] = list(load(path, ctx))
    return thread


@pytest.fixture(scope="module")
def paragraphs(gazetteer) -> Thread:
    """The seed with one passage per paragraph (packing off), to check each label."""
    return _thread(LoadContext(gazetteer, passage_chars=100))


def test_question_and_comments(ctx: LoadContext) -> None:
    t = _thread(ctx)
    assert t.title == "Why was Qasem Soleimani in Iraq?"
    assert t.url == "https://politics.stackexchange.com/questions/49219/why-was-qasem-soleimani-in-iraq"
    assert t.score == 33
    assert t.question.startswith("Earlier this week, Qasem Soleimani was killed by the US.")
    assert t.question.endswith("I am interested in the immediate, day-of reasons.")
    assert [(c.score, c.author, c.date) for c in t.comments] == [
        (4, "BobE", "Jan 6, 2020 at 2:50"),
        (None, None, "Jan 6, 2020 at 4:36"),
        (4, "user312440", "Jan 6, 2020 at 11:43"),
        (2, None, "Jan 6, 2020 at 22:42"),
        (1, None, "Sep 4, 2020 at 13:28"),
    ]
    assert t.comments[1].text == ("@BobE Please see the answers below, especially the one by "
                                  "Harry Johnston")
    assert t.comments[0].text.startswith("Premised on the fact")


def test_answers_scores_and_comments(ctx: LoadContext) -> None:
    t = _thread(ctx)
    assert [a.score for a in t.answers] == [40, 24, 13, 2]
    assert [len(a.comments) for a in t.answers] == [0, 0, 5, 0]
    assert [c.author for c in t.answers[2].comments] == [
        "Philipp", "Geobits", "T.E.D.", None, "Geobits"]
    # Page furniture after the last answer is not part of it.
    assert "You must log in" not in t.answers[3].passages[-1].text


def test_every_paragraph_is_labelled(paragraphs: Thread) -> None:
    labels = [[(p.kind, p.outlet) for p in a.passages] for a in paragraphs.answers]
    q, a = "quote", "answer"
    reuters = (q, "Reuters")
    assert labels[0] == [
        (a, None),                        # "... in particular Abu Mahdi al-Muhandis:"
        (q, None), (q, None), (q, None), (q, None),   # the unnamed source on Muhandis
        (a, None),                        # "Furthermore, Reuters has published an article ..."
        reuters, reuters, reuters,
        (a, None),                        # "The Reuters article mentions that ..."
        (a, None),                        # "An earlier Reuters article from October noted that"
        reuters,
        (a, None),                        # "It also said that ..."
        reuters, reuters, reuters, reuters,
        (a, None),                        # "Since Soleimani appears ... Soleimani's..."
        (q, None), (q, None),             # Abdul Mahdi's statements, no outlet named
        (a, None),                        # "The latter statement doesn't ..."
    ]
    assert labels[1] == [(a, None), (q, "BBC"), (q, "BBC"), (q, "BBC")]
    assert labels[2] == [(a, None)] * 4   # the unsourced answer quotes nothing
    assert labels[3] == [(a, None), (q, "Daily Mail"), (q, "Daily Mail"),
                         (a, None), *[(q, "Asia Times")] * 4]


def test_paragraph_counts(paragraphs: Thread) -> None:
    passages = [p for a in paragraphs.answers for p in a.passages]
    quotes = [p for p in passages if p.kind == "quote"]
    assert (len(passages), len(quotes), sum(1 for p in quotes if p.outlet)) == (37, 23, 17)


def test_quotes_keep_their_lead_in(paragraphs: Thread) -> None:
    bbc = [p for p in paragraphs.answers[1].passages if p.outlet == "BBC"]
    assert all(p.lead_in and p.lead_in.startswith("According to this BBC article") for p in bbc)
    assert any("I was scheduled to meet martyr Soleimani at 08:30" in p.text for p in bbc)


def test_shipped_passages(ctx: LoadContext) -> None:
    """Consecutive quoted paragraphs of one source form one passage (a quote read whole)."""
    t = _thread(ctx)
    passages = [p for a in t.answers for p in a.passages]
    quotes = [p for p in passages if p.kind == "quote"]
    assert (len(passages), len(quotes), sum(1 for p in quotes if p.outlet)) == (23, 12, 9)
    assert sorted({p.outlet for p in quotes if p.outlet}) == [
        "Asia Times", "BBC", "Daily Mail", "Reuters"]
    assert all(len(p.text) <= ctx.passage_chars for p in passages if "\n\n" in p.text)
    # Comments are stored with their thread, never as passages.
    assert not any("Curveball" in p.text for p in passages)


def test_first_person_ends_a_quote(gazetteer) -> None:
    from index.attribution import classify

    labels = [p.kind for p in classify([
        "According to the BBC:", "The minister said he would resign.",
        "I think this is the key point.", "Nothing more to add here."], gazetteer)]
    assert labels == ["answer", "quote", "answer", "answer"]


def test_outlet_as_object_is_not_a_citation(gazetteer) -> None:
    from index.attribution import classify

    passages = classify(["Reuters reports:", "Two officials told Reuters the talks failed.",
                         "The talks resume on Monday."], gazetteer)
    assert [(p.kind, p.outlet) for p in passages] == [
        ("answer", None), ("quote", "Reuters"), ("quote", "Reuters")]


def test_gazetteer_aliases_name_the_outlet(gazetteer) -> None:
    from index.lead_ins import lead_in_outlet

    assert lead_in_outlet("As the Beeb reported on Monday:", gazetteer) == "BBC"
    assert lead_in_outlet("The NYT writes that", gazetteer) == "The New York Times"
    assert lead_in_outlet("Unlike the Guardian, Reuters reports:", gazetteer) == "Reuters"


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "the file is empty"),
    (b"\x00\x01binary", "binary data"),
    (b"33\n\nbody\n\xff\xfe broken", "not UTF-8"),
    (b"not a score\n\nbody\n", "expected the question's score"),
    (b"5\n\nQ?\n\n2 Answers 2\n\n3\n\nonly one answer\n", "says 2 answers but 1"),
])
def test_bad_files_name_the_problem(tmp_path: Path, ctx: LoadContext, content: bytes,
                                    problem: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CorpusError) as info:
        list(load(path, ctx))
    assert str(path) in str(info.value)
    assert problem in str(info.value)


def test_an_unmarked_quote_names_only_the_source_its_lead_in_says(ctx: LoadContext) -> None:
    # The plain-text path checks each unmarked quote's source after detection, whatever
    # detects the quotes: an outlet only mentioned is not named; one cited outright is.
    passages = answer_text_passages(
        "Meanwhile, a 2017 article in the Atlantic takes another tack, talking to Robin "
        "Spiller, a researcher in Nottingham.\n\n"
        "Blending soup stopped people from feeling hungry for longer, the study found in 2009."
        "\n\nAccording to The Guardian\n\n"
        "Infants fed soya formula receive a large dose of oestrogen every day.", ctx)
    assert [p.outlet for p in passages if p.kind == "quote"] == [None, "The Guardian"]


def test_a_wrapped_list_item_goes_on_in_its_next_lines(ctx: LoadContext) -> None:
    """review10 D9: Skeptics 38020 quotes a list whose items a scraper wrapped ("• The ground
    surface must have an icy," / "crusty snow, on which ..."): each item's next lines went
    into paragraphs of their own. A line that does not go on an item still ends the list."""
    answer = ("Formed under specific conditions:\n\n"
              "  • The ground surface must have an icy,\n  crusty snow, on which falling snow\n"
              "  cannot stick.\n  \n  • About an inch of loose, wet snow\n  must accumulate.\n\n"
              "  • Strong winds are needed.\n  Snowfall occurred the morning of February 11.\n")
    [quote] = [p.text for p in answer_text_passages(answer, ctx) if p.kind == "quote"]
    assert quote == ("• The ground surface must have an icy, crusty snow, on which falling snow "
                     "cannot stick.\n• About an inch of loose, wet snow must accumulate.\n"
                     "• Strong winds are needed.\n\nSnowfall occurred the morning of February 11.")
