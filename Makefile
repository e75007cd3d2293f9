# One venv, created and filled on demand; every target below depends on it.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTEST := $(PY) -m pytest

.PHONY: install lock test lint run bench loadtest loadtest-smoke mutation mutation-changed screenshots clean

install: $(STAMP)

# Reproducible: every package (the dev extra included) at the version and hash
# requirements.lock pins, then the project itself without resolving anything again.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Re-resolve after a change of pyproject.toml's dependencies (or to take new releases):
# requirements.lock (runtime + dev: make install, CI) and requirements-runtime.lock (the
# same versions, runtime only: deploy/install.sh), both with hashes, for every platform.
UV_COMPILE = $(VENV)/bin/uv pip compile -q pyproject.toml --generate-hashes --universal --python-version 3.11
lock:
	test -x $(PY) || python3 -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PY) -m pip install -q --disable-pip-version-check uv
	$(UV_COMPILE) --extra dev $(if $(UPGRADE),--upgrade) -o requirements.lock
	$(UV_COMPILE) -c requirements.lock -o requirements-runtime.lock

# The whole suite. First the core on its own, so its branch coverage is measured
# by tests/core alone (the gate is 95 %); then everything else, with a summary. Both on
# TEST_WORKERS pytest-xdist workers: the core's pure tests one by one, the others a whole file
# per worker at a time (a module's fixtures, such as a Redis cluster of its own, stay in one
# process); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
XDIST_CORE := $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist load)
XDIST := $(if $(filter 0,$(TEST_WORKERS)),-p no:xdist,-n $(TEST_WORKERS) --dist loadfile)
test: install
	$(PYTEST) $(XDIST_CORE) tests/core --cov=core --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=95
	$(PYTEST) $(XDIST) --ignore=tests/core --cov=core --cov=adapters --cov=entrypoints --cov-branch --cov-report=term:skip-covered

lint: install
	$(VENV)/bin/ruff check core adapters entrypoints tests docs/examples mutation
	$(VENV)/bin/mypy --strict core adapters entrypoints

run: install
	$(VENV)/bin/azure-signin demo

# Benchmarks: real server processes under wrk (installed from Debian when missing) and a
# plot (matplotlib, the bench extra). Never part of make test.
bench: install
	command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	$(PY) -c "import matplotlib" 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	$(PYTEST) tests/bench -s -p no:cacheprovider --override-ini addopts="-q" -W ignore

# Load and faults (issue 16, tests/loadtest, docs/reliability.md): the sandbox with 50-150 ms of
# Microsoft latency, two service processes, a Redis and a PostgreSQL cluster of the run's own on
# free ports; every scenario bounded in time, figures and plots under var/loadtest/. Never part of
# make test. LOADTEST_SCALE=0.1 shortens every duration to a tenth.
LOADTEST_SCALE ?= 1
loadtest: install
	$(PY) -c "import matplotlib" 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	$(PY) -m tests.loadtest all --scale $(LOADTEST_SCALE)

# About a minute: logins at 3/s with one Redis stop (5 s) and one SIGTERM mid-callback; fails on a
# 5xx outside a fault window, a half-written sign-in or no recovery within 5 s.
loadtest-smoke: install
	$(PY) -c "import matplotlib" 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	$(PY) -m tests.loadtest smoke

# Mutation testing of core/ against tests/core (mutmut, both cores; not part of `make test`).
# FILES=core/emails.py limits it to some files; `mutation-changed` (CI) to the core files whose
# content differs from the baseline the last clean full run recorded in mutation/baseline.json.
mutation: install
	$(PY) mutation/run.py $(FILES)

mutation-changed: install
	$(PY) mutation/run.py --changed

# The README's pictures: taken by the browser suite along alice's sign-in, then copied.
screenshots: install
	$(PYTEST) tests/browser/test_screenshots.py
	mkdir -p docs/images
	for shot in demo-home sandbox-account-picker alice-signed-in; do \
	  cp var/test-artifacts/docs-$$shot.png docs/images/$$shot.png; done

clean:
	rm -rf $(VENV) var .coverage mutants
