"""Every file shipped in corpus/ loads, and every failure is reported at once."""

from __future__ import annotations

from index.errors import CorpusError
from index.loaders import LoadContext, corpus_files, loader_for

from .conftest import CORPUS


def test_every_shipped_file_loads(ctx: LoadContext) -> None:
    files = corpus_files(CORPUS)
    assert files, "corpus/ ships at least the seed thread"
    failures = []
    for path in files:
        loader = loader_for(path)
        assert loader is not None
        try:
            threads = list(loader(path, ctx))
        except CorpusError as err:
            failures.append(str(err))
            continue
        if not any(a.passages for t in threads for a in t.answers):
            failures.append(f"{path}: no passages")
    assert not failures, "\n".join(failures)


def test_readme_and_sidecars_are_not_documents() -> None:
    names = {p.name for p in corpus_files(CORPUS)}
    assert "README.md" not in names
    assert not any(n.endswith(".meta.toml") for n in names)
