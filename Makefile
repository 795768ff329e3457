# Zuora -> NetSuite connector. `make run` and `make test` work on a fresh clone:
# they create .venv and install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/layers/zuora_netsuite:$(CURDIR)/functions/dispatcher:$(CURDIR)/functions/sync:$(CURDIR)/functions/webhook:$(CURDIR)/functions/replay:$(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# --- checkov (security scan of template.yaml, in `make lint`) --------------------------------------------
# Its own venv: checkov's pins (boto3 1.35, packaging 23, ...) conflict with requirements-dev.txt.
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

.PHONY: help install run sandbox ops demo-webhook chaos bench contract-zuora contract-netsuite test lint checkov format typecheck unit integration infrastructure e2e build deploy clean

help:
	@echo "make run        one full sync cycle on the embedded local sandbox, with a report (ARGS='--legacy-tenant': no Invoice Settlement)"
	@echo "make sandbox    start the sandbox (make run's data set) in the foreground; prints its endpoints as one JSON line (ARGS='--legacy-tenant')"
	@echo "make ops ARGS='errors'   the operator CLI (python -m connector_cli; docs/runbook.md)"
	@echo "make demo-webhook  an edit in the Zuora sandbox reaches NetSuite through the webhook, no scheduled run"
	@echo "make bench      throughput against NetSuite's concurrency bound, requests per record (docs/performance.md)"
	@echo "make chaos      the fault suite: every fault injected, nothing lost or duplicated (docs/reliability.md)"
	@echo "make test       lint, type check and the whole test suite"
	@echo "make contract-zuora     the Zuora contract suite against a real tenant (ZUORA_CONTRACT_*; docs/contract-tests.md)"
	@echo "make contract-netsuite  the NetSuite contract suite against a real account (NETSUITE_CONTRACT_*)"
	@echo "make build      sam build (the deployable artifacts in .aws-sam/)"
	@echo "make deploy     sam deploy (add ENV=prod for the prod settings in samconfig.toml)"

$(STAMP): requirements-dev.txt layers/zuora_netsuite/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(PY) -m pip install --quiet -r requirements-dev.txt 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	touch $@

install: $(STAMP)

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

lint: $(STAMP) checkov
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
	$(VENV)/bin/mypy layers/zuora_netsuite/zuora_netsuite functions sandbox connector_cli

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

$(SAM_STAMP):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	echo '*' > $(SAM_VENV)/.gitignore  # keeps git and ruff out of it
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli==$(SAM_CLI_VERSION)" 2>&1 | grep -v '^WARNING: Location'; exit $${PIPESTATUS[0]}
	touch $@

build: $(SAM_STAMP)
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
	rm -rf .aws-sam .mypy_cache .ruff_cache .pytest_cache
