# The few commands people type. Each target creates .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint index bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## run: start the bot (in the terminal when no Discord token is configured)
run: $(STAMP)
	$(BIN)/python -m bot

## test: install everything, lint, run the whole test suite
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

## index: (re)build the search index from corpus/
index: $(STAMP)
	$(BIN)/python -m index build

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
