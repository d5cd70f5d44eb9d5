"""Reloading the index while it serves: built in another process, swapped atomically."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.indexes import Indexes, ReloadError, ReloadReport, open_index
from bot.render import as_text, render_reload
from index.build import build_with
from index.config import load_config
from index.errors import IndexNotFound
from index.settings import IndexSettings

from .conftest import copy_seed
from .fake_discord.limits import check_message


def settings_for(tmp_path: Path) -> tuple[IndexSettings, Path]:
    corpus = tmp_path / "corpus"
    copy_seed(corpus)
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\ncorpus = "{corpus}"\ndatabase = "{tmp_path / "i.db"}"\n'
                      '[semantic]\nenabled = false\n', encoding="utf-8")
    return load_config(config).index, config


def test_reload_reports_changes_and_keeps_answering(tmp_path: Path, run) -> None:
    settings, config = settings_for(tmp_path)
    corpus = settings.corpus
    (corpus / "ferry.txt").write_text(
        "3\n\nWhat sank the ferry?\n\n1 Answer 1\n\n7\n\nAccording to the AP:\n\n"
        "The ferry sank in a storm off the coast.\n", encoding="utf-8")
    (corpus / "broken.txt").write_bytes(b"\x00\x00")
    (corpus / "table.csv").write_text("a,b\n", encoding="utf-8")  # no loader reads it

    async def go() -> tuple:
        async with await Indexes.open(settings, config) as indexes:  # first run: builds
            before = await indexes.current.search("ferry storm", 3)
            (corpus / "ferry.txt").unlink()
            (corpus / "bbc.txt").write_text(
                "1\n\nWho won?\n\n1 Answer 1\n\n2\n\nAl Jazeera reports:\n\n"
                "The home team won the cup final.\n", encoding="utf-8")
            async with indexes.reader() as old_reader:  # a request that outlasts the swap
                reload = asyncio.create_task(indexes.reload())
                during = []
                while not reload.done():  # questions keep being answered while it builds
                    async with indexes.reader() as reader:
                        during.append(await reader.search("Soleimani", 1))
                    await asyncio.sleep(0.01)
                report = await reload
                after = await indexes.current.search("cup final", 3)
                # The old reader answers its request to the end, then is closed.
                old = await old_reader.search("ferry storm", 3)
            with pytest.raises(ValueError):
                await old_reader.search("ferry storm", 3)
            return before, during, report, after, old

    before, during, report, after, old = run(go())
    assert before[0].outlet == "Associated Press"
    assert during and all(len(hits) == 1 for hits in during)
    assert report.added_files == ["bbc.txt"]
    assert report.removed_files == ["ferry.txt"]
    assert report.added_outlets == ["Al Jazeera"]
    assert report.removed_outlets == ["Associated Press"]
    assert report.passages == (25, 25)  # each file: a lead-in and a quote
    assert report.threads == (2, 2)
    assert any("broken.txt" in s and "binary data" in s for s in report.skipped)
    assert report.ignored == ["table.csv: not a document the index reads"]
    assert not any("table.csv" in s for s in report.skipped)  # counted apart (review12 D12)
    assert after[0].outlet == "Al Jazeera"
    assert old and old[0].outlet == "Associated Press"


def test_a_reload_names_the_dump_sites_it_guessed_from_a_folder_name(tmp_path: Path,
                                                                     run) -> None:
    """An admin adding a dump through /reload sees where its thread links will point when the
    site comes from the folder's name: once, for the dumps this reload added or changed."""
    settings, config = settings_for(tmp_path)
    post = ('<posts><row Id="1" PostTypeId="1" Title="Ferry" Body="&lt;p&gt;Sank.&lt;/p&gt;" />'
            "</posts>")

    async def go() -> tuple:
        async with await Indexes.open(settings, config) as indexes:
            (settings.corpus / "mydump").mkdir()
            (settings.corpus / "mydump" / "Posts.xml").write_text(post, encoding="utf-8")
            first = await indexes.reload()
            (settings.corpus / "extra.txt").write_text(
                "1\n\nWho won?\n\n1 Answer 1\n\n2\n\nThe home team won.\n", encoding="utf-8")
            return first, await indexes.reload()

    first, second = run(go())
    assert first.sites_by_folder == ["mydump/Posts.xml -> https://mydump.stackexchange.com"]
    shown = as_text(render_reload(first))
    assert "Thread links named after the dump's folder" in shown
    assert "mydump.stackexchange.com" in shown
    assert second.added_files == ["extra.txt"] and second.sites_by_folder == []
    assert "Thread links" not in as_text(render_reload(second))


