# Zuora -> NetSuite connector. `make run` and `make test` work on a fresh clone:
# they create .venv and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/layers/zuora_netsuite:$(CURDIR)/functions/dispatcher:$(CURDIR)/functions/sync:$(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run sandbox test lint format typecheck unit integration infrastructure e2e build deploy clean

help:
	@echo "make run        one full sync cycle on the embedded local sandbox, with a report"
	@echo "make sandbox    start the sandbox in the foreground; prints its endpoints as one JSON line"
	@echo "make test       lint, type check and the whole test suite"
	@echo "make build      sam build (the deployable artifacts in .aws-sam/)"
	@echo "make deploy     sam deploy (add ENV=prod for the prod settings in samconfig.toml)"

$(STAMP): requirements-dev.txt layers/zuora_netsuite/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(PY) -m pip install --quiet -r requirements-dev.txt 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(PY) -m sandbox run

sandbox: $(STAMP)
	$(PY) -m sandbox serve

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(STAMP)
	$(VENV)/bin/mypy layers/zuora_netsuite/zuora_netsuite functions sandbox

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

integration: $(STAMP)
	$(PY) -m pytest tests/integration -q

infrastructure: $(STAMP)
	$(PY) -m pytest tests/infrastructure -q

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e -q

test: lint typecheck
	$(PY) -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf .aws-sam .mypy_cache .ruff_cache .pytest_cache
