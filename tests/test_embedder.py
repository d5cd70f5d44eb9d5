"""The embedder's runtime: all-MiniLM-L6-v2 through transformers alone gives
sentence-transformers' vectors (the reference implementation, run here beside it), in batches
bounded by tokens; models of any other make-up go through sentence-transformers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index import embedding, encoders, memory

TEXTS = [
    "The prime minister met the general at the airport.",
    "  Leading and trailing spaces are stripped, as sentence-transformers does.  ",
    "a cat sat on the mat",
    # Longer than the model's 256 tokens: cut there, as sentence-transformers cuts it.
    " ".join(f"word{i} of a very long passage about harbour strikes" for i in range(120)),
    "Short.",
    "Myocardial infarction is rare before forty, but smoking and cocaine use raise the "
    "incidence sharply. Coronary arteries blocked by a clot starve the muscle of oxygen.",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(embedding._resolve(embedding.DEFAULT_MODEL), device="cpu")
    return np.asarray(model.encode(TEXTS, batch_size=32, normalize_embeddings=True,
                                   convert_to_numpy=True), dtype=np.float32)


def test_the_default_model_runs_without_sentence_transformers() -> None:
    folder = Path(embedding._resolve(embedding.DEFAULT_MODEL))
    assert embedding.mean_pooled(folder) == 256


def test_its_vectors_are_sentence_transformers_vectors(reference: np.ndarray,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    model = embedding.load()
    got = model.embed(TEXTS)
    assert got.shape == (len(TEXTS), 384) and got.dtype == np.float32
    assert np.abs(got - reference).max() < 1e-5
    # Batches of a few tokens only (one text each here): the same vectors.
    monkeypatch.setattr(encoders, "TOKENS", 8)
    monkeypatch.setattr(encoders, "ONNX_TOKENS", 8)
    assert np.abs(model.embed(TEXTS) - reference).max() < 1e-5
    # Each text alone, in another order: the same vectors, each in its own row.
    alone = np.concatenate([model.embed([t]) for t in reversed(TEXTS)])[::-1]
    assert np.abs(alone - reference).max() < 1e-5


def _folder(tmp: Path, modules: list[str], pooling: dict[str, object],
            st: dict[str, object] | None = None, lower: bool = False) -> Path:
    (tmp / "1_Pooling").mkdir(parents=True)
    paths = {"Transformer": "", "Pooling": "1_Pooling", "Normalize": "2_Normalize",
             "Dense": "2_Dense"}
    (tmp / "modules.json").write_text(json.dumps([
        {"idx": i, "name": str(i), "path": paths[kind],
         "type": f"sentence_transformers.models.{kind}"} for i, kind in enumerate(modules)]))
    (tmp / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    (tmp / "sentence_bert_config.json").write_text(json.dumps(
        {"max_seq_length": 128, "do_lower_case": lower}))
    if st is not None:
        (tmp / "config_sentence_transformers.json").write_text(json.dumps(st))
    return tmp


MEAN = {"word_embedding_dimension": 384, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False}


@pytest.mark.parametrize(("modules", "pooling", "st", "lower", "expected"), [
    (["Transformer", "Pooling", "Normalize"], MEAN, None, False, 128),
    (["Transformer", "Pooling"], MEAN, {"prompts": {}}, False, 128),
    (["Transformer", "Pooling", "Normalize"],
     {**MEAN, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}, None, False,
     None),
    (["Transformer", "Pooling", "Normalize"], {**MEAN, "pooling_mode_max_tokens": True}, None,
     False, None),
    (["Transformer", "Pooling", "Dense", "Normalize"], MEAN, None, False, None),
    (["Transformer", "Pooling", "Normalize"], MEAN, {"prompts": {"query": "query: "}}, False,
     None),
    (["Transformer", "Pooling", "Normalize"], MEAN, None, True, None),
])
def test_only_mean_pooled_models_skip_sentence_transformers(
        tmp_path: Path, modules: list[str], pooling: dict[str, object],
        st: dict[str, object] | None, lower: bool, expected: int | None) -> None:
    assert embedding.mean_pooled(_folder(tmp_path, modules, pooling, st, lower)) == expected


def test_a_folder_that_is_no_model_is_unavailable(tmp_path: Path) -> None:
    assert embedding.mean_pooled(tmp_path) is None
    folder = _folder(tmp_path / "broken", ["Transformer", "Pooling", "Normalize"], MEAN)
    (folder / "config.json").write_text("{not json")  # the transformer's own files are bad
    with pytest.raises(embedding.EmbeddingUnavailable, match="cannot load the model"):
        embedding.load(str(folder))


def test_memory_is_given_back_on_glibc() -> None:
    import platform

    assert memory.give_back() == (platform.libc_ver()[0] == "glibc")