def test_a_reloads_reply_counts_files_records_and_ignored_files_apart() -> None:
    """review12 D12: "Skipped 10 file(s)" held 7 files, 2 records and a PDF."""
    report = ReloadReport(
        added_files=[], removed_files=[], changed_files=[], threads=(2, 2), passages=(9, 9),
        added_outlets=[], removed_outlets=[],
        skipped=["broken.txt: binary data", "gone.md: a broken symbolic link"],
        skipped_records=["dump/Posts.xml: row 7: over 2 MB"],
        ignored=["report.pdf: not a document the index reads"])
    fields = {f["name"]: f["value"] for f in render_reload(report).embeds[0]["fields"]}
    assert fields == {"Skipped 2 file(s)": "• broken.txt: binary data\n• gone.md: a broken "
                                           "symbolic link",
                      "Left out 1 record(s) of files that loaded": "• dump/Posts.xml: row 7: "
                                                                   "over 2 MB",
                      "Ignored 1 file(s)": "• report.pdf: not a document the index reads"}


def test_a_reloads_reply_stays_within_discords_limits_however_much_it_lists() -> None:
    """review13 F1: a full description and three full lists passed 6,000 characters, and
    Discord refused the whole reply."""
    many = [f"archive/2026/stackexchange-dumps/site-{i:03}.stackexchange.com/partitions/"
            f"{'x' * 60}/Posts_part{i:03}.xml" for i in range(60)]
    report = ReloadReport(
        added_files=many, removed_files=many, changed_files=many, threads=(2, 2),
        passages=(9, 9), added_outlets=["O" * 3000] * 12, removed_outlets=["P" * 3000] * 12,
        skipped=[f"{f}: a broken symbolic link" for f in many],
        skipped_records=[f"{f}: row 7: over 2 MB" for f in many],
        ignored=[f"{f}.pdf: not a document the index reads" for f in many])
    [embed] = render_reload(report).embeds
    assert check_message({"embeds": [embed]}) == {}
    assert [f["name"] for f in embed["fields"]] == [
        "Skipped 60 file(s)", "Left out 60 record(s) of files that loaded", "Ignored 60 file(s)"]


def test_a_reloads_lists_name_files_in_the_corpus_and_count_what_they_cut(
        tmp_path: Path, run) -> None:
    """review14 L1: 120 broken files listed by absolute path, four shown, the fourth cut in
    its reason, and no "and N more"."""
    settings, config = settings_for(tmp_path)
    bad = settings.corpus / "bad"
    bad.mkdir()
    for i in range(120):
        (bad / f"note{i:03}.txt").write_bytes(b"\x00\x01binary")

    async def go() -> ReloadReport:
        indexes = await Indexes.open(settings, config)
        try:
            return await indexes.reload()
        finally:
            await indexes.close()

    report = run(go())
    assert len(report.skipped) == 120
    assert all(s.startswith("bad/note") for s in report.skipped), report.skipped[:3]
    [embed] = render_reload(report).embeds
    [field] = [f for f in embed["fields"] if f["name"] == "Skipped 120 file(s)"]
    lines = field["value"].splitlines()
    assert str(tmp_path) not in field["value"]
    assert lines[-1] == f"… and {120 - (len(lines) - 1)} more"
    assert all(re.fullmatch(r"• bad/note\d{3}\.txt: .+", line) for line in lines[:-1])
    assert check_message({"embeds": [embed]}) == {}


