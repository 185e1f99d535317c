# The two commands of the README: `make run` and `make test`. Both work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export REXIAN_HOME := $(CURDIR)

.PHONY: run test lint install clean

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

test: lint
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
