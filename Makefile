# The two commands of the README: `make annotate` (corpus/ -> outputs/) and `make test`.
# Each creates .venv and installs what it needs; nothing downloads during a run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EMBEDDED := models/embedded/translate-vi_en-vien_embedded.argosmodel

.PHONY: install models annotate test clean-outputs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	# argostranslate without its Stanza/torch dependencies: we use its package registry only
	$(BIN)/python -m pip install -q --no-deps "argostranslate>=1.9,<2"
	touch $(STAMP)

install: $(STAMP)

# Installs the project's embedded vi->en model from the repository (no network).
models: $(STAMP)
	$(BIN)/vien models install --file $(EMBEDDED)

annotate: models
	$(BIN)/vien annotate corpus -o outputs

test: $(STAMP)
	$(BIN)/python -m pytest
