# Puente: `make demo` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PUENTE := $(BIN)/puente
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install install-test demo serve test test-fast test-replica lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install: $(STAMP)

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install-test: $(TEST_STAMP)

demo: install
	PUENTE_DEBUG=1 $(PUENTE) migrate --noinput
	PUENTE_DEBUG=1 $(PUENTE) demo-data
	PUENTE_DEBUG=1 bash -c 'trap "kill 0" EXIT; $(PUENTE) worker & $(PUENTE) runserver 127.0.0.1:8000'

# Browser tests run in their own pytest process: they need a committed (transactional)
# database, which is emptied after them. So does the product walk (docs/testing.md): the
# demo response committed once for all its cases.
test: install-test
	$(BIN)/python -m pytest -m "not browser and not walk and not replica"
	$(BIN)/python -m pytest -m walk tests/walk
	$(BIN)/python -m pytest -m browser tests/browser

test-fast: install-test
	$(BIN)/python -m pytest -m "not browser and not walk and not replica"

# Reads from a PostgreSQL streaming replica: starts its own primary and standby
# (scripts/pg-replica); needs PostgreSQL's server binaries (initdb, pg_ctl, pg_basebackup).
test-replica: install-test
	$(BIN)/python -m pytest -m replica tests/replica

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

messages: install-test
	cd puente && ../$(PUENTE) makemessages --all --no-obsolete --add-location file --ignore 'feedback/*' --ignore 'collect/*' --ignore 'flows/*'
	cd puente/feedback && ../../$(PUENTE) makemessages --all --no-obsolete --add-location file
	cd puente/collect && ../../$(PUENTE) makemessages --all --no-obsolete --add-location file
	cd puente/flows && ../../$(PUENTE) makemessages --all --no-obsolete --add-location file
	$(PUENTE) compilemessages

bench: install-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/consolidation.py
	$(BIN)/python bench/collect_submit.py
	$(BIN)/python bench/collect_submit.py --pause 1
	$(BIN)/python bench/collect_export.py
	$(BIN)/python bench/month_end.py
	$(BIN)/python bench/scaling.py

clean:
	rm -rf $(VENV) puente.sqlite3* staticfiles .pytest_cache .mypy_cache .ruff_cache
