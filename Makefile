# 药械集采平台 — everything a newcomer needs is `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist; each has its own test database): one more than the cores, because each waits on the
# database, the browser or a worker part of the time (2 cores: 3 processes, 6.9 min against 8.8 with 2).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1)')
BENCH_ARGS ?=


.PHONY: help setup assets browser run serve test worker beat dev lint fmt bench migrate seed clean db-status db-stop

help:
	@echo "make run     set up (virtualenv, dependencies, migrations, demo data) and serve on http://$(HOST):$(PORT)/"
	@echo "make test    set up and run the test suite (on the embedded PostgreSQL; on DATABASE_URL's server when set)"
	@echo "make db-stop stop the embedded PostgreSQL (var/postgres/)   make db-status  its state"
	@echo "make worker  Celery worker (needs REDIS_URL)      make beat   Celery beat scheduler"
	@echo "make dev     web + worker + beat together (honcho, Procfile)"
	@echo "make lint    ruff                                 make bench  benchmarks (PostgreSQL)"

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

setup: $(STAMP) assets

# Offline page assets that come from system packages (the Mongolian font); never from a CDN.
assets:
	@sh scripts/fetch_assets.sh

# Debian's Chromium and fonts for the browser tests (installed when missing and possible).
browser:
	@sh scripts/install_browser.sh

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo "\n药械集采平台 → http://$(HOST):$(PORT)/   (sign in with a demo login below; then API docs at /api/docs/, admin at /admin/)"
	@test -n "$$DATABASE_URL" || echo "The embedded PostgreSQL (var/postgres/) keeps running after this; make db-stop stops it."
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: run

# In parallel, a test database per process, made anew each run: a kept one (--reuse-db) comes back without the rows
# the data migrations load (regions, roles, schedules), which the transactional tests flush. The tests that start a
# real Celery worker share one xdist worker (loadgroup). pytest's exit status is make's: "no tests ran" (5) fails too.
test: setup browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(PYTEST_ARGS)

worker: setup
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2} $${CELERY_QUEUES:+-Q $$CELERY_QUEUES}

beat: setup
	$(BIN)/celery -A config beat --loglevel=INFO

dev: migrate
	$(BIN)/honcho start

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmarks' own database: DATABASE_URL's (its name must contain "bench"), or yaoxie_bench on the embedded server.
bench: setup
	EMBEDDED_DATABASE_NAME=$${EMBEDDED_DATABASE_NAME:-yaoxie_bench} $(BIN)/python -m bench $(BENCH_ARGS)

# The embedded PostgreSQL (DATABASE_URL unset) starts on first use and keeps running for the next command.
db-status:
	@test ! -x $(BIN)/python || env -u DATABASE_URL $(BIN)/python manage.py embedded_db status

db-stop:
	@test ! -x $(BIN)/python || env -u DATABASE_URL $(BIN)/python manage.py embedded_db stop

clean: db-stop
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
