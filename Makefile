# The two commands of the README: `make run` and `make test`.
# Both do their own set-up; running them again reuses what exists.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GR := $(BIN)/grassroots
STAMP := $(VENV)/.installed
CI_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/grassroots
PYTEST_WORKERS ?= 2

.PHONY: run test setup system-packages system-packages-test messages lint format clean

run: setup
	$(GR) migrate --no-input -v 0
	$(GR) load-demo
	$(GR) run

test: system-packages-test $(STAMP) messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS)
ifeq ($(CI),true)
	DATABASE_URL=$${DATABASE_URL:-$(CI_DATABASE_URL)} $(BIN)/pytest -n $(PYTEST_WORKERS)
endif

setup: system-packages $(STAMP) messages

$(STAMP): pyproject.toml agent/pyproject.toml requirements/constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (found %s)" % sys.version.split()[0])'
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@mkdir -p var
	@echo "Installing Python packages into $(VENV) (a few minutes the first time; log in var/pip.log)"
	@$(BIN)/pip install --upgrade pip > var/pip.log 2>&1 || { cat var/pip.log; exit 1; }
	@$(BIN)/pip install -c requirements/constraints.txt -e ./agent -e '.[dev]' >> var/pip.log 2>&1 || { cat var/pip.log; exit 1; }
	@touch $(STAMP)

system-packages:
	@sh scripts/system-packages.sh

system-packages-test:
	@sh scripts/system-packages.sh --test

messages: $(STAMP)
	@cd grassroots && ../$(GR) compilemessages -v 0 --ignore '*/site-packages/*'

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var build *.egg-info agent/*.egg-info
