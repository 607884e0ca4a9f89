# Targets every portfolio project shares, included by the Makefile: written once, so a fix
# reaches all three templates. Recipes run through $(PYTHON) like the project's own.
PYTHON ?= python

.PHONY: test lint format

test:  ## the project's own tests
	$(PYTHON) -m pytest

lint:  ## ruff: lint and formatting, as CI runs them
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format:  ## fix what ruff can fix, and format
	$(PYTHON) -m ruff check --fix .
	$(PYTHON) -m ruff format .

