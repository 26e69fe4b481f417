# Tandem: the README's commands. `make run` and `make test` work on a fresh machine with python3.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed-run
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup demo test test-sqlite test-postgres lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The app alone: what `make run` needs on a fresh machine.
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

setup: $(STAMP)

demo: $(RUN_STAMP)
	$(BIN)/tandem migrate --noinput -v 0
	$(BIN)/tandem load_demo

run: demo
	@echo ""
	@echo "Tandem is starting at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/tandem runserver $(HOST):$(PORT)

test: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/bench.sh

clean:
	rm -rf var/tandem.sqlite3 var/demo
