# Two commands matter: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FLASK_APP := fieldapp

PO_FILES := $(wildcard fieldapp/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
# The phone's scripts are bundled from these (fieldapp/bundle.py); a new module is found by itself.
JS_SOURCES := $(shell find static/js -name '*.js') $(shell find templates -name '*.html')

.PHONY: run test deps dev-deps node bundle translations instance chromium fonts lint bench extract-messages clean

run: deps node bundle translations instance fonts
	$(BIN)/flask init-db
	$(BIN)/flask demo-data --if-empty
	@echo ""
	@echo "fieldapp is starting on http://127.0.0.1:$(PORT)/ (listening on 0.0.0.0:$(PORT))"
	@echo "Demo accounts (user / password): tech / tech, tech2 / tech2, super / super, admin / admin"
	@echo ""
	@# With REPLICA_URL set, Litestream supervises gunicorn (replica_cli.py); without, this is gunicorn.
	$(BIN)/flask replica exec -- $(BIN)/gunicorn --config fieldapp/gunicorn_conf.py --bind 0.0.0.0:$(PORT) wsgi:app

test: dev-deps node bundle translations chromium fonts
	$(BIN)/ruff check fieldapp tests bench wsgi.py
	$(BIN)/pytest

bench: dev-deps node bundle translations
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lint: dev-deps
	$(BIN)/ruff check fieldapp tests bench wsgi.py
	$(BIN)/ruff format --check fieldapp tests bench wsgi.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { apt-get update && apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip

deps: $(VENV)/.deps
$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

dev-deps: $(VENV)/.dev-deps
$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.deps $@

node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# One file per phone page instead of ~30 modules, each a round trip on 2G (docs/technician.md).
# Pages load the modules themselves until this has run, and again after any edit to them.
bundle: static/dist/manifest.json
static/dist/manifest.json: $(JS_SOURCES) node_modules/.installed | deps
	$(BIN)/python -m fieldapp.bundle

translations: $(MO_FILES)
%.mo: %.po | deps
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ --statistics 2>&1 | tail -1

# Secrets are generated once per machine and never committed (instance/ is ignored).
instance: instance/config.py
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}"); print(f"TAG_KEYS = {{1: {secrets.token_hex(32)!r}}}")' > $@
	chmod 600 $@

chromium:
	@command -v chromium >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# QR label sheets print Kazakh and Russian names: DejaVu has every Cyrillic letter they need.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-dejavu-core; }

extract-messages: deps
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -o fieldapp/translations/messages.pot .
	$(BIN)/pybabel update -i fieldapp/translations/messages.pot -d fieldapp/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules static/dist
