"""The model's forward passes, text in, unit vectors out: through ONNX Runtime, through
transformers on PyTorch, or through sentence-transformers (``index.embedding.load`` chooses).
Each returns its encoder and the vectors' dimension.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# Passages a forward pass embeds at once: larger batches gain little on two cores and pad more.
BATCH = 32
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Through transformers alone, a forward pass takes passages up to this many tokens, padding
# included (32 short passages, 8 of 256 tokens): attention's memory grows with a batch's
# passages times the square of its longest, so a batch of 32 long ones held about 400 MB more.
TOKENS = 2048
# Through ONNX Runtime the same bound is 512 tokens (two passages of 256): a pass's activations
# are freed when it ends, each 256-token passage holds about 20 MB of them at the peak, and
# smaller passes were no slower (bench.embed_memory on SciFact 0-255, 2026-12-05: 512 tokens
# 258-275 MB at the peak, 6.5-7.1 passages a second; 2,048: 497-575 MB, 5.7-6.3).
ONNX_TOKENS = 512
# A pass of fewer tokens (padding included) than this, a question's, does not return malloc's
# free pages: its activations are a few MB (about 20 MB for 256 tokens), reused by the next
# pass, and malloc_trim cost a 1M-passage reader 0.4-0.8 ms a question (bench.ann_split).
GIVE_BACK_TOKENS = 128
# ONNX Runtime's threads for one forward pass: two cores at most, so one question does not
# fight the build's threads for all of them.
THREADS = max(1, min(2, os.cpu_count() or 1))


def sentence_transformers_encoder(model: Any) -> tuple[Callable[[list[str]], np.ndarray], int]:
    dimension = getattr(model, "get_embedding_dimension", None) or \
        model.get_sentence_embedding_dimension  # the name before sentence-transformers 6
    return (lambda texts: model.encode(texts, batch_size=BATCH, normalize_embeddings=True,
                                       convert_to_numpy=True, show_progress_bar=False),
            int(dimension()))


def batches(lengths: list[int], bound: int) -> list[list[int]]:
    """Texts' positions in forward passes: longest first, each pass at most ``bound`` tokens
    with its padding (the first text's length is the pass's padded length)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    passes, at = [], 0
    while at < len(order):
        size = max(1, min(BATCH, bound // max(1, lengths[order[at]])))
        passes.append(order[at:at + size])
        at += size
    return passes


def transformers_encoder(folder: str, longest: int
                         ) -> tuple[Callable[[list[str]], np.ndarray], int]:
    """Mean pooling of the transformer's last layer over each text's tokens, normalized:
    what sentence-transformers computes for such a model, batched by tokens, on PyTorch."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from .memory import give_back

    tokenizer = AutoTokenizer.from_pretrained(folder)
    network = AutoModel.from_pretrained(folder).eval()

    def encode(texts: list[str]) -> np.ndarray:
        tokens = tokenizer([t.strip() for t in texts], truncation="longest_first",
                           max_length=longest)
        out = np.zeros((len(texts), int(network.config.hidden_size)), dtype=np.float32)
        for batch in batches([len(ids) for ids in tokens["input_ids"]], TOKENS):
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


def onnx_encoder(folder: str, network_file: Path, longest: int
                 ) -> tuple[Callable[[list[str]], np.ndarray], int]:
    """The same through ONNX Runtime and tokenizers: no PyTorch, no transformers in the
    process (about 400 MB less; README, "Choosing the runtime"). The same token ids
    (tokenizer.json, cut at ``longest`` tokens) and the same pooling, in numpy."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    from .memory import give_back

    tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    tokenizer.no_padding()  # batches are padded here, each to its own longest
    tokenizer.enable_truncation(max_length=longest, strategy="longest_first")
    options = ort.SessionOptions()
    # The arena keeps the largest batch's activations for good; without it they are freed.
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False  # shapes change from batch to batch
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    # Its threads wait for work without spinning: on a shared machine a spinning thread burns
    # a core another process needs (SciFact 0-255, load 5: 5.4-6.2 passages a second
    # spinning, 8.3-8.6 not; a question's median 38-40 ms, 11-21 ms).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    session = ort.InferenceSession(str(network_file), options,
                                   providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    outputs = [o.name for o in session.get_outputs()]
    output = "last_hidden_state" if "last_hidden_state" in outputs else outputs[0]
    pad = tokenizer.token_to_id("[PAD]") or 0

    def encode(texts: list[str]) -> np.ndarray:
        encodings = tokenizer.encode_batch([t.strip() for t in texts])
        out: np.ndarray | None = None
        for batch in batches([len(e.ids) for e in encodings], ONNX_TOKENS):
            width = len(encodings[batch[0]].ids)
            feed = {name: np.zeros((len(batch), width), dtype=np.int64) for name in INPUTS}
            feed["input_ids"][:] = pad
            for row, i in enumerate(batch):
                e = encodings[i]
                feed["input_ids"][row, :len(e.ids)] = e.ids
                feed["attention_mask"][row, :len(e.ids)] = 1
                feed["token_type_ids"][row, :len(e.ids)] = e.type_ids
            hidden = session.run([output], {k: v for k, v in feed.items() if k in inputs})[0]
            mask = feed["attention_mask"][..., None].astype(hidden.dtype)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[batch] = pooled / norms
            del hidden, mask, pooled
            if len(batch) * width >= GIVE_BACK_TOKENS:
                give_back(collect=False)
        assert out is not None
        return out

    dim = int(encode(["dimension"]).shape[1])
    return encode, dim
