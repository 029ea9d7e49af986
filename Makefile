# guidepath: the two commands of the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
CASE ?= $(SHARED)/contract/examples/01-sacroiliitis-failed-conservative.case.json

.PHONY: setup run example test lint bench reliability contract screenshots clean

$(BIN)/guidepath: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m guidepath.codes.icd10 --warm
	touch $@

setup: $(BIN)/guidepath

run: setup
	GUIDEPATH_SEED=1 $(BIN)/guidepath serve

example: setup
	$(BIN)/guidepath evaluate $(CASE)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

contract: setup
	$(BIN)/python $(SHARED)/contract/check.py --cmd "$(BIN)/guidepath"

# The suite includes shared/contract/check.py run against the installed command; the store and
# browser tests use a real PostgreSQL and Debian's Chromium, which scripts/test-services.sh
# installs and starts.
test: setup lint
	eval "$$(bash scripts/test-services.sh)" && GUIDEPATH_SHARED=$(SHARED) $(BIN)/pytest

bench: setup
	$(BIN)/python bench/run.py
	$(BIN)/python bench/ask.py
	$(BIN)/python bench/fhir_read.py
	$(BIN)/python bench/batch.py
	GUIDEPATH_SHARED=$(SHARED) $(BIN)/python bench/real_questions.py
	$(BIN)/python bench/load.py

# Issue 14's reliability suite: >=10,000 fuzzed CLI inputs and HTTP requests, /v1/ask at 32
# concurrent clients, a tarpit FHIR server, kill -9 during writes (about 10 minutes).
reliability: setup
	$(BIN)/python bench/reliability.py

# Issue 12: every page at 1280 and 390 px into screenshots/, with axe-core (npm) checking each;
# exits 1 on a serious or critical accessibility violation. Installs Chromium and axe-core first.
screenshots: setup
	bash scripts/test-services.sh >/dev/null
	$(BIN)/python -m tests.e2e.site_tour screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
