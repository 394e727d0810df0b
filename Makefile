# Two commands for a newcomer: `make run` and `make test`. See the README.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv reads .python-version (3.13); without pyenv, the newest python3.x on PATH.
PYTHON ?= $(shell (pyenv which python 2>/dev/null) || command -v python3.13 || command -v python3.12 || command -v python3)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format messages venv seed clean worker beat bench bench-smoke

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "No Python found. Install Python 3.12 or newer (e.g. 'pyenv install 3.13')."; exit 1; fi
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
		echo "Python 3.12 or newer is needed (Django 6); found $$($(PYTHON) --version 2>&1) at $(PYTHON)."; \
		echo "Install it, e.g. 'pyenv install 3.13' (this repository's .python-version selects it)."; exit 1; }
	@if [ ! -x $(PY) ]; then $(PYTHON) -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed

run: venv
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py portal_messages --compile
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

seed: venv
	DEBUG=true $(PY) manage.py seed_demo

# Tests run in parallel, one process per core (-n auto); pass PYTEST_ARGS="-n 0" for one.
test: venv
	$(PY) -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Regenerate the Vietnamese catalogues (needs GNU gettext) and compile them.
messages: venv
	DEBUG=true $(PY) manage.py portal_messages

worker: venv
	$(VENV)/bin/celery -A tracing_portal worker -l info

beat: venv
	$(VENV)/bin/celery -A tracing_portal beat -l info

# Scale benchmark on PostgreSQL: a generated province of 1,000,000 people and 50 million
# sightings (made once, ~25 min), then the hot pages over HTTP on gunicorn. See the README.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:54329/scale
BENCH_SMOKE_DATABASE_URL ?= postgres://postgres@127.0.0.1:54329/scale_smoke
BENCH_ARGS ?=
BENCH_ENV = SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}

bench: venv
	$(PY) -m tracing_portal.core.bench.createdb $(BENCH_DATABASE_URL)
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=true $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=true $(PY) manage.py generate_province --preset full --if-empty
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BENCH_ENV) $(PY) manage.py bench --profile full $(BENCH_ARGS)

# The same end to end on the small CI preset, in about two minutes.
bench-smoke: venv
	$(PY) -m tracing_portal.core.bench.createdb $(BENCH_SMOKE_DATABASE_URL)
	DATABASE_URL=$(BENCH_SMOKE_DATABASE_URL) DEBUG=true $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_SMOKE_DATABASE_URL) DEBUG=true $(PY) manage.py generate_province --preset ci --replace
	DATABASE_URL=$(BENCH_SMOKE_DATABASE_URL) $(BENCH_ENV) $(PY) manage.py bench --profile smoke $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
