# Two commands for a user: `make run` and `make test`. Python 3.11 is all they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 0.0.0.0
PORT ?= 5050
WORKERS ?= 3
# Local targets run with DEBUG off but allow the development key (never in production).
export AFTERSERVICE_DEV_KEY_OK ?= 1

.PHONY: run test setup install install-dev migrate seed serve lint format bench fuzz abuse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Demo data only into an empty database (seed_demo itself is idempotent too).
seed: migrate
	@if $(BIN)/python manage.py seed_demo --if-empty; then :; else exit 1; fi

run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn afterservice_site.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --forwarded-allow-ips "127.0.0.1"

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev
	$(BIN)/python bench/run.py $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)

fuzz: install-dev
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

# The bounded-cost attacks replayed against a real gunicorn (devtools/abuse.py, docs/limits.md).
abuse: install-dev
	$(BIN)/python devtools/abuse.py $(ABUSE_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
