# `make run` sets up and serves the app on SQLite with the article's data; `make test` runs the suite.
# DATABASE_URL=postgres://user:pass@host:5432/name switches either to PostgreSQL.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test lint format messages clean bench bench-exports

$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(INSTALLED)

setup: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_roles
	$(BIN)/python manage.py bootstrap

run: setup
	@echo "Admin: http://$(HOST):$(PORT)/admin/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore='.venv/*' --ignore='tests/*' --ignore='bench/*' --no-obsolete
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# The API against a raw psycopg + orjson reference on PostgreSQL (bench/api.py; BENCH_ARGS="--duration 3
# --repeat 1 --no-million" for a quick run); writes bench/results/api.json and api.png.
bench: $(INSTALLED)
	$(BIN)/python bench/api.py $(BENCH_ARGS)

# Export memory and time as the number of rows grows, in process on SQLite.
bench-exports: $(INSTALLED)
	$(BIN)/python bench/exports.py