def test_failed_reload_keeps_the_old_index(tmp_path: Path, run) -> None:
    settings, config = settings_for(tmp_path)

    async def go() -> tuple:
        indexes = await Indexes.open(settings, config)
        try:
            shutil.rmtree(settings.corpus)  # the corpus folder vanishes
            with pytest.raises(ReloadError, match="corpus folder does not exist"):
                await indexes.reload()
            return await indexes.current.search("Soleimani", 2)
        finally:
            await indexes.close()

    hits = run(go())
    assert len(hits) == 2


def test_one_reload_at_a_time(tmp_path: Path, run) -> None:
    settings, config = settings_for(tmp_path)

    async def go() -> None:
        indexes = await Indexes.open(settings, config)
        try:
            first = asyncio.create_task(indexes.reload())
            await asyncio.sleep(0)
            with pytest.raises(ReloadError, match="already running"):
                await indexes.reload()
            await first
        finally:
            await indexes.close()

    run(go())


# Runs the build with a 64 KB limit on the size of any file it writes: a disk that fills up.
FULL_DISK = ("python3", "-c", "import os, resource, sys; "
             "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536)); "
             "os.execv(sys.argv[1], sys.argv[1:])")


def test_disk_full_during_reload(tmp_path: Path, run) -> None:
    settings, config = settings_for(tmp_path)
    # Enough text that the new index no longer fits in 64 KB.
    filler = "\n\n".join(f"1\n\nAnswer {i} " + "words " * 400 for i in range(40))
    (settings.corpus / "big.txt").write_text(f"1\n\nBig?\n\n40 Answers 40\n\n{filler}\n",
                                             encoding="utf-8")

    async def go() -> tuple:
        (settings.corpus / "big.txt").rename(tmp_path / "big.txt")  # first build: small
        indexes = await Indexes.open(settings, config, launcher=FULL_DISK)
        try:
            (tmp_path / "big.txt").rename(settings.corpus / "big.txt")
            with pytest.raises(ReloadError) as info:
                await indexes.reload()
            return str(info.value), await indexes.current.search("Soleimani", 2)
        finally:
            await indexes.close()

    message, hits = run(go())
    assert "the old index keeps serving" in message
    assert "could not write the index" in message
    assert len(hits) == 2
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_an_index_of_another_version_is_rebuilt_at_start(tmp_path: Path, run) -> None:
    settings, _ = settings_for(tmp_path)
    build_with(settings)
    with sqlite3.connect(settings.database) as con:  # as an older Sourced would have left it
        con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()

    async def go() -> list:
        async with await open_index(settings) as reader:
            return await reader.search("Soleimani Baghdad", 1)

    assert run(go())[0].outlet
    # A database that is no Sourced index at all is not Sourced's to overwrite.
    foreign = IndexSettings(corpus=settings.corpus, database=tmp_path / "yours.db")
    sqlite3.connect(foreign.database).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(IndexNotFound, match="not a Sourced index"):
        run(open_index(foreign))
    with sqlite3.connect(foreign.database) as con:
        assert con.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    con.close()


def test_a_corpus_changed_after_the_build_is_reported_at_start(
        tmp_path: Path, run, caplog: pytest.LogCaptureFixture) -> None:
    settings, _ = settings_for(tmp_path)
    build_with(settings)

    async def start() -> None:
        async with await open_index(settings):
            pass

    with caplog.at_level(logging.WARNING, logger="bot.indexes"):
        run(start())
    assert "changed after the index was built" not in caplog.text
    note = settings.corpus / "zebra.md"
    note.write_text("---\ntitle: Zebras\n---\n\nStripes deter flies.\n", encoding="utf-8")
    later = settings.database.stat().st_mtime + 5
    os.utime(note, (later, later))
    with caplog.at_level(logging.WARNING, logger="bot.indexes"):
        run(start())
    assert "changed after the index was built (" in caplog.text
    assert "newest: zebra.md" in caplog.text
