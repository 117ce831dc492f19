# Briefings: `make run` (live network), `make demo` (offline), `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DATA := var/demo
LINT_PATHS := briefings tests $(wildcard bench)

.PHONY: help setup run demo test test-postgres lint format bench bench-deps lock clean

help:
	@echo "make run    set up, then run the site and the feed scheduler on the member papers' live feeds"
	@echo "make demo   set up, then run everything offline against the demo network"
	@echo "make test   set up, then run every test"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make lint   ruff check and format check"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Briefings needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/briefings migrate --no-input -v0
	$(BIN)/briefings sync_network
	$(BIN)/briefings run

demo: $(STAMP)
	BRIEFINGS_DATA_DIR=$(DEMO_DATA) $(BIN)/briefings migrate --no-input -v0
	BRIEFINGS_DATA_DIR=$(DEMO_DATA) $(BIN)/briefings demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(STAMP)
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

# The benchmarks' outside tools, from Debian: wrk and nginx (site), Postfix's
# smtp-sink and smtp-source (newsletter delivery); the comparison libraries.
bench-deps: $(STAMP)
	@command -v wrk >/dev/null && command -v nginx >/dev/null && test -x /usr/sbin/smtp-sink || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light postfix)
	$(BIN)/python -m pip install --quiet fastfeedparser newspaper4k readability-lxml goose3

bench: bench-deps
	$(BIN)/python bench/run_all.py

# Re-pin every dependency (needs the registry): a fresh venv, install, freeze.
lock:
	rm -rf var/lockvenv
	$(PYTHON) -m venv var/lockvenv
	var/lockvenv/bin/python -m pip install --quiet --upgrade pip setuptools
	var/lockvenv/bin/python -m pip install --quiet ".[test]"
	var/lockvenv/bin/python -m pip freeze --all --exclude briefings --exclude pip > requirements.lock
	rm -rf var/lockvenv

clean:
	rm -rf $(VENV) var/lockvenv .pytest_cache .ruff_cache
