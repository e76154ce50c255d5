# Service Scorecard: the commands a newcomer can guess.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/scorecard.duckdb
PORT ?= 8501

.PHONY: setup run demo test test-fast lint bench golden clean

setup: $(BIN)/scorecard

# Re-installs only when pyproject.toml changes, so `make setup` is cheap and idempotent.
$(BIN)/scorecard: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/scorecard

demo: setup
	$(BIN)/scorecard demo --db $(DB)

# Sample data only into a database that does not exist yet: never into your own data.
$(DB): | $(BIN)/scorecard
	$(BIN)/scorecard demo --db $(DB)

run: setup $(DB)
	$(BIN)/scorecard serve --db $(DB) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not browser and not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy database ingest metrics dashboard cli

bench: setup
	$(BIN)/python bench/ingest.py --memory
	$(BIN)/python bench/metrics.py --floor
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/store.py

golden: setup
	$(BIN)/python -m pytest -q tests/test_export_golden.py --update-golden

clean:
	rm -rf $(VENV) data/*.duckdb data/*.wal .pytest_cache
