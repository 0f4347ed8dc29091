# Two entry points for a fresh machine: `make demo` and `make test`. Both are idempotent:
# the virtualenv and each install are stamped, so a second run skips work already done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := demo-out

.PHONY: demo test lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Runtime install (no dev tools); re-runs only when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

# Dev install: runtime plus the test, lint and type-check tools.
$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.stamp-run

demo: $(VENV)/.stamp-run
	$(BIN)/rote demo --out $(DEMO_DIR)

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy

unit: $(VENV)/.stamp-dev
	$(BIN)/pytest

test: lint typecheck unit

# Speed and memory figures: each benchmark writes JSON to benchmarks/results/.
bench: $(VENV)/.stamp-run
	$(BIN)/python benchmarks/sandbox_throughput.py
	$(BIN)/python benchmarks/synth_accuracy.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
