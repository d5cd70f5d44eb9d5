# The few commands people type. Each target creates .venv on first use. Set-up messages go to
# standard error, apart from the answers `make run` prints.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make relevance` (and bench.hybrid_tune, bench.quantization) need ir-measures, kept out of the
# bot's .venv in an environment of its own. (The bot's .venv has SciPy all the same: the
# sentence model's package requires sentence-transformers, which requires SciPy.)
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: run test index bench bench-rebuild bench-build-memory relevance load attribution answers clean

$(STAMP): pyproject.toml
	@echo "Setting up $(VENV) (first run, or pyproject.toml changed)..." >&2
	@$(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@echo "Installing the packages (a minute from a local cache; longer while PyTorch downloads)..." >&2
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@# Compile the ranking kernel into numba's cache now, not on the first question.
	@echo "Compiling the ranking kernel..." >&2
	@$(BIN)/python -c "from index.kernels import warm_up; warm_up().join()"
	@# Export the sentence model to ONNX once (about 10 s, into ~/.cache/sourced), not on the
	@# first build or question; without it, the first load does it.
	@echo "Preparing the sentence model (once, about 10 s)..." >&2
	@$(BIN)/python -c "from index.embedding import warm_up; warm_up()"
	@touch $(STAMP)

$(BENCH_STAMP): pyproject.toml
	@echo "Setting up $(BENCH_VENV) for make relevance (first run, or pyproject.toml changed)..." >&2
	@$(PY) -m venv $(BENCH_VENV)
	@$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[relevance,semantic]'
	@touch $(BENCH_STAMP)

## run: start the bot (in the terminal when no Discord token is configured)
run: $(STAMP)
	@$(BIN)/python -m bot

## test: install everything, lint, type-check, run the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## index: (re)build the search index from corpus/
index: $(STAMP)
	$(BIN)/python -m index build

## bench: the ranking benchmark, BM25 kernels and the served path (tantivy, bm25s, rank-bm25;
## over half an hour)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.ranking

## bench-rebuild: a million passages, one file changed: how soon the rebuilt index serves
bench-rebuild: $(STAMP)
	$(BIN)/python -m bench.rebuild --passages 1000000 --verify

## bench-build-memory: peak memory of a clean build of N passage records in one JSON Lines file
bench-build-memory: $(STAMP)
	$(BIN)/python -m bench.build_memory --passages 200000 1000000

## relevance: SciFact test and the paraphrase set, for BM25 alone, the vectors alone and the hybrid
relevance: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m bench.scifact_eval

## load: 500 questions to the real bot through the fake Discord, quiet and during /reload
load: $(STAMP)
	$(BIN)/python -m bench.load_bot

## attribution: quotes, citations and outlets found, against the shared data's own structure
attribution: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[attribution]'
	$(BIN)/python -m bench.attribution

## answers: on-topic questions get their answering passage, off-topic ones "no good match"?
## (with the passage vectors, as the bot answers; the first run embeds them: 16 min at load 14)
answers: $(STAMP)
	$(BIN)/python -m bench.answers

## clean: remove the environments, caches and the index (rebuilt by the next run); the bot's
## records in data/state.db (feedback, counters) are kept, and so is the sentence model's ONNX
## export in ~/.cache/sourced (shared by every clone; `rm -rf ~/.cache/sourced` removes it)
clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis *.egg-info
	@# Python's byte code and numba's compiled ranking kernel (index/__pycache__).
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -f data/sourced.db data/.sourced.db.building-* data/.sourced.db.ann-* data/.sourced.db.vectors
	@# make answers' copy of the mixed corpus, its index and vectors (rebuilt by the next run).
	rm -rf data/answers-bench
	@# The benchmarks' generated corpora and indexes (bench/*.py --keep, caches).
	rm -rf data/bench
