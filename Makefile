# paperkg: `make demo` builds the sample graph; `make test` runs every test.
# Both create .venv and install what they need, so they work on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  := exports/sample-store.json
SAMPLE := data/sample

.PHONY: demo test lint install dev chromium clean neo4j-up neo4j-down

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

# A Neo4j 5.26 server on bolt://127.0.0.1:$(NEO4J_PORT) (built from Maven Central on first use,
# data kept in services/neo4j/target/data); point kg at it with --backend neo4j.
NEO4J_PORT ?= 7687
neo4j-up:
	PAPERKG_NEO4J_PORT=$(NEO4J_PORT) services/neo4j/run.sh start

neo4j-down:
	PAPERKG_NEO4J_PORT=$(NEO4J_PORT) services/neo4j/run.sh stop

lint: dev
	$(BIN)/ruff check kg extractors tests

clean:
	rm -rf $(VENV) exports/*.json exports/*.ttl exports/*.graphml exports/*.html
