"""The seed thread stays perfect on `make attribution`'s own measure (bench/attribution.py):
every hand-judged quote found, nothing else shown as a quote, every outlet right."""

from __future__ import annotations

from bench.attribution import row, seed_gold, seed_tally

from .conftest import SEED


def test_the_seed_judgments_cover_its_quotes() -> None:
    gold = seed_gold(SEED)
    quoted = [text for text, q in gold.paragraphs if q is not None]
    assert len(quoted) == 23 and len(gold.quotes) == 8
    assert [q.outlet for q in gold.quotes] == [
        None, "Reuters", "Reuters", "Reuters", None, "BBC", "Daily Mail", "Asia Times"]


def test_the_seed_is_perfect() -> None:
    tally = seed_tally(seed=SEED)
    assert tally.errors == [], row("seed", tally)
    assert (tally.quoted, tally.shown, tally.hit) == (23, 23, 23)
    assert (tally.outlet_n, tally.outlet_ok, tally.unjudged) == (17, 17, 0)
