# Two commands set everything up: `make app` (the app on the Rutland sample) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install app run test lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $@

# axe-core for the accessibility test (pinned in tests/a11y/package-lock.json); without npm the
# test is skipped outside CI.
AXE := tests/a11y/node_modules/axe-core/axe.min.js
$(AXE): tests/a11y/package-lock.json
	if command -v npm >/dev/null; then npm ci --prefix tests/a11y --no-audit --no-fund; \
	else echo "npm not found: tests/e2e/test_accessibility.py will be skipped"; fi

install: $(VENV)/.installed $(AXE)

app: $(VENV)/.installed
	$(VENV)/bin/streamlit run app.py

test: install
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check solver geo tests views app.py benchmarks scripts
	$(VENV)/bin/ruff format --check solver geo tests views app.py benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/pylint solver geo
