# The two commands of the README: `make run` and `make test`. Both work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export REXIAN_HOME := $(CURDIR)

.PHONY: run test lint install clean browser screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/rexian migrate --noinput
	$(BIN)/rexian demo --if-empty
	@echo ""
	@echo "Rexian 热线 demo: http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/api/v1/docs   admin: /admin/"
	@echo "Demo logins (password: $${REXIAN_DEMO_PASSWORD:-demo12345}):"
	@echo "  admin (centre admin, superuser)  intake1 intake2 (受理员)  dispatch1 (派单员)  lead1 (值班长)"
	@echo "  review1 (审核员)  callback1 (回访员)  qc1 (质检员)  leader1 (市领导, read-only)"
	@echo "  h_<unit code> for every unit, e.g. h_d_hrss, h_x_qingshan — list: $(BIN)/rexian demo-logins"
	@echo ""
	$(BIN)/rexian serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# The browser tests need Chromium and CJK fonts: install them from Debian's packages where we may.
BROWSER_PACKAGES := chromium fonts-noto-cjk
browser:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "CJK"; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	if [ "$$SUDO" = none ] || ! command -v apt-get >/dev/null 2>&1; then \
		echo "== Chromium or CJK fonts missing and apt-get is not available to us: browser tests will be skipped"; \
		echo "   (install them with: apt-get install $(BROWSER_PACKAGES))"; exit 0; fi; \
	echo "== installing $(BROWSER_PACKAGES) for the browser tests (apt-get)"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$SUDO apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1 || \
	{ $$SUDO apt-get update -q >/dev/null 2>&1 && $$SUDO apt-get install -y -q $(BROWSER_PACKAGES) >/dev/null 2>&1; } || \
	echo "== could not install $(BROWSER_PACKAGES): browser tests will be skipped"

# The README's screenshots, taken by the browser tests.
screenshots: $(VENV)/.installed-dev browser
	mkdir -p var docs/screenshots
	REXIAN_SCREENSHOT_DIR=docs/screenshots DATABASE_URL= $(BIN)/pytest -q tests/e2e

test: lint browser
	mkdir -p var
	@echo "== pytest on SQLite"
	DATABASE_URL= $(BIN)/pytest -q
	@PG_URL=$$($(BIN)/python scripts/find_postgres.py) || exit 1; \
	if [ -n "$$PG_URL" ]; then \
		echo "== pytest on PostgreSQL ($$PG_URL)"; \
		DATABASE_URL=$$PG_URL $(BIN)/pytest -q || exit 1; \
	else \
		echo "== no PostgreSQL answers: skipped the PostgreSQL run (set DATABASE_URL to use one)"; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache
