"""index.encoders through ONNX Runtime (the real model): a question's small forward pass is not
followed by malloc_trim, a large pass is, and both give the same vectors either way."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index import embedding, encoders, memory, onnx_export


def test_only_large_passes_give_memory_back(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    real = memory.give_back

    def counted(*, collect: bool = True) -> bool:
        calls.append(collect)
        return real(collect=collect)
    monkeypatch.setattr(memory, "give_back", counted)  # the encoder imports it when made
    folder = Path(embedding._resolve(embedding.DEFAULT_MODEL))
    encode, _ = encoders.onnx_encoder(str(folder), onnx_export.onnx_file(folder, 256), 256)
    calls.clear()
    question = encode(["can a heart attack hit people under 40?"])
    assert calls == []
    # 8 texts of about 60 tokens: one pass over GIVE_BACK_TOKENS
    passage = " ".join(["container ships queued for a week outside the port"] * 6)
    passages = encode([passage] * 8)
    assert calls == [False]
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-5)
    # The same question after a trimmed pass: the same vector (the trim changes no number).
    together = encode(["can a heart attack hit people under 40?", *[passage] * 8])
    assert np.allclose(together[0], question[0], atol=1e-5)
