# paperkg: `make demo` builds the sample graph; `make test` runs every test.
# Both create .venv and install what they need, so they work on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  := exports/sample-store.json
SAMPLE := data/sample

.PHONY: demo test lint install dev chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

chromium:
	bash scripts/install-chromium.sh

demo: install
	rm -f $(STORE)
	$(BIN)/kg build $(SAMPLE) --store $(STORE)
	$(BIN)/kg export turtle -o exports/graph.ttl --store $(STORE)
	$(BIN)/kg export graphml -o exports/graph.graphml --store $(STORE)
	$(BIN)/kg export html -o exports/graph.html --store $(STORE)
	$(BIN)/kg stats --store $(STORE)
	@echo "--- which papers use dataset GLUE?"
	$(BIN)/kg papers --dataset GLUE --store $(STORE)

test: dev chromium
	$(BIN)/ruff check kg extractors tests
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check kg extractors tests

clean:
	rm -rf $(VENV) exports/*.json exports/*.ttl exports/*.graphml exports/*.html
