# `make demo` and `make test` each work from a fresh clone: they create .venv and
# install the pinned dependencies first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest integrations compat bench reliability clean

$(STAMP): requirements-dev.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/handoff demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench reliability
	$(BIN)/ruff format --check src tests bench reliability

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

# Third-party MCP servers from npm as the gateway's upstreams (needs Node and the npm
# registry, so `make test` does not depend on it; without them those tests skip).
NPM_DIR := $(VENV)/npm
$(NPM_DIR)/.installed: $(STAMP) tests/integrations/npm/package.json tests/integrations/npm/package-lock.json
	mkdir -p $(NPM_DIR)
	cp tests/integrations/npm/package.json tests/integrations/npm/package-lock.json $(NPM_DIR)/
	cd $(NPM_DIR) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

integrations: $(NPM_DIR)/.installed
	$(BIN)/pytest tests/integrations

# The extras at their lowest allowed versions (requirements-compat.txt), resolved fresh
# in a venv of their own, running tests/integrations. Not part of `make test`: it
# installs older releases than the lock file and takes a few minutes.
COMPAT := .venv-compat
$(COMPAT)/.installed: requirements-compat.txt pyproject.toml
	rm -rf $(COMPAT)
	$(PY) -m venv $(COMPAT)
	$(COMPAT)/bin/pip install -q --disable-pip-version-check -e . -r requirements-compat.txt
	touch $@

compat: $(COMPAT)/.installed
	$(COMPAT)/bin/pip freeze | grep -iE '^(mcp|langgraph|openai-agents)=='
	$(COMPAT)/bin/pytest tests/integrations -p no:randomly

$(VENV)/.bench: $(STAMP) requirements-bench.lock
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-bench.lock
	touch $(VENV)/.bench

bench: $(VENV)/.bench
	$(BIN)/python -m bench
	$(BIN)/python -m bench.server
	$(BIN)/python -m bench.learned
	$(BIN)/python -m bench.learn
	$(BIN)/python -m bench.pg

# The reliability suites at full size; each rewrites its figures in docs/RELIABILITY.md.
reliability: $(STAMP)
	$(BIN)/python -m reliability.tamper --runs 100
	$(BIN)/python -m reliability.crash_points --runs 100
	$(BIN)/python -m reliability.double_decide --runs 1000
	$(BIN)/python -m reliability.crash_server --runs 100
	$(BIN)/python -m reliability.hostile --fuzz 300
	$(BIN)/python -m reliability.screen --runs 3
	$(BIN)/python -m reliability.signatures --runs 100
	$(BIN)/python -m reliability.timer_downtime --handoffs 10000
	$(BIN)/python -m reliability.separation --runs 10000
	$(BIN)/python -m reliability.throttle --attempts 1000 --requests 2000
	$(BIN)/python -m reliability.unknown_tools

clean:
	rm -rf $(VENV) $(COMPAT) handoff.db handoff.db-wal handoff.db-shm .mypy_cache .pytest_cache .ruff_cache
