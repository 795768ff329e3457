# Zuora -> NetSuite connector. `make run` and `make test` work on a fresh clone:
# they create .venv and install what they need (`make install`: the pinned requirements.lock, then the project
# itself, editable, with its console script .venv/bin/zuora-netsuite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Runtime and development dependencies, every version and hash pinned; written from pyproject.toml by `make lock`.
LOCK := requirements.lock
# The Lambda layer's dependencies for `sam build`, written from pyproject.toml by `make layer-requirements`.
LAYER_REQUIREMENTS := layers/zuora_netsuite/requirements.txt
# `make test` fails below this line coverage (%) of the product code (layers/, functions/, connector_cli/): the
# suite covered 92 % when this floor was set, a few points of room for code moved between layers.
COVERAGE_FLOOR := 88
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Not needed for the commands to work (the editable install puts the source roots on the path); it makes `make` run
# THIS checkout's code when a venv is shared with another checkout (git worktrees), whose editable install points
# elsewhere. The same roots as pyproject.toml's pytest pythonpath.
export PYTHONPATH := $(CURDIR)/layers/zuora_netsuite:$(CURDIR)/functions/dispatcher:$(CURDIR)/functions/sync:$(CURDIR)/functions/webhook:$(CURDIR)/functions/replay:$(CURDIR)/functions/writeback:$(CURDIR)

# --- checkov (security scan of template.yaml, in `make lint`) --------------------------------------------
# Its own venv: checkov's pins (boto3 1.35, packaging 23, ...) conflict with requirements.lock.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
# --skip-download: no call to Prisma Cloud (guideline links only); every finding is decided by template.yaml's
# Metadata (checkov: skip, with the reason) or fixed.
CHECKOV_ARGS := --framework cloudformation --compact --quiet --skip-download

# --- SAM CLI (build / deploy) -------------------------------------------------------------------------
# The SAM CLI lives in its own venv: its pins conflict with the runtime dependencies in .venv.
SAM_CLI_VERSION := 1.170.0
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
ENV ?= default
# ARCH overrides the template's Architecture parameter for the build (the packaging test builds for the
# host with ARCH=x86_64 into its own BUILD_DIR); never deploy such a build, `make deploy` refuses ARCH.
ARCH ?=
BUILD_DIR ?= .aws-sam/build
# sam build (BuildMethod python3.12) needs python3.12 on PATH: the first of these that runs is used.
PYTHON312_CANDIDATES = python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | sort -V -r) /usr/bin/python3.12 /usr/local/bin/python3.12
export SAM_CLI_TELEMETRY := 0

.PHONY: help install lock layer-requirements ruff run sandbox ops demo-webhook chaos bench contract-zuora contract-netsuite test lint checkov format typecheck unit integration infrastructure e2e build deploy clean

help:
	@echo "make run        one full sync cycle on the embedded local sandbox, with a report (ARGS='--legacy-tenant': no Invoice Settlement)"
	@echo "make sandbox    start the sandbox (make run's data set) in the foreground; prints its endpoints as one JSON line (ARGS='--legacy-tenant')"
	@echo "make ops ARGS='errors'   the operator CLI (python -m connector_cli; docs/runbook.md)"
	@echo "make demo-webhook  an edit in the Zuora sandbox reaches NetSuite through the webhook, no scheduled run"
	@echo "make bench      throughput against NetSuite's concurrency bound, requests per record (docs/performance.md)"
	@echo "make chaos      the fault suite: every fault injected, nothing lost or duplicated (docs/reliability.md)"
	@echo "make install    .venv with the pinned dependencies (requirements.lock) and the project, editable"
	@echo "make test       lint, type check and the whole test suite, with coverage"
	@echo "make lint / typecheck   ruff (with complexity limits), checkov / mypy strict; pre-commit runs the same"
	@echo "make lock       re-pin requirements.lock from pyproject.toml (ARGS='--upgrade' to take newer versions)"
	@echo "make layer-requirements  write the layer's requirements.txt from pyproject.toml's dependencies"
	@echo "make contract-zuora     the Zuora contract suite against a real tenant (ZUORA_CONTRACT_*; docs/contract-tests.md)"
	@echo "make contract-netsuite  the NetSuite contract suite against a real account (NETSUITE_CONTRACT_*)"
	@echo "make build      sam build (the deployable artifacts in .aws-sam/)"
	@echo "make deploy     sam deploy (add ENV=prod for the prod settings in samconfig.toml)"

# Re-installs when the lock or pyproject.toml (console script, packages) changes.
$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK) 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	$(PY) -m pip install --quiet --no-deps -e . 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	touch $@

install: $(STAMP)

