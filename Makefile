# Everything a fresh machine needs: `make demo` (the main job, offline, CPU) and `make test`.
PYTHON ?= python3
# The CPU build of PyTorch; an unpinned torch pulls gigabytes of CUDA packages.
TORCH_SPEC ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-scispacy lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The core install: pydantic and rapidfuzz only.
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

# Tests, linters and the training stack (plain TRL + PEFT on the CPU).
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q "$(TORCH_SPEC)"
	$(BIN)/python -m pip install -q -e '.[dev,train]'
	touch $(VENV)/.core $@

demo: $(VENV)/.core
	$(BIN)/medreward demo

# The optional scispacy concept linker (medreward[scispacy]) in its own environment: scispacy pins
# numpy<2 and installs about 600 MB. scispacy 0.6.2 needs Python 3.10 to 3.12 (nmslib-metabrainz wheels).
SCISPACY_PYTHON ?= $(PYTHON)
SCISPACY_VENV := .venv-scispacy

$(SCISPACY_VENV)/.scispacy: pyproject.toml
	$(SCISPACY_PYTHON) -c 'import sys; (3, 10) <= sys.version_info[:2] <= (3, 12) or sys.exit("scispacy needs Python 3.10 to 3.12: set SCISPACY_PYTHON")'
	$(SCISPACY_PYTHON) -m venv $(SCISPACY_VENV)
	$(SCISPACY_VENV)/bin/python -m pip install -q --upgrade pip
	$(SCISPACY_VENV)/bin/python -m pip install -q -e '.[scispacy]' pytest hypothesis
	touch $@

# Only this file: pyproject's testpaths and doctests cover the main environment.
test-scispacy: $(SCISPACY_VENV)/.scispacy
	$(SCISPACY_VENV)/bin/python -m pytest -q tests/test_scispacy_linker.py -p no:cacheprovider

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) $(SCISPACY_VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis site
