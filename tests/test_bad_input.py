"""Broken and hostile corpus files: a clear error naming the file and the place, that file
skipped, every other file loaded; and, fed arbitrary bytes, no loader lets out anything but
``CorpusError``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.build import build
from index.errors import CorpusError
from index.loaders import BY_NAME, LOADERS, LoadContext

from .conftest import copy_seed

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<posts><row Id="1" PostTypeId="1" Title="&lol3;" Body="x" /></posts>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE posts [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<posts><row Id="1" PostTypeId="1" Title="&xxe;" Body="x" /></posts>"""
GOOD_ROW = b'<row Id="1" PostTypeId="1" Title="T" Body="&lt;p&gt;q&lt;/p&gt;" />'

XML_CASES = {
    "truncated": (b'<?xml version="1.0"?>\n<posts>\n  ' + GOOD_ROW + b'\n  <row Id="2" Po',
                  "malformed XML", "line 4"),
    "malformed": (b"<posts>\n<row Id='1' <<>\n</posts>", "malformed XML", "line 2"),
    "entity expansion": (BILLION_LAUGHS, "refused unsafe XML", None),
    "external entity": (EXTERNAL_ENTITY, "refused unsafe XML", None),
    "empty": (b"", "empty", None),
    "binary": (b"\x00\x01\x02\xff" * 10, "malformed XML", "line 1"),
    "latin-1 declared utf-8": (b'<?xml version="1.0" encoding="utf-8"?>\n<posts>\n'
                               b'<row Id="1" PostTypeId="1" Title="caf\xe9" Body="" />\n'
                               b"</posts>", "malformed XML", "line 3"),
    "bad number": (b'<posts><row Id="x1" PostTypeId="1" /></posts>', "expected a whole number",
                   "post x1"),
}


@pytest.mark.parametrize("case", XML_CASES)
def test_bad_dumps(tmp_path: Path, ctx: LoadContext, case: str) -> None:
    content, problem, record = XML_CASES[case]
    path = tmp_path / "site" / "Posts.xml"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(CorpusError) as info:
        list(BY_NAME["posts.xml"](path, ctx))
    assert info.value.path == path
    assert problem in info.value.problem
    assert info.value.record == record
    assert "root:" not in str(info.value)  # /etc/passwd was never read


