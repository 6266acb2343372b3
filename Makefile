# Two commands set everything up on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format clean deploy space-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/python app.py

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# make deploy SPACE=owner/name [HARDWARE=cpu-basic] [DRY_RUN=1] [STAGE=dir]: ZeroGPU unless HARDWARE says
# otherwise; the token comes from HF_TOKEN or `hf auth login`.
deploy: $(VENV)/.run-installed
	@test -n "$(SPACE)" || { echo "usage: make deploy SPACE=owner/name [HARDWARE=...] [DRY_RUN=1] [STAGE=dir]"; exit 2; }
	$(BIN)/python deploy.py $(SPACE) $(if $(HARDWARE),--hardware $(HARDWARE)) $(if $(DRY_RUN),--dry-run) $(if $(STAGE),--stage $(STAGE))

# The ZeroGPU upload set in a fresh Python 3.12 environment built from its own requirements.txt, started
# as a Space starts it, answering /decode, /reconstruct and a two-epoch /train (about 2 minutes).
space-check: $(VENV)/.run-installed
	$(BIN)/python space_check.py

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
