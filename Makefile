# SPKT — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run test install messages lint bench clean cluster cluster-stop guide

# `PORT=8080 make run` serves on another port.
PORT ?= 8000

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "SPKT: http://127.0.0.1:$(PORT)  (demo accounts in README.md; Ctrl-C stops web, worker and clock)"
	SPKT_PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

test: install
	bash scripts/test.sh

install: $(VENV_STAMP) $(NPM_STAMP) messages

$(VENV_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compile translations with Babel (no system gettext needed).
messages: $(VENV_STAMP)
	$(VENV)/bin/pybabel compile --statistics -d locale -D django

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: install
	bash bench/run_all.sh

# The operator guide's pictures (docs/img/guide), taken by walking the demo in Chromium.
guide: install
	SPKT_GUIDE_DIR=docs/img/guide $(PY) -m pytest -q -p no:cacheprovider spkt/core/tests/test_guide_screens.py

# A production-shaped cluster on this machine (nginx, 2 app servers, 2 consumers, 2 clocks) against
# the local PostgreSQL and Redis: docs/deployment.md section 13.
cluster: install
	bash scripts/cluster.sh start

cluster-stop:
	bash scripts/cluster.sh stop

clean:
	rm -rf $(VENV) node_modules staticfiles