# Every platform and python >= 3.11 in one file (environment markers), with hashes; keeps the pins already in it
# unless ARGS='--upgrade' (or '--upgrade-package NAME'). Needs only uv (pinned in pyproject.toml's dev extra), so it
# also works before the first install.
lock:
	test -x $(VENV)/bin/uv || { test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install --quiet "$$(grep -o '"uv==[^"]*"' pyproject.toml | tr -d '"')"; }
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes \
	  --custom-compile-command "make lock" --quiet -o $(LOCK) $(ARGS)

$(LAYER_REQUIREMENTS): pyproject.toml tools/layer_requirements.py
	$(PYTHON) tools/layer_requirements.py

layer-requirements:
	$(PYTHON) tools/layer_requirements.py

run: $(STAMP)
	$(PY) -m sandbox run $(ARGS)

sandbox: $(STAMP)
	$(PY) -m sandbox serve $(ARGS)

# The operator CLI (docs/runbook.md): make ops ARGS="errors", make ops ARGS="--stack zuora-netsuite-dev replay --dry-run"
ops: $(STAMP)
	$(PY) -m connector_cli $(ARGS)

demo-webhook: $(STAMP)
	$(PY) -m sandbox.zuora_callouts

# The fault suite (docs/reliability.md): every fault injected on the sandbox, nothing lost or duplicated.
# Options: make chaos ARGS="--seed 3 --invoices 200"
chaos: $(STAMP)
	$(PY) -m sandbox chaos $(ARGS)

# The benchmark (docs/performance.md): make bench ARGS="--records 1000 --caps 5"
bench: $(STAMP)
	$(PY) -m bench $(ARGS)

# The contract suites (docs/contract-tests.md) against a real Zuora tenant / NetSuite account. `make test` runs
# the same tests against the sandbox simulators.
contract-zuora: $(STAMP)
	@for v in ZUORA_CONTRACT_BASE_URL ZUORA_CONTRACT_CLIENT_ID ZUORA_CONTRACT_CLIENT_SECRET ZUORA_CONTRACT_ACCOUNT_ID; do \
	  if [ -z "$${!v:-}" ]; then echo "make contract-zuora: set $$v (docs/contract-tests.md)" >&2; exit 2; fi; done
	$(PY) -m pytest tests/contract/zuora -q

contract-netsuite: $(STAMP)
	@for v in NETSUITE_CONTRACT_ACCOUNT_ID NETSUITE_CONTRACT_CONSUMER_KEY NETSUITE_CONTRACT_CONSUMER_SECRET NETSUITE_CONTRACT_TOKEN_ID NETSUITE_CONTRACT_TOKEN_SECRET; do \
	  if [ -z "$${!v:-}" ]; then echo "make contract-netsuite: set $$v (docs/contract-tests.md)" >&2; exit 2; fi; done
	$(PY) -m pytest tests/contract/netsuite -q

lint: ruff checkov

# ruff's rules, complexity limits included ([tool.ruff] in pyproject.toml; sandbox/ruff.toml for the simulators).
ruff: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	echo '*' > $(CHECKOV_VENV)/.gitignore  # keeps git and ruff out of it
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	touch $@

# Fails on any failed check: each finding is fixed in template.yaml or skipped there with its reason.
checkov: $(CHECKOV_STAMP)
	$(CHECKOV_VENV)/bin/checkov -f template.yaml $(CHECKOV_ARGS)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(STAMP)
	$(VENV)/bin/mypy layers/zuora_netsuite/zuora_netsuite functions sandbox connector_cli tools

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

integration: $(STAMP)
	$(PY) -m pytest tests/integration -q

infrastructure: $(STAMP)
	$(PY) -m pytest tests/infrastructure -q

e2e: $(STAMP)
	$(PY) -m pytest tests/e2e -q

# Coverage of the product code ([tool.coverage] in pyproject.toml), also across the xdist workers.
test: lint typecheck
	$(PY) -m pytest -q -n 2 --dist loadfile --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

$(SAM_STAMP):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	echo '*' > $(SAM_VENV)/.gitignore  # keeps git and ruff out of it
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli==$(SAM_CLI_VERSION)" 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	touch $@

build: $(SAM_STAMP) $(LAYER_REQUIREMENTS)
	@py312=""; for c in $(PYTHON312_CANDIDATES); do \
	  py312="$$("$$c" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' 2>/dev/null)" && break; \
	done; \
	if [ -z "$$py312" ]; then echo "make build: python3.12 not found (install it, e.g. pyenv install 3.12)" >&2; exit 1; fi; \
	echo "sam build with $$py312 (ENV=$(ENV)$(if $(ARCH), ARCH=$(ARCH)))"; \
	PATH="$$(dirname "$$py312"):$$PATH" $(SAM) build --config-env $(ENV) --build-dir $(BUILD_DIR) \
	  $(if $(ARCH),--parameter-overrides Architecture=$(ARCH))

deploy:
	@if [ -n "$(ARCH)" ]; then echo "make deploy: set Architecture in samconfig.toml (build and deploy), not ARCH" >&2; exit 1; fi
	$(MAKE) build BUILD_DIR=.aws-sam/build
	$(SAM) deploy --config-env $(ENV) --template-file .aws-sam/build/template.yaml

clean:
	rm -rf .aws-sam .mypy_cache .ruff_cache .pytest_cache .coverage .coverage.*
