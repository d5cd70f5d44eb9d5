"""One loader per corpus format, chosen by file name.

A loader is ``load(path, ctx) -> Iterator[Thread]`` and lets out only ``CorpusError``.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from pathlib import Path

from ..model import Thread
from . import htmlpage, jsonl, markdown, plaintext, sedump
from .context import LoadContext

Loader = Callable[[Path, LoadContext], Iterator[Thread]]

# Suffix -> loader. Sidecars (``*.meta.toml``) and READMEs are not documents. README.md names
# these formats for admins.
LOADERS: dict[str, Loader] = {
    ".txt": plaintext.load,
    ".jsonl": jsonl.load,
    ".html": htmlpage.load,
    ".htm": htmlpage.load,
    ".md": markdown.load,
    ".markdown": markdown.load,
}

_NOT_DOCUMENTS = {"readme.md", "readme.txt", "readme", "license", "licence"}


# A Stack Exchange dump is its Posts.xml (Comments.xml beside it is read with it).
BY_NAME: dict[str, Loader] = {
    "posts.xml": sedump.load,
}


def loader_for(path: Path) -> Loader | None:
    """The loader for ``path``, or None when the file is not a corpus document."""
    name = path.name.lower()
    if name in _NOT_DOCUMENTS or name.startswith(".") or name.endswith(".meta.toml"):
        return None
    if name == "queries.jsonl" and path.with_name("corpus.jsonl").exists():
        return None  # a BEIR folder's questions, not documents: read, they would pass as quotes
    return BY_NAME.get(name) or LOADERS.get(path.suffix.lower())


def companions(path: Path) -> list[Path]:
    """Files read together with a document, so a change to them is a change to it."""
    if path.name.lower() == "posts.xml":
        candidates = [path.with_name("Comments.xml"), path.with_name("site.toml")]
    else:
        candidates = [path.with_name(path.stem + ".meta.toml")]
    return [c for c in candidates if c.exists()]


def corpus_files(root: Path) -> list[Path]:
    """Every document under ``root``, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file() and loader_for(p) is not None)


def ignored_files(root: Path) -> list[Path]:
    """Files under ``root`` that no loader reads and that are nobody's companion: a PDF, a CSV,
    a ``.json``. The build names them, so a file an admin added is never silently unread.
    A dump's other tables (Users.xml, Votes.xml ...), sidecars, READMEs and hidden files are
    expected there and not named."""
    read = set(corpus_files(root))
    read.update(c for p in list(read) for c in companions(p))
    dumps = {p.parent for p in read if p.name.lower() == "posts.xml"}
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p not in read and p.name.lower() not in _NOT_DOCUMENTS
        and not p.name.startswith(".") and not p.name.lower().endswith(".meta.toml")
        and not (p.parent in dumps and p.suffix.lower() in {".xml", ".toml"})
        and not any(part.startswith(".") for part in p.relative_to(root).parts[:-1]))


def unfollowed_links(root: Path) -> list[tuple[Path, str]]:
    """Symbolic links under ``root`` that no build reads through, each with why: broken, in a
    loop, or to a folder. A folder is read where it is, never through a link (out of the
    corpus it would bring in what admins never put there, inside it the same files twice);
    the build names them, so linked data never just goes missing (review12 D2). A link to a
    file is read as the file (or refused when it leads out of the corpus: the build)."""
    found: list[tuple[Path, str]] = []
    for p in sorted(root.rglob("*")):
        if not p.is_symlink() or any(part.startswith(".")
                                     for part in p.relative_to(root).parts):
            continue
        try:
            target = p.resolve(strict=True)
        except RuntimeError:  # Python 3.11's pathlib: "Symlink loop from ..."
            found.append((p, "a symbolic link in a loop: nothing to read"))
            continue
        except OSError as exc:
            found.append((p, "a symbolic link in a loop: nothing to read"
                          if exc.errno == errno.ELOOP else
                          "a broken symbolic link: what it points at does not exist"
                          if exc.errno == errno.ENOENT else
                          f"a symbolic link that cannot be followed: {exc.strerror or exc}"))
            continue
        if target.is_dir():
            found.append((p, "a symbolic link to a folder: not followed (copy the folder in)"))
    return found


__all__ = ["LOADERS", "LoadContext", "Loader", "companions", "corpus_files", "ignored_files",
           "loader_for", "unfollowed_links"]
