# Two commands for a user: `make run` and `make test`. Python 3.11 is all they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 0.0.0.0
PORT ?= 5050
WORKERS ?= 3

.PHONY: run test setup install install-dev migrate seed serve lint format bench bench-smoke fuzz abuse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# This checkout's own settings (git-ignored): a random SECRET_KEY for local runs and commands.
.env:
	@$(PYTHON) -c "import secrets; print('# Local settings written by make (never used in production).'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > $@

$(VENV)/.installed: requirements.txt $(BIN)/python | .env
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

# gunicorn and one background worker (webhook deliveries, periodic sweeps: docs/webhooks.md).
# Ctrl-C stops both: the shell's traps stop the worker when gunicorn ends, however it ends.
run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py start_schedules
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn afterservice_site.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) --forwarded-allow-ips "127.0.0.1"

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# SCALE=N: one scale; SCALES=10000,1000000: several side by side (bench/run.py --help).
bench: install-dev
	$(BIN)/python bench/run.py $(if $(SCALE),--scale $(SCALE)) $(if $(SCALES),--scales $(SCALES)) $(BENCH_ARGS)

# Two small scales, every scenario once, briefly: the seeder, the servers and every hot path still
# work (CI); figures from it mean nothing.
bench-smoke: install-dev
	$(BIN)/python bench/run.py --scales 500,1500 --duration 1 --warmup 0.5 --rounds 1 $(BENCH_ARGS)

fuzz: install-dev
	$(BIN)/python fuzz/run.py $(FUZZ_ARGS)

# The bounded-cost attacks replayed against a real gunicorn (devtools/abuse.py, docs/limits.md).
abuse: install-dev
	$(BIN)/python devtools/abuse.py $(ABUSE_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
