"""The scale benchmarks' realistic vectors (bench.real_vectors): synthetic draws with the real
vectors' statistics, real vectors spread through the index, written in place."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from bench import real_vectors
from index.ann import _read
from index.dense import DenseIndex
from index.embedding import quantize
from index.store import VECTOR_ARRAYS, VectorArrays, arrays_from_rows

from .test_ann import fake_index


def clustered(rng: np.random.Generator, n: int, dim: int = 32) -> np.ndarray:
    """Unit vectors with a shared component and unequal spread, like a model's."""
    v = rng.standard_normal((n, dim)) * np.linspace(0.2, 1.0, dim) + 1.5
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_draws_have_the_real_vectors_mean_and_covariance() -> None:
    rows, scales = quantize(clustered(np.random.default_rng(1), 5000))
    gauss = real_vectors.Gaussian(rows, scales)
    drawn = gauss.draw(np.random.default_rng(2), 20_000)
    assert np.allclose(np.linalg.norm(drawn, axis=1), 1, atol=1e-5)
    real = rows.astype(np.float64) * scales[:, None]
    assert np.abs(drawn.mean(axis=0) - real.mean(axis=0)).max() < 0.01
    assert np.abs(np.cov(drawn, rowvar=False) - np.cov(real, rowvar=False)).max() < 0.002
    # The shared component is there (the old stand-in's vectors lacked a realistic one).
    assert np.linalg.norm(drawn.mean(axis=0)) > 0.9


def test_real_places_are_spread_and_distinct() -> None:
    places = real_vectors.real_places(1000, 7)
    assert places.tolist() == [0, 142, 285, 428, 571, 714, 857]
    assert len(set(real_vectors.real_places(10, 10).tolist())) == 10


def test_install_puts_the_real_rows_in_place_and_drops_the_old_graph(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    db = fake_index(tmp_path, clustered(rng, 2000))
    stale = tmp_path / f".{db.name}.ann-0123"
    stale.write_bytes(b"another index's graph")
    real = quantize(clustered(rng, 50))
    real_vectors.install(db, seed=4, real=real)
    assert not stale.exists()
    assert real_vectors.is_installed(db, seed=4) and not real_vectors.is_installed(db, seed=5)
    with sqlite3.connect(db) as con:
        arrays = arrays_from_rows(con.execute(VECTOR_ARRAYS).fetchall())
    stored = VectorArrays.from_arrays("m", 32, arrays)
    places = real_vectors.real_places(2000, 50)
    assert np.array_equal(stored.rows[places], real[0])
    assert np.array_equal(stored.scales[places], real[1])
    # The keys (what names a graph) are unchanged; every row is a unit vector's.
    assert len(_read(db)[1]) == 2000 * 16
    units = stored.rows.astype(np.float32) * stored.scales[:, None]
    assert np.allclose(np.linalg.norm(units, axis=1), 1, atol=0.02)
    # The same seed gives the same index; the real rows are each other's nearest.
    (tmp_path / "b").mkdir()
    again = fake_index(tmp_path / "b", clustered(np.random.default_rng(3), 2000))
    real_vectors.install(again, seed=4, real=real)
    with sqlite3.connect(again) as con:
        second = VectorArrays.from_arrays("m", 32, arrays_from_rows(
            con.execute(VECTOR_ARRAYS).fetchall()))
    assert np.array_equal(second.rows, stored.rows)
    exact = DenseIndex(stored.rows, stored.scales)
    query = real[0][0].astype(np.float32) * real[1][0]
    assert exact.top_k(query, 1)[0][0] == places[0]
