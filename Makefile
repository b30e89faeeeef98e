# paperkg: `make demo` builds the sample graph; `make test` runs every test.
# Both create .venv and install what they need, so they work on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  := exports/sample-store.json
SAMPLE := data/sample

.PHONY: demo test lint install dev chromium clean model neo4j-up neo4j-down

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

# The statistical NER (extractors/ner): training data from ../shared/data/external, a CPU
# tok2vec + ner trained with a fixed seed on one thread, the best model copied into the package.
NER_DATA  ?= ../shared/data/external
NER_BUILD := build/ner
NER_MODEL := extractors/models/sci-ner
ONE_THREAD := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 BLIS_NUM_THREADS=1

model: install
	$(ONE_THREAD) $(BIN)/python -m extractors.ner.prepare --data $(NER_DATA) --out $(NER_BUILD)
	rm -rf $(NER_BUILD)/training
	$(ONE_THREAD) $(BIN)/python -m spacy train extractors/ner/config.cfg \
		--code extractors/ner/tokenizer.py --output $(NER_BUILD)/training \
		--paths.train $(NER_BUILD)/train.spacy --paths.dev $(NER_BUILD)/dev.spacy
	rm -rf $(NER_MODEL)
	mkdir -p $(dir $(NER_MODEL))
	cp -r $(NER_BUILD)/training/model-best $(NER_MODEL)

# A CPU NER trained on SciERC train alone with its six labels (extractors/ner/scierc.py), the
# checkpoint with the best SciERC dev F1 kept; `kg eval --suite external` scores it on SciERC test
# beside the published systems. Its tok2vec starts from weights pretrained by `spacy pretrain`
# (the characters objective, extractors/ner/pretrain.py) on the SciERC train abstracts and a fixed
# sample of 10,000 paperlists abstracts, never SciERC dev/test or SciREX text: `make
# scierc-pretrain` (about 16 minutes of one thread) writes them to build/scierc-pretrain, and
# `make scierc-model` runs it first when they are missing.
SCIERC_BUILD := build/scierc-ner
SCIERC_MODEL := extractors/models/scierc-ner
SCIERC_PRETRAIN := build/scierc-pretrain
SCIERC_T2V := $(SCIERC_PRETRAIN)/out/model-last.bin

$(SCIERC_T2V): | install
	$(ONE_THREAD) $(BIN)/python -m extractors.ner.pretrain corpus --data $(NER_DATA) \
		--out $(SCIERC_PRETRAIN)/raw.jsonl
	rm -rf $(SCIERC_PRETRAIN)/out $(SCIERC_PRETRAIN)/out.tmp
	$(ONE_THREAD) $(BIN)/python -m spacy pretrain extractors/ner/scierc.cfg \
		$(SCIERC_PRETRAIN)/out.tmp --code extractors/ner/pretrain.py \
		--paths.raw_text $(SCIERC_PRETRAIN)/raw.jsonl
	mv $(SCIERC_PRETRAIN)/out.tmp $(SCIERC_PRETRAIN)/out

.PHONY: scierc-pretrain scierc-model
scierc-pretrain:
	rm -rf $(SCIERC_PRETRAIN)/out
	$(MAKE) $(SCIERC_T2V)

scierc-model: install | $(SCIERC_T2V)
	$(ONE_THREAD) $(BIN)/python -m extractors.ner.scierc prepare --data $(NER_DATA)/scierc \
		--out $(SCIERC_BUILD)
	rm -rf $(SCIERC_BUILD)/training
	$(ONE_THREAD) $(BIN)/python -m spacy train extractors/ner/scierc.cfg \
		--code extractors/ner/pretrain.py --output $(SCIERC_BUILD)/training \
		--paths.train $(SCIERC_BUILD)/train.spacy --paths.dev $(SCIERC_BUILD)/dev.spacy \
		--paths.init_tok2vec $(SCIERC_T2V)
	rm -rf $(SCIERC_MODEL)
	mkdir -p $(dir $(SCIERC_MODEL))
	cp -r $(SCIERC_BUILD)/training/model-best $(SCIERC_MODEL)

# Throughput and peak RSS of extraction (beside a regex ceiling and an en_core_web_sm-style
# baseline), kg build at 1k/10k/30k/all paperlists papers and kg papers on each store: a table on
# stdout and bench/results/<git short sha>.json. BENCH_ARGS=--quick takes about a minute.
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
