# Two commands for a newcomer: `make run` and `make test`. See the README.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# pyenv reads .python-version (3.13); without pyenv, the newest python3.x on PATH.
PYTHON ?= $(shell (pyenv which python 2>/dev/null) || command -v python3.13 || command -v python3.12 || command -v python3)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format messages venv seed clean worker beat bench

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
	DEBUG=true $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

seed: venv
	DEBUG=true $(PY) manage.py seed_demo

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
