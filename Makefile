# Two commands: `make run` (set up and start the whole stack) and `make test` (set up and pass every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/0

.PHONY: setup run lint test test-fast benchmark-gas chromium clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.installed node_modules/.installed
	$(PY) manage.py build_static

# Debian's chromium for the browser tests (Playwright's own browser download cannot work here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

run: setup
	DEBUG=1 $(PY) manage.py serve

# Lint and format (ruff), types (mypy) and the floors of the house (import-linter); config in pyproject.toml.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Pass 1: everything on the embedded defaults (SQLite, in-memory layer, anvil).
# Pass 2: the tests marked `services` (and `postgres_too`) against the machine's PostgreSQL and Redis.
test: setup chromium lint
	$(PY) -m pytest -m "not services"
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(PY) -m pytest -m "services or postgres_too"

test-fast: setup
	$(PY) -m pytest -m "not services and not browser and not slow"

benchmark-gas: setup
	$(PY) benchmarks/gas.py

clean:
	rm -rf $(VENV) node_modules var contracts/build static/vendor
