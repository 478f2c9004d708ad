# The two commands of the README: `make annotate` (corpus/ -> outputs/) and `make test`.
# Each creates .venv and installs what it needs; nothing downloads during a run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp
# the project's own vi->en packages; with none named, a run picks by kind (pipeline.models.default_rank)
EMBEDDED := $(wildcard models/phrase/*.argosmodel models/embedded/*.argosmodel models/wordbyword/*.argosmodel)

.PHONY: install models annotate test notebook

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	# argostranslate without its Stanza/torch dependencies: we use its package registry only
	$(BIN)/python -m pip install -q --no-deps "argostranslate>=1.9,<2"
	touch $(STAMP)

install: $(STAMP)

# Installs the project's embedded vi->en models from the repository (no network).
models: $(STAMP)
	@for f in $(EMBEDDED); do $(BIN)/vien models install --no-progress --file $$f || exit 1; done

annotate: models
	$(BIN)/vien annotate corpus -o outputs

# Opens notebooks/inspect_entities.ipynb in the project's Jupyter: its python3 kernel is .venv's python
notebook: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[notebook]"
	$(BIN)/jupyter lab notebooks/inspect_entities.ipynb

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(TEST_STAMP)

test: $(TEST_STAMP)
	$(BIN)/python -m pytest
