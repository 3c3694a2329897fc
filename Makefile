# The README's two commands are the contract: `make run` and `make test` work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Development values for `make run`; production sets its own (see docs/deployment.md).
DEV_ENV := DJANGO_DEBUG=1 DATABASE_URL=

.PHONY: help run worker test bench lint format messages compilemessages seed migrate check clean

help:
	@echo "make run    - set up everything and serve the site with the seed content on http://127.0.0.1:$(PORT)/"
	@echo "make test   - set up everything and run the whole test suite (DATABASE_URL selects the database)"
	@echo "make lint   - ruff lint and format check, the import contracts (layers), missing migrations"
	@echo "make messages - update the gettext catalogs (locale/) after changing interface strings"
	@echo "make seed   - (re)load the seed content into the development database"
	@echo "make worker - send queued webhook events (run beside make run, in a second terminal)"
	@echo "make bench  - serve a large generated data set with gunicorn and print requests/s and latency"
	@echo "             next to a hello-world view; instructions per render under valgrind"
	@echo "             (bench/instructions.py); the sitemap's CPU time per file (bench/sitemap.py);"
	@echo "             then export it as an exchange bundle and print time, size and peak memory"

# Python >= 3.12: pyenv's version from .python-version when pyenv is there, else the first
# python3.1x on PATH that is new enough.
PYTHON_BIN := $(shell \
	for c in "$$(pyenv which python 2>/dev/null)" python3.14 python3.13 python3.12 python3; do \
		[ -n "$$c" ] && command -v "$$c" >/dev/null 2>&1 && \
		"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v "$$c"; break; }; \
	done)

$(BIN)/python:
	@if [ -z "$(PYTHON_BIN)" ]; then \
		echo "Twinning CMS needs Python 3.12 or newer. Install it (for example 'pyenv install 3.12.1')" >&2; \
		echo "and run this command again." >&2; exit 1; fi
	"$(PYTHON_BIN)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

# Compiled catalogs are committed; recompile only where a .po is newer than its .mo.
compilemessages:
	@for po in locale/*/LC_MESSAGES/django.po; do \
		[ -f "$$po" ] || continue; mo="$${po%.po}.mo"; \
		if [ ! -f "$$mo" ] || [ "$$po" -nt "$$mo" ]; then \
			if command -v msgfmt >/dev/null; then msgfmt --check -o "$$mo" "$$po"; \
			else echo "warning: $$po is newer than $$mo and msgfmt (Debian: gettext) is missing" >&2; fi; \
		fi; \
	done

migrate: $(VENV)/.installed-runtime
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input

seed: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_seed_content

run: $(VENV)/.installed-runtime compilemessages seed
	$(DEV_ENV) $(BIN)/python manage.py create_demo_staff --base-url http://127.0.0.1:$(PORT)
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Background tasks (webhook deliveries) of the development database; see docs/deployment.md,
# "The background worker".
worker: migrate
	$(DEV_ENV) $(BIN)/python manage.py db_worker

test: $(VENV)/.installed-dev compilemessages
	$(BIN)/python -m pytest

# A throwaway database (SQLite, or <name>_bench beside DATABASE_URL's PostgreSQL); see bench/run.py.
bench: $(VENV)/.installed-runtime compilemessages
	$(BIN)/python bench/run.py
	$(BIN)/python bench/instructions.py
	$(BIN)/python bench/sitemap.py
	$(BIN)/python bench/export_bundle.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.installed-dev
	$(DEV_ENV) $(BIN)/python manage.py makemessages --locale nl --locale en --locale zh_Hans \
		--ignore '.venv/*' --ignore 'static/vendor/*' --no-obsolete
	$(MAKE) compilemessages

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media .pytest_cache .ruff_cache .import_linter_cache
