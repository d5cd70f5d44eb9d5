"""Stack Exchange data dumps: a folder with ``Posts.xml`` (and ``Comments.xml``).

Streamed: rows are read one at a time (``iterparse``, each element cleared once read) into a
temporary SQLite file, then threads are read back question by question, so memory does not
grow with the dump. The XML parser refuses entity declarations and external references
(defusedxml). Each ``<blockquote>`` in an answer becomes a quote passage.

The site (for thread addresses) comes from ``site.toml`` in the folder (``site = "..."``), or
from the folder's name: ``history-meta`` -> ``history.meta.stackexchange.com``,
``politics`` -> ``politics.stackexchange.com``, ``stackoverflow`` -> ``stackoverflow.com``,
a name with a dot is taken as it is.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import defusedxml
import defusedxml.ElementTree as SafeET

from ..attribution import passages_from_blocks
from ..blocks import Block, NestedTooDeep, html_blocks
from ..dates import iso_date
from ..errors import CorpusError, excerpt, unexpected
from ..model import Answer, Comment, Thread
from ..packing import pack
from .context import LoadContext

_OWN_DOMAINS = {"stackoverflow": "stackoverflow.com", "superuser": "superuser.com",
                "serverfault": "serverfault.com", "askubuntu": "askubuntu.com",
                "mathoverflow": "mathoverflow.net", "stackapps": "stackapps.com"}
_TAG = re.compile(r"<([^<>]+)>|\|([^|]+)")
_BATCH = 1000


def site_named_by_folder(folder: Path) -> bool:
    """Whether ``site_for`` guesses the site from the folder's name alone (no ``site.toml``,
    no dotted name): the build says so, since a folder named otherwise than its site gives
    every thread a link to a site that does not exist."""
    return not (folder / "site.toml").exists() and "." not in folder.name


def site_for(folder: Path) -> str:
    """The site a dump folder holds, from ``site.toml`` or the folder's name."""
    side = folder / "site.toml"
    if side.exists():
        try:
            site = tomllib.loads(side.read_text(encoding="utf-8")).get("site")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CorpusError(side, f"cannot read the site sidecar: {exc}") from exc
        except RecursionError as exc:
            raise unexpected(side, exc) from None
        if not isinstance(site, str) or not site.strip():
            raise CorpusError(side, 'expected site = "name.stackexchange.com"')
        return site.strip().lower()
    name = folder.name.lower()
    if "." in name:
        return name
    if name in _OWN_DOMAINS:
        return _OWN_DOMAINS[name]
    if name.endswith("-meta"):
        base = name.removesuffix("-meta")
        return f"meta.{_OWN_DOMAINS[base]}" if base in _OWN_DOMAINS else \
            f"{base}.meta.stackexchange.com"
    return f"{name}.stackexchange.com"


# A row is one post: Stack Exchange caps a post at 30,000 characters (a few hundred KB once
# escaped), so a row past this is no real post, and skipped.
MAX_ROW_BYTES = 2 * 1024 * 1024
_FEED_BYTES = 64 * 1024
_ROW_START = re.compile(rb"\s*<row\b")
_ROW_ID = re.compile(rb"""\sId\s*=\s*["'](\d{1,19})["']""")