def test_a_build_skips_each_bad_file_and_loads_the_rest(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    bad = {
        "dump/Posts.xml": BILLION_LAUGHS,
        "notes/empty.md": b"",
        "pages/binary.html": b"\x00PNG",
        "records.jsonl": b'{"id": "1", "text": "fine"}\n"just a string"\n',
        "mixed.txt": b"33\n\nQuestion\n\n" + "caf\u00e9".encode("latin-1"),
    }
    for name, content in bad.items():
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_bytes(content)
    report = build(corpus, tmp_path / "i.db")
    # A JSON Lines file loses only its bad record; every other bad file is skipped whole.
    assert [f.path for f in report.files] == ["politics-se-why-was-soleimani-in-iraq.txt",
                                              "records.jsonl"]
    skipped = {str(e.path.relative_to(corpus)): e for e in report.skipped}
    assert set(skipped) == set(bad) - {"records.jsonl"}
    [record] = report.skipped_records
    assert (record.path, record.record) == (corpus / "records.jsonl", "line 2")
    assert skipped["mixed.txt"].record == "line 5"
    summary = report.summary()
    assert "Skipped 4 file(s):" in summary and "24 passage(s)" in summary
    assert "Skipped 1 record(s) of files that loaded:" in summary


LOADER_SUFFIXES = sorted({*LOADERS, *BY_NAME})


def _path_for(tmp: Path, key: str) -> Path:
    folder = tmp / "site"
    folder.mkdir(exist_ok=True)
    return folder / (key if key == "posts.xml" else f"doc{key}")


def _check(tmp: Path, key: str, content: bytes, ctx: LoadContext) -> None:
    path = _path_for(tmp, key)
    path.write_bytes(content)
    loader = BY_NAME.get(key) or LOADERS[key]
    try:
        for _ in loader(path, ctx):
            pass
    except CorpusError:
        pass


def test_files_of_no_known_format_are_named_not_dropped_in_silence(tmp_path: Path) -> None:
    corpus = copy_seed(tmp_path / "corpus")
    (corpus / "notes.csv").write_text("a,b\n", encoding="utf-8")
    (corpus / "papers").mkdir()
    (corpus / "papers" / "study.pdf").write_bytes(b"%PDF-1.4")
    (corpus / "dump").mkdir()  # a dump's other tables are expected beside its Posts.xml
    (corpus / "dump" / "Posts.xml").write_text(
        '<posts><row Id="1" PostTypeId="1" Title="Ferry" Body="&lt;p&gt;Sank.&lt;/p&gt;" />'
        "</posts>", encoding="utf-8")
    (corpus / "dump" / "Users.xml").write_text("<users />", encoding="utf-8")
    (corpus / "beir").mkdir()  # a BEIR folder: its queries are no documents
    (corpus / "beir" / "corpus.jsonl").write_text('{"_id": "d1", "text": "Ferries sink."}\n',
                                                   encoding="utf-8")
    (corpus / "beir" / "queries.jsonl").write_text('{"_id": "q1", "text": "Do ferries sink?"}\n',
                                                    encoding="utf-8")
    (corpus / ".cache").mkdir()
    (corpus / ".cache" / "x.bin").write_bytes(b"\0")
    report = build(corpus, tmp_path / "sourced.db")
    assert report.ignored == ["beir/queries.jsonl", "notes.csv", "papers/study.pdf"]
    assert report.to_json()["ignored"] == report.ignored
    assert "Ignored 3 file(s) the index does not read" in report.summary()
    assert "beir/corpus.jsonl" in {f.path for f in report.files}
    assert not report.skipped  # not errors: the files are fine, only not read


def test_the_build_says_which_dump_sites_it_guessed_from_a_folder_name(tmp_path: Path) -> None:
    """A dump in a folder not named after its site would link every thread to a site that
    does not exist: the summary names each site guessed so, and --json gives every dump's."""
    corpus = tmp_path / "corpus"
    post = ('<posts><row Id="1" PostTypeId="1" Title="Ferry" Body="&lt;p&gt;Sank.&lt;/p&gt;" />'
            "</posts>")
    for folder in ("mydump", "history-meta", "skeptics.stackexchange.com", "named"):
        (corpus / folder).mkdir(parents=True)
        (corpus / folder / "Posts.xml").write_text(post, encoding="utf-8")
    (corpus / "named" / "site.toml").write_text('site = "politics.stackexchange.com"\n',
                                               encoding="utf-8")
    report = build(corpus, tmp_path / "sourced.db")
    assert report.sites == {"history-meta/Posts.xml": "history.meta.stackexchange.com",
                            "mydump/Posts.xml": "mydump.stackexchange.com",
                            "named/Posts.xml": "politics.stackexchange.com",
                            "skeptics.stackexchange.com/Posts.xml": "skeptics.stackexchange.com"}
    line = next(x for x in report.summary().splitlines() if x.startswith("Thread links"))
    assert line.endswith(": history-meta/Posts.xml -> https://history.meta.stackexchange.com, "
                         "mydump/Posts.xml -> https://mydump.stackexchange.com")
    sites = report.to_json()["sites"]
    assert sites["mydump/Posts.xml"] == {"site": "mydump.stackexchange.com",
                                         "from": "folder name"}
    assert sites["named/Posts.xml"]["from"] == "site.toml or a dotted name"
    assert "Thread links" not in build(copy_seed(tmp_path / "seed"),
                                       tmp_path / "seed.db").summary()


@pytest.mark.parametrize("key", LOADER_SUFFIXES)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=2000))
def test_arbitrary_bytes(tmp_path: Path, ctx: LoadContext, key: str, content: bytes) -> None:
    _check(tmp_path, key, content, ctx)


STRUCTURED = st.one_of(
    st.text(alphabet=st.sampled_from(list("<>/=\"' \n&;#x0123456789abrowIdPostTypeBody{}[]:,"
                                          "•–-—>•\u2019")), max_size=400),
    st.builds(lambda rows: "<posts>" + "".join(rows) + "</posts>",
              st.lists(st.builds(lambda i, t, body: f'<row Id="{i}" PostTypeId="{t}" '
                                 f'ParentId="{i}" Body="{body}" />',
                                 st.integers(-5, 5), st.sampled_from(["1", "2", "x", ""]),
                                 st.sampled_from(["", "&lt;blockquote&gt;", "&lt;p&gt;x",
                                                  "&lt;a href='javascript:x'&gt;"])),
                       max_size=5)),
    st.builds(lambda lines: "\n".join(lines), st.lists(st.sampled_from(
        ['{"id": 1, "text": "x"}', '{"answer": "  quoted\\n\\nmine"}', "[]", "{}", "null",
         '{"answer": 5}', '{"_id": "", "text": ""}', "3", "", "  • 4", "4 Answers 4",
         "---", "title: x", "> q", "[a](b)", "<blockquote>x</blockquote>"]), max_size=12)),
)


@pytest.mark.parametrize("key", LOADER_SUFFIXES)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=STRUCTURED)
def test_structured_garbage(tmp_path: Path, ctx: LoadContext, key: str, content: str) -> None:
    _check(tmp_path, key, content.encode("utf-8"), ctx)
