# Targets every portfolio project shares, included at the top of the Makefile: written once, so a
# fix reaches all three templates.
#
# `make setup` creates .venv and installs the project with its dev tools; every other target
# runs in that environment, and sets it up first when it is missing or pyproject.toml changed.
# To use an environment of your own instead (activated, conda, CI), pass its interpreter:
# `make test PYTHON=python`.
.DEFAULT_GOAL := help
VENV ?= .venv
# uv when it is installed (10-20x faster), plain venv + pip otherwise.
UV ?= $(shell command -v uv 2>/dev/null)
# Interpreter the environment is created from; empty lets uv choose (UV_PYTHON, then PATH).
BASE_PYTHON ?=
# highest, or lowest-direct to try the lowest versions pyproject.toml allows (needs uv).
RESOLUTION ?= highest
# Optional extras installed beside the dev tools, comma-separated: `make setup EXTRAS=spark`.
EXTRAS ?=
comma := ,
INSTALL_SPEC = '.[dev$(if $(EXTRAS),$(comma)$(EXTRAS))]'

ifeq ($(origin PYTHON),undefined)
PYTHON := $(VENV)/bin/python
ENVIRONMENT := $(VENV)/.installed
else
ENVIRONMENT :=
endif

define create_environment
	$(if $(UV),$(UV) venv --quiet --allow-existing $(if $(BASE_PYTHON),--python $(BASE_PYTHON)) $(VENV),$(or $(BASE_PYTHON),python3) -m venv $(VENV))
	$(if $(UV),$(UV) pip install --quiet --python $(VENV)/bin/python --resolution $(RESOLUTION) -e $(INSTALL_SPEC),$(if $(filter highest,$(RESOLUTION)),$(VENV)/bin/python -m pip install --quiet -e $(INSTALL_SPEC),$(error RESOLUTION=$(RESOLUTION) needs uv: pip install uv)))
	@touch $(VENV)/.installed
	@echo "Environment ready: $(VENV) (make targets use it; or: . $(VENV)/bin/activate)"
endef

.PHONY: help setup test lint format site

help:  ## list the targets
	@echo "Usage: make TARGET   (first time: make setup)"
	@grep -hE '^[a-zA-Z_-]+:.*## ' make/common.mk Makefile | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup:  ## create .venv and install the project with its dev tools (uv if installed, else pip)
	$(create_environment)

$(VENV)/.installed: pyproject.toml
	$(create_environment)

test: $(ENVIRONMENT)  ## the project's own tests
	$(PYTHON) -m pytest

lint: $(ENVIRONMENT)  ## ruff: lint and formatting, as CI runs them
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format: $(ENVIRONMENT)  ## fix what ruff can fix, and format
	$(PYTHON) -m ruff check --fix .
	$(PYTHON) -m ruff format .

site: $(ENVIRONMENT)  ## build site/ from reports/: the results site GitHub Pages serves
	PYTHONPATH=src $(PYTHON) -m {{ cookiecutter.__package }}.site
