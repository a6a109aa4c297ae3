# Kept — two commands: `make run` (demo on SQLite at http://127.0.0.1:8000) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
ADDR ?= 127.0.0.1:8000
export KEPT_DATA_DIR ?= $(CURDIR)/data

.PHONY: run test install install-dev system-deps browser-deps lint migrations-check test-sqlite test-postgres test-browser messages clean

$(BIN)/kept: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(BIN)/kept
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/kept

install-dev: $(VENV)/.dev-installed system-deps

## Run Kept with demo data on SQLite.
run: install
	KEPT_DEBUG=1 $(BIN)/kept migrate --quiet
	KEPT_DEBUG=1 $(BIN)/kept demo --if-empty
	@echo "Kept is at http://$(ADDR)/"
	KEPT_DEBUG=1 $(BIN)/kept serve $(ADDR)

## Debian packages for the tests: Chromium for the browser tests (Playwright drives it; nothing
## is downloaded at run time), a CJK font for readable screenshots, gettext for the catalogue check.
SYSTEM_PACKAGES := chromium fonts-wqy-zenhei gettext
system-deps:
	@dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }
	@command -v chromium >/dev/null && chromium --version

browser-deps: system-deps

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests conftest.py
	$(BIN)/ruff format --check src tests conftest.py

migrations-check: $(VENV)/.dev-installed
	KEPT_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	KEPT_DEBUG=1 $(BIN)/python manage.py check

test-sqlite: $(VENV)/.dev-installed
	KEPT_DEBUG=1 KEPT_DATABASE_URL= $(BIN)/pytest -m "not browser" -n 2 -q

## On PostgreSQL at $(PG_URL). Skipped with a message when no server answers, except under CI.
test-postgres: $(VENV)/.dev-installed
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  KEPT_DEBUG=1 KEPT_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser" -n 2 -q; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL at $(PG_URL) is not reachable; CI needs it." >&2; exit 1; \
	else echo "SKIPPED: the PostgreSQL suite (no server at $(PG_URL))."; fi

test-browser: install-dev
	KEPT_DEBUG=1 KEPT_DATABASE_URL= $(BIN)/pytest -m browser -q

## Everything CI runs: lint, migrations, the suite on SQLite and PostgreSQL, the browser tests.
test: install-dev lint migrations-check test-sqlite test-postgres test-browser

messages: $(VENV)/.dev-installed
	cd src/kept && KEPT_DEBUG=1 ../../$(BIN)/python ../../manage.py makemessages -l zh_Hans -l en --no-obsolete --no-location
	cd src/kept && KEPT_DEBUG=1 ../../$(BIN)/python ../../manage.py compilemessages

clean:
	rm -rf $(VENV) data .pytest_cache
