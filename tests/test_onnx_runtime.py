"""The default model through ONNX Runtime: the same token ids and vectors as transformers on
PyTorch (the real model, both run here), its ONNX file exported once and cached (a partial or
corrupt file is exported again, never used), a folder's own ONNX file used as it is, and
PyTorch when onnxruntime is missing."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import embedding, encoders, onnx_export

TEXTS = [
    "Why was Qāsem Soleimani in Baghdad on the day he was killed?",
    "  Kata’ib Hezbollah, “Soleimani's” men — and the PMF's role.  ",
    "Myocardial infarction is rare before forty 🫀, but smoking raises the incidence.",
    "北京 and Tōkyō: accents, CJK and emoji are tokenized as transformers does.",
    # Longer than the model's 256 tokens: cut there by both tokenizers.
    " ".join(f"word{i} of a very long passage about harbour strikes" for i in range(120)),
    "a",
    "",
]


@pytest.fixture(scope="module")
def folder() -> Path:
    return Path(embedding._resolve(embedding.DEFAULT_MODEL))


@pytest.fixture(scope="module")
def torch_vectors(folder: Path) -> np.ndarray:
    encode, _ = encoders.transformers_encoder(str(folder), 256)
    return encode(TEXTS)


def test_the_default_model_runs_on_onnx_runtime_with_pytorchs_vectors(
        torch_vectors: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> None:
    model = embedding.load()
    assert model.runtime == "onnxruntime" and model.name == embedding.DEFAULT_MODEL
    got = model.embed(TEXTS)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.abs(got - torch_vectors).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)
    # Small batches (one text each) and each text alone: the same rows.
    monkeypatch.setattr(encoders, "TOKENS", 8)
    monkeypatch.setattr(encoders, "ONNX_TOKENS", 8)
    assert np.abs(model.embed(TEXTS) - torch_vectors).max() < 1e-5
    alone = np.concatenate([model.embed([t]) for t in TEXTS])
    assert np.abs(alone - torch_vectors).max() < 1e-5


def test_the_token_ids_are_transformers_token_ids(folder: Path) -> None:
    from tokenizers import Tokenizer
    from transformers import AutoTokenizer

    texts = [t.strip() for t in TEXTS]
    expected = AutoTokenizer.from_pretrained(str(folder))(
        texts, truncation="longest_first", max_length=256)["input_ids"]
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256, strategy="longest_first")
    got = [e.ids for e in tokenizer.encode_batch(texts)]
    assert got == expected
    assert len(got[4]) == 256 and got[6] == [101, 102]  # cut at 256; the empty text: [CLS] [SEP]


def test_the_export_is_cached_and_a_broken_file_is_exported_again(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        onnx_cache: Path) -> None:
    first = onnx_export.onnx_file(folder, 256)  # the session's export (made here if not yet)
    record = json.loads((first.parent / "export.json").read_text())
    assert record["largest_difference"] <= onnx_export.TOLERANCE
    # A second call reuses it without starting the export.
    real_run = subprocess.run

    def no_export(*args: object, **kwargs: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_export.subprocess, "run", no_export)
    assert onnx_export.onnx_file(folder, 256) == first
    # In a copy of the cache: a file changed in place (same size) is not used...
    monkeypatch.setenv("SOURCED_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "cache" / "onnx" / first.parent.name
    shutil.copytree(first.parent, copy)
    data = bytearray(first.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / "model.onnx").write_bytes(bytes(data))
    assert onnx_export.cached(folder) is None
    # ...and a partial one is exported again, whole and checked, then used.
    (copy / "model.onnx").write_bytes(bytes(data[:len(data) // 3]))
    monkeypatch.setattr(onnx_export.subprocess, "run", real_run)
    again = onnx_export.onnx_file(folder, 256)
    assert again == copy / "model.onnx" and again.stat().st_size == first.stat().st_size
    assert onnx_export.cached(folder) == again
    encode, _ = encoders.onnx_encoder(str(folder), again, 256)
    assert np.abs(encode(TEXTS[:2]) - encoders.onnx_encoder(str(folder), first, 256)[0](
        TEXTS[:2])).max() < 1e-5
    assert not [p for p in copy.parent.iterdir() if p.name.startswith(".export-")]


def test_a_folders_own_onnx_file_is_used_as_it_is(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        torch_vectors: np.ndarray) -> None:
    exported = onnx_export.onnx_file(folder, 256)
    own = tmp_path / "model"
    shutil.copytree(folder, own)
    (own / "onnx").mkdir()
    shutil.copyfile(exported, own / "onnx" / "model.onnx")
    monkeypatch.setenv("SOURCED_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setattr(embedding, "_loaded", {})
    model = embedding.load(str(own))
    assert model.runtime == "onnxruntime"
    assert np.abs(model.embed(TEXTS) - torch_vectors).max() < 1e-5
    assert not (tmp_path / "empty-cache").exists()  # nothing exported


def test_without_onnxruntime_pytorch_computes_the_same_vectors(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
        torch_vectors: np.ndarray) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime: ImportError
    monkeypatch.setattr(embedding, "_loaded", {})
    monkeypatch.setattr(embedding, "_said", False)
    with caplog.at_level(logging.WARNING, logger="index.embedding"):
        model = embedding.load()
        embedding._loaded.clear()
        embedding.load()
    assert model.runtime == "transformers"
    said = [r.getMessage() for r in caplog.records if "not ONNX Runtime" in r.getMessage()]
    assert len(said) == 1 and "onnxruntime" in said[0]
    assert np.abs(model.embed(TEXTS) - torch_vectors).max() < 1e-5
