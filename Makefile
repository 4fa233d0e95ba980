# Two commands: `make run` (install, migrate, seed, serve) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python

.PHONY: run test install lint worker bench-pdf

$(BIN)/activate:
	@PY="$$(bash .ci/find-python)" && echo "Using $$PY ($$($$PY --version))" && "$$PY" -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PYTHON) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
	bash .ci/system-deps

run: install
	DJANGO_DEBUG=1 $(PYTHON) manage.py migrate --no-input
	DJANGO_DEBUG=1 $(PYTHON) manage.py seed_demo
	DJANGO_DEBUG=1 $(PYTHON) manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(PYTHON) manage.py makemigrations --check --dry-run

test: install
	bash .ci/system-deps --browser
	$(MAKE) --no-print-directory lint
	eval "$$(bash .ci/services)" && $(BIN)/pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A cvj worker -l info -B  # one render slot per core (Celery's default)

bench-pdf: install
	$(PYTHON) bench/pdf.py
