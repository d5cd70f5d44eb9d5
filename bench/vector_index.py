"""An index with passage vectors for a benchmark: built, or brought up to date (a rebuild
embeds only what its vector cache lacks), with the embedding's progress on standard error."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from index.build import build_with
from index.settings import IndexSettings, SemanticSettings


def build_with_vectors(name: str, corpus: Path, database: Path) -> Path:
    """Build ``corpus`` into ``database`` with the default model's vectors; its path."""
    settings = IndexSettings(corpus=corpus, database=database, semantic=SemanticSettings())
    started = time.perf_counter()
    report = build_with(settings, embed_progress=lambda done, total: print(
        f"\r{name}: embedded {done}/{total}", end="", file=sys.stderr, flush=True))
    print(f"\n{name}: {report.vectors} ({time.perf_counter() - started:.0f} s)",
          file=sys.stderr)
    return database
