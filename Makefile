# Switchboard: `make dev` runs the whole system locally, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
TASKS_EMULATOR := .venv-tasks/bin/gcloud-tasks-emulator
# Checkov pins libraries ours pin differently (boto3, packaging): it gets a venv of its own.
CHECKOV := .venv-checkov/bin/checkov
PORT ?= 8080
export PORT

.PHONY: venv dev test unit lint build kommo-widget bench clean chromium screenshots

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	test -x $(TASKS_EMULATOR) || { $(PYTHON) -m venv .venv-tasks && .venv-tasks/bin/python -m pip install -q gcloud-tasks-emulator==0.6.2; }
	test -x $(CHECKOV) || { $(PYTHON) -m venv .venv-checkov && .venv-checkov/bin/python -m pip install -q checkov==3.3.30; }
	touch $@

dev: venv
	$(BIN)/switchboard dev --port $(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(CHECKOV) -d infra/terraform --framework terraform --skip-download --compact --quiet

# The browser tests drive Debian's Chromium (Playwright's own download needs a network we do not assume).
CHROMIUM ?= $(shell command -v chromium || echo /usr/bin/chromium)

chromium:
	@test -x $(CHROMIUM) || { echo "installing Debian's chromium for the browser tests" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: lint chromium
	CHROMIUM_BIN=$(CHROMIUM) $(BIN)/pytest -q

# The screenshots in docs/screenshots/, taken by the browser tests.
screenshots: venv chromium
	SWITCHBOARD_SCREENSHOTS=$(CURDIR)/docs/screenshots CHROMIUM_BIN=$(CHROMIUM) $(BIN)/pytest -q tests/browser

# The fast tier: use cases and entry points over in-memory ports; no emulator, no Java.
unit: venv
	$(BIN)/pytest -q -m "not emulator and not build"

build: venv
	$(BIN)/python scripts/stage_functions.py

bench: venv
	$(BIN)/switchboard bench all

kommo-widget: venv
	$(BIN)/python scripts/build_kommo_widget.py

clean:
	rm -rf build .cache .pytest_cache .mypy_cache .ruff_cache .venv-tasks .venv-checkov