class _Lines:
    """The file as the XML parser reads it: whole lines, about ``_FEED_BYTES`` at a time.

    expat scans a token again from its start each time more of it arrives, so a 40 MB row
    fed in iterparse's 16 KB pieces took quadratic time; fed whole, once. A line longer than
    ``MAX_ROW_BYTES`` that is one row (as every row of a dump is) is left out, its line kept
    blank so that later line numbers stay right, and reported in ``skipped``; any other, and a
    row spread over lines past the bound, stops the file.
    """

    def __init__(self, f: BinaryIO, path: Path, kind: str, skipped: list[CorpusError]) -> None:
        self.f, self.path, self.kind, self.skipped = f, path, kind, skipped
        self.line = 0
        self.since_row = 0  # bytes fed since a row last ended (reset by the reader)

    def read(self, _size: int = -1) -> bytes:
        chunk: list[bytes] = []
        size = 0
        while size < _FEED_BYTES:
            line = self.f.readline(MAX_ROW_BYTES + 1)
            if not line:
                break
            self.line += 1
            if len(line) > MAX_ROW_BYTES:
                line = self._left_out(line)
            chunk.append(line)
            size += len(line)
        self.since_row += size
        if self.since_row > MAX_ROW_BYTES + _FEED_BYTES:
            raise CorpusError(self.path, f"a row spread over lines is larger than "
                              f"{MAX_ROW_BYTES // 2**20} MB", record=f"line {self.line}")
        return b"".join(chunk)

    def _left_out(self, head: bytes) -> bytes:
        tail = head[-64:]
        while not tail.endswith(b"\n") and (more := self.f.readline(_FEED_BYTES)):
            tail = (tail + more)[-64:]
        if not (_ROW_START.match(head) and tail.rstrip().endswith(b"/>")):
            raise CorpusError(self.path, f"a line longer than {MAX_ROW_BYTES // 2**20} MB that "
                              "is not one row", record=f"line {self.line}")
        found = _ROW_ID.search(head[:4096])
        record = f"{self.kind} {found.group(1).decode()}" if found else f"line {self.line}"
        self.skipped.append(CorpusError(self.path, f"the row is larger than "
                                        f"{MAX_ROW_BYTES // 2**20} MB: skipped", record=record))
        return b"\n"


def rows(path: Path, skipped: list[CorpusError] | None = None, kind: str = "post"
         ) -> Iterator[dict[str, str]]:
    """The attributes of each ``<row>``, streamed; rows larger than ``MAX_ROW_BYTES`` are
    left out and reported in ``skipped``.

    Raises:
        CorpusError: malformed or truncated XML (naming the line), entity declarations or
            external references, an unreadable file.
    """
    try:
        with path.open("rb") as f:
            if not f.read(4096).strip(b" \t\r\n\xef\xbb\xbf"):
                raise CorpusError(path, "the file is empty")
            f.seek(0)
            source = _Lines(f, path, kind, skipped if skipped is not None else [])
            context = SafeET.iterparse(source, events=("start", "end"))
            _, root = next(context)
            for event, elem in context:
                if event == "end" and elem.tag == "row":
                    source.since_row = 0
                    yield dict(elem.attrib)
                    root.clear()  # keeps memory flat: drop rows already read
    except StopIteration:
        raise CorpusError(path, "no XML in the file (it is empty)") from None
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else "?"
        what = str(exc).split(": line ")[0]  # the line is the record, said once
        raise CorpusError(path, f"malformed XML: {what}", record=f"line {line}") from exc
    except defusedxml.DefusedXmlException as exc:
        raise CorpusError(path, f"refused unsafe XML ({type(exc).__name__}): entity "
                          "declarations and external references are not allowed") from exc
    except OSError as exc:
        raise CorpusError(path, f"cannot read the file: {exc.strerror or exc}") from exc


