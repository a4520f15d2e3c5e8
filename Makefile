# The two commands of the README: `make run` and `make test`.
# Both do their own set-up; running them again reuses what exists.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GR := $(BIN)/grassroots
STAMP := $(VENV)/.installed
CI_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/grassroots
PYTEST_WORKERS ?= 2

# Before anything else: a Python too old (or none) is said in one line.
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),run)),)
PYTHON_FOUND := $(shell $(PYTHON) -c 'import sys; print("ok" if sys.version_info >= (3, 11) else sys.version.split()[0])' 2>/dev/null)
ifeq ($(PYTHON_FOUND),)
$(error No $(PYTHON) here: Python 3.11 or newer is needed (sudo apt-get install python3 python3-venv))
else ifneq ($(PYTHON_FOUND),ok)
$(error Python 3.11 or newer is needed; $(PYTHON) is $(PYTHON_FOUND) (another one: make PYTHON=python3.12 ...))
endif
endif

.PHONY: run test setup system-packages system-packages-test messages pins lint format clean

run: setup
	$(GR) migrate --no-input -v 0
	$(GR) load-demo
	$(GR) run

test: system-packages-test $(STAMP) messages pins
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(PYTEST_WORKERS)
ifeq ($(CI),true)
	DATABASE_URL=$${DATABASE_URL:-$(CI_DATABASE_URL)} $(BIN)/pytest -n $(PYTEST_WORKERS)
endif

setup: system-packages $(STAMP) messages

$(STAMP): pyproject.toml agent/pyproject.toml requirements/constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@mkdir -p var
	@echo "Installing Python packages into $(VENV) (a few minutes the first time; log in var/pip.log)"
	@$(BIN)/pip install --upgrade pip > var/pip.log 2>&1 || { cat var/pip.log; exit 1; }
	@$(BIN)/pip install -c requirements/constraints.txt -e ./agent -e '.[dev]' >> var/pip.log 2>&1 || { cat var/pip.log; exit 1; }
	@touch $(STAMP)

# The pins install on every Python the README names (again when they change),
# and none has a known vulnerability with a fixed release (every time).
pins: var/pins-resolved
	@$(BIN)/python scripts/pins.py audit

var/pins-resolved: $(STAMP) scripts/pins.py
	@$(BIN)/python scripts/pins.py resolve
	@touch $@

system-packages:
	@sh scripts/system-packages.sh

system-packages-test:
	@sh scripts/system-packages.sh --test

messages: $(STAMP)
	@cd grassroots && ../$(GR) compilemessages -v 0 --ignore '*/site-packages/*'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var build *.egg-info agent/*.egg-info