def _int(value: str | None, path: Path, record: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise CorpusError(path, f"expected a whole number, got {excerpt(value)}",
                          record=record) from None


def _stage(path: Path, db: sqlite3.Connection, skipped: list[CorpusError]) -> None:
    """Stream Posts.xml (and Comments.xml) into the staging database."""
    db.executescript("""
        CREATE TABLE q (id INTEGER PRIMARY KEY, title TEXT, tags TEXT, score INTEGER,
                        accepted INTEGER, body TEXT);
        CREATE TABLE a (id INTEGER PRIMARY KEY, parent INTEGER, score INTEGER, body TEXT,
                        author TEXT, date TEXT);
        CREATE INDEX a_parent ON a(parent);
        CREATE TABLE c (post INTEGER, score INTEGER, text TEXT, author TEXT, date TEXT);
        CREATE INDEX c_post ON c(post);
    """)
    questions, answers = [], []
    for row in rows(path, skipped):
        record = f"post {row.get('Id', '?')}"
        post_id = _int(row.get("Id"), path, record)
        if post_id is None:
            raise CorpusError(path, "a row has no Id", record=record)
        kind = row.get("PostTypeId")
        score = _int(row.get("Score"), path, record)
        if kind == "1":
            questions.append((post_id, row.get("Title") or f"Question {post_id}",
                              row.get("Tags") or "", score,
                              _int(row.get("AcceptedAnswerId"), path, record), row.get("Body", "")))
        elif kind == "2":
            author = row.get("OwnerDisplayName") or (
                f"user {row['OwnerUserId']}" if row.get("OwnerUserId") else None)
            answers.append((post_id, _int(row.get("ParentId"), path, record), score,
                            row.get("Body", ""), author, iso_date(row.get("CreationDate"))))
        if len(questions) + len(answers) >= _BATCH:
            _flush(db, questions, answers)
    _flush(db, questions, answers)
    comments = path.with_name("Comments.xml")
    if comments.exists():
        batch = []
        for row in rows(comments, skipped, "comment"):
            record = f"comment {row.get('Id', '?')}"
            batch.append((_int(row.get("PostId"), comments, record),
                          _int(row.get("Score"), comments, record), row.get("Text", ""),
                          row.get("UserDisplayName") or (
                              f"user {row['UserId']}" if row.get("UserId") else None),
                          row.get("CreationDate")))
            if len(batch) >= _BATCH:
                db.executemany("INSERT INTO c VALUES (?,?,?,?,?)", batch)
                batch.clear()
        db.executemany("INSERT INTO c VALUES (?,?,?,?,?)", batch)


def _flush(db: sqlite3.Connection, questions: list[tuple], answers: list[tuple]) -> None:
    db.executemany("INSERT OR REPLACE INTO q VALUES (?,?,?,?,?,?)", questions)
    db.executemany("INSERT OR REPLACE INTO a VALUES (?,?,?,?,?,?)", answers)
    questions.clear()
    answers.clear()


def _comments(db: sqlite3.Connection, post_id: int) -> list[Comment]:
    return [Comment(text=text, score=score, author=author, date=date)
            for score, text, author, date in db.execute(
                "SELECT score, text, author, date FROM c WHERE post = ? ORDER BY rowid",
                (post_id,))]


def _blocks(path: Path, post_id: int, body: str) -> list[Block]:
    """A post's body as blocks; a body crafted to break the HTML reader (nested a thousand
    levels deep) is reported with its post id."""
    try:
        return html_blocks(body)
    except NestedTooDeep as exc:
        raise CorpusError(path, str(exc), record=f"post {post_id}") from None
    except RecursionError as exc:
        raise unexpected(path, exc, record=f"post {post_id}") from None


def load(path: Path, ctx: LoadContext) -> Iterator[Thread]:
    """Threads of a dump, one per question, answers best first."""
    site = site_for(path.parent)
    base = f"https://{site}"
    with tempfile.TemporaryDirectory(prefix="sourced-dump-") as tmp:
        db = sqlite3.connect(Path(tmp) / "stage.db")
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            _stage(path, db, ctx.skipped_records)
            # A cursor, not fetchall(): one question in memory at a time.
            for qid, title, tags, score, accepted, body in db.cursor().execute(
                    "SELECT id, title, tags, score, accepted, body FROM q ORDER BY id"):
                answers = []
                question = "\n\n".join(b.text for b in _blocks(path, qid, body))
                for aid, ascore, abody, author, date in db.execute(
                        "SELECT id, score, body, author, date FROM a WHERE parent = ? "
                        "ORDER BY score DESC, id", (qid,)):
                    passages = passages_from_blocks(
                        _blocks(path, aid, abody), ctx.gazetteer, base_url=base,
                        thread_url=f"{base}/questions/{qid}", question=question)
                    answers.append(Answer(
                        passages=pack(passages, ctx.passage_chars), score=ascore,
                        comments=_comments(db, aid), accepted=aid == accepted,
                        url=f"{base}/a/{aid}", author=author, date=date))
                yield Thread(
                    key=f"{site}/q/{qid}", title=title, question=question,
                    url=f"{base}/questions/{qid}", site=site, score=score,
                    tags=[a or b for a, b in _TAG.findall(tags)],
                    comments=_comments(db, qid), answers=answers)
        finally:
            db.close()
